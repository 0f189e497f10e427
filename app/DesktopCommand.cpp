#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>

#include "app/Commands.h"
#include "app/HeadlessServer.h"
#include "app/ProfileLoading.h"

#ifdef GATEHOUSE_HAS_UI
#include <QApplication>
#include <QIcon>

#include "app/KeychainSecretStore.h"
#include "app/ScreenshotTour.h"
#include "app/UiStallProbe.h"
#include "engine/admin/AdminServer.h"
#include "engine/core/Gateway.h"
#include "services/ServiceHost.h"
#include "ui/MainWindow.h"
#include "ui/document/ProfileDocument.h"
#endif

namespace gatehouse::app {

namespace {

// The bundled default: next to an installed binary, else in the source tree it was built from.
QString bundledDefaultProfile()
{
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/gatehouse/profiles/default.yaml");
    if (QFileInfo::exists(beside)) {
        return QFileInfo(beside).canonicalFilePath();
    }
    return QStringLiteral(GATEHOUSE_SOURCE_DIR "/profiles/default.yaml");
}

QString chooseProfile(const QStringList &args)
{
    if (!args.isEmpty()) {
        return args.first();
    }
    const QString last = QSettings().value(QStringLiteral("profiles/last")).toString();
    if (!last.isEmpty() && QFileInfo::exists(last)) {
        return last;
    }
    return bundledDefaultProfile();
}

#ifdef GATEHOUSE_HAS_UI
bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}
#endif

int runHeadless(int argc, char *argv[], const QString &profile)
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    printError(QStringLiteral("no display found: running headless, as `gatehouse serve %1`").arg(profile));
    HeadlessServer server(profile, false);
    const int failed = server.start();
    return failed >= 0 ? failed : QCoreApplication::exec();
}

} // namespace

int runDesktop(int argc, char *argv[], const QStringList &args)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Gatehouse"));
    QCoreApplication::setApplicationName(QStringLiteral("gatehouse"));
    if (args.size() > 1) {
        printError(QStringLiteral("usage: gatehouse [PROFILE] (see gatehouse --help)"));
        return ExitInvalid;
    }
#ifdef GATEHOUSE_HAS_UI
    if (!hasDisplay()) {
        return runHeadless(argc, argv, chooseProfile(args));
    }
    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/dev.gatehouse.Gatehouse.svg")));
    // Wayland compositors find the icon and the name through the installed desktop entry.
    QGuiApplication::setDesktopFileName(QStringLiteral("dev.gatehouse.Gatehouse"));
    const QString path = chooseProfile(args);
    KeychainSecretStore keychain;
    engine::Gateway gateway;
    gateway.setSecretStore(&keychain);
    gateway.setServiceRunner(std::make_unique<services::ServiceHost>());
    gateway.setObserved(true); // the traffic view and the charts
    // Under a saturating load the window waits for a core like every other thread; a slightly
    // lower priority for the workers keeps its stalls short (bench/ui-responsiveness.sh).
    gateway.setWorkerNiceness(3);
    engine::AdminServer admin(gateway, &keychain);
    ui::MainWindow window(gateway, &keychain);
    window.show();
    if (path == bundledDefaultProfile()) {
        // The bundled example opens as an untitled copy: Save asks where, never over the original.
        const auto profile = loadProfileOrReport(path, stderr);
        if (profile) {
            window.document()->reset(*profile);
        }
    } else if (!window.openProfile(path)) {
        loadProfileOrReport(path, stderr); // the same problems on the terminal, for scripts
    }
    QString adminError;
    if (gateway.isRunning() && !admin.apply(gateway.profile(), &adminError)) {
        window.showStartError(adminError);
    }
    UiStallProbe::showPageFromEnvironment(window); // GATEHOUSE_UI_PAGE, bench/ui-responsiveness.sh
    UiStallProbe::startFromEnvironment(&app); // GATEHOUSE_UI_STALL_LOG, off unless set
    startScreenshotTourFromEnvironment(window); // GATEHOUSE_SCREENSHOTS, docs/screenshots/render.sh
    return QApplication::exec();
#else
    return runHeadless(argc, argv, chooseProfile(args));
#endif
}

} // namespace gatehouse::app

#include "UiTestSupport.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSignalSpy>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "ui/document/ProfileDocument.h"

namespace gatehouse::test {

bool runDocument(ui::ProfileDocument &document, engine::Gateway &gateway, const QByteArray &yaml)
{
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("<test>"), QString());
    if (!read.ok()) {
        return false;
    }
    QObject::connect(&document, &ui::ProfileDocument::changed, &gateway, [&document, &gateway] {
        gateway.isRunning() ? gateway.apply(document.profile()) : gateway.start(document.profile());
    });
    document.reset(*read.profile);
    return gateway.isRunning();
}

QAction *action(QWidget &window, const char *name)
{
    return window.findChild<QAction *>(QString::fromLatin1(name));
}

bool stopGateway(engine::Gateway &gateway)
{
    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(2));
    return stopped.wait(5000);
}

int statusOf(QNetworkAccessManager &manager, const QString &url)
{
    return statusOf(manager, "GET", url);
}

int statusOf(QNetworkAccessManager &manager, const QByteArray &method, const QString &url, const HeaderPairs &headers,
             const QByteArray &body)
{
    QNetworkRequest request { QUrl(url) };
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
    }
    QNetworkReply *reply = manager.sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    const bool done = reply->isFinished() || finished.wait(5000);
    const int status = done ? reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : -1;
    reply->deleteLater();
    return status;
}

QPushButton *okButton(const QDialog &dialog)
{
    const auto *box = dialog.findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"));
    return box ? box->button(QDialogButtonBox::Ok) : nullptr;
}

QPushButton *okButton(const QDialog *dialog)
{
    return okButton(*dialog);
}

} // namespace gatehouse::test

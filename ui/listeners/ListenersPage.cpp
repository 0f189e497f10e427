#include "ListenersPage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QTcpServer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "engine/core/EngineTools.h"
#include "engine/core/Gateway.h"
#include "engine/profile/Values.h"
#include "ui/Prompts.h"
#include "ui/document/ProfileDocument.h"
#include "ui/editing/EntryButtons.h"
#include "ui/editing/PageEdits.h"
#include "ui/listeners/ListenerDialog.h"

namespace gatehouse::ui {

namespace {

// The first of 8443, 8444, ... that neither the profile nor another program on this machine uses.
quint16 freeHttpsPort(const profile::Profile &profile, const QString &host)
{
    const QHostAddress address = host == QLatin1String("localhost") ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    for (quint16 port = 8443; port < 8543; ++port) {
        const bool inProfile = std::any_of(profile.listen.cbegin(), profile.listen.cend(), [&](const profile::Listener &l) {
            return l.bind.port == port && (l.bind.host == host || profile::isWildcardHost(l.bind.host));
        });
        QTcpServer probe;
        if (!inProfile && probe.listen(address, port)) {
            return port;
        }
    }
    return 0; // any free port: the listener list shows which one it got
}

} // namespace

ListenersPage::ListenersPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_document(document)
    , m_list(new QTreeWidget(this))
    , m_addHttps(new QPushButton(tr("Add HTTPS listener (local CA)"), this))
    , m_exportCa(new QPushButton(tr("Export CA certificate…"), this))
    , m_trustCa(new QPushButton(tr("Trust the local CA"), this))
    , m_untrustCa(new QPushButton(tr("Remove trust"), this))
    , m_message(new QLabel(this))
{
    m_list->setObjectName(QStringLiteral("listenerList"));
    m_list->setHeaderLabels({ tr("Listener"), tr("Protocol"), tr("Running as") });
    m_list->setRootIsDecorated(false);
    m_list->setColumnWidth(0, 280);
    m_addHttps->setObjectName(QStringLiteral("addHttpsListener"));
    m_addHttps->setToolTip(tr("Adds a listener with tls: { auto: true }: a certificate for localhost and your route hosts, "
                              "issued by Gatehouse's local development CA"));
    m_exportCa->setObjectName(QStringLiteral("exportCa"));
    m_exportCa->setToolTip(tr("Writes the CA certificate to trust in your browser or system (see docs/tls.md)"));
    m_trustCa->setObjectName(QStringLiteral("trustCa"));
    m_trustCa->setToolTip(tr("Adds the CA to the NSS stores of Firefox and Chromium, and to the system store when run "
                             "as root (otherwise it shows the command to run): gatehouse ca --trust"));
    m_untrustCa->setObjectName(QStringLiteral("untrustCa"));
    m_untrustCa->setToolTip(tr("Removes the CA from the stores Trust added it to: gatehouse ca --untrust"));
    m_message->setObjectName(QStringLiteral("listenersMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    QHBoxLayout *buttons = entryButtons(this, m_list, tr("Add listener…"), QStringLiteral("Listener"),
                                        [this](int index) { openEditor(index); }, [this](int index) { deleteListener(index); });
    buttons->addSpacing(16);
    buttons->addWidget(m_addHttps);
    buttons->addWidget(m_exportCa);
    buttons->addWidget(m_trustCa);
    buttons->addWidget(m_untrustCa);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_message);

    connect(m_addHttps, &QPushButton::clicked, this, &ListenersPage::addHttpsListener);
    connect(m_exportCa, &QPushButton::clicked, this, [this] {
        const QString path = chooseSaveFile(this, tr("Export the CA certificate"), QStringLiteral("gatehouse-ca.pem"),
                                            tr("PEM certificates (*.pem *.crt)"));
        if (!path.isEmpty()) {
            exportCaCertificate(path);
        }
    });
    connect(m_trustCa, &QPushButton::clicked, this, [this] { changeCaTrust(true); });
    connect(m_untrustCa, &QPushButton::clicked, this, [this] { changeCaTrust(false); });
    connect(&m_document, &ProfileDocument::changed, this, &ListenersPage::refresh);
    connect(&m_gateway, &engine::Gateway::started, this, &ListenersPage::refresh);
    connect(&m_gateway, &engine::Gateway::profileApplied, this, &ListenersPage::refresh);
    refresh();
}

void ListenersPage::refresh()
{
    // One row per listener of the profile, with where it runs now.
    m_list->clear();
    const QList<engine::ListenerInfo> running = m_gateway.listeners();
    for (const profile::Listener &listener : m_document.profile().listen) {
        const auto info = std::find_if(running.cbegin(), running.cend(), [&](const engine::ListenerInfo &i) {
            return i.host == listener.bind.host && (i.port == listener.bind.port || listener.bind.port == 0);
        });
        const QString tls = !listener.tls ? (listener.redirectHttps ? tr("plain HTTP, redirects to HTTPS") : tr("plain HTTP"))
            : listener.tls->autoIssue ? tr("HTTPS (local CA)")
                                      : tr("HTTPS");
        new QTreeWidgetItem(m_list, { profile::formatHostPort(listener.bind), tls, info == running.cend() ? tr("not running") : info->url() });
    }
    const auto &listen = m_document.profile().listen;
    const bool hasAuto = std::any_of(listen.cbegin(), listen.cend(), [](const profile::Listener &l) { return l.tls && l.tls->autoIssue; });
    m_addHttps->setEnabled(!hasAuto);
}

ListenerDialog *ListenersPage::openEditor(int index)
{
    return openEditDialog(new ListenerDialog(m_document.profile(), index, this), m_document, m_message,
                          describeEntryEdit(&profile::Profile::listen, index, tr("Add listener %1"), tr("Edit listener %1")));
}

bool ListenersPage::deleteListener(int index)
{
    return deleteEntry(m_document, &profile::Profile::listen, index, tr("Delete listener %1"), m_message);
}

bool ListenersPage::addHttpsListener()
{
    profile::Profile next = m_document.profile();
    const QString host = next.listen.isEmpty() || profile::isWildcardHost(next.listen.first().bind.host)
        ? QStringLiteral("127.0.0.1")
        : next.listen.first().bind.host;
    profile::Listener listener;
    listener.bind = { host, freeHttpsPort(next, host) };
    listener.tls = profile::ListenerTls {};
    listener.tls->autoIssue = true;
    next.listen.append(listener);
    if (!applyEdit(m_document, tr("Add HTTPS listener %1").arg(profile::formatHostPort(listener.bind)), next, m_message)) {
        return false;
    }
    m_message->setText(tr("HTTPS on https://%1 with a certificate from your local CA. To trust it: Trust the local CA, "
                          "or Export CA certificate… and follow docs/tls.md for your system and browser.")
                           .arg(profile::formatHostPort(listener.bind)));
    return true;
}

void ListenersPage::exportCaCertificate(const QString &path)
{
    // Creating the CA (the first time) generates a key: off the GUI thread, the button waiting.
    m_exportCa->setEnabled(false);
    m_message->setText(tr("Reading the local CA…"));
    engine::tools::localCaCertificate(this, [this, path](const engine::tools::CaCertificate &ca) {
        m_exportCa->setEnabled(true);
        if (ca.pem.isEmpty()) {
            m_message->setText(tr("The local CA: %1").arg(ca.error));
            return;
        }
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(ca.pem) != ca.pem.size() || !file.commit()) {
            m_message->setText(tr("%1: %2").arg(path, file.errorString()));
            return;
        }
        m_message->setText(tr("Wrote %1. Trust it once in your system or browser (docs/tls.md), and HTTPS listeners "
                              "with a local CA certificate work without warnings.").arg(path));
    });
}

void ListenersPage::changeCaTrust(bool trust)
{
    // certutil and update-ca-certificates take seconds.
    m_trustCa->setEnabled(false);
    m_untrustCa->setEnabled(false);
    m_message->setText(trust ? tr("Adding the local CA to the trust stores…") : tr("Removing the local CA from the trust stores…"));
    engine::tools::trustLocalCa(trust, this, [this](const engine::tls::TrustReport &report) {
        m_trustCa->setEnabled(true);
        m_untrustCa->setEnabled(true);
        m_message->setText(report.lines().join(u'\n'));
    });
}

} // namespace gatehouse::ui

#pragma once

#include <memory>

#include <QString>
#include <QStringList>

#include "engine/profile/Profile.h"
#include "engine/tls/ServerTlsContext.h"

namespace gatehouse::engine::tls {

struct ListenerTlsLoad
{
    std::shared_ptr<const ServerTlsContext> context; // null when `error` says why
    QStringList files; // the PEM files read, watched for changes
    QString error;
};

// The names an `auto: true` certificate is issued for: the loopback names, `*.localhost`, the
// listener's own host when it is a specific one, and every host a route matches on.
QStringList autoCertificateHosts(const profile::Profile &profile, const profile::Listener &listener);

// Reads a listener's certificates (relative paths against baseDir), or issues one from the
// local development CA for `auto`; the default certificate first. Empty, with `error`, on failure.
QList<CertificatePem> readListenerCertificates(const profile::ListenerTls &tls, const QString &baseDir,
                                               const QStringList &autoHosts, QStringList *files, QString *error);
// The same, built into the listener's TLS context.
ListenerTlsLoad loadListenerTls(const profile::ListenerTls &tls, const QString &baseDir, const QStringList &autoHosts);

} // namespace gatehouse::engine::tls

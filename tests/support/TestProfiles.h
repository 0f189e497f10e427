#pragma once

#include <QByteArray>
#include <QString>

// Profiles the tests run, as YAML: one loopback listener on a free port each, and what the test
// is about spelled out by the caller.
namespace gatehouse::test {

// The smallest profile that serves something: a route /hello answering "hi".
QByteArray helloProfile(const QByteArray &name);

// An upstream `echo` at `echoUrl` and `routes`, YAML list items as under `routes:`; `more` adds
// other top-level sections (admin, jwt, rate_limits...).
QByteArray echoProfile(const QByteArray &name, const QString &echoUrl, const QByteArray &routes, const QByteArray &more = {});

// An upstream `pool` whose one target, on `deadPort`, fails its health checks every 100 ms, and
// a route /pool to it.
QByteArray unhealthyPoolProfile(const QByteArray &name, quint16 deadPort);

// A loopback port nothing listens on: taken and let go again.
quint16 closedLoopbackPort();

} // namespace gatehouse::test

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include "engine/profile/Profile.h"

namespace gatehouse::engine {

// A route's `cors`, compiled when the profile loads: origin patterns and the ready-made header
// values for preflight answers.
struct CorsPolicy
{
    bool anyOrigin = false; // "*"
    QList<QByteArray> origins; // exact, or with one '*' for a host label or the port
    QByteArray allowMethods; // "GET, POST"
    QByteArray allowHeaders; // empty: echo what the preflight asks for
    bool credentials = false;
    qint64 maxAgeSeconds = 0;

    bool allows(QByteArrayView origin) const;
};

// `routeMethods` stand in when the cors block lists no methods.
CorsPolicy compileCors(const profile::Cors &cors, const QList<QByteArray> &routeMethods);

} // namespace gatehouse::engine

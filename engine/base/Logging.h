#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcProxy)
Q_DECLARE_LOGGING_CATEGORY(lcGateway)
Q_DECLARE_LOGGING_CATEGORY(lcServices)
Q_DECLARE_LOGGING_CATEGORY(lcUpstream) // health changes, ejections, circuit transitions
Q_DECLARE_LOGGING_CATEGORY(lcRedis) // Redis outages and recoveries (rate limits, revocations)
Q_DECLARE_LOGGING_CATEGORY(lcAccessLog) // access-log file problems: rotation, write errors, drops
Q_DECLARE_LOGGING_CATEGORY(lcAuth) // JWKS fetches and key problems; never tokens or secrets

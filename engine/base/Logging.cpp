#include "Logging.h"

Q_LOGGING_CATEGORY(lcProxy, "gatehouse.engine.proxy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGateway, "gatehouse.engine.gateway", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServices, "gatehouse.engine.services", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUpstream, "gatehouse.engine.upstream", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRedis, "gatehouse.engine.redis", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAccessLog, "gatehouse.engine.accesslog", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "gatehouse.engine.auth", QtInfoMsg)

#pragma once

#include <QList>
#include <QString>

#include "engine/config/GatewayConfig.h"
#include "engine/http/HttpMessage.h"
#include "engine/pipeline/RouteExplanation.h"

namespace gatehouse::engine {

// `url` is an absolute URL ("http://api.test:8080/v1/users?x=1") or a path ("/v1/users"), whose
// host then comes from a Host header in `headers`. Paths are normalised as the proxy does.
RouteExplanation explainRoute(const GatewayConfig &config, const QByteArray &method, const QString &url,
                              const QList<http::Header> &headers);

} // namespace gatehouse::engine

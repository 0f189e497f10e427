#include "UpstreamFailure.h"

namespace gatehouse::engine {

namespace {

LocalResponse answer(int status, const char *code, QString message)
{
    LocalResponse response;
    response.status = status;
    response.error = code;
    response.message = std::move(message);
    return response;
}

} // namespace

LocalResponse failureAnswer(UpstreamFailure failure, const QString &upstream, const QString &target, const QString &tlsError)
{
    switch (failure) {
    case UpstreamFailure::Timeout:
        return answer(504, "upstream_timeout", QStringLiteral("upstream %1 did not answer in time").arg(upstream));
    case UpstreamFailure::Connect:
        // Nothing answered: "no healthy target" (SPEC §3), as Envoy answers a refused connect.
        return answer(503, "upstream_unavailable", QStringLiteral("could not connect to upstream %1").arg(upstream));
    case UpstreamFailure::Tls:
        return answer(502, "upstream_tls_failed",
                      QStringLiteral("TLS with upstream %1 (%2) failed: %3").arg(upstream, target, tlsError));
    case UpstreamFailure::NoResponse:
        return answer(502, "bad_gateway", QStringLiteral("upstream %1 closed the connection without an answer").arg(upstream));
    case UpstreamFailure::BadResponse:
    case UpstreamFailure::ErrorStatus:
        break;
    }
    return answer(502, "bad_gateway", QStringLiteral("upstream %1 sent an invalid response").arg(upstream));
}

} // namespace gatehouse::engine

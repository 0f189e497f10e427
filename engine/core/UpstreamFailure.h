#pragma once

#include <QString>

#include "engine/http/LocalResponse.h"

namespace gatehouse::engine {

// Why an attempt at an upstream failed. ErrorStatus: a 502/503/504 answer; Tls: the handshake
// with the upstream failed (its certificate, most often).
enum class UpstreamFailure { Connect, Tls, NoResponse, Timeout, BadResponse, ErrorStatus };

// What the client is answered when no attempt is left (SPEC §3).
LocalResponse failureAnswer(UpstreamFailure failure, const QString &upstream, const QString &target, const QString &tlsError);

} // namespace gatehouse::engine

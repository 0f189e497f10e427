#include "JwtAlgorithm.h"

#include <array>

namespace gatehouse::engine {

namespace {

struct AlgorithmInfo
{
    JwtAlgorithm algorithm;
    const char *name;
    JwtKeyType keyType;
    const char *digest;
};

constexpr std::array<AlgorithmInfo, 12> kAlgorithms { {
    { JwtAlgorithm::HS256, "HS256", JwtKeyType::Hmac, "SHA256" },
    { JwtAlgorithm::HS384, "HS384", JwtKeyType::Hmac, "SHA384" },
    { JwtAlgorithm::HS512, "HS512", JwtKeyType::Hmac, "SHA512" },
    { JwtAlgorithm::RS256, "RS256", JwtKeyType::Rsa, "SHA256" },
    { JwtAlgorithm::RS384, "RS384", JwtKeyType::Rsa, "SHA384" },
    { JwtAlgorithm::RS512, "RS512", JwtKeyType::Rsa, "SHA512" },
    { JwtAlgorithm::PS256, "PS256", JwtKeyType::Rsa, "SHA256" },
    { JwtAlgorithm::PS384, "PS384", JwtKeyType::Rsa, "SHA384" },
    { JwtAlgorithm::PS512, "PS512", JwtKeyType::Rsa, "SHA512" },
    { JwtAlgorithm::ES256, "ES256", JwtKeyType::EcP256, "SHA256" },
    { JwtAlgorithm::ES384, "ES384", JwtKeyType::EcP384, "SHA384" },
    { JwtAlgorithm::EdDSA, "EdDSA", JwtKeyType::Ed25519, nullptr },
} };

const AlgorithmInfo &infoOf(JwtAlgorithm algorithm)
{
    return kAlgorithms[static_cast<std::size_t>(algorithm)];
}

} // namespace

std::optional<JwtAlgorithm> jwtAlgorithmFromName(QByteArrayView name)
{
    // Exact, case-sensitive match (RFC 7515 §4.1.1): "hs256" or "None" are not algorithms.
    for (const AlgorithmInfo &info : kAlgorithms) {
        if (name == QByteArrayView(info.name)) {
            return info.algorithm;
        }
    }
    return std::nullopt;
}

QByteArray jwtAlgorithmName(JwtAlgorithm algorithm)
{
    return QByteArray(infoOf(algorithm).name);
}

JwtKeyType keyTypeFor(JwtAlgorithm algorithm)
{
    return infoOf(algorithm).keyType;
}

const char *digestNameFor(JwtAlgorithm algorithm)
{
    return infoOf(algorithm).digest;
}

bool isRsaPss(JwtAlgorithm algorithm)
{
    return algorithm == JwtAlgorithm::PS256 || algorithm == JwtAlgorithm::PS384 || algorithm == JwtAlgorithm::PS512;
}

int ecCoordinateSize(JwtKeyType type)
{
    return type == JwtKeyType::EcP384 ? 48 : 32;
}

} // namespace gatehouse::engine

#pragma once

// Fixed verification keys for fuzz_jwt, made once with `openssl genpkey` for this purpose only.
// The signed seeds in fuzz/corpus/jwt were made with their private halves, so that mutations
// start from tokens that pass the signature check and reach the claim checks.

namespace gatehouse::fuzz::keys {

inline constexpr char kHmacSecret[] = "fuzz-hs256-secret-0123456789abcdef";

inline constexpr char kRsaPublicPem[] = R"(
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0hSwkjMw5SX6Z9KCIS1d
aOHYFF4gSBoc5cSem8Qq49aOCAZmzJ+5BVBOwyod+7i4/SBE+bc2qsl6OQSwDlCw
+aMG2EmAAh4evM3P9NoJ3SNUwPCIoYU6X68KKJnDe3DgU8S/02jBITaDCio+R4zW
8WOV3yQ5Dhazy5TxNQKor3LIS5duqQaT/LeY4ZRG1Ne3BCEJebu2Sm9qZGamqDyK
bkRI9NkJ2KShyz92o99qoatH9l8VjyhHkQOQsVStEHS4OKx6IVEmRSF+QwAV9sor
yT1kAHqd7h4kiCMlNmedP0Wr5Mbj5npAOgB9VHe0zykinhaC7Zar126+iJIjwyZu
qQIDAQAB
-----END PUBLIC KEY-----
)";

inline constexpr char kEcPublicPem[] = R"(
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEkIZc9RNwk3K2vyJQkj2BVv+t9aEf
EHz4kgw+7ffxuW0QPcHThVcNHgfe0nA3qC0HOqCHSDWbV0WWu3nX/b5wDw==
-----END PUBLIC KEY-----
)";

} // namespace gatehouse::fuzz::keys

#pragma once

// unique_ptr aliases for the OpenSSL objects the auth code creates; included only by .cpp files.

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace gatehouse::engine::ossl {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Bignum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using Params = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

inline std::shared_ptr<EVP_PKEY> sharedPkey(EVP_PKEY *pkey)
{
    return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

} // namespace gatehouse::engine::ossl

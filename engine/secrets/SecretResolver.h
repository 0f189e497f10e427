#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "engine/profile/Profile.h"

namespace gatehouse::engine {

class SecretStore;

// Reads what a secret reference points at: an environment variable, a file (relative to the
// profile's folder; one trailing newline dropped), or a keychain item through `store`.
// Errors name the reference, never the secret.
std::optional<QByteArray> resolveSecret(const profile::SecretRef &ref, const QString &baseDir, SecretStore *store,
                                        QString *error);

} // namespace gatehouse::engine

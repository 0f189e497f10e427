#pragma once

#include <QString>

namespace gatehouse::engine::tls {

// The reason of the newest error on OpenSSL's (thread-local) queue, then clears the queue.
QString takeOpenSslError();

} // namespace gatehouse::engine::tls

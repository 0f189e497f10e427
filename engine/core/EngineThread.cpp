#include "EngineThread.h"

#include <QCoreApplication>

#include <openssl/crypto.h>

namespace gatehouse::engine {

void EngineThread::run()
{
    exec();
    // The objects go here rather than by deleteLater on finished(): closing their TLS sockets
    // may still call into OpenSSL (close_notify, a CBC record's random IV), which must happen
    // before the thread's OpenSSL state is freed below.
    qDeleteAll(m_owned);
    m_owned.clear();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // what those destructors posted
    // OpenSSL frees a thread's state (its two DRBGs, its error queue) in a thread-specific-data
    // destructor, which runs after QThread::wait() has returned. A process that exits then runs
    // OPENSSL_cleanup() from atexit first, which deletes that key, and the state leaks
    // (LeakSanitizer: EVP_RAND_CTX_new under RAND_get0_public/RAND_get0_private). Freed here, it
    // is gone before wait() returns; OpenSSL allows this call more than once.
    OPENSSL_thread_stop();
}

} // namespace gatehouse::engine

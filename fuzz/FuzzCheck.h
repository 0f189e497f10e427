#pragma once

#include <cstdio>
#include <cstdlib>

#include <QString>
#include <QtGlobal>

namespace gatehouse::fuzz {

// An invariant the fuzzer checks. Q_ASSERT would do in this Debug build, but an explicit abort
// also holds in any build and names the invariant in the crash report libFuzzer prints.
inline void check(bool condition, const char *invariant)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz invariant failed: %s\n", invariant);
        std::abort();
    }
}

// Engine warnings (a refused profile, a bad token) are the expected outcome of most inputs;
// printed, they would cost more time than the code under test. Fatal messages still abort.
inline void silenceQtMessages()
{
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
        if (type == QtFatalMsg) {
            std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
            std::abort();
        }
    });
}

} // namespace gatehouse::fuzz

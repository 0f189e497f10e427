#pragma once

#include <csignal>

namespace gatehouse::engine {

// hiredis writes with write(), so a connection Redis closed would raise SIGPIPE and end the
// process. The signal is blocked on this thread while hiredis writes and a pending one consumed.
class SigpipeBlock final
{
public:
    SigpipeBlock();
    ~SigpipeBlock();
    SigpipeBlock(const SigpipeBlock &) = delete;
    SigpipeBlock &operator=(const SigpipeBlock &) = delete;

private:
    sigset_t m_pipe;
    sigset_t m_previous;
    bool m_wasPending = false;
};

} // namespace gatehouse::engine

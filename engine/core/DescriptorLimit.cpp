#include "DescriptorLimit.h"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <mutex>

#include <sys/resource.h>

#include <QDir>

#include "engine/base/Logging.h"

namespace gatehouse::engine {

namespace {

// Room kept for what comes and goes besides client connections: health checks, JWKS fetches,
// pooled upstream connections, a rotated log file.
constexpr quint64 kHeadroom = 16;

// Descriptors the process holds now besides client connections (listeners, each worker's epoll and
// wake-up descriptors, log files, the admin API); a guess where there is no /proc.
quint64 descriptorsInUse()
{
    const qsizetype open = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size();
    return open > 0 ? quint64(open) : 64;
}

quint64 asCount(rlim_t value)
{
    return value == RLIM_INFINITY ? std::numeric_limits<quint64>::max() : quint64(value);
}

} // namespace

DescriptorLimit currentDescriptorLimit()
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return {};
    }
    return { asCount(limit.rlim_cur), asCount(limit.rlim_max) };
}

DescriptorLimit raiseDescriptorLimit()
{
    static std::once_flag once;
    std::call_once(once, [] {
        rlimit limit {};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) {
            return;
        }
        const rlim_t soft = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            // macOS reports an unlimited hard limit but refuses more than OPEN_MAX per process.
            limit.rlim_cur = std::max<rlim_t>(soft, 10240);
            if (limit.rlim_cur >= limit.rlim_max || setrlimit(RLIMIT_NOFILE, &limit) != 0) {
                qCWarning(lcGateway) << "cannot raise the open files limit from" << quint64(soft) << ":"
                                     << qt_error_string(errno);
            }
        }
    });
    return currentDescriptorLimit();
}

QStringList descriptorLimitWarnings(const profile::Profile &profile)
{
    const DescriptorLimit limit = currentDescriptorLimit();
    const quint64 wanted = quint64(std::max(0, profile.limits.maxConnections));
    const quint64 reserved = descriptorsInUse() + kHeadroom;
    if (limit.soft == 0 || wanted + reserved <= limit.soft) {
        return {};
    }
    const quint64 fit = limit.soft > reserved ? limit.soft - reserved : 0;
    return { QStringLiteral("limits.max_connections is %1, but this process may open only %2 files (ulimit -n; hard limit %3): "
                            "beyond about %4 client connections (fewer while proxied, each takes a second descriptor to its "
                            "upstream) new connections wait until descriptors are free. Raise the hard limit (ulimit -Hn, "
                            "systemd LimitNOFILE=) or lower limits.max_connections")
                 .arg(wanted)
                 .arg(limit.soft)
                 .arg(limit.hard)
                 .arg(fit) };
}

} // namespace gatehouse::engine

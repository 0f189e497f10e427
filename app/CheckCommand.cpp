#include <cstdio>

#include "app/Commands.h"
#include "app/ProfileLoading.h"

namespace gatehouse::app {

int runCheck(const QStringList &args)
{
    if (args.size() != 1 || args.first().startsWith(QLatin1Char('-'))) {
        printError(QStringLiteral("usage: gatehouse check PROFILE"));
        return ExitInvalid;
    }
    const auto profile = loadProfileOrReport(args.first(), stdout);
    if (!profile) {
        return ExitInvalid;
    }
    std::puts("ok");
    return ExitOk;
}

} // namespace gatehouse::app

#include "app/ProfileLoading.h"

#include "engine/profile/ProfileReader.h"

namespace gatehouse::app {

std::optional<profile::Profile> loadProfileOrReport(const QString &path, std::FILE *out)
{
    profile::ReadResult result = profile::readProfileFile(path);
    if (!result.ok()) {
        for (const profile::Problem &problem : std::as_const(result.problems)) {
            std::fprintf(out, "%s\n", problem.toString().toLocal8Bit().constData());
        }
        std::fflush(out);
        return std::nullopt;
    }
    return std::move(result.profile);
}

} // namespace gatehouse::app

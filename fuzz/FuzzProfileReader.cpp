// readProfile on arbitrary bytes, as the admin API's PUT and the GUI's import call it.
// Checked: it never throws (an escaping yaml-cpp exception aborts the run) and never crashes;
// a profile comes back exactly when there is no problem; every problem names the file and a
// line:column, the line inside the text; and a profile that reads is written and read back unchanged
// (ProfileWriter.h promises that round trip).

#include "FuzzCheck.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"

using namespace gatehouse::profile;
using gatehouse::fuzz::check;

namespace {

const QString kName = QStringLiteral("<fuzz>");
// Relative paths in a profile resolve against this; the reader itself never opens them.
const QString kBaseDir = QStringLiteral("/nonexistent/gatehouse-fuzz");

void checkProblems(const ReadResult &result, const QByteArray &yaml)
{
    check(result.ok() == result.problems.isEmpty(), "a profile exactly when there is no problem");
    for (const Problem &problem : result.problems) {
        // A line past the text's end points at nothing (line breaks are at most one a byte). The
        // column has no upper bound: yaml-cpp places some errors past the end of the input
        // ("gaserver_name" and a NUL, 14 bytes: 1:16), which an editor shows at the line's end.
        const bool inText = problem.line >= 1 && problem.line <= yaml.size() + 1 && problem.column >= 1;
        if (!inText) {
            std::fprintf(stderr, "problem: %s\n", qPrintable(problem.toString()));
        }
        check(problem.file == kName, "a problem names the file");
        check(!problem.message.isEmpty(), "a problem says what is wrong");
        check(inText, "a problem has a line:column, the line inside the text");
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    gatehouse::fuzz::silenceQtMessages();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    const ReadResult result = readProfile(yaml, kName, kBaseDir);
    checkProblems(result, yaml);
    if (!result.ok()) {
        return 0;
    }
    const QByteArray written = writeProfileYaml(*result.profile);
    const ReadResult reread = readProfile(written, kName, kBaseDir);
    if (!reread.ok()) {
        std::fprintf(stderr, "written profile:\n%s\nfirst problem: %s\n", written.constData(),
                     qPrintable(reread.problems.front().toString()));
    }
    check(reread.ok(), "a written profile reads back");
    check(reread.profile->sameContent(*result.profile), "a written profile reads back unchanged");
    return 0;
}

#include "ProfileReader.h"

#include "SectionReaders.h"
#include "YamlReading.h"

#include <algorithm>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/eventhandler.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace gatehouse::profile {

using namespace detail;

namespace {

// Bigger than any hand-written profile by far; keeps an admin PUT from feeding the parser megabytes.
constexpr qsizetype maxProfileBytes = 4 * 1024 * 1024;

void readVersion(ReadContext &ctx, MapReader &root, Profile &profile)
{
    if (!root.has("gatehouse")) {
        ctx.error(root.node(), QStringLiteral("missing 'gatehouse: 1' (the profile format version)"));
        return;
    }
    const YAML::Node value = root.value("gatehouse");
    const QString text = QString::fromStdString(value.IsScalar() ? value.Scalar() : std::string());
    if (!value.IsScalar() || value.Tag() != "?" || text != u"1") {
        ctx.error(value.IsNull() ? root.keyNode("gatehouse") : value,
                  QStringLiteral("unsupported profile version %1; this Gatehouse reads 'gatehouse: 1'")
                      .arg(text.isEmpty() ? QStringLiteral("(none)") : text));
        return;
    }
    profile.version = 1;
}

void readRoot(ReadContext &ctx, const YAML::Node &root, Profile &profile)
{
    MapReader map(ctx, root, QStringLiteral("the profile"),
                  { "gatehouse", "name", "listen", "admin", "access_log", "server_timing", "services", "limits",
                    "upstreams", "routes", "jwt", "rate_limits" });
    if (!map.isMap()) {
        return;
    }
    readVersion(ctx, map, profile);
    map.getString("name", profile.name);
    // Sections are read in file-format order; a missing value ("routes:" with nothing after it)
    // is reported at its key, since yaml-cpp places empty values on the following line.
    const auto section = [&](const char *key, const auto &reader) {
        if (!map.has(key)) {
            return;
        }
        const YAML::Node value = map.value(key);
        if (value.IsNull()) {
            ctx.error(map.keyNode(key), QStringLiteral("'%1' needs a value").arg(QString::fromLatin1(key)));
            return;
        }
        reader(value);
    };
    section("listen", [&](const YAML::Node &node) { readListeners(ctx, node, profile.listen); });
    section("admin", [&](const YAML::Node &node) { readAdmin(ctx, node, profile.admin.emplace()); });
    section("access_log", [&](const YAML::Node &node) { readAccessLog(ctx, node, profile.accessLog.emplace()); });
    map.getBool("server_timing", profile.serverTiming);
    section("services", [&](const YAML::Node &node) { readServices(ctx, node, profile.services); });
    section("limits", [&](const YAML::Node &node) { readLimits(ctx, node, profile.limits); });
    section("upstreams", [&](const YAML::Node &node) { readUpstreams(ctx, node, profile.upstreams); });
    section("routes", [&](const YAML::Node &node) { readRoutes(ctx, node, profile.routes); });
    section("jwt", [&](const YAML::Node &node) { readJwtProfiles(ctx, node, profile.jwt); });
    section("rate_limits", [&](const YAML::Node &node) { readRateLimits(ctx, node, profile.rateLimits); });
}

// The first node's position in each of a stream's first three documents.
// yaml-cpp 0.7 (Debian bookworm) has YAML::LoadAll loop forever when a document starts with a
// token no node can begin with, such as ",": it adds the same empty document again and again
// until memory runs out (yaml-cpp issue #1040, fixed upstream by PR #1319). Found by fuzzing
// (fuzz/regressions/profile_reader). Reading at most three documents bounds that loop, and two
// documents starting at the same byte reveal it.
class FirstNodes final : public YAML::EventHandler
{
public:
    std::vector<YAML::Mark> marks;

    void OnDocumentStart(const YAML::Mark &) override { m_seen = false; }
    void OnDocumentEnd() override { }
    void OnNull(const YAML::Mark &mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t, const std::string &) override
    {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override
    {
        node(mark);
    }
    void OnSequenceEnd() override { }
    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override
    {
        node(mark);
    }
    void OnMapEnd() override { }

private:
    void node(const YAML::Mark &mark)
    {
        if (!m_seen) {
            marks.push_back(mark);
            m_seen = true;
        }
    }

    bool m_seen = false;
};

void errorAt(ReadContext &ctx, const YAML::Mark &mark, const QString &message)
{
    ctx.errorAt(std::max(mark.line + 1, 1), std::max(mark.column + 1, 1), message);
}

void readDocument(ReadContext &ctx, const QByteArray &yaml, Profile &profile)
{
    const std::string text = yaml.toStdString();
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    FirstNodes firstNodes;
    while (firstNodes.marks.size() < 3 && parser.HandleNextDocument(firstNodes)) {
    }
    const std::vector<YAML::Mark> &starts = firstNodes.marks;
    for (std::size_t i = 1; i < starts.size(); ++i) {
        if (starts[i].pos == starts[i - 1].pos) {
            errorAt(ctx, starts[i], QStringLiteral("YAML syntax error: unexpected character"));
            return;
        }
    }
    const YAML::Node root = YAML::Load(text);
    if (!root.IsDefined() || root.IsNull()) {
        ctx.errorAt(1, 1, QStringLiteral("the profile is empty; it needs at least 'gatehouse: 1'"));
        return;
    }
    if (starts.size() > 1) {
        errorAt(ctx, starts[1], QStringLiteral("a profile is a single YAML document; remove the second '---'"));
    }
    readRoot(ctx, root, profile);
    checkReferences(ctx, profile);
    checkBinds(ctx);
}

QString namesOf(const QStringList &names)
{
    return names.isEmpty() ? QStringLiteral("none is defined")
                           : QStringLiteral("defined: %1").arg(names.join(QStringLiteral(", ")));
}

template<typename T>
QStringList namesIn(const QList<T> &items)
{
    QStringList names;
    for (const T &item : items) {
        names.append(item.name);
    }
    return names;
}

} // namespace

namespace detail {

void checkReferences(ReadContext &ctx, const Profile &profile)
{
    const QStringList upstreams = namesIn(profile.upstreams);
    const QStringList jwt = namesIn(profile.jwt);
    const QStringList rateLimits = namesIn(profile.rateLimits);
    for (const Reference &ref : std::as_const(ctx.references)) {
        switch (ref.kind) {
        case Reference::Kind::Upstream:
            if (!upstreams.contains(ref.name)) {
                ctx.error(ref.node, QStringLiteral("unknown upstream '%1' (%2 under 'upstreams')").arg(ref.name, namesOf(upstreams)));
            }
            break;
        case Reference::Kind::Jwt:
            if (!jwt.contains(ref.name)) {
                ctx.error(ref.node, QStringLiteral("unknown JWT profile '%1' (%2 under 'jwt')").arg(ref.name, namesOf(jwt)));
            }
            break;
        case Reference::Kind::RateLimit:
            if (!rateLimits.contains(ref.name)) {
                ctx.error(ref.node, QStringLiteral("unknown rate limit '%1' (%2 under 'rate_limits')").arg(ref.name, namesOf(rateLimits)));
            }
            break;
        }
    }
}

} // namespace detail

QString Problem::toString() const
{
    if (line <= 0) {
        return QStringLiteral("%1: %2").arg(file, message);
    }
    return QStringLiteral("%1:%2:%3: %4").arg(file).arg(line).arg(column).arg(message);
}

ReadResult readProfile(const QByteArray &yaml, const QString &displayName, const QString &baseDir)
{
    ReadContext ctx(displayName);
    Profile profile;
    profile.baseDir = baseDir;
    if (yaml.size() > maxProfileBytes) {
        ctx.errorAt(1, 1, QStringLiteral("the profile is larger than %1 MiB").arg(maxProfileBytes / (1024 * 1024)));
    } else {
        // yaml-cpp reports syntax errors (and a few others) by throwing; none of that leaves here.
        try {
            readDocument(ctx, yaml, profile);
        } catch (const YAML::Exception &e) {
            const QString message = QString::fromStdString(e.msg);
            if (e.mark.is_null()) {
                ctx.errorAt(1, 1, QStringLiteral("YAML error: ") + message);
            } else {
                ctx.errorAt(e.mark.line + 1, e.mark.column + 1, QStringLiteral("YAML syntax error: ") + message);
            }
        } catch (const std::exception &e) {
            ctx.errorAt(1, 1, QStringLiteral("cannot read the profile: ") + QString::fromUtf8(e.what()));
        } catch (...) {
            ctx.errorAt(1, 1, QStringLiteral("cannot read the profile"));
        }
    }
    ReadResult result;
    result.problems = ctx.takeProblems();
    if (result.problems.isEmpty()) {
        result.profile = std::move(profile);
    }
    return result;
}

ReadResult readProfileFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ReadResult result;
        result.problems.append(Problem { path, 0, 0, QStringLiteral("cannot open: %1").arg(file.errorString()) });
        return result;
    }
    const QByteArray yaml = file.read(maxProfileBytes + 1);
    const QFileInfo info(path);
    ReadResult result = readProfile(yaml, path, info.absolutePath());
    if (result.profile) {
        result.profile->filePath = info.absoluteFilePath();
    }
    return result;
}

} // namespace gatehouse::profile

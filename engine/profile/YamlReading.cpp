#include "YamlReading.h"

#include "Units.h"
#include "Values.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <QLocale>

namespace gatehouse::profile::detail {

namespace {

// yaml-cpp tags plain scalars "?" and quoted ones "!": `keep: "5"` is a string, not a number.
bool isPlain(const YAML::Node &node)
{
    return node.Tag() == "?";
}

bool isIntegerText(const QString &text)
{
    if (text.isEmpty() || text.size() > 19) {
        return false;
    }
    const qsizetype start = (text.front() == u'-' || text.front() == u'+') ? 1 : 0;
    if (start == text.size()) {
        return false;
    }
    return std::all_of(text.begin() + start, text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

QString typeName(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a map");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Null:
        return QStringLiteral("nothing");
    case YAML::NodeType::Scalar:
        return QStringLiteral("'%1'").arg(QString::fromStdString(node.Scalar()));
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// Optimal string alignment distance: edits plus adjacent swaps ("tsl" is one away from "tls").
int editDistance(const QString &a, const QString &b)
{
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<std::vector<int>> d(size_t(n) + 1, std::vector<int>(size_t(m) + 1));
    for (qsizetype i = 0; i <= n; ++i) {
        d[size_t(i)][0] = int(i);
    }
    for (qsizetype j = 0; j <= m; ++j) {
        d[0][size_t(j)] = int(j);
    }
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a.at(i - 1).toLower() == b.at(j - 1).toLower() ? 0 : 1;
            int best = std::min({ d[size_t(i - 1)][size_t(j)] + 1, d[size_t(i)][size_t(j - 1)] + 1,
                                  d[size_t(i - 1)][size_t(j - 1)] + cost });
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1)) {
                best = std::min(best, d[size_t(i - 2)][size_t(j - 2)] + 1);
            }
            d[size_t(i)][size_t(j)] = best;
        }
    }
    return d[size_t(n)][size_t(m)];
}

QString numberText(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

} // namespace

ReadContext::ReadContext(QString file)
    : m_file(std::move(file))
{
}

void ReadContext::error(const YAML::Node &node, const QString &message)
{
    const SourcePos pos = positionOf(node);
    errorAt(std::max(pos.line, 1), std::max(pos.column, 1), message);
}

void ReadContext::errorAt(int line, int column, const QString &message)
{
    m_problems.append(Problem { m_file, line, column, message });
}

QList<Problem> ReadContext::takeProblems()
{
    std::stable_sort(m_problems.begin(), m_problems.end(), [](const Problem &a, const Problem &b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return std::exchange(m_problems, {});
}

SourcePos positionOf(const YAML::Node &node)
{
    if (!node.IsDefined()) {
        return {};
    }
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0 || mark.column < 0) {
        return {};
    }
    return SourcePos { mark.line + 1, mark.column + 1 };
}

QString describe(const SourcePos &pos)
{
    return QStringLiteral("line %1").arg(pos.line);
}

std::optional<QString> readString(ReadContext &ctx, const YAML::Node &node, const QString &what)
{
    if (!node.IsScalar()) {
        ctx.error(node, QStringLiteral("%1 must be a string, not %2").arg(what, typeName(node)));
        return std::nullopt;
    }
    return QString::fromStdString(node.Scalar());
}

std::optional<bool> readBool(ReadContext &ctx, const YAML::Node &node, const QString &what)
{
    if (node.IsScalar() && isPlain(node)) {
        const QString text = QString::fromStdString(node.Scalar());
        if (text == u"true" || text == u"True" || text == u"TRUE") {
            return true;
        }
        if (text == u"false" || text == u"False" || text == u"FALSE") {
            return false;
        }
    }
    ctx.error(node, QStringLiteral("%1 must be true or false, not %2").arg(what, typeName(node)));
    return std::nullopt;
}

std::optional<qint64> readInteger(ReadContext &ctx, const YAML::Node &node, const QString &what,
                                  qint64 min, qint64 max)
{
    const QString range = QStringLiteral("%1 must be a whole number from %2 to %3").arg(what).arg(min).arg(max);
    if (!node.IsScalar() || !isPlain(node)) {
        ctx.error(node, QStringLiteral("%1, not %2").arg(range, typeName(node)));
        return std::nullopt;
    }
    const QString text = QString::fromStdString(node.Scalar());
    bool ok = false;
    const qint64 value = isIntegerText(text) ? text.toLongLong(&ok) : 0;
    if (!ok || value < min || value > max) {
        ctx.error(node, QStringLiteral("%1, not %2").arg(range, text));
        return std::nullopt;
    }
    return value;
}

std::optional<double> readNumber(ReadContext &ctx, const YAML::Node &node, const QString &what,
                                 double min, double max)
{
    const QString range = QStringLiteral("%1 must be a number from %2 to %3").arg(what, numberText(min), numberText(max));
    if (!node.IsScalar() || !isPlain(node)) {
        ctx.error(node, QStringLiteral("%1, not %2").arg(range, typeName(node)));
        return std::nullopt;
    }
    const QString text = QString::fromStdString(node.Scalar());
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < min || value > max) {
        ctx.error(node, QStringLiteral("%1, not %2").arg(range, text));
        return std::nullopt;
    }
    return value;
}

void forEachItem(ReadContext &ctx, const YAML::Node &node, const QString &what,
                 const std::function<void(const YAML::Node &)> &item)
{
    if (!node.IsSequence()) {
        ctx.error(node, QStringLiteral("%1 must be a list, not %2").arg(what, typeName(node)));
        return;
    }
    for (const YAML::Node &child : node) {
        item(child);
    }
}

MapReader::MapReader(ReadContext &ctx, const YAML::Node &node, const QString &what,
                     std::initializer_list<const char *> knownKeys)
    : m_ctx(ctx)
    , m_node(node)
    , m_what(what)
{
    if (!node.IsMap()) {
        ctx.error(node, QStringLiteral("%1 must be a map of keys and values, not %2").arg(what, typeName(node)));
        return;
    }
    m_isMap = true;
    QStringList known;
    for (const char *key : knownKeys) {
        known.append(QString::fromLatin1(key));
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node keyNode = it->first;
        if (!keyNode.IsScalar()) {
            ctx.error(keyNode, QStringLiteral("keys in %1 must be plain names").arg(what));
            continue;
        }
        const QString key = QString::fromStdString(keyNode.Scalar());
        if (!known.contains(key)) {
            // Short keys only get a suggestion for a single slip, longer ones for two.
            QString best;
            int bestDistance = key.size() <= 4 ? 2 : 3;
            for (const QString &candidate : known) {
                const int distance = editDistance(key, candidate);
                if (distance < bestDistance) {
                    best = candidate;
                    bestDistance = distance;
                }
            }
            const QString hint = best.isEmpty()
                ? QStringLiteral(" (known keys: %1)").arg(known.join(QStringLiteral(", ")))
                : QStringLiteral("; did you mean '%1'?").arg(best);
            ctx.error(keyNode, QStringLiteral("unknown key '%1' in %2").arg(key, what) + hint);
            continue;
        }
        if (find(keyNode.Scalar().c_str())) {
            ctx.error(keyNode, QStringLiteral("duplicate key '%1' in %2").arg(key, what));
            continue;
        }
        m_entries.push_back(Entry { key, keyNode, it->second });
    }
}

const MapReader::Entry *MapReader::find(const char *key) const
{
    const QString name = QString::fromLatin1(key);
    for (const Entry &entry : m_entries) {
        if (entry.key == name) {
            return &entry;
        }
    }
    return nullptr;
}

bool MapReader::has(const char *key) const
{
    return find(key) != nullptr;
}

YAML::Node MapReader::value(const char *key) const
{
    const Entry *entry = find(key);
    return entry ? entry->value : YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::keyNode(const char *key) const
{
    const Entry *entry = find(key);
    return entry ? entry->keyNode : YAML::Node(YAML::NodeType::Undefined);
}

bool MapReader::require(const char *key)
{
    if (!m_isMap) {
        return false;
    }
    if (has(key)) {
        return true;
    }
    m_ctx.error(m_node, QStringLiteral("%1 needs '%2'").arg(m_what, QString::fromLatin1(key)));
    return false;
}

const MapReader::Entry *MapReader::withValue(const char *key)
{
    const Entry *entry = find(key);
    if (entry && entry->value.IsNull()) {
        m_ctx.error(entry->keyNode, QStringLiteral("%1 needs a value").arg(label(key)));
        return nullptr;
    }
    return entry;
}

YAML::Node MapReader::blame(const Entry &entry) const
{
    return entry.value.IsNull() ? entry.keyNode : entry.value;
}

QString MapReader::label(const char *key) const
{
    return QStringLiteral("'%1'").arg(QString::fromLatin1(key));
}

bool MapReader::getString(const char *key, QString &out)
{
    const Entry *entry = withValue(key);
    if (!entry) {
        return false;
    }
    const auto value = readString(m_ctx, entry->value, label(key));
    if (value) {
        out = *value;
    }
    return value.has_value();
}

bool MapReader::getBool(const char *key, bool &out)
{
    const Entry *entry = withValue(key);
    if (!entry) {
        return false;
    }
    const auto value = readBool(m_ctx, entry->value, label(key));
    if (!value) {
        return false;
    }
    out = *value;
    return true;
}

bool MapReader::getInt(const char *key, int &out, int min, int max)
{
    qint64 value = 0;
    if (!getInt64(key, value, min, max)) {
        return false;
    }
    out = int(value);
    return true;
}

bool MapReader::getInt64(const char *key, qint64 &out, qint64 min, qint64 max)
{
    const Entry *entry = withValue(key);
    if (!entry) {
        return false;
    }
    const auto value = readInteger(m_ctx, entry->value, label(key), min, max);
    if (value) {
        out = *value;
    }
    return value.has_value();
}

bool MapReader::getNumber(const char *key, double &out, double min, double max)
{
    const Entry *entry = withValue(key);
    if (!entry) {
        return false;
    }
    const auto value = readNumber(m_ctx, entry->value, label(key), min, max);
    if (value) {
        out = *value;
    }
    return value.has_value();
}

bool MapReader::getDuration(const char *key, Duration &out, Duration min)
{
    QString text;
    if (!getString(key, text)) {
        return false;
    }
    QString error;
    const auto value = parseDuration(text, &error);
    if (!value) {
        m_ctx.error(find(key)->value, QStringLiteral("%1: %2").arg(label(key), error));
        return false;
    }
    if (*value < min) {
        m_ctx.error(find(key)->value, QStringLiteral("%1 must be at least %2").arg(label(key), formatDuration(min)));
        return false;
    }
    out = *value;
    return true;
}

bool MapReader::getSize(const char *key, qint64 &out, qint64 min)
{
    QString text;
    if (!getString(key, text)) {
        return false;
    }
    QString error;
    const auto value = parseSize(text, &error);
    if (!value) {
        m_ctx.error(find(key)->value, QStringLiteral("%1: %2").arg(label(key), error));
        return false;
    }
    if (*value < min) {
        m_ctx.error(find(key)->value, QStringLiteral("%1 must be at least %2").arg(label(key), formatSize(min)));
        return false;
    }
    out = *value;
    return true;
}

bool MapReader::getSecret(const char *key, SecretRef &out)
{
    QString text;
    if (!getString(key, text)) {
        return false;
    }
    QString error;
    const auto ref = parseSecretRef(text, &error);
    if (!ref) {
        m_ctx.error(find(key)->value, QStringLiteral("%1: %2").arg(label(key), error));
        return false;
    }
    out = *ref;
    return true;
}

bool MapReader::getStringList(const char *key, QStringList &out,
                              const std::function<bool(const YAML::Node &, QString &)> &item)
{
    const Entry *entry = find(key);
    if (!entry) {
        return false;
    }
    if (!entry->value.IsSequence()) {
        m_ctx.error(blame(*entry), QStringLiteral("%1 must be a list, e.g. [a, b], not %2").arg(label(key), typeName(entry->value)));
        return false;
    }
    QStringList values;
    bool ok = true;
    for (const YAML::Node &child : entry->value) {
        auto text = readString(m_ctx, child, QStringLiteral("an entry of %1").arg(label(key)));
        if (!text || (item && !item(child, *text))) {
            ok = false;
            continue;
        }
        values.append(*text);
    }
    if (ok) {
        out = values;
    }
    return ok;
}

bool MapReader::getStringPairs(const char *key, QList<QPair<QString, QString>> &out,
                               const std::function<bool(const YAML::Node &, const QString &)> &checkKey)
{
    const Entry *entry = find(key);
    if (!entry) {
        return false;
    }
    if (!entry->value.IsMap()) {
        m_ctx.error(blame(*entry), QStringLiteral("%1 must be a map, e.g. { name: value }, not %2").arg(label(key), typeName(entry->value)));
        return false;
    }
    QList<QPair<QString, QString>> pairs;
    bool ok = true;
    for (auto it = entry->value.begin(); it != entry->value.end(); ++it) {
        const auto name = readString(m_ctx, it->first, QStringLiteral("a key of %1").arg(label(key)));
        if (!name || (checkKey && !checkKey(it->first, *name))) {
            ok = false;
            continue;
        }
        const bool repeated = std::any_of(pairs.cbegin(), pairs.cend(), [&](const auto &pair) {
            return pair.first.compare(*name, Qt::CaseInsensitive) == 0;
        });
        if (repeated) {
            m_ctx.error(it->first, QStringLiteral("duplicate key '%1' in %2").arg(*name, label(key)));
            ok = false;
            continue;
        }
        if (it->second.IsNull()) {
            m_ctx.error(it->first, QStringLiteral("'%1' in %2 needs a value").arg(*name, label(key)));
            ok = false;
            continue;
        }
        const auto value = readString(m_ctx, it->second, QStringLiteral("the value of '%1'").arg(*name));
        if (!value) {
            ok = false;
            continue;
        }
        pairs.append({ *name, *value });
    }
    if (ok) {
        out = pairs;
    }
    return ok;
}

} // namespace gatehouse::profile::detail

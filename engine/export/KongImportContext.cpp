#include "KongImportContext.h"

#include <cstring>

#include <QRegularExpression>

namespace gatehouse::exporter::kongimport {

QString ImportContext::position(const YAML::Node &at) const
{
    // yaml-cpp's marks are 0-based; a missing node has none (-1).
    const YAML::Mark mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    const int line = mark.line < 0 ? 0 : mark.line + 1;
    const int column = mark.column < 0 ? 0 : mark.column + 1;
    return QStringLiteral("%1:%2:%3").arg(m_file).arg(line).arg(column);
}

void ImportContext::notMapped(const YAML::Node &at, const QString &what)
{
    m_notMapped.append(QStringLiteral("%1: not mapped: %2").arg(position(at), what));
}

void ImportContext::error(const YAML::Node &at, const QString &what)
{
    m_errors.append(QStringLiteral("%1: %2").arg(position(at), what));
}

void ImportContext::errorAt(int line, int column, const QString &what)
{
    m_errors.append(QStringLiteral("%1:%2:%3: %4").arg(m_file).arg(line).arg(column).arg(what));
}

void ImportContext::unknownKeys(
    const YAML::Node &map, std::initializer_list<const char *> known, const QString &where)
{
    if (!map.IsDefined() || !map.IsMap()) {
        return;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const std::string key = it->first.Scalar();
        bool isKnown = false;
        for (const char *k : known) {
            isKnown = isKnown || key == k;
        }
        // decK dumps write every field, null or empty when unset; those say nothing.
        const YAML::Node value = it->second;
        const bool empty = value.IsNull() || (value.IsSequence() && value.size() == 0)
            || (value.IsMap() && value.size() == 0);
        if (!isKnown && !empty) {
            notMapped(it->first, QStringLiteral("%1: %2").arg(where, QString::fromStdString(key)));
        }
    }
}

YAML::Node child(const YAML::Node &map, const char *key)
{
    if (!map.IsDefined() || !map.IsMap()) {
        return YAML::Node(YAML::NodeType::Undefined);
    }
    return map[key];
}

QString text(const YAML::Node &node)
{
    if (!node.IsDefined() || !node.IsScalar()) {
        return {};
    }
    return QString::fromStdString(node.Scalar());
}

std::optional<double> number(ImportContext &ctx, const YAML::Node &node, double fallback)
{
    if (!node.IsDefined() || node.IsNull()) {
        return fallback;
    }
    bool ok = false;
    const double value = text(node).toDouble(&ok);
    if (!ok) {
        ctx.error(node, QStringLiteral("expected a number, not '%1'").arg(text(node)));
        return std::nullopt;
    }
    return value;
}

bool boolean(const YAML::Node &node, bool fallback)
{
    const QString value = text(node);
    if (value == QLatin1String("true")) {
        return true;
    }
    if (value == QLatin1String("false")) {
        return false;
    }
    return fallback;
}

QStringList texts(const YAML::Node &sequence)
{
    QStringList out;
    if (!sequence.IsDefined()) {
        return out;
    }
    if (sequence.IsSequence()) {
        for (const YAML::Node &item : sequence) {
            out.append(text(item));
        }
    } else if (sequence.IsScalar()) {
        out.append(text(sequence));
    }
    return out;
}

QString safeName(const QString &value)
{
    QString out;
    for (const QChar c : value) {
        const bool ok = (c.isLetterOrNumber() && c.unicode() < 128) || c == QLatin1Char('.')
            || c == QLatin1Char('_') || c == QLatin1Char('-');
        out.append(ok ? c : QLatin1Char('-'));
    }
    return out;
}

std::optional<profile::SecretRef> secretFromVault(const QString &value)
{
    static const QRegularExpression vault(
        QStringLiteral("^\\{vault://env/([A-Za-z_][A-Za-z0-9_]*)\\}$"));
    const auto match = vault.match(value.trimmed());
    if (!match.hasMatch()) {
        return std::nullopt;
    }
    return profile::SecretRef { profile::SecretRef::Kind::Env, match.captured(1) };
}

} // namespace gatehouse::exporter::kongimport

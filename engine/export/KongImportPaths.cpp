#include "KongImportPaths.h"

namespace gatehouse::exporter::kongimport {

namespace {

using PathKind = profile::RouteMatch::PathKind;

// A regex that only spells out a literal (the exporter's literalRegex): the literal, else nothing.
std::optional<QString> literalOf(const QString &regex)
{
    static const QString special = QStringLiteral("\\.+*?()|[]{}^$#&-~");
    QString out;
    for (qsizetype i = 0; i < regex.size(); ++i) {
        const QChar c = regex.at(i);
        if (c == QLatin1Char('\\') && i + 1 < regex.size() && special.contains(regex.at(i + 1))) {
            out.append(regex.at(++i));
        } else if (special.contains(c) && c != QLatin1Char('-') && c != QLatin1Char('~')
            && c != QLatin1Char('#') && c != QLatin1Char('&')) {
            return std::nullopt;
        } else {
            out.append(c);
        }
    }
    return out;
}

} // namespace

QList<profile::RouteMatch> matchesOf(const QStringList &paths)
{
    QList<profile::RouteMatch> out;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QString &path = paths.at(i);
        profile::RouteMatch match;
        if (!path.startsWith(QLatin1Char('~'))) {
            match.path = path; // a plain Kong prefix
            out.append(match);
            continue;
        }
        const QString regex = path.mid(1);
        const auto literal
            = regex.endsWith(QLatin1Char('$')) ? literalOf(regex.chopped(1)) : std::nullopt;
        if (literal && i + 1 < paths.size() && paths.at(i + 1) == *literal + QLatin1Char('/')) {
            match.path = *literal;
            ++i;
        } else if (literal) {
            match.pathKind = PathKind::Exact;
            match.path = *literal;
        } else {
            match.pathKind = PathKind::Regex;
            // Kong anchors `~` paths at the start; the exporter writes an unanchored one as
            // .*(?:X).
            if (regex.startsWith(QLatin1String(".*(?:")) && regex.endsWith(QLatin1Char(')'))) {
                match.path = regex.mid(5).chopped(1);
            } else {
                match.path = regex.startsWith(QLatin1Char('^')) ? regex : QLatin1Char('^') + regex;
            }
        }
        out.append(match);
    }
    return out;
}

} // namespace gatehouse::exporter::kongimport

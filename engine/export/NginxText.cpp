#include "NginxText.h"

#include <QDir>

#include "engine/profile/Units.h"

namespace gatehouse::exporter::nginx {

QString quoted(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out.append(QLatin1Char('"'));
    for (const QChar c : text) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('"')) {
            out.append(QLatin1Char('\\')).append(c);
        } else if (c == QLatin1Char('\n')) {
            out.append(QLatin1String("\\n"));
        } else if (c == QLatin1Char('\r')) {
            out.append(QLatin1String("\\r"));
        } else if (c == QLatin1Char('\t')) {
            out.append(QLatin1String("\\t"));
        } else {
            out.append(c);
        }
    }
    out.append(QLatin1Char('"'));
    return out;
}

QString quotedText(const QString &text)
{
    QString escaped = quoted(text);
    return escaped.replace(QLatin1String("$"), QLatin1String("${gh_dollar}"));
}

QString literalRegex(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (QStringLiteral("\\.+*?()|[]{}^$").contains(c)) {
            out.append(QLatin1Char('\\'));
        }
        out.append(c);
    }
    return out;
}

QString duration(std::chrono::milliseconds value)
{
    return profile::formatDuration(value);
}

QString size(qint64 bytes)
{
    if (bytes > 0 && bytes % (1024 * 1024) == 0) {
        return QString::number(bytes / (1024 * 1024)) + QLatin1Char('m');
    }
    if (bytes > 0 && bytes % 1024 == 0) {
        return QString::number(bytes / 1024) + QLatin1Char('k');
    }
    return QString::number(bytes);
}

QString absolutePath(const QString &baseDir, const QString &path)
{
    return QDir::cleanPath(
        QDir(baseDir.isEmpty() ? QDir::currentPath() : baseDir).absoluteFilePath(path));
}

QString ident(const QString &name)
{
    QString out;
    for (const QChar c : name) {
        out.append(c.isLetterOrNumber() && c.unicode() < 128 ? c.toLower() : QLatin1Char('_'));
    }
    return out;
}

QString headerVariable(const QString &headerName)
{
    return QStringLiteral("$http_") + ident(headerName);
}

QString methodList(const QStringList &methods, const QString &separator)
{
    return methods.join(separator);
}

} // namespace gatehouse::exporter::nginx

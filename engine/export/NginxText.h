#pragma once

#include <chrono>

#include <QString>
#include <QStringList>

// Writing values into nginx's configuration syntax.
namespace gatehouse::exporter::nginx {

// A double-quoted token: backslashes, quotes and line breaks escaped as nginx's parser reads them.
// For literal places (regexes, map keys): nginx does not expand variables there.
QString quoted(const QString &text);
// The same for places nginx expands `$variables` in (return text, add_header values): a literal
// '$' becomes ${gh_dollar}, which the http block defines with `geo` (geo values are not expanded).
QString quotedText(const QString &text);
// A PCRE pattern matching `text` literally.
QString literalRegex(const QString &text);
// "250ms", "5s", "2m": nginx reads the canonical profile units as they are.
QString duration(std::chrono::milliseconds value);
// Bytes as nginx sizes: "64k", "10m", or plain bytes.
QString size(qint64 bytes);
// A profile path as nginx needs it: absolute, resolved against the profile's folder.
QString absolutePath(const QString &baseDir, const QString &path);
// A variable-safe name: profile names may hold '.' and '-'.
QString ident(const QString &name);
// The variable holding a request header: "X-User-ID" -> "$http_x_user_id".
QString headerVariable(const QString &headerName);
// "GET, POST" for an Allow header; "GET|POST" for a regex.
QString methodList(const QStringList &methods, const QString &separator);

} // namespace gatehouse::exporter::nginx

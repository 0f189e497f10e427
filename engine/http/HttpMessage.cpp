#include "HttpMessage.h"

namespace gatehouse::engine::http {

namespace {

// ASCII-only case folding: header names are tokens, so locale rules must not apply.
bool equalsIgnoringAsciiCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = char(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = char(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

} // namespace

QByteArray MessageHead::header(QByteArrayView name) const
{
    for (const Header &h : headers) {
        if (equalsIgnoringAsciiCase(h.name, name)) {
            // A present header with an empty value must still read as present (not null).
            return h.value.isNull() ? QByteArray("", 0) : h.value;
        }
    }
    return {};
}

QByteArray MessageHead::cookie(QByteArrayView name) const
{
    for (const Header &header : headers) {
        if (header.name.compare("cookie", Qt::CaseInsensitive) != 0) {
            continue;
        }
        for (const QByteArray &part : header.value.split(';')) {
            const QByteArray pair = part.trimmed();
            if (pair.size() > name.size() && pair.startsWith(name) && pair.at(name.size()) == '=') {
                return pair.sliced(name.size() + 1);
            }
        }
    }
    return {};
}

} // namespace gatehouse::engine::http

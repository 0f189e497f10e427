#include "CurlCommand.h"

#include <algorithm>
#include <array>

#include <QRegularExpression>
#include <QStringList>
#include <QUrl>

#include "ui/traffic/BodyPreview.h"
#include "ui/traffic/EventHeaders.h"

namespace gatehouse::ui {

namespace {

// Headers curl writes itself (Host from the URL, Content-Length from the data) or that
// belong to the hop between the client and the gateway (SPEC §6), so repeating them would be
// wrong or rejected.
bool curlSetsOrHopByHop(const QString &name, const QStringList &connectionTokens)
{
    static const std::array<QStringView, 8> skipped { u"content-length", u"connection", u"keep-alive", u"te",
                                                      u"trailer", u"transfer-encoding", u"upgrade", u"expect" };
    const QString lower = name.toLower();
    return lower.startsWith(QStringLiteral("proxy-")) || connectionTokens.contains(lower)
        || std::find(skipped.cbegin(), skipped.cend(), QStringView(lower)) != skipped.cend();
}

QStringList connectionTokens(const HeaderList &headers)
{
    QStringList tokens;
    for (const auto &[name, value] : headers) {
        if (name.compare(QStringLiteral("connection"), Qt::CaseInsensitive) == 0) {
            for (const QString &token : value.split(u',', Qt::SkipEmptyParts)) {
                tokens.append(token.trimmed().toLower());
            }
        }
    }
    return tokens;
}

// "Authorization: Bearer $TOKEN": the scheme is not secret and says what the variable must hold.
QString secretPlaceholder(const QString &name, const QString &value)
{
    if (name.compare(QStringLiteral("cookie"), Qt::CaseInsensitive) == 0) {
        return QStringLiteral("\"%1: $COOKIE\"").arg(name);
    }
    static const QRegularExpression scheme(QStringLiteral("^([A-Za-z][A-Za-z0-9._~+-]*)\\s"));
    const QRegularExpressionMatch match = scheme.match(value);
    return match.hasMatch() ? QStringLiteral("\"%1: %2 $TOKEN\"").arg(name, match.captured(1))
                            : QStringLiteral("\"%1: $TOKEN\"").arg(name);
}

// The URL, quoted for the shell, with each token_from query value (recorded as [redacted], which
// curl would also read as a glob) sent as "$TOKEN", like a redacted header.
QString quotedUrl(const engine::TrafficEvent &event, const QString &base)
{
    const qsizetype question = event.path.indexOf('?');
    if (question < 0 || !event.secrets) {
        return shellQuote(base + QString::fromUtf8(event.path));
    }
    QString quoted;
    QString plain = base + QString::fromUtf8(event.path.first(question + 1));
    const QList<QByteArray> pairs = event.path.sliced(question + 1).split('&');
    for (qsizetype i = 0; i < pairs.size(); ++i) {
        const QByteArray &pair = pairs.at(i);
        const qsizetype equals = pair.indexOf('=');
        if (i > 0) {
            plain += u'&';
        }
        if (equals >= 0 && event.secrets->isSecretQueryParameter(QByteArrayView(pair).first(equals))) {
            quoted += shellQuote(plain + QString::fromUtf8(pair.first(equals + 1))) + QStringLiteral("\"$TOKEN\"");
            plain.clear();
        } else {
            plain += QString::fromUtf8(pair);
        }
    }
    return plain.isEmpty() ? quoted : quoted + shellQuote(plain);
}

// Methods are tokens, which may hold quotes; plain ones stay unquoted for readability.
QString shellWord(const QString &text)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_.-]+$"));
    return plain.match(text).hasMatch() ? text : shellQuote(text);
}

QString authorityOf(const QString &baseUrl)
{
    const QUrl url(baseUrl);
    return url.port() < 0 ? url.host() : QStringLiteral("%1:%2").arg(url.host()).arg(url.port());
}

} // namespace

QString shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

QString curlCommand(const engine::TrafficEvent &event, const QString &baseUrl)
{
    QString base = baseUrl;
    while (base.endsWith(u'/')) {
        base.chop(1);
    }
    QStringList first { QStringLiteral("curl") };
    if (event.method == "HEAD") {
        first.append(QStringLiteral("--head")); // -X HEAD would wait for a body that never comes
    } else if (event.method != "GET") {
        first.append(QStringLiteral("-X ") + shellWord(QString::fromLatin1(event.method)));
    }
    first.append(quotedUrl(event, base));
    QStringList args; // one option per line, after the first

    QStringList notes;
    const std::optional<HeaderList> headers = rawRequestHeaders(event);
    if (!headers) {
        notes.append(QStringLiteral("# The request headers are no longer available; only method and path are repeated."));
    }
    const HeaderList sent = headers.value_or(HeaderList {});
    const QStringList hopTokens = connectionTokens(sent);
    const QString listenerAuthority = authorityOf(base);
    bool compressed = false;
    for (const auto &[name, value] : sent) {
        if (name.compare(QStringLiteral("host"), Qt::CaseInsensitive) == 0) {
            // curl sends the URL's authority; keep a different Host, routes may match on it.
            if (value.compare(listenerAuthority, Qt::CaseInsensitive) != 0) {
                args.append(QStringLiteral("-H ") + shellQuote(QStringLiteral("Host: ") + value));
            }
            continue;
        }
        if (name.compare(QStringLiteral("accept-encoding"), Qt::CaseInsensitive) == 0) {
            compressed = true; // --compressed asks for the same and decodes, a raw gzip body would not print
            continue;
        }
        if (curlSetsOrHopByHop(name, hopTokens)) {
            continue;
        }
        args.append(QStringLiteral("-H ")
                    + (isSecretHeader(event, name) ? secretPlaceholder(name, value) : shellQuote(name + QStringLiteral(": ") + value)));
    }
    if (compressed) {
        args.append(QStringLiteral("--compressed"));
    }
    if (event.bytesIn > 0) {
        const std::optional<QByteArray> body = capturedBody(event, BodySide::Request);
        const std::optional<QString> text = body ? bodyText(*body) : std::nullopt;
        if (text && capturedWhole(event, BodySide::Request)) {
            args.append(QStringLiteral("--data-binary ") + shellQuote(*text));
        } else {
            const QString why = !body ? QStringLiteral("was not captured")
                : !capturedWhole(event, BodySide::Request) ? QStringLiteral("was captured only in part")
                                                           : QStringLiteral("is binary");
            notes.append(QStringLiteral("# The request's %1-byte body %2; add --data-binary @FILE to send one.").arg(event.bytesIn).arg(why));
        }
    }
    if (event.status == 101) {
        notes.append(QStringLiteral("# This was a WebSocket session; curl repeats only the opening request, "
                                    "without the upgrade."));
    }
    QString command = first.join(u' ');
    for (const QString &arg : std::as_const(args)) {
        command += QStringLiteral(" \\\n  ") + arg;
    }
    for (const QString &note : notes) {
        command += u'\n' + note;
    }
    return command;
}

} // namespace gatehouse::ui

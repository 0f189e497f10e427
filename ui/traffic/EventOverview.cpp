#include "EventOverview.h"

#include <algorithm>

#include <QDateTime>
#include <QLocale>
#include <QStringList>

namespace gatehouse::ui {

namespace {

QString ms(double value)
{
    return QStringLiteral("%1 ms").arg(value, 0, 'f', value < 10 ? 2 : 1);
}

QString bytes(qint64 count)
{
    return QStringLiteral("%1 B").arg(QLocale().toString(count));
}

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

QString escaped(const QByteArray &text)
{
    return QString::fromUtf8(text).toHtmlEscaped();
}

class Table final
{
public:
    void row(const QString &label, const QString &html)
    {
        m_html += QStringLiteral("<tr><td style=\"padding-right:12px; color:gray\">%1</td><td>%2</td></tr>").arg(label, html);
    }
    void section(const QString &title)
    {
        m_html += QStringLiteral("<tr><td colspan=\"2\" style=\"padding-top:8px\"><b>%1</b></td></tr>").arg(title);
    }
    QString html() const { return QStringLiteral("<table cellspacing=\"0\">%1</table>").arg(m_html); }

private:
    QString m_html;
};

QString authText(const engine::TrafficEvent &event)
{
    if (event.auth.isEmpty() && event.authProfile.isEmpty()) {
        return QStringLiteral("public route (no JWT)");
    }
    const QString profile = event.authProfile.isEmpty() ? QString() : QStringLiteral(" (JWT profile %1)").arg(escaped(event.authProfile));
    if (event.auth == "ok") {
        const QString consumer = event.consumer.isEmpty() ? QString() : QStringLiteral(", consumer <b>%1</b>").arg(escaped(event.consumer));
        return QStringLiteral("token accepted%1%2").arg(profile, consumer);
    }
    if (event.auth.isEmpty()) {
        return QStringLiteral("not checked%1").arg(profile); // refused before the JWT stage
    }
    return QStringLiteral("token refused: %1%2").arg(escaped(event.auth), profile);
}

} // namespace

QString overviewHtml(const engine::TrafficEvent &event, const engine::RouteExplanation *why)
{
    Table t;
    t.section(QStringLiteral("Request"));
    t.row(QStringLiteral("Request id"), QStringLiteral("<tt>%1</tt>").arg(escaped(event.requestId)));
    t.row(QStringLiteral("Time"), QDateTime::fromMSecsSinceEpoch(event.timeMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    t.row(QStringLiteral("Client"), escaped(event.client));
    t.row(QStringLiteral("Method and path"), QStringLiteral("<b>%1</b> %2").arg(escaped(event.method), escaped(event.path)));
    t.row(QStringLiteral("Host"), escaped(event.host));

    t.section(QStringLiteral("Route decision"));
    t.row(QStringLiteral("Route"), event.route.isEmpty() ? QStringLiteral("<i>no route matched</i>") : escaped(event.route));
    if (!event.upstream.isEmpty() || !event.target.isEmpty()) {
        t.row(QStringLiteral("Upstream"), event.upstream.isEmpty() ? QStringLiteral("—") : escaped(event.upstream));
        t.row(QStringLiteral("Target"), event.target.isEmpty() ? QStringLiteral("—") : escaped(event.target));
    }
    QString status = QString::number(event.status);
    if (!event.error.isEmpty()) {
        status += QStringLiteral(" (gateway error <tt>%1</tt>)").arg(escaped(event.error));
    }
    t.row(QStringLiteral("Status"), status);
    t.row(QStringLiteral("Attempts"), QString::number(event.attempts));
    if (why && why->error.isEmpty()) {
        // Explained against the profile running now, which may have changed since the request.
        for (const engine::RouteVerdict &verdict : why->routes) {
            if (!verdict.chosen) {
                t.row(QStringLiteral("Not %1").arg(escaped(verdict.route)), escaped(verdict.reasons.join(QStringLiteral("; "))));
            }
        }
    }

    if (event.status == 101) {
        // A tunnel's event is written when the session ends: its time and bytes are the whole session.
        t.section(QStringLiteral("WebSocket session"));
        t.row(QStringLiteral("Duration"), ms(event.totalMs));
        t.row(QStringLiteral("Client → upstream"), bytes(event.bytesIn));
        t.row(QStringLiteral("Upstream → client"), bytes(event.bytesOut));
    } else {
        t.section(QStringLiteral("Timing"));
        if (event.upstreamMs >= 0) {
            // In the order they happened; the rows add up to the total.
            const double queue = std::max(0.0, event.queueMs);
            const double connect = std::max(0.0, event.connectMs);
            t.row(QStringLiteral("Queue"), ms(queue) + QStringLiteral(" <span style=\"color:gray\">routing, auth, limits</span>"));
            t.row(QStringLiteral("Connect"), event.connectMs == 0 ? QStringLiteral("0 ms <span style=\"color:gray\">pooled connection</span>") : ms(connect));
            t.row(QStringLiteral("Upstream"), ms(std::max(0.0, event.upstreamMs - connect)) + QStringLiteral(" <span style=\"color:gray\">to the response head</span>"));
            t.row(QStringLiteral("Transfer"), ms(std::max(0.0, event.totalMs - queue - event.upstreamMs)));
        } else {
            t.row(QStringLiteral("Upstream"), QStringLiteral("not asked"));
        }
        t.row(QStringLiteral("Total"), QStringLiteral("<b>%1</b>").arg(ms(event.totalMs)));
        t.row(QStringLiteral("Body sizes"), QStringLiteral("%1 in, %2 out").arg(bytes(event.bytesIn), bytes(event.bytesOut)));
    }

    t.section(QStringLiteral("Policies"));
    t.row(QStringLiteral("JWT"), authText(event));
    t.row(QStringLiteral("Rate limited"), event.rateLimited ? QStringLiteral("<b>yes</b>") : QStringLiteral("no"));
    t.row(QStringLiteral("Canary"), event.canary ? QStringLiteral("yes") : QStringLiteral("no"));
    return t.html();
}

} // namespace gatehouse::ui

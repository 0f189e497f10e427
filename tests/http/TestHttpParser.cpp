#include "engine/http/HttpParser.h"

#include <QRandomGenerator>
#include <QTest>

using gatehouse::engine::http::HttpParser;
using gatehouse::engine::http::MessageHead;
using gatehouse::engine::http::ParseStatus;

namespace gatehouse::engine::http {
// Found by QTest through ADL, so failures print the status by name.
char *toString(ParseStatus s)
{
    const char *names[] = { "Ok", "Incomplete", "BadRequest", "HeadersTooLarge", "BodyTooLarge", "BadMethod" };
    return qstrdup(names[int(s)]);
}
} // namespace gatehouse::engine::http

Q_DECLARE_METATYPE(gatehouse::engine::http::ParseStatus)

namespace {

using Mode = HttpParser::Mode;
using Event = HttpParser::Event;

struct Message
{
    MessageHead head;
    QByteArray body;
    bool ended = false;
};

struct Outcome
{
    QList<Message> messages;
    bool error = false;
    ParseStatus status = ParseStatus::Ok;
    QByteArray leftover;
    QString violation; // a broken parser contract (consumed out of range, view outside input, ...)
};

// Plays the caller the header describes: keep the unread bytes, call next(), act on the event,
// then drop `consumed`. Returns false once an error (or contract violation) stops parsing.
bool drain(HttpParser &parser, QByteArray &buffer, Outcome &out)
{
    for (int guard = 0; guard < 1000000; ++guard) {
        qsizetype consumed = -1;
        const Event ev = parser.next(buffer, consumed);
        if (consumed < 0 || consumed > buffer.size()) {
            out.violation = QStringLiteral("consumed %1 of %2").arg(consumed).arg(buffer.size());
            return false;
        }
        switch (ev) {
        case Event::NeedMore:
            buffer.remove(0, consumed);
            return true;
        case Event::Head:
            if (consumed == 0) {
                out.violation = QStringLiteral("Head consumed nothing");
                return false;
            }
            out.messages.append(Message { parser.head(), {}, false });
            break;
        case Event::Body: {
            const QByteArrayView b = parser.body();
            // The body must be a view of the consumed part of the input, never a copy.
            if (b.isEmpty() || b.data() < buffer.constData()
                || b.data() + b.size() > buffer.constData() + consumed) {
                out.violation = QStringLiteral("body view outside the consumed input");
                return false;
            }
            if (out.messages.isEmpty()) {
                out.violation = QStringLiteral("Body before Head");
                return false;
            }
            out.messages.last().body.append(b.data(), b.size());
            break;
        }
        case Event::MessageEnd:
            if (out.messages.isEmpty() || out.messages.last().ended) {
                out.violation = QStringLiteral("MessageEnd without a message");
                return false;
            }
            out.messages.last().ended = true;
            break;
        case Event::Error:
            out.error = true;
            out.status = parser.error();
            return false;
        }
        buffer.remove(0, consumed);
    }
    out.violation = QStringLiteral("no progress");
    return false;
}

Outcome run(HttpParser &parser, const QList<QByteArray> &pieces, bool finishAtEnd = false)
{
    Outcome out;
    QByteArray buffer;
    bool ok = true;
    for (const QByteArray &piece : pieces) {
        buffer.append(piece);
        if (!(ok = drain(parser, buffer, out))) {
            break;
        }
    }
    if (ok && finishAtEnd) {
        const Event ev = parser.finish();
        if (ev == Event::MessageEnd) {
            if (out.messages.isEmpty() || out.messages.last().ended) {
                out.violation = QStringLiteral("finish() ended no message");
            } else {
                out.messages.last().ended = true;
            }
        } else if (ev == Event::Error) {
            out.error = true;
            out.status = parser.error();
        }
    }
    out.leftover = buffer;
    return out;
}

Outcome parseWhole(Mode mode, const QByteArray &raw, HttpParser::Limits limits = {}, bool finish = false)
{
    HttpParser parser(mode, limits);
    return run(parser, { raw }, finish);
}

QList<QByteArray> bytewise(const QByteArray &raw)
{
    QList<QByteArray> pieces;
    for (char c : raw) {
        pieces.append(QByteArray(1, c));
    }
    return pieces;
}

QByteArray summary(const Outcome &o)
{
    QByteArray s;
    for (const Message &m : o.messages) {
        s += m.head.method + ' ' + m.head.target + ' ' + QByteArray::number(m.head.status) + " ["
            + QByteArray::number(m.head.headers.size()) + "] "
            + (m.head.keepAlive ? "ka " : "close ") + m.body + (m.ended ? " END|" : " OPEN|");
    }
    if (o.error) {
        s += "ERROR " + QByteArray::number(int(o.status));
    }
    return s;
}

const QByteArray kChunked = "POST /upload HTTP/1.1\r\n"
                            "Host: example.test\r\n"
                            "Transfer-Encoding: chunked\r\n"
                            "\r\n"
                            "5;name=value\r\nhello\r\n"
                            "1\r\n \r\n"
                            "a; x=\"quoted\"\r\n0123456789\r\n"
                            "0\r\n"
                            "X-Trailer: yes\r\n"
                            "\r\n";

} // namespace

class TestHttpParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validRequests_data();
    void validRequests();
    void requestHeadFields();
    void headerLookup();
    void pipelinedThree();
    void chunkedEverySplit();
    void chunkedEveryTwoSplits();
    void bodyIsAViewOfTheInput();
    void headerListReusedAcrossMessages();
    void expectContinueBeforeBody();
    void leadingEmptyLines();
    void responses_data();
    void responses();
    void interimThenFinal();
    void headResponseThenGetResponse();
    void truncatedResponseIsAnError();
    void finishBetweenMessages();
    void upgradeRequest();
    void malformed_data();
    void malformed();
    void errorIsSticky();
    void headersTooLargeWithoutTerminator();
    void bodyTooLargeDetectedEarly();
    void bareLfRefusedBeforeTheHeadEnds();
    void randomInputs();
    void benchmarkTypicalRequest();
};

void TestHttpParser::validRequests_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("GET") << QByteArray("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n")
                         << QByteArray("GET /a/b?x=1 0 [2] ka  END|");
    QTest::newRow("POST with Content-Length")
        << QByteArray("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world")
        << QByteArray("POST /p 0 [2] ka hello world END|");
    QTest::newRow("Content-Length 0") << QByteArray("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
                                      << QByteArray("POST /p 0 [2] ka  END|");
    QTest::newRow("chunked with extensions and trailer")
        << kChunked << QByteArray("POST /upload 0 [2] ka hello 0123456789 END|");
    QTest::newRow("Chunked in mixed case")
        << QByteArray("POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << QByteArray("POST /p 0 [2] ka abc END|");
    QTest::newRow("chunk size with leading zeros and upper-case hex")
        << QByteArray("POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n000A\r\n0123456789\r\n0\r\n\r\n")
        << QByteArray("POST /p 0 [2] ka 0123456789 END|");
    QTest::newRow("pipelined three")
        << QByteArray("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
                      "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                      "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n")
        << QByteArray("GET /1 0 [1] ka  END|POST /2 0 [2] ka abc END|POST /3 0 [2] ka xy END|");
    QTest::newRow("Expect 100-continue")
        << QByteArray("PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\ndata")
        << QByteArray("PUT /f 0 [3] ka data END|");
    QTest::newRow("absolute-form")
        << QByteArray("GET http://example.test:8080/x?y=1 HTTP/1.1\r\nHost: example.test:8080\r\n\r\n")
        << QByteArray("GET http://example.test:8080/x?y=1 0 [1] ka  END|");
    QTest::newRow("HTTP/1.0 closes by default") << QByteArray("GET / HTTP/1.0\r\n\r\n")
                                                << QByteArray("GET / 0 [0] close  END|");
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        << QByteArray("GET / 0 [1] ka  END|");
    QTest::newRow("HTTP/1.1 Connection: close")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        << QByteArray("GET / 0 [2] close  END|");
    QTest::newRow("OPTIONS *") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
                               << QByteArray("OPTIONS * 0 [1] ka  END|");
    QTest::newRow("CONNECT authority-form")
        << QByteArray("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n")
        << QByteArray("CONNECT example.test:443 0 [1] ka  END|");
    QTest::newRow("empty header value and odd spacing")
        << QByteArray("GET / HTTP/1.1\r\nHost:h\r\nX-Empty:\r\nX-Pad: \t v a l \t\r\n\r\n")
        << QByteArray("GET / 0 [3] ka  END|");
    QTest::newRow("obs-text in value") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\xc3\xa9\r\n\r\n")
                                       << QByteArray("GET / 0 [2] ka  END|");
    QTest::newRow("IPv6 Host") << QByteArray("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")
                               << QByteArray("GET / 0 [1] ka  END|");
    QTest::newRow("empty Host") << QByteArray("GET / HTTP/1.1\r\nHost:\r\n\r\n")
                                << QByteArray("GET / 0 [1] ka  END|");
    QTest::newRow("body bytes that look like a request")
        << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 19\r\n\r\nGET /x HTTP/1.1\r\n\r\n")
        << QByteArray("POST / 0 [2] ka GET /x HTTP/1.1\r\n\r\n END|");
}

void TestHttpParser::validRequests()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, expected);

    const Outcome whole = parseWhole(Mode::Request, raw);
    QVERIFY2(whole.violation.isEmpty(), qPrintable(whole.violation));
    QCOMPARE(summary(whole), expected);
    QVERIFY(whole.leftover.isEmpty());

    HttpParser byteParser(Mode::Request);
    const Outcome bytes = run(byteParser, bytewise(raw));
    QVERIFY2(bytes.violation.isEmpty(), qPrintable(bytes.violation));
    QCOMPARE(summary(bytes), expected);

    for (qsizetype i = 1; i < raw.size(); ++i) {
        HttpParser parser(Mode::Request);
        const Outcome split = run(parser, { raw.first(i), raw.sliced(i) });
        QVERIFY2(split.violation.isEmpty(), qPrintable(split.violation));
        QCOMPARE(summary(split), expected);
    }
}

void TestHttpParser::requestHeadFields()
{
    const Outcome o = parseWhole(Mode::Request,
                                 "POST /p?q HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX-Pad:  padded value \r\n"
                                 "X-Empty:\r\n\r\nabc");
    QCOMPARE(o.messages.size(), 1);
    const MessageHead &h = o.messages[0].head;
    QCOMPARE(h.method, QByteArray("POST"));
    QCOMPARE(h.target, QByteArray("/p?q"));
    QCOMPARE(h.versionMajor, 1);
    QCOMPARE(h.versionMinor, 1);
    QCOMPARE(h.contentLength, qint64(3));
    QVERIFY(!h.chunked);
    QVERIFY(h.keepAlive);
    QVERIFY(!h.upgrade);
    QCOMPARE(h.headers.size(), 4);
    QCOMPARE(h.headers[0].name, QByteArray("Host"));
    QCOMPARE(h.headers[2].name, QByteArray("X-Pad"));
    QCOMPARE(h.headers[2].value, QByteArray("padded value"));
    QCOMPARE(h.headers[3].value, QByteArray(""));
    QVERIFY(!h.headers[3].value.isNull());

    const Outcome c = parseWhole(Mode::Request, kChunked);
    QCOMPARE(c.messages.size(), 1);
    QVERIFY(c.messages[0].head.chunked);
    QCOMPARE(c.messages[0].head.contentLength, qint64(-1));
    // The trailer is consumed but not added to the head.
    QVERIFY(!c.messages[0].head.hasHeader("X-Trailer"));
}

void TestHttpParser::headerLookup()
{
    const Outcome o = parseWhole(Mode::Request,
                                 "GET / HTTP/1.1\r\nHost: h\r\nX-Multi: one\r\nx-multi: two\r\nX-Empty:\r\n\r\n");
    QCOMPARE(o.messages.size(), 1);
    const MessageHead &h = o.messages[0].head;
    QCOMPARE(h.header("host"), QByteArray("h"));
    QCOMPARE(h.header("HOST"), QByteArray("h"));
    QCOMPARE(h.header("X-MULTI"), QByteArray("one"));
    QVERIFY(h.hasHeader("x-empty"));
    QVERIFY(h.header("x-empty").isEmpty());
    QVERIFY(!h.hasHeader("X-Missing"));
    QVERIFY(h.header("X-Missing").isNull());
    QVERIFY(!h.hasHeader("X-Multi2"));
    // Case folding is ASCII letters only: '@' and '`', '[' and '{' differ by the case bit too.
    using gatehouse::engine::http::equalsIgnoringCase;
    QVERIFY(equalsIgnoringCase("X-Tag", "x-TAG"));
    QVERIFY(!equalsIgnoringCase("x@", "x`"));
    QVERIFY(!equalsIgnoringCase("a[", "A{"));
    QVERIFY(!equalsIgnoringCase("host", "hosts"));
}

void TestHttpParser::pipelinedThree()
{
    const QByteArray raw = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                           "DELETE /2 HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\n\r\nzz"
                           "GET /3 HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n";
    HttpParser parser(Mode::Request);
    QByteArray buffer = raw;
    QList<Event> events;
    qsizetype total = 0;
    for (int i = 0; i < 20; ++i) {
        qsizetype consumed = 0;
        const Event ev = parser.next(buffer, consumed);
        QVERIFY(ev != Event::Error);
        total += consumed;
        buffer.remove(0, consumed);
        if (ev == Event::NeedMore) {
            break;
        }
        events.append(ev);
        if (ev == Event::Head) {
            QVERIFY(parser.inMessage());
        }
        if (ev == Event::MessageEnd) {
            QVERIFY(!parser.inMessage());
        }
    }
    QCOMPARE(total, raw.size());
    QCOMPARE(events,
             (QList<Event> { Event::Head, Event::MessageEnd, Event::Head, Event::Body, Event::MessageEnd,
                             Event::Head, Event::MessageEnd }));
    QCOMPARE(parser.head().target, QByteArray("/3"));
    QCOMPARE(parser.head().header("Host"), QByteArray("c"));
    QVERIFY(!parser.head().keepAlive);
}

void TestHttpParser::chunkedEverySplit()
{
    // Every byte boundary, including inside "\r\n", the size line, the extension and the trailer.
    for (qsizetype i = 0; i <= kChunked.size(); ++i) {
        HttpParser parser(Mode::Request);
        const Outcome o = run(parser, { kChunked.first(i), kChunked.sliced(i) });
        QVERIFY2(o.violation.isEmpty(), qPrintable(o.violation));
        QVERIFY2(!o.error, qPrintable(QStringLiteral("split at %1").arg(i)));
        QCOMPARE(o.messages.size(), 1);
        QCOMPARE(o.messages[0].body, QByteArray("hello 0123456789"));
        QVERIFY(o.messages[0].ended);
        QVERIFY(o.leftover.isEmpty());
    }
    HttpParser parser(Mode::Request);
    const Outcome o = run(parser, bytewise(kChunked));
    QCOMPARE(o.messages.size(), 1);
    QCOMPARE(o.messages[0].body, QByteArray("hello 0123456789"));
    QVERIFY(o.messages[0].ended);
}

void TestHttpParser::chunkedEveryTwoSplits()
{
    const QByteArray raw = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "3;a=b\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                           "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nfg";
    const qsizetype headEnd = raw.indexOf("\r\n\r\n") + 4;
    for (qsizetype i = headEnd - 2; i <= raw.size(); ++i) {
        for (qsizetype j = i; j <= raw.size(); ++j) {
            HttpParser parser(Mode::Request);
            const Outcome o = run(parser, { raw.first(i), raw.sliced(i, j - i), raw.sliced(j) });
            QVERIFY2(o.violation.isEmpty(), qPrintable(o.violation));
            QCOMPARE(summary(o), QByteArray("POST / 0 [2] ka abcde END|POST /2 0 [2] ka fg END|"));
        }
    }
}

void TestHttpParser::bodyIsAViewOfTheInput()
{
    const QByteArray raw = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
    HttpParser parser(Mode::Request);
    qsizetype consumed = 0;
    QCOMPARE(parser.next(raw, consumed), Event::Head);
    QCOMPARE(consumed, raw.indexOf("hello"));
    const QByteArrayView rest = QByteArrayView(raw).sliced(consumed);
    QCOMPARE(parser.next(rest, consumed), Event::Body);
    QCOMPARE(parser.body().data(), rest.data());
    QCOMPARE(parser.body(), QByteArrayView("hello"));
    QCOMPARE(consumed, qsizetype(5));
    QCOMPARE(parser.next(rest.sliced(consumed), consumed), Event::MessageEnd);
    QCOMPARE(consumed, qsizetype(0));
    QVERIFY(parser.body().isEmpty());
    QCOMPARE(parser.next({}, consumed), Event::NeedMore);
}

void TestHttpParser::headerListReusedAcrossMessages()
{
    const QByteArray raw = "GET /1 HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
                           "GET /2 HTTP/1.1\r\nHost: i\r\nD: 4\r\n\r\n";
    const Outcome o = parseWhole(Mode::Request, raw);
    QCOMPARE(o.messages.size(), 2);
    QCOMPARE(o.messages[0].head.headers.size(), 4);
    QCOMPARE(o.messages[0].head.header("C"), QByteArray("3"));
    QCOMPARE(o.messages[1].head.headers.size(), 2);
    QCOMPARE(o.messages[1].head.header("Host"), QByteArray("i"));
    QCOMPARE(o.messages[1].head.header("D"), QByteArray("4"));
    QVERIFY(!o.messages[1].head.hasHeader("A"));
}

void TestHttpParser::expectContinueBeforeBody()
{
    // The Head arrives (so the caller can send "100 Continue") before any body byte exists.
    HttpParser parser(Mode::Request);
    QByteArray buffer = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    qsizetype consumed = 0;
    QCOMPARE(parser.next(buffer, consumed), Event::Head);
    QCOMPARE(parser.head().header("expect"), QByteArray("100-continue"));
    buffer.remove(0, consumed);
    QCOMPARE(parser.next(buffer, consumed), Event::NeedMore);
    QVERIFY(parser.inMessage());
    buffer += "abc";
    QCOMPARE(parser.next(buffer, consumed), Event::Body);
    QCOMPARE(parser.body(), QByteArrayView("abc"));
    buffer.remove(0, consumed);
    QCOMPARE(parser.next(buffer, consumed), Event::MessageEnd);
}

void TestHttpParser::leadingEmptyLines()
{
    const Outcome o = parseWhole(Mode::Request, "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(summary(o), QByteArray("GET / 0 [1] ka  END|"));
    QVERIFY(o.leftover.isEmpty());
}

void TestHttpParser::responses_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<bool>("noBody");
    QTest::addColumn<bool>("finish");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello") << false
        << false << QByteArray("  200 [2] ka hello END|");
    QTest::newRow("chunked")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n")
        << false << false << QByteArray("  200 [1] ka Wikipedia END|");
    QTest::newRow("close-delimited")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end") << false << true
        << QByteArray("  200 [1] close until the end END|");
    QTest::newRow("close-delimited HTTP/1.0")
        << QByteArray("HTTP/1.0 200 OK\r\n\r\nold") << false << true << QByteArray("  200 [0] close old END|");
    QTest::newRow("HEAD with Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n") << true << false
        << QByteArray("  200 [1] ka  END|");
    QTest::newRow("HEAD with chunked")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") << true << false
        << QByteArray("  200 [1] ka  END|");
    QTest::newRow("HEAD without framing") << QByteArray("HTTP/1.1 200 OK\r\n\r\n") << true << false
                                          << QByteArray("  200 [0] ka  END|");
    QTest::newRow("204") << QByteArray("HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n") << false << false
                         << QByteArray("  204 [1] ka  END|");
    QTest::newRow("304 with Content-Length")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\nETag: \"x\"\r\n\r\n") << false
        << false << QByteArray("  304 [2] ka  END|");
    QTest::newRow("100 then 200")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") << false
        << false << QByteArray("  100 [0] ka  END|  200 [1] ka ok END|");
    QTest::newRow("103 then 204")
        << QByteArray("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n") << false
        << false << QByteArray("  103 [1] ka  END|  204 [0] ka  END|");
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx") << false
        << false << QByteArray("  200 [2] ka x END|");
    QTest::newRow("Connection: close") << QByteArray("HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                                       << false << false << QByteArray("  500 [2] close  END|");
    QTest::newRow("no reason phrase") << QByteArray("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n") << false << false
                                      << QByteArray("  200 [1] ka  END|");
    QTest::newRow("two keep-alive responses")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb")
        << false << false << QByteArray("  200 [1] ka a END|  404 [1] ka b END|");
}

void TestHttpParser::responses()
{
    QFETCH(QByteArray, raw);
    QFETCH(bool, noBody);
    QFETCH(bool, finish);
    QFETCH(QByteArray, expected);

    const auto check = [&](const QList<QByteArray> &pieces) {
        HttpParser parser(Mode::Response);
        parser.expectNoBody(noBody);
        const Outcome o = run(parser, pieces, finish);
        QVERIFY2(o.violation.isEmpty(), qPrintable(o.violation));
        QCOMPARE(summary(o), expected);
        QVERIFY(o.leftover.isEmpty());
    };
    check({ raw });
    if (QTest::currentTestFailed()) {
        return;
    }
    check(bytewise(raw));
    for (qsizetype i = 1; i < raw.size() && !QTest::currentTestFailed(); ++i) {
        check({ raw.first(i), raw.sliced(i) });
    }
}

void TestHttpParser::interimThenFinal()
{
    HttpParser parser(Mode::Response);
    QByteArray buffer = "HTTP/1.1 100 Continue\r\n\r\n";
    qsizetype consumed = 0;
    QCOMPARE(parser.next(buffer, consumed), Event::Head);
    QCOMPARE(parser.head().status, 100);
    buffer.remove(0, consumed);
    QCOMPARE(parser.next(buffer, consumed), Event::MessageEnd);
    QVERIFY(!parser.inMessage());
    QCOMPARE(parser.next(buffer, consumed), Event::NeedMore);
    buffer += "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nid";
    QCOMPARE(parser.next(buffer, consumed), Event::Head);
    QCOMPARE(parser.head().status, 201);
    QCOMPARE(parser.head().reason, QByteArray("Created"));
    buffer.remove(0, consumed);
    QCOMPARE(parser.next(buffer, consumed), Event::Body);
    QCOMPARE(parser.body(), QByteArrayView("id"));
}

void TestHttpParser::headResponseThenGetResponse()
{
    // expectNoBody() lasts for one final response, across interim ones.
    HttpParser parser(Mode::Response);
    parser.expectNoBody(true);
    const Outcome o = run(parser,
                          { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
                            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc" });
    QVERIFY2(o.violation.isEmpty(), qPrintable(o.violation));
    QCOMPARE(summary(o), QByteArray("  100 [0] ka  END|  200 [1] ka  END|  200 [1] ka abc END|"));
}

void TestHttpParser::truncatedResponseIsAnError()
{
    {
        HttpParser parser(Mode::Response);
        const Outcome o = run(parser, { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc" }, true);
        QVERIFY(o.error);
        QCOMPARE(o.status, ParseStatus::BadRequest);
        QCOMPARE(o.messages.size(), 1);
        QCOMPARE(o.messages[0].body, QByteArray("abc"));
    }
    {
        HttpParser parser(Mode::Response);
        const Outcome o = run(parser, { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab" }, true);
        QVERIFY(o.error);
    }
    {
        HttpParser parser(Mode::Response);
        const Outcome o = run(parser, { "HTTP/1.1 200 OK\r\nContent-" }, true);
        QVERIFY(o.error);
        QCOMPARE(o.messages.size(), 0);
    }
}

void TestHttpParser::finishBetweenMessages()
{
    HttpParser parser(Mode::Response);
    const Outcome o = run(parser, { "HTTP/1.1 204 No Content\r\n\r\n" }, false);
    QCOMPARE(o.messages.size(), 1);
    QCOMPARE(parser.finish(), Event::NeedMore);
    QCOMPARE(parser.error(), ParseStatus::Ok);
}

void TestHttpParser::upgradeRequest()
{
    const QByteArray raw = "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n\x81\x05hello";
    HttpParser parser(Mode::Request);
    qsizetype consumed = 0;
    QCOMPARE(parser.next(raw, consumed), Event::Head);
    QVERIFY(parser.head().upgrade);
    QCOMPARE(consumed, raw.indexOf("\r\n\r\n") + 4);
    QCOMPARE(parser.next(QByteArrayView(raw).sliced(consumed), consumed), Event::MessageEnd);
    QCOMPARE(consumed, qsizetype(0)); // the frames after the head belong to the tunnel

    HttpParser response(Mode::Response);
    QCOMPARE(response.next("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
                           consumed),
             Event::Head);
    QVERIFY(response.head().upgrade);
    QCOMPARE(response.next("", consumed), Event::MessageEnd);
}

void TestHttpParser::malformed_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<ParseStatus>("status");

    const ParseStatus bad = ParseStatus::BadRequest;
    const QByteArray get = "GET / HTTP/1.1\r\nHost: h\r\n";
    const QByteArray post = "POST / HTTP/1.1\r\nHost: h\r\n";
    const QByteArray chunkedPost = post + "Transfer-Encoding: chunked\r\n\r\n";

    // Framing / smuggling (SPEC §3)
    QTest::newRow("CL and TE") << post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" << bad;
    QTest::newRow("TE and CL") << post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" << bad;
    QTest::newRow("differing CL") << post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" << bad;
    QTest::newRow("identical duplicate CL") << post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello" << bad;
    QTest::newRow("CL list") << post + "Content-Length: 5, 5\r\n\r\nhello" << bad;
    QTest::newRow("TE gzip, chunked") << post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" << bad;
    QTest::newRow("TE chunkedx") << post + "Transfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n" << bad;
    QTest::newRow("TE identity") << post + "Transfer-Encoding: identity\r\n\r\n" << bad;
    QTest::newRow("TE chunked, chunked") << post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" << bad;
    QTest::newRow("duplicate TE") << post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                                  << bad;
    QTest::newRow("TE in HTTP/1.0") << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                    << bad;
    QTest::newRow("TE with vertical tab") << post + "Transfer-Encoding:\x0b" "chunked\r\n\r\n0\r\n\r\n" << bad;
    QTest::newRow("obs-fold SP") << get + "X-A: one\r\n two\r\n\r\n" << bad;
    QTest::newRow("obs-fold HT") << get + "X-A: one\r\n\ttwo\r\n\r\n" << bad;
    QTest::newRow("obs-fold hiding TE") << post + "X-A: b\r\n Transfer-Encoding: chunked\r\n\r\n" << bad;
    QTest::newRow("bare LF after header") << get + "X-A: b\nX-B: c\r\n\r\n" << bad;
    QTest::newRow("bare LF ending request line") << QByteArray("GET / HTTP/1.1\nHost: h\r\n\r\n") << bad;
    QTest::newRow("bare LF everywhere") << QByteArray("GET / HTTP/1.1\nHost: h\n\n") << bad;
    QTest::newRow("bare LF blank line") << get + "\n" << bad;
    QTest::newRow("leading bare LF") << QByteArray("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("bare CR in value") << get + "X-A: b\rc\r\n\r\n" << bad;
    QTest::newRow("bare CR in request line") << QByteArray("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("bare CR before name") << get + "\rX-A: b\r\n\r\n" << bad;
    QTest::newRow("NUL in value") << get + QByteArray("X-A: b\0c\r\n\r\n", 12) << bad;
    QTest::newRow("control char in value") << get + "X-A: b\x01" "c\r\n\r\n" << bad;
    QTest::newRow("DEL in value") << get + "X-A: b\x7f\r\n\r\n" << bad;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : h\r\n\r\n") << bad;
    QTest::newRow("tab before colon") << get + "Content-Length\t: 0\r\n\r\n" << bad;
    QTest::newRow("empty header name") << get + ": value\r\n\r\n" << bad;
    QTest::newRow("no colon") << get + "JustAName\r\n\r\n" << bad;
    QTest::newRow("invalid char in name") << get + "X(a): b\r\n\r\n" << bad;
    QTest::newRow("non-ASCII in name") << get + "X-\xc3\xa9: b\r\n\r\n" << bad;
    // Chunked bodies
    QTest::newRow("chunk size not hex") << chunkedPost + "zz\r\nhello\r\n0\r\n\r\n" << bad;
    QTest::newRow("chunk size overflow") << chunkedPost + "1ffffffffffffffff\r\nx\r\n0\r\n\r\n" << bad;
    QTest::newRow("negative chunk size") << chunkedPost + "-5\r\nhello\r\n0\r\n\r\n" << bad;
    QTest::newRow("chunk size with 0x") << chunkedPost + "0x5\r\nhello\r\n0\r\n\r\n" << bad;
    QTest::newRow("empty chunk size") << chunkedPost + "\r\nhello\r\n0\r\n\r\n" << bad;
    QTest::newRow("chunk size bare LF") << chunkedPost + "5\nhello\r\n0\r\n\r\n" << bad;
    QTest::newRow("chunk data too long") << chunkedPost + "5\r\nhelloXX\r\n0\r\n\r\n" << bad;
    QTest::newRow("chunk size leading space") << chunkedPost + " 5\r\nhello\r\n0\r\n\r\n" << bad;
    // Request line
    QTest::newRow("relative target") << QByteArray("GET foo HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("asterisk with GET") << QByteArray("GET * HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("CONNECT origin-form") << QByteArray("CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("CONNECT without port") << QByteArray("CONNECT example.test HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("ftp absolute-form") << QByteArray("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("absolute-form without host") << QByteArray("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("fragment in target") << QByteArray("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("non-ASCII target") << QByteArray("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("double space") << QByteArray("GET  / HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("trailing space") << QByteArray("GET / HTTP/1.1 \r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("missing version space") << QByteArray("GET /HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("leading space") << QByteArray(" GET / HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("HTTP/0.9") << QByteArray("GET /\r\n\r\n") << bad;
    QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("HTTP/1.2") << QByteArray("GET / HTTP/1.2\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("lower-case version") << QByteArray("GET / http/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("h2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << bad;
    QTest::newRow("unknown method") << QByteArray("FOO / HTTP/1.1\r\nHost: h\r\n\r\n") << ParseStatus::BadMethod;
    QTest::newRow("lower-case method") << QByteArray("get / HTTP/1.1\r\nHost: h\r\n\r\n") << ParseStatus::BadMethod;
    QTest::newRow("invalid method token") << QByteArray("G@T / HTTP/1.1\r\nHost: h\r\n\r\n") << bad;
    QTest::newRow("binary garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\r\n\r\n", 11) << bad;
    // Content-Length values
    QTest::newRow("CL non-numeric") << post + "Content-Length: abc\r\n\r\n" << bad;
    QTest::newRow("CL negative") << post + "Content-Length: -1\r\n\r\n" << bad;
    QTest::newRow("CL plus sign") << post + "Content-Length: +5\r\n\r\nhello" << bad;
    QTest::newRow("CL overflow") << post + "Content-Length: 99999999999999999999\r\n\r\n" << bad;
    QTest::newRow("CL inner space") << post + "Content-Length: 1 0\r\n\r\n" << bad;
    QTest::newRow("CL empty") << post + "Content-Length:\r\n\r\n" << bad;
    // Host
    QTest::newRow("missing Host") << QByteArray("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n") << bad;
    QTest::newRow("duplicate Host") << get + "Host: other\r\n\r\n" << bad;
    QTest::newRow("Host with slash") << QByteArray("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n") << bad;
    QTest::newRow("Host with userinfo") << QByteArray("GET / HTTP/1.1\r\nHost: u@h\r\n\r\n") << bad;
    QTest::newRow("Host with space") << QByteArray("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") << bad;
    // Limits (maxHeaderBytes 1024, maxBodyBytes 100 in this table)
    QTest::newRow("head too large") << get + "X-Big: " + QByteArray(2000, 'a') + "\r\n\r\n"
                                    << ParseStatus::HeadersTooLarge;
    QTest::newRow("head never ends") << get + "X-Big: " + QByteArray(2000, 'a') << ParseStatus::HeadersTooLarge;
    QTest::newRow("many headers") << get + QByteArray("X-A: b\r\n").repeated(200) + "\r\n"
                                  << ParseStatus::HeadersTooLarge;
    QTest::newRow("endless empty lines") << QByteArray("\r\n").repeated(600) << ParseStatus::HeadersTooLarge;
    QTest::newRow("trailer too large") << chunkedPost + "1\r\na\r\n0\r\nX-T: " + QByteArray(2000, 't') + "\r\n\r\n"
                                       << ParseStatus::HeadersTooLarge;
    QTest::newRow("CL over body limit") << post + "Content-Length: 101\r\n\r\n" << ParseStatus::BodyTooLarge;
    QTest::newRow("chunk over body limit") << chunkedPost + "65\r\n" + QByteArray(101, 'x') + "\r\n0\r\n\r\n"
                                           << ParseStatus::BodyTooLarge;
    QTest::newRow("chunks add up over body limit")
        << chunkedPost + QByteArray("32\r\n" + QByteArray(50, 'x') + "\r\n").repeated(3) + "0\r\n\r\n"
        << ParseStatus::BodyTooLarge;
}

void TestHttpParser::malformed()
{
    QFETCH(QByteArray, raw);
    QFETCH(ParseStatus, status);

    const HttpParser::Limits limits { 1024, 100 };
    {
        HttpParser parser(Mode::Request, limits);
        const Outcome o = run(parser, { raw });
        QVERIFY2(o.violation.isEmpty(), qPrintable(o.violation));
        QVERIFY2(o.error, summary(o).constData());
        QCOMPARE(o.status, status);
        QVERIFY(parser.errorText() && *parser.errorText());
    }
    {
        HttpParser parser(Mode::Request, limits);
        const Outcome o = run(parser, bytewise(raw));
        QVERIFY2(o.violation.isEmpty(), qPrintable(o.violation));
        QVERIFY2(o.error, summary(o).constData());
        QCOMPARE(o.status, status);
    }
}

void TestHttpParser::errorIsSticky()
{
    HttpParser parser(Mode::Request);
    qsizetype consumed = 7;
    QCOMPARE(parser.next("GET / HTTP/1.1\r\nHost : h\r\n\r\n", consumed), Event::Error);
    QCOMPARE(consumed, qsizetype(0));
    QCOMPARE(parser.error(), ParseStatus::BadRequest);
    QCOMPARE(QByteArray(parser.errorText()), QByteArray("whitespace between header name and colon"));
    QCOMPARE(parser.next("GET / HTTP/1.1\r\nHost: h\r\n\r\n", consumed), Event::Error);
    QCOMPARE(parser.finish(), Event::Error);
}

void TestHttpParser::headersTooLargeWithoutTerminator()
{
    HttpParser parser(Mode::Request, { 100, -1 });
    QByteArray buffer = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
    qsizetype consumed = 0;
    QCOMPARE(parser.next(buffer, consumed), Event::NeedMore);
    QCOMPARE(consumed, qsizetype(0));
    buffer += QByteArray(72, 'a');
    QCOMPARE(buffer.size(), qsizetype(100));
    QCOMPARE(parser.next(buffer, consumed), Event::NeedMore);
    buffer += 'a';
    QCOMPARE(parser.next(buffer, consumed), Event::Error);
    QCOMPARE(parser.error(), ParseStatus::HeadersTooLarge);
}

void TestHttpParser::bodyTooLargeDetectedEarly()
{
    HttpParser parser(Mode::Request, { 64 * 1024, 1000 });
    qsizetype consumed = 0;
    // No body byte has arrived: the 413 can go out before the client sends anything more.
    QCOMPARE(parser.next("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n",
                         consumed),
             Event::Error);
    QCOMPARE(parser.error(), ParseStatus::BodyTooLarge);
    QCOMPARE(parser.head().header("Expect"), QByteArray("100-continue"));

    HttpParser exact(Mode::Request, { 64 * 1024, 3 });
    const Outcome o = run(exact, { "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" });
    QVERIFY(!o.error);
    QCOMPARE(o.messages.size(), 1);
}

void TestHttpParser::bareLfRefusedBeforeTheHeadEnds()
{
    // A client speaking bare-LF HTTP never sends "\r\n\r\n"; it must not wait for a timeout.
    HttpParser parser(Mode::Request);
    qsizetype consumed = 0;
    QCOMPARE(parser.next("GET / HTTP/1.1\nHost: h", consumed), Event::Error);
    QCOMPARE(parser.error(), ParseStatus::BadRequest);
}

void TestHttpParser::randomInputs()
{
    // Deterministic robustness run: random and mutated messages, random split points, both
    // modes. The contract checked in drain(): consumed within the input, body views inside the
    // consumed input, progress on every step; and no crash (run it under ASan/UBSan too).
    const QList<QByteArray> seeds = {
        "GET /a?b=c HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        kChunked,
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nclose delimited",
        "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
    };
    static const char alphabetData[] = "\r\n :;,0123456789abcdefABCDEF-\t\x00\x7f\xff" "chunkedHTTP/1.";
    const QByteArray alphabet(alphabetData, sizeof(alphabetData) - 1);
    QRandomGenerator rng(0x9a7e405e);
    int heads = 0;
    int errors = 0;
    // GATEHOUSE_FUZZ_ITERATIONS runs longer (e.g. under ASan); the default keeps ctest quick.
    bool overridden = false;
    const int iterations = qEnvironmentVariableIntValue("GATEHOUSE_FUZZ_ITERATIONS", &overridden);
    const int total = overridden && iterations > 0 ? iterations : 20000;
    for (int iteration = 0; iteration < total; ++iteration) {
        QByteArray input;
        const quint32 kind = rng.bounded(10);
        if (kind == 0) {
            input.resize(rng.bounded(300));
            for (char &c : input) {
                c = char(rng.bounded(256));
            }
        } else {
            input = seeds[rng.bounded(int(seeds.size()))];
            if (rng.bounded(3) == 0) {
                input += seeds[rng.bounded(int(seeds.size()))];
            }
            const int mutations = 1 + int(rng.bounded(6));
            for (int m = 0; m < mutations && !input.isEmpty(); ++m) {
                const qsizetype pos = rng.bounded(int(input.size()));
                switch (rng.bounded(5)) {
                case 0:
                    input[pos] = char(rng.bounded(256));
                    break;
                case 1:
                    input[pos] = alphabet[rng.bounded(int(alphabet.size()))];
                    break;
                case 2:
                    input.insert(pos, alphabet[rng.bounded(int(alphabet.size()))]);
                    break;
                case 3:
                    input.remove(pos, rng.bounded(8));
                    break;
                case 4:
                    input.insert(pos, input.mid(rng.bounded(int(input.size())), rng.bounded(16)));
                    break;
                }
            }
        }
        QList<QByteArray> pieces;
        for (qsizetype at = 0; at < input.size();) {
            const qsizetype len = 1 + rng.bounded(int(std::min<qsizetype>(input.size() - at, 40)));
            pieces.append(input.sliced(at, len));
            at += len;
        }
        const Mode mode = input.startsWith("HTTP/") || rng.bounded(4) == 0 ? Mode::Response : Mode::Request;
        const qint64 maxBody = rng.bounded(2) ? -1 : qint64(rng.bounded(64));
        HttpParser parser(mode, { 256 + qint64(rng.bounded(256)), maxBody });
        if (mode == Mode::Response && rng.bounded(4) == 0) {
            parser.expectNoBody(true);
        }
        const Outcome o = run(parser, pieces, rng.bounded(2) == 0);
        QVERIFY2(o.violation.isEmpty(),
                 qPrintable(QStringLiteral("#%1 %2: %3")
                                .arg(iteration)
                                .arg(o.violation, QString::fromLatin1(input.toPercentEncoding()))));
        heads += int(o.messages.size());
        errors += o.error ? 1 : 0;
        if (o.error) {
            QVERIFY(o.status != ParseStatus::Ok);
        }
    }
    // The mutations must exercise both outcomes, or this test proves little.
    QVERIFY(heads > total / 10);
    QVERIFY(errors > total / 10);
}

void TestHttpParser::benchmarkTypicalRequest()
{
    // A browser-sized request through the whole Head/MessageEnd cycle on one reused parser, as a
    // keep-alive connection does (run with -iterations N or -tickcounter for real figures).
    const QByteArray raw = "GET /api/v1/users/42?expand=orders HTTP/1.1\r\n"
                           "Host: api.example.test\r\n"
                           "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/115.0\r\n"
                           "Accept: application/json\r\n"
                           "Accept-Language: en-US,en;q=0.5\r\n"
                           "Accept-Encoding: gzip, deflate, br\r\n"
                           "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl\r\n"
                           "Connection: keep-alive\r\n"
                           "X-Request-ID: 7f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f\r\n"
                           "\r\n";
    HttpParser parser(Mode::Request);
    QBENCHMARK {
        qsizetype consumed = 0;
        QByteArrayView rest = raw;
        Event ev = parser.next(rest, consumed);
        rest = rest.sliced(consumed);
        ev = parser.next(rest, consumed);
        if (ev != Event::MessageEnd) {
            QFAIL("unexpected event");
        }
    }
}

QTEST_APPLESS_MAIN(TestHttpParser)
#include "TestHttpParser.moc"

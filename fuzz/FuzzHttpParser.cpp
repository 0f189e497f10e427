// HttpParser (HeadScan and ChunkedBody underneath) fed one byte stream twice: whole, and split where the
// input says. Checks the caller contract of HttpParser.h on every event, and that how the bytes
// arrive changes nothing about the messages that come out.
//
// Input: [flags] [n] [n piece lengths] [stream...]
//   flags bit 0: Response mode (else Request)   bit 1: expectNoBody() (Response)
//   flags bit 2: small limits (1 KiB head, 100 bytes body)   bit 3: finish() at the end (Response)
//   piece i is (length byte + 1) bytes; whatever is left after the n pieces comes in one piece.

#include "FuzzCheck.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QList>

#include "engine/http/HttpParser.h"

using gatehouse::engine::http::HttpParser;
using gatehouse::fuzz::check;
using Event = HttpParser::Event;

namespace {

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

// What a head must look like once the parser has accepted it (SPEC §3: nothing a smuggler or a
// header injection needs gets through).
void checkHead(const HttpParser &parser, HttpParser::Mode mode)
{
    const auto &head = parser.head();
    check(head.versionMajor == 1 && (head.versionMinor == 0 || head.versionMinor == 1), "version is 1.0 or 1.1");
    if (mode == HttpParser::Mode::Request) {
        check(!head.method.isEmpty() && !head.target.isEmpty(), "a request has a method and a target");
    } else {
        check(head.status >= 100 && head.status <= 599, "status is 100..599");
    }
    check(!(head.chunked && head.contentLength >= 0), "never both chunked and Content-Length");
    for (const auto &header : head.headers) {
        check(!header.name.isEmpty(), "header names are not empty");
        for (char c : header.name) {
            check(isTokenChar(c), "header names are tokens");
        }
        for (char c : header.value) {
            check(c != '\r' && c != '\n' && c != '\0', "header values hold no CR, LF or NUL");
        }
        const auto isOws = [](char c) { return c == ' ' || c == '\t'; };
        check(header.value.isEmpty() || (!isOws(header.value.front()) && !isOws(header.value.back())),
              "header values are trimmed");
    }
}

// Plays the caller HttpParser.h describes and writes down what comes out. The transcript has
// completed messages in full; a message an error cuts short keeps only its head, since how much
// of its body was handed out before the error depends on how the bytes arrived.
class Run
{
public:
    explicit Run(std::uint8_t flags)
        : m_mode(flags & 1 ? HttpParser::Mode::Response : HttpParser::Mode::Request)
        , m_parser(m_mode, flags & 4 ? HttpParser::Limits { 1024, 100 } : HttpParser::Limits {})
        , m_finish((flags & 8) && m_mode == HttpParser::Mode::Response)
    {
        if (m_mode == HttpParser::Mode::Response) {
            m_parser.expectNoBody(flags & 2);
        }
    }

    // False once parsing has stopped (an error, or a protocol switch).
    bool feed(QByteArrayView piece)
    {
        m_fed += piece.size();
        m_buffer.append(piece);
        bool lastConsumedNothing = false;
        while (!m_stopped) {
            qsizetype consumed = -1;
            const Event event = m_parser.next(m_buffer, consumed);
            check(consumed >= 0 && consumed <= m_buffer.size(), "consumed stays within the input");
            if (event == Event::NeedMore) {
                m_buffer.remove(0, consumed);
                break;
            }
            // Head and Body consume; a MessageEnd may consume nothing, but not twice in a row.
            if (event != Event::Error) {
                check(consumed > 0 || !lastConsumedNothing, "the parser makes progress");
                lastConsumedNothing = consumed == 0;
            }
            onEvent(event, consumed);
            m_buffer.remove(0, consumed);
        }
        return !m_stopped;
    }

    QByteArray finish()
    {
        if (m_finish && !m_stopped) {
            const Event event = m_parser.finish();
            check(event == Event::NeedMore || event == Event::MessageEnd || event == Event::Error,
                  "finish() ends a message, fails, or has nothing to do");
            if (event != Event::NeedMore) {
                onEvent(event, 0);
            }
        }
        return m_transcript;
    }

private:
    void onEvent(Event event, qsizetype consumed)
    {
        switch (event) {
        case Event::Head:
            check(!m_inMessage, "a Head comes between messages");
            check(consumed > 0, "a Head consumes its bytes");
            check(m_parser.inMessage(), "inMessage() after a Head");
            checkHead(m_parser, m_mode);
            m_inMessage = true;
            m_body.clear();
            m_transcript += "H " + m_parser.head().method + ' ' + m_parser.head().target + ' '
                + QByteArray::number(m_parser.head().status) + ' '
                + QByteArray::number(m_parser.head().headers.size()) + '\n';
            break;
        case Event::Body: {
            const QByteArrayView body = m_parser.body();
            check(m_inMessage, "a Body belongs to a message");
            check(!body.isEmpty(), "a Body is not empty");
            check(body.data() >= m_buffer.constData() && body.data() + body.size() <= m_buffer.constData() + consumed,
                  "body() is a view of the consumed input");
            m_bodyTotal += body.size();
            check(m_bodyTotal <= m_fed, "no more body bytes than input bytes");
            m_body.append(body);
            break;
        }
        case Event::MessageEnd:
            check(m_inMessage, "a MessageEnd ends a message");
            check(!m_parser.inMessage(), "not inMessage() after a MessageEnd");
            m_inMessage = false;
            m_transcript += "B " + m_body + "\nE\n";
            // The bytes after a protocol switch belong to the tunnel, not to this parser.
            m_stopped = m_parser.head().upgrade;
            break;
        case Event::Error: {
            m_transcript += "X\n";
            qsizetype again = -1;
            check(m_parser.next(m_buffer, again) == Event::Error && again == 0, "an Error is final");
            check(m_parser.finish() == Event::Error, "an Error is final for finish() too");
            m_stopped = true;
            break;
        }
        case Event::NeedMore:
            break;
        }
    }

    const HttpParser::Mode m_mode;
    HttpParser m_parser;
    const bool m_finish;
    QByteArray m_buffer; // the unread bytes, as a connection keeps them
    QByteArray m_transcript;
    QByteArray m_body; // of the message in progress
    qsizetype m_fed = 0;
    qsizetype m_bodyTotal = 0;
    bool m_inMessage = false;
    bool m_stopped = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2) {
        return -1; // not a valid input for this layout: keep it out of the corpus
    }
    const std::uint8_t flags = data[0];
    const std::size_t pieceCount = std::min<std::size_t>(data[1] % 16, size - 2);
    const std::uint8_t *lengths = data + 2;
    const QByteArrayView stream(reinterpret_cast<const char *>(data + 2 + pieceCount), qsizetype(size - 2 - pieceCount));

    Run whole(flags);
    whole.feed(stream);
    const QByteArray expected = whole.finish();

    Run split(flags);
    qsizetype at = 0;
    bool going = true;
    for (std::size_t i = 0; i < pieceCount && going && at < stream.size(); ++i) {
        const qsizetype length = std::min<qsizetype>(lengths[i] + 1, stream.size() - at);
        going = split.feed(stream.sliced(at, length));
        at += length;
    }
    if (going && at < stream.size()) {
        split.feed(stream.sliced(at));
    }
    check(split.finish() == expected, "the same messages, however the bytes are split");
    return 0;
}

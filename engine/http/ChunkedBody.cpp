#include "ChunkedBody.h"

#include <algorithm>
#include <limits>

#include "engine/http/Hex.h"

namespace gatehouse::engine::http {

namespace {

// field-content characters: HTAB, SP, VCHAR and obs-text.
bool isFieldValueChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

// Far beyond any body limit, and no count can wrap.
constexpr quint64 kLargestChunk = std::numeric_limits<qint64>::max() >> 4;

} // namespace

void ChunkedBody::reset(qint64 maxBodyBytes, qint64 maxTrailerBytes)
{
    *this = ChunkedBody {};
    m_maxBodyBytes = maxBodyBytes;
    m_maxTrailerBytes = maxTrailerBytes;
}

ChunkedBody::Step ChunkedBody::fail(ParseStatus status, const char *text)
{
    m_error = status;
    m_errorText = text;
    return Step::Error;
}

ChunkedBody::Step ChunkedBody::next(QByteArrayView input, qsizetype &consumed, QByteArrayView &data)
{
    data = {};
    if (m_error != ParseStatus::Ok) {
        return Step::Error;
    }
    qsizetype i = 0;
    while (i < input.size()) {
        const char c = input[i];
        switch (m_state) {
        case State::SizeStart:
        case State::Size: {
            const int digit = hexValue(c);
            if (digit >= 0) {
                if (m_remaining > kLargestChunk) {
                    return fail(ParseStatus::BadRequest, "invalid chunk size");
                }
                m_remaining = m_remaining * 16 + quint64(digit);
                m_state = State::Size;
            } else if (m_state == State::SizeStart || !afterSize(c)) {
                return fail(ParseStatus::BadRequest, "invalid chunk size");
            }
            break;
        }
        case State::SizeSpace:
            if (!afterSize(c)) {
                return fail(ParseStatus::BadRequest, "invalid chunk size");
            }
            break;
        case State::Extension:
            if (c == '\r') {
                m_state = State::SizeLf;
            } else if (!isFieldValueChar(c)) {
                return fail(ParseStatus::BadRequest, "invalid chunk extension"); // LF, NUL, controls
            }
            break;
        case State::SizeLf:
            if (c != '\n') {
                return fail(ParseStatus::BadRequest, "invalid chunk framing");
            }
            if (m_remaining == 0) {
                m_state = State::LineStart;
                break;
            }
            if (m_maxBodyBytes >= 0 && m_remaining > quint64(m_maxBodyBytes - m_bodyBytes)) {
                return fail(ParseStatus::BodyTooLarge, "chunked body exceeds the body limit");
            }
            m_state = State::Data;
            break;
        case State::Data: {
            const qsizetype take = qsizetype(std::min<quint64>(m_remaining, quint64(input.size() - i)));
            data = input.sliced(i, take);
            m_remaining -= quint64(take);
            m_bodyBytes += take;
            if (m_remaining == 0) {
                m_state = State::DataCr;
            }
            consumed = i + take;
            return Step::Data;
        }
        case State::DataCr:
            if (c != '\r') {
                return fail(ParseStatus::BadRequest, "invalid chunk framing");
            }
            m_state = State::DataLf;
            break;
        case State::DataLf:
            if (c != '\n') {
                return fail(ParseStatus::BadRequest, "invalid chunk framing");
            }
            m_state = State::SizeStart;
            break;
        case State::LineStart: // a trailer field line, or the final CRLF
        case State::Line:
            if (++m_trailerBytes > m_maxTrailerBytes) {
                return fail(ParseStatus::HeadersTooLarge, "chunked trailer section too large");
            }
            if (c == '\r') {
                m_state = m_state == State::LineStart ? State::FinalLf : State::LineLf;
            } else if (!isFieldValueChar(c)) {
                return fail(ParseStatus::BadRequest, "invalid chunked trailer");
            } else {
                m_state = State::Line;
            }
            break;
        case State::LineLf:
            if (c != '\n') {
                return fail(ParseStatus::BadRequest, "invalid chunked trailer");
            }
            m_state = State::LineStart;
            break;
        case State::FinalLf:
            if (c != '\n') {
                return fail(ParseStatus::BadRequest, "invalid chunk framing");
            }
            consumed = i + 1;
            return Step::End;
        }
        ++i;
    }
    consumed = input.size();
    return Step::NeedMore;
}

bool ChunkedBody::afterSize(char c)
{
    if (c == ' ' || c == '\t') {
        m_state = State::SizeSpace;
    } else if (c == ';') {
        m_state = State::Extension;
    } else if (c == '\r') {
        m_state = State::SizeLf;
    } else {
        return false;
    }
    return true;
}

} // namespace gatehouse::engine::http

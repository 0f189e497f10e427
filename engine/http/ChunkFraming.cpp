#include "ChunkFraming.h"

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

} // namespace

bool ChunkFraming::feed(QByteArrayView bytes)
{
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        switch (m_state) {
        case State::SizeStart:
        case State::Size: {
            const int digit = hexValue(c);
            if (digit >= 0) {
                // http_parser refuses an overflowing size; this only stops our count wrapping.
                if (m_remaining > (std::numeric_limits<quint64>::max() >> 4)) {
                    return false;
                }
                m_remaining = m_remaining * 16 + quint64(digit);
                m_state = State::Size;
            } else if (m_state == State::SizeStart) {
                return false;
            } else if (!afterSize(c)) {
                return false;
            }
            break;
        }
        case State::SizeSpace:
            if (!afterSize(c)) {
                return false;
            }
            break;
        case State::Extension:
            if (c == '\r') {
                m_state = State::SizeLf;
            } else if (!isFieldValueChar(c)) {
                return false; // LF, CR, NUL, other control characters
            }
            break;
        case State::SizeLf:
            if (c != '\n') {
                return false;
            }
            m_state = m_remaining == 0 ? State::LineStart : State::Data;
            break;
        case State::Data: {
            const quint64 take = std::min<quint64>(m_remaining, quint64(bytes.size() - i));
            m_remaining -= take;
            i += qsizetype(take) - 1;
            if (m_remaining == 0) {
                m_state = State::DataCr;
            }
            break;
        }
        case State::DataCr:
            if (c != '\r') {
                return false;
            }
            m_state = State::DataLf;
            break;
        case State::DataLf:
            if (c != '\n') {
                return false;
            }
            m_state = State::SizeStart;
            break;
        case State::LineStart: // a trailer field line, or the final CRLF
        case State::Line:
            if (c == '\r') {
                m_state = m_state == State::LineStart ? State::FinalLf : State::LineLf;
            } else if (!isFieldValueChar(c)) {
                return false;
            } else {
                m_state = State::Line;
            }
            break;
        case State::LineLf:
        case State::FinalLf:
            if (c != '\n') {
                return false;
            }
            m_state = m_state == State::FinalLf ? State::Done : State::LineStart;
            break;
        case State::Done:
            return true; // http_parser stops at the message end; nothing more comes here
        }
    }
    return true;
}

bool ChunkFraming::afterSize(char c)
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

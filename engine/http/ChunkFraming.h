#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace gatehouse::engine::http {

// The chunked framing of a request body, checked byte by byte on what http_parser consumed.
// Debian builds libhttp-parser with HTTP_PARSER_STRICT=0, which skips everything from a chunk
// size up to the next CR ("5 garbage", "5;a\nb"), takes any byte for the LF after it, and any
// two bytes for the CRLF after chunk data. We re-chunk what we forward, so the upstream never
// sees those bytes, but a proxy in front of us may frame them differently (SPEC §3: an invalid
// chunk size gets 400). RFC 9112 §7.1: chunk-size [ BWS ";" ext ] CRLF data CRLF ... trailers CRLF.
class ChunkFraming final
{
public:
    void reset() { *this = ChunkFraming {}; }

    // False at the first byte the grammar does not allow.
    bool feed(QByteArrayView bytes);

private:
    enum class State { SizeStart, Size, SizeSpace, Extension, SizeLf, Data, DataCr, DataLf, LineStart, Line, LineLf, FinalLf, Done };

    // After the size digits: BWS, then ";" and an extension, or the CR ending the line.
    bool afterSize(char c);

    State m_state = State::SizeStart;
    quint64 m_remaining = 0;
};

} // namespace gatehouse::engine::http

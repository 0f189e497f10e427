#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include "engine/http/ParseStatus.h"

namespace gatehouse::engine::http {

// Decodes a chunked body (RFC 9112 §7.1) strictly: chunk-size [ BWS ";" ext ] CRLF data CRLF,
// then "0" CRLF, trailer fields, CRLF. Anything else is an error, never skipped: a proxy in front
// of us could frame lenient bytes differently (SPEC §3, request smuggling). Trailer fields are
// checked and bounded, not kept (as nginx does). Data comes out as views of the input.
class ChunkedBody final
{
public:
    enum class Step { NeedMore, Data, End, Error };

    // `maxBodyBytes` -1: unlimited. A chunk whose size passes the limit is refused at its size line.
    void reset(qint64 maxBodyBytes, qint64 maxTrailerBytes);
    // Consumes framing bytes up to the next slice of chunk data (Data: `data` views it, and it
    // is inside `consumed`), the end of the body (End), or the end of `input` (NeedMore).
    Step next(QByteArrayView input, qsizetype &consumed, QByteArrayView &data);
    ParseStatus error() const { return m_error; }
    const char *errorText() const { return m_errorText; }

private:
    enum class State { SizeStart, Size, SizeSpace, Extension, SizeLf, Data, DataCr, DataLf, LineStart, Line, LineLf, FinalLf };

    bool afterSize(char c);
    Step fail(ParseStatus status, const char *text);

    State m_state = State::SizeStart;
    quint64 m_remaining = 0;
    qint64 m_maxBodyBytes = -1;
    qint64 m_maxTrailerBytes = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_trailerBytes = 0;
    ParseStatus m_error = ParseStatus::Ok;
    const char *m_errorText = "";
};

} // namespace gatehouse::engine::http

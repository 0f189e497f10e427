#include "GzipStream.h"

#include <zlib.h>

namespace gatehouse::engine::http {

namespace {

// Level 5: close to level 6's ratio on text for clearly less CPU, the trade nginx users make
// with gzip_comp_level 4–6. windowBits 15 + 16 asks zlib for a gzip wrapper.
constexpr int kLevel = 5;
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;

} // namespace

struct GzipStream::State
{
    z_stream stream {};
    bool ok = false;
};

GzipStream::GzipStream()
    : m_state(std::make_unique<State>())
{
    m_state->ok = deflateInit2(&m_state->stream, kLevel, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipStream::~GzipStream()
{
    if (m_state->ok) {
        deflateEnd(&m_state->stream);
    }
}

bool GzipStream::process(QByteArrayView input, QByteArray &out)
{
    return run(input, Z_SYNC_FLUSH, out);
}

bool GzipStream::finish(QByteArray &out)
{
    return run({}, Z_FINISH, out);
}

bool GzipStream::run(QByteArrayView input, int flush, QByteArray &out)
{
    if (!m_state->ok) {
        return false;
    }
    z_stream &stream = m_state->stream;
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
    stream.avail_in = uInt(input.size());
    // Deflate until it has taken all input and has nothing more to say for this flush; the
    // output room grows with what is left, so a handful of rounds always suffices.
    for (int round = 0; round < 64; ++round) {
        const qsizetype before = out.size();
        const uInt room = uInt(deflateBound(&stream, stream.avail_in) + 64);
        out.resize(before + room);
        stream.next_out = reinterpret_cast<Bytef *>(out.data() + before);
        stream.avail_out = room;
        const int status = deflate(&stream, flush);
        out.resize(before + (room - stream.avail_out));
        if (status == Z_STREAM_ERROR) {
            break;
        }
        const bool done = flush == Z_FINISH ? status == Z_STREAM_END : stream.avail_in == 0 && stream.avail_out > 0;
        if (done) {
            return true;
        }
    }
    m_state->ok = false;
    return false;
}

} // namespace gatehouse::engine::http

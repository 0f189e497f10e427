#pragma once

#include <memory>

#include <QByteArray>
#include <QByteArrayView>

#include "engine/http/BodyFilter.h"

namespace gatehouse::engine::http {

// A gzip (RFC 1952) encoder over zlib that works chunk by chunk: a response is compressed as it
// streams through, never buffered whole. Each process() flushes what it has (Z_SYNC_FLUSH), so
// a slow stream still reaches the client promptly.
class GzipStream final : public BodyFilter
{
public:
    GzipStream();
    ~GzipStream() override;
    GzipStream(const GzipStream &) = delete;
    GzipStream &operator=(const GzipStream &) = delete;

    // Appends the compressed form of `input` to `out`. False if zlib failed (out of memory).
    bool process(QByteArrayView input, QByteArray &out) override;
    // Appends the end of the stream (the last block and the gzip trailer).
    bool finish(QByteArray &out) override;

private:
    bool run(QByteArrayView input, int flush, QByteArray &out);

    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace gatehouse::engine::http

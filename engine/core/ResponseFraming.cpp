#include "ResponseFraming.h"

#include "engine/core/Exchange.h"

namespace gatehouse::engine {

namespace {

// Bytes gathered for the client before a body chunk goes out on its own.
constexpr qsizetype kBatchLimit = 16 * 1024;

} // namespace

void ResponseFraming::begin(http::ResponseHead &head, const http::MessageHead &request,
                            const http::MessageHead &response, bool filtered, bool requestEnded, bool &keepAlive)
{
    m_bytesOut = 0;
    const bool bodyless = request.method == "HEAD" || response.status == 204 || response.status == 304;
    const qint64 contentLength = filtered ? -1 : response.contentLength; // a filter's length is known only at the end
    m_kind = Kind::Length;
    if (!bodyless && contentLength < 0) {
        if (request.versionMinor >= 1) {
            m_kind = Kind::Chunked;
        } else {
            m_kind = Kind::CloseDelimited;
            keepAlive = false;
        }
    }
    if (!response.keepAlive && !requestEnded) {
        // The upstream will close before our client finished sending: don't reuse the client.
        keepAlive = false;
    }
    if (contentLength >= 0 && response.status != 204 && response.status != 304) {
        head.add("Content-Length", QByteArray::number(contentLength));
    } else if (m_kind == Kind::Chunked) {
        head.add("Transfer-Encoding", "chunked");
    }
    if (!keepAlive) {
        head.add("Connection", "close");
    } else if (request.versionMinor == 0) {
        head.add("Connection", "keep-alive");
    }
}

bool ResponseFraming::write(QByteArrayView chunk, http::BodyFilter *filter, ExchangeOwner &owner)
{
    if (!filter) {
        put(chunk, owner);
        return true;
    }
    m_filtered.resize(0);
    if (!filter->process(chunk, m_filtered)) {
        return false;
    }
    put(m_filtered, owner);
    return true;
}

bool ResponseFraming::end(http::BodyFilter *filter, ExchangeOwner &owner)
{
    if (filter) {
        m_filtered.resize(0);
        if (!filter->finish(m_filtered)) {
            return false;
        }
        put(m_filtered, owner);
    }
    if (m_kind == Kind::Chunked) {
        owner.output().append("0\r\n\r\n");
    }
    owner.flush();
    return true;
}

void ResponseFraming::put(QByteArrayView bytes, ExchangeOwner &owner)
{
    if (bytes.isEmpty()) {
        return; // an empty chunk would end a chunked body
    }
    m_bytesOut += bytes.size();
    QByteArray &out = owner.output();
    if (m_kind == Kind::Chunked) {
        if (out.size() + bytes.size() > kBatchLimit) {
            owner.flush();
        }
        out.append(QByteArray::number(bytes.size(), 16)).append("\r\n").append(bytes).append("\r\n");
        if (out.size() > kBatchLimit) {
            owner.flush();
        }
        return;
    }
    if (out.size() + bytes.size() <= kBatchLimit) {
        out.append(bytes);
        return;
    }
    owner.flush();
    out.append(bytes);
    owner.flush();
}

} // namespace gatehouse::engine

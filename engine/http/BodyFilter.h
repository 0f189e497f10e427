#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace gatehouse::engine::http {

// Rewrites a response body as it streams to the client (gzip today), chunk by chunk: a
// response-phase stage installs one when the head says the body must change.
class BodyFilter
{
public:
    virtual ~BodyFilter() = default;
    // Appends what `input` becomes to `out`. False: the filter failed and the body cannot go on.
    virtual bool process(QByteArrayView input, QByteArray &out) = 0;
    // Appends what is left once the body ended.
    virtual bool finish(QByteArray &out) = 0;
};

} // namespace gatehouse::engine::http

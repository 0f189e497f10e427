#include "ResponseHeadersStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

void ResponseHeadersStage::onResponse(RequestContext &ctx, http::ResponseHead &head)
{
    for (const QByteArray &replaced : ctx.replacedResponseHeaders) {
        head.remove(replaced);
    }
    for (const auto &[name, value] : ctx.responseHeaders) {
        head.add(name, value);
    }
}

} // namespace gatehouse::engine

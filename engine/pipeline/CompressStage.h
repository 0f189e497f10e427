#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Route `compress: true` (SPEC §2): gzips an upstream's compressible answer for a client that
// takes gzip, as it streams (a body filter). The ETag becomes weak, since the bytes differ, and
// every compressible answer says Vary: Accept-Encoding, gzipped or not, so caches keep both.
class CompressStage final : public Stage
{
public:
    const char *name() const override { return "compress"; }
    void onResponse(RequestContext &ctx, http::ResponseHead &head) override;
};

} // namespace gatehouse::engine

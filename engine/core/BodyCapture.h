#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include "engine/traffic/BodyCapturePolicy.h"

namespace gatehouse::engine {

// One message's body as it passes through an exchange, kept up to the policy's bound. The buffer
// lives as long as the connection, so a keep-alive connection's requests reuse its allocation.
class BodyCapture final
{
public:
    void begin(BodyCapturePolicy policy);
    void append(QByteArrayView chunk);
    // What to keep once the message ended: empty when nothing is to be kept.
    QByteArrayView kept() const;
    // The kept bytes are the first part of a larger body.
    bool truncated() const { return m_truncated; }
    void reset();

private:
    QByteArray m_bytes;
    BodyCapturePolicy m_policy;
    bool m_active = false;
    bool m_truncated = false;
};

} // namespace gatehouse::engine

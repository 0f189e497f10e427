#pragma once

#include <QString>

namespace gatehouse::engine {

// A built-in service the running profile started (SPEC: `services:`), as `serve` announces it.
struct ServiceInfo
{
    QString name;
    QString kind;
    QString host;
    quint16 port = 0;
};

} // namespace gatehouse::engine

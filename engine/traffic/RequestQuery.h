#pragma once

#include <QByteArray>
#include <QString>

namespace gatehouse::engine {

// What /admin/requests asks for: newest first, at most `limit`, matching every filter given.
struct RequestQuery
{
    int limit = 100;
    QString route; // exact; empty = any
    QByteArray status; // "404", or a class "5xx"; empty = any
    QByteArray requestId; // exact; empty = any
};

} // namespace gatehouse::engine

#pragma once

#include <QByteArray>
#include <QList>

namespace gatehouse::engine {

// A Redis reply, as plain values (hiredis stays in the .cpp files).
struct RedisValue
{
    enum class Type { Nil, Integer, String, Status, Array };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray text; // String and Status
    QList<RedisValue> elements; // Array
};

// A Lua script and its SHA1, computed once.
struct RedisScript
{
    explicit RedisScript(QByteArray text);
    QByteArray source;
    QByteArray sha;
};

} // namespace gatehouse::engine

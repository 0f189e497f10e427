#include "RedisValue.h"

#include <hiredis/hiredis.h>

#include <QCryptographicHash>

#include "engine/redis/HiredisReply.h"

namespace gatehouse::engine {

RedisScript::RedisScript(QByteArray text)
    : source(std::move(text))
    , sha(QCryptographicHash::hash(source, QCryptographicHash::Sha1).toHex())
{
}

RedisValue toRedisValue(const redisReply &reply)
{
    RedisValue value;
    switch (reply.type) {
    case REDIS_REPLY_INTEGER:
        value.type = RedisValue::Type::Integer;
        value.integer = reply.integer;
        break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        value.type = reply.type == REDIS_REPLY_STRING ? RedisValue::Type::String : RedisValue::Type::Status;
        value.text = QByteArray(reply.str, qsizetype(reply.len));
        break;
    case REDIS_REPLY_ARRAY:
        value.type = RedisValue::Type::Array;
        for (size_t i = 0; i < reply.elements; ++i) {
            value.elements.append(toRedisValue(*reply.element[i]));
        }
        break;
    default:
        break; // nil
    }
    return value;
}

} // namespace gatehouse::engine

#pragma once

// Inside the redis layer only: the one place a hiredis reply becomes a RedisValue.
#include <hiredis/read.h>

#include "engine/redis/RedisValue.h"

namespace gatehouse::engine {

RedisValue toRedisValue(const redisReply &reply);

} // namespace gatehouse::engine

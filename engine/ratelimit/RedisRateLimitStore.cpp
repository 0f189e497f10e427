#include "RedisRateLimitStore.h"

namespace gatehouse::engine {

namespace {

constexpr QByteArrayView kKeyPrefix = "gatehouse:rl:";

// KEYS[1]: the bucket. ARGV[1]: the emission interval T, ARGV[2]: the tolerance, integer ns
// below 2^52 (see Gcra), so every sum and product here is exact in Lua's doubles. The TAT is
// kept as seconds + nanoseconds because nanoseconds since the epoch need 61 bits. Returns
// {admitted 0/1, backlog}: how far the stored TAT ran ahead of now, which Gcra::check turns
// into the same decision and the header values.
constexpr char kScript[] = R"lua(
local time = redis.call('TIME')
local nowS = tonumber(time[1])
local nowNs = tonumber(time[2]) * 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = redis.call('HMGET', KEYS[1], 's', 'ns')
local backlog = 0
if tat[1] and tat[2] then
    backlog = (tonumber(tat[1]) - nowS) * 1000000000 + tonumber(tat[2]) - nowNs
    if backlog < 0 then backlog = 0 end
end
local used = backlog + interval
if used > tolerance then
    return {0, backlog}
end
local ns = nowNs + used
local carry = math.floor(ns / 1000000000)
local rest = ns - carry * 1000000000
if rest < 0 then
    carry = carry - 1
    rest = rest + 1000000000
elseif rest >= 1000000000 then
    carry = carry + 1
    rest = rest - 1000000000
end
redis.call('HSET', KEYS[1], 's', string.format('%d', nowS + carry), 'ns', string.format('%d', rest))
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.floor(used / 1000000) + 1))
return {1, backlog}
)lua";

RateLimitDecision decisionFrom(const Gcra &gcra, const std::optional<RedisValue> &reply)
{
    const bool wellFormed = reply && reply->type == RedisValue::Type::Array && reply->elements.size() == 2
        && reply->elements[0].type == RedisValue::Type::Integer && reply->elements[1].type == RedisValue::Type::Integer;
    if (!wellFormed) {
        RateLimitDecision unavailable;
        unavailable.outcome = RateLimitDecision::Outcome::Unavailable;
        unavailable.limit = gcra.limit();
        return unavailable;
    }
    // The script applied the same arithmetic; replaying it on the backlog gives the headers.
    const RateLimitDecision decision = gcra.check(reply->elements[1].integer, 0).decision;
    Q_ASSERT(decision.allowed() == (reply->elements[0].integer == 1));
    return decision;
}

} // namespace

RedisRateLimitStore::RedisRateLimitStore(const QString &url, std::chrono::milliseconds timeout)
    : m_client(url, QStringLiteral("rate-limit store"), timeout)
    , m_script(QByteArray(kScript))
{
}

std::optional<RateLimitDecision> RedisRateLimitStore::check(const RateLimit &limit, QByteArrayView key, qint64,
                                                            const Answer &later)
{
    Q_ASSERT(!limit.id.contains('\0'));
    QByteArray redisKey;
    redisKey.reserve(kKeyPrefix.size() + limit.id.size() + 1 + key.size());
    redisKey.append(kKeyPrefix).append(limit.id).append('\0').append(key);
    std::vector<QByteArray> keysAndArgs { redisKey, QByteArray::number(limit.gcra.intervalNs()),
                                          QByteArray::number(limit.gcra.toleranceNs()) };
    // The answer may come after this store is gone (a reload): it keeps a copy of the GCRA.
    const bool asked = m_client.script(m_script, std::move(keysAndArgs), 1, [gcra = limit.gcra, later](std::optional<RedisValue> reply) {
        later(decisionFrom(gcra, reply));
    });
    if (!asked) {
        return decisionFrom(limit.gcra, std::nullopt);
    }
    return std::nullopt;
}

} // namespace gatehouse::engine

#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace gatehouse::engine {

// A hash that is the same in every process and on every run (qHash is seeded per process):
// the consistent-hash ring, ip_hash and canary buckets must agree across restarts and across
// several gateways. FNV-1a over the bytes, then MurmurHash3's fmix64 so that keys differing in
// one byte land far apart.
constexpr quint64 stableHash(QByteArrayView bytes, quint64 seed = 0)
{
    quint64 h = 0xcbf29ce484222325ULL ^ seed;
    for (const char c : bytes) {
        h ^= quint8(c);
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

} // namespace gatehouse::engine

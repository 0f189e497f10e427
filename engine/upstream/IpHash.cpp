#include "IpHash.h"

#include <numeric>
#include <utility>

#include "engine/upstream/StableHash.h"

namespace gatehouse::engine {

IpHash::IpHash(std::vector<int> weights)
    : m_weights(std::move(weights))
    , m_totalWeight(std::accumulate(m_weights.begin(), m_weights.end(), qint64(0)))
{
}

int IpHash::pick(const PickRequest &request)
{
    if (m_totalWeight <= 0) {
        return -1;
    }
    quint64 hash = request.key;
    for (int attempt = 0; attempt < 20; ++attempt) {
        qint64 slot = qint64(hash % quint64(m_totalWeight));
        int index = 0;
        while (slot >= m_weights[size_t(index)]) {
            slot -= m_weights[size_t(index)];
            ++index;
        }
        if (request.eligible[size_t(index)]) {
            return index;
        }
        const char salt[8] = { char(hash), char(hash >> 8), char(hash >> 16), char(hash >> 24),
                               char(hash >> 32), char(hash >> 40), char(hash >> 48), char(attempt) };
        hash = stableHash(QByteArrayView(salt, sizeof salt));
    }
    const int count = int(m_weights.size());
    const int start = int(request.key % quint64(count));
    for (int step = 0; step < count; ++step) {
        const int index = (start + step) % count;
        if (request.eligible[size_t(index)]) {
            return index;
        }
    }
    return -1;
}

} // namespace gatehouse::engine

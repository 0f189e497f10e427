#pragma once

#include <vector>

namespace gatehouse::engine {

// nginx's smooth weighted round robin: weights 5,1,1 give a a b a c a a, spreading the heavy
// target out instead of sending it five requests in a row.
class SmoothWeightedRoundRobin final
{
public:
    SmoothWeightedRoundRobin() = default;
    explicit SmoothWeightedRoundRobin(std::vector<int> weights);

    // The next target index, skipping those for which excluded(index) is true.
    // Returns -1 when every target is excluded.
    template<typename Excluded>
    int next(Excluded excluded);
    int next()
    {
        return next([](int) { return false; });
    }

private:
    std::vector<int> m_weights;
    std::vector<int> m_current;
};

template<typename Excluded>
int SmoothWeightedRoundRobin::next(Excluded excluded)
{
    int best = -1;
    int total = 0;
    for (int i = 0; i < int(m_weights.size()); ++i) {
        if (excluded(i)) {
            continue;
        }
        m_current[i] += m_weights[i];
        total += m_weights[i];
        if (best < 0 || m_current[i] > m_current[best]) {
            best = i;
        }
    }
    if (best >= 0) {
        m_current[best] -= total;
    }
    return best;
}

} // namespace gatehouse::engine

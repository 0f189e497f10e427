#include "TargetChoice.h"

#include <QVarLengthArray>

namespace gatehouse::engine {

int chooseTarget(Balancer &balancer, std::span<TargetState *const> targets, QList<int> &tried, quint64 key, qint64 nowMs)
{
    const qsizetype count = qsizetype(targets.size());
    QVarLengthArray<bool, 16> eligible(count);
    bool untriedLeft = false;
    for (qsizetype i = 0; i < count; ++i) {
        eligible[i] = targets[size_t(i)]->isAvailable(nowMs) && !tried.contains(int(i));
        untriedLeft = untriedLeft || eligible[i];
    }
    if (!untriedLeft) {
        for (qsizetype i = 0; i < count; ++i) {
            eligible[i] = targets[size_t(i)]->isAvailable(nowMs);
        }
    }
    const int index = balancer.pick({ std::span<const bool>(eligible.constData(), size_t(count)), key, nowMs });
    if (index >= 0) {
        tried.append(index);
    }
    return index;
}

} // namespace gatehouse::engine

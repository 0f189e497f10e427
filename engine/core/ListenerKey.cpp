#include "ListenerKey.h"

namespace gatehouse::engine {

QString listenerKey(const QList<profile::Listener> &listen, qsizetype index)
{
    const profile::HostPort &bind = listen.at(index).bind;
    QString key = bind.host + QLatin1Char(':') + QString::number(bind.port);
    if (bind.port == 0) {
        int earlier = 0;
        for (qsizetype i = 0; i < index; ++i) {
            earlier += listen.at(i).bind == bind ? 1 : 0;
        }
        key += QLatin1Char('#') + QString::number(earlier);
    }
    return key;
}

} // namespace gatehouse::engine

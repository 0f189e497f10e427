#include "HostResolver.h"

#include <QHostInfo>

namespace gatehouse::engine {

std::optional<QHostAddress> resolveHost(const QString &host, QString *error)
{
    QHostAddress address;
    if (address.setAddress(host)) {
        return address;
    }
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        *error = info.errorString();
        return std::nullopt;
    }
    for (const QHostAddress &candidate : info.addresses()) {
        if (candidate.protocol() == QAbstractSocket::IPv4Protocol) {
            return candidate;
        }
    }
    return info.addresses().first();
}

} // namespace gatehouse::engine

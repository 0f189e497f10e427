#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace gatehouse::engine {

class Gateway;

struct AdminRequest
{
    QByteArray method;
    QByteArray path; // without the query
    QByteArray query;
    QByteArray authorization; // the Authorization header
    QByteArray body;
};

struct AdminReply
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
};

// The admin API's routes (SPEC §4) over the Gateway facade, apart from any socket: what each
// call answers. Every /admin call needs `Authorization: Bearer <admin.token>`, compared in
// constant time; /health and /ready need none. Answers and errors are JSON.
class AdminApi final
{
public:
    explicit AdminApi(Gateway &gateway);

    void setToken(QByteArray token);
    AdminReply handle(const AdminRequest &request);

private:
    bool authorized(const QByteArray &authorization) const;
    AdminReply status() const;
    AdminReply profile() const;
    AdminReply putProfile(const AdminRequest &request);
    AdminReply upstreams() const;
    AdminReply requests(const AdminRequest &request) const;
    AdminReply revoke(const AdminRequest &request);

    Gateway &m_gateway;
    QByteArray m_tokenDigest; // SHA-256 of the token: compared in constant time, whatever the length
    qint64 m_startedMs;
};

} // namespace gatehouse::engine

#pragma once

#include <memory>

#include <QObject>

#include "engine/admin/AdminApi.h"
#include "engine/http/HttpParser.h"

class QTcpSocket;
class QTimer;

namespace gatehouse::engine {

// One client of the admin API: reads requests, answers each through AdminApi, keeps the
// connection while the client wants it. Deletes itself when the connection ends.
class AdminConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminConnection)
public:
    AdminConnection(QTcpSocket *socket, AdminApi &api, QObject *parent);

private:
    void onReadable();
    void answer(const AdminRequest &request, bool keepAlive);
    void fail(int status, const char *code, const QString &message);

    QTcpSocket *m_socket; // a child of this
    AdminApi &m_api;
    http::HttpParser m_parser;
    QByteArray m_input;
    AdminRequest m_request;
    QTimer *m_timeout;
};

} // namespace gatehouse::engine

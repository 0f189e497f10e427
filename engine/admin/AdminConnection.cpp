#include "AdminConnection.h"

#include <QTcpSocket>
#include <QTimer>

#include "engine/http/LocalResponse.h"
#include "engine/pipeline/RequestIds.h"

namespace gatehouse::engine {

namespace {

constexpr qint64 kMaxHeadBytes = 64 * 1024;
constexpr qint64 kMaxBodyBytes = 4 * 1024 * 1024;
constexpr int kRequestTimeoutMs = 30'000;

} // namespace

AdminConnection::AdminConnection(QTcpSocket *socket, AdminApi &api, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_api(api)
    , m_parser(http::HttpParser::Mode::Request, { kMaxHeadBytes, kMaxBodyBytes })
    , m_timeout(new QTimer(this))
{
    m_socket->setParent(this);
    m_timeout->setSingleShot(true);
    m_timeout->start(kRequestTimeoutMs);
    connect(m_timeout, &QTimer::timeout, this, [this] { m_socket->abort(); });
    connect(m_socket, &QTcpSocket::readyRead, this, &AdminConnection::onReadable);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &QObject::deleteLater);
}

void AdminConnection::onReadable()
{
    m_input += m_socket->readAll();
    while (m_socket->state() == QAbstractSocket::ConnectedState) {
        qsizetype consumed = 0;
        const http::HttpParser::Event event = m_parser.next(m_input, consumed);
        if (event == http::HttpParser::Event::Body) {
            m_request.body += m_parser.body();
        }
        m_input.remove(0, consumed);
        switch (event) {
        case http::HttpParser::Event::NeedMore:
            return;
        case http::HttpParser::Event::Error:
            fail(m_parser.error() == http::ParseStatus::BodyTooLarge ? 413
                     : m_parser.error() == http::ParseStatus::HeadersTooLarge ? 431 : 400,
                 "bad_request", QString::fromLatin1(m_parser.errorText()));
            return;
        case http::HttpParser::Event::Head: {
            const http::MessageHead &head = m_parser.head();
            const qsizetype question = head.target.indexOf('?');
            m_request = AdminRequest {};
            m_request.method = head.method;
            m_request.path = question < 0 ? head.target : head.target.left(question);
            m_request.query = question < 0 ? QByteArray() : head.target.mid(question + 1);
            m_request.authorization = head.header("authorization");
            break;
        }
        case http::HttpParser::Event::Body:
            break;
        case http::HttpParser::Event::MessageEnd:
            answer(m_request, m_parser.head().keepAlive);
            m_request = AdminRequest {};
            m_timeout->start(kRequestTimeoutMs);
            break;
        }
    }
}

void AdminConnection::answer(const AdminRequest &request, bool keepAlive)
{
    const AdminReply reply = m_api.handle(request);
    LocalResponse response;
    response.status = reply.status;
    response.body = reply.body;
    response.headers = reply.headers;
    response.headers.append({ "Content-Type", reply.contentType });
    response.headers.append({ QByteArray("Cache-Control"), QByteArray("no-store") });
    m_socket->write(renderLocalResponse(response, newRequestId(), keepAlive, request.method == "HEAD"));
    if (!keepAlive) {
        m_socket->disconnectFromHost();
    }
}

void AdminConnection::fail(int status, const char *code, const QString &message)
{
    LocalResponse response;
    response.status = status;
    response.error = code;
    response.message = message;
    m_socket->write(renderLocalResponse(response, newRequestId(), false, false));
    m_socket->disconnectFromHost();
}

} // namespace gatehouse::engine

// AdminApi::handle, the admin API apart from its socket, on a request built from the input:
//   METHOD '\n' TARGET '\n' AUTHORIZATION '\n' BODY
// (what AdminConnection takes from a parsed head), against a Gateway started once on a fixed
// profile. Checked: only the documented statuses; JSON answers are JSON objects, errors with an
// "error" code; every /admin call and /metrics without the right bearer token gets 401 with
// WWW-Authenticate; unknown paths get 404.

#include "FuzzCheck.h"

#include <cstddef>
#include <cstdint>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include "engine/admin/AdminApi.h"
#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"

using namespace gatehouse;
using namespace gatehouse::engine;
using gatehouse::fuzz::check;

namespace {

const QByteArray kToken = "fuzz-admin-token";

// Port 0 and no services, health checks or Redis: starting it opens one loopback listener and
// nothing that talks to the network while the fuzzer runs.
const QByteArray kProfile = R"(gatehouse: 1
name: fuzz-admin
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: users
    balance: least_connections
    targets:
      - { url: http://127.0.0.1:9, weight: 2 }
      - url: http://127.0.0.1:10
routes:
  - { name: users, match: { path: /api/users, methods: [GET] }, upstream: users, timeout: 2s }
  - { name: teapot, match: { path_exact: /tea }, respond: { status: 418, body: short and stout } }
rate_limits:
  - { name: per-ip, requests: 10, per: 1s, key: ip }
)";

struct Fixture
{
    Fixture()
        : api(gateway)
    {
        const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("<fuzz>"), QString());
        check(read.ok() && gateway.start(*read.profile), "the fixed admin profile starts");
        api.setToken(kToken);
    }

    Gateway gateway;
    AdminApi api;
};

Fixture *fixture = nullptr;

QByteArrayView takeLine(QByteArrayView &rest)
{
    const qsizetype newline = rest.indexOf('\n');
    const QByteArrayView line = newline < 0 ? rest : rest.first(newline);
    rest = newline < 0 ? QByteArrayView() : rest.sliced(newline + 1);
    return line;
}

AdminRequest requestFrom(QByteArrayView input)
{
    AdminRequest request;
    request.method = takeLine(input).toByteArray();
    const QByteArrayView target = takeLine(input);
    const qsizetype question = target.indexOf('?');
    request.path = (question < 0 ? target : target.first(question)).toByteArray();
    request.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    request.authorization = takeLine(input).toByteArray();
    request.body = input.toByteArray();
    return request;
}

void checkReply(const AdminRequest &request, const AdminReply &reply)
{
    static const QList<int> statuses { 200, 400, 401, 404, 405, 413, 503 };
    check(statuses.contains(reply.status), "a documented status");
    if (reply.contentType == "application/json") {
        const QJsonDocument document = QJsonDocument::fromJson(reply.body);
        check(document.isObject(), "a JSON answer is a JSON object");
        check(reply.status < 400 || reply.status == 503 || document.object().contains(QStringLiteral("error")),
              "an error answer has an error code");
    }
    const QByteArray &path = request.path;
    const bool guarded = path.startsWith("/admin/") || path == "/metrics";
    const bool authorized = request.authorization.startsWith("Bearer ")
        && request.authorization.mid(7).trimmed() == kToken;
    if (guarded && !authorized) {
        check(reply.status == 401, "no admin call without the token");
    }
    if (reply.status == 401) {
        check(reply.headers.contains({ QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"gatehouse-admin\"") }),
              "a 401 says how to authenticate");
    }
    if (!guarded && path != "/health" && path != "/ready") {
        check(reply.status == 404, "unknown paths are 404");
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    gatehouse::fuzz::silenceQtMessages();
    // The Gateway's listener and timers need an application object; its event loop never runs,
    // since handle() answers synchronously. Both live until the process ends.
    new QCoreApplication(*argc, *argv);
    fixture = new Fixture;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const AdminRequest request = requestFrom(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    // A profile that reads would be applied: new listeners, services, files. That leaves the
    // fixed configuration this target is about; fuzz_profile_reader covers reading it.
    if (request.method == "PUT" && request.path == "/admin/profile"
        && profile::readProfile(request.body, QStringLiteral("<admin>"), QString()).ok()) {
        return -1;
    }
    checkReply(request, fixture->api.handle(request));
    return 0;
}

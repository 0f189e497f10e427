#pragma once

// A profile that uses every key the nginx and Kong exports map, shared by their tests. Ports and
// file paths are filled in by the caller: listeners, one echo target per upstream slot, and a
// certificate for the HTTPS listener.

#include <QByteArray>
#include <QMap>
#include <QString>

namespace gatehouse::test {

// `ports` holds "listen", "listen_tls" and one port per target: "alpha-1", "alpha-2", "beta-1",
// "gamma-1", "gamma-2", "delta-1", "epsilon-1" (the echo names, "<upstream>-<n>").
inline QByteArray everyKeyProfile(const QMap<QString, quint16> &ports, const QString &cert, const QString &key)
{
    auto port = [&ports](const char *name) { return QByteArray::number(ports.value(QString::fromLatin1(name))); };
    return "gatehouse: 1\n"
           "name: every-key\n"
           "listen:\n"
           "  - bind: 127.0.0.1:" + port("listen") + "\n"
           "  - bind: 127.0.0.1:" + port("listen_tls") + "\n"
           "    tls: { cert: " + cert.toUtf8() + ", key: " + key.toUtf8() + " }\n"
           "server_timing: false\n"
           "limits: { max_header_bytes: 32KiB, max_body_bytes: 1MiB, header_timeout: 5s, idle_timeout: 30s, max_connections: 500 }\n"
           "upstreams:\n"
           "  - name: alpha\n"
           "    targets:\n"
           "      - { url: http://127.0.0.1:" + port("alpha-1") + ", weight: 3 }\n"
           "      - { url: http://127.0.0.1:" + port("alpha-2") + " }\n"
           "    connect_timeout: 2s\n"
           "    keepalive: 8\n"
           "    outlier: { consecutive_failures: 3, eject_for: 10s }\n"
           "  - name: beta\n"
           "    balance: least_connections\n"
           "    targets: [{ url: http://127.0.0.1:" + port("beta-1") + " }]\n"
           "  - name: gamma\n"
           "    balance: consistent_hash\n"
           "    hash_on: header:X-User\n"
           "    targets: [{ url: http://127.0.0.1:" + port("gamma-1") + " }, { url: http://127.0.0.1:" + port("gamma-2") + " }]\n"
           "  - name: delta\n"
           "    balance: ip_hash\n"
           "    targets: [{ url: http://127.0.0.1:" + port("delta-1") + " }]\n"
           "    keepalive: 0\n"
           "  - name: epsilon\n"
           "    balance: random\n"
           "    targets: [{ url: http://127.0.0.1:" + port("epsilon-1") + " }]\n"
           "routes:\n"
           "  - name: status\n"
           "    match: { path_exact: /status }\n"
           "    respond: { status: 203, headers: { Content-Type: text/plain, X-Mock: \"yes\" }, body: \"up $1 \\\"quoted\\\"\" }\n"
           "  - name: api\n"
           "    match: { path: /api, methods: [GET, POST] }\n"
           "    strip_prefix: /api\n"
           "    upstream: alpha\n"
           "    timeout: 3s\n"
           "    retries: 1\n"
           "    compress: true\n"
           "    cors: { origins: [\"http://localhost:3000\", \"https://*.example.test\"], methods: [GET, POST], headers: [X-Token], credentials: true, max_age: 5m }\n"
           "    rate_limit: [per-ip]\n"
           "  - name: api-admin-host\n"
           "    match: { path: /api, hosts: [admin.test, \"*.admin.test\"] }\n"
           "    upstream: beta\n"
           "  - name: api-deep\n"
           "    match: { path: /api/v2/items, methods: [PUT] }\n"
           "    strip_prefix: /api/v2\n"
           "    upstream: gamma\n"
           "  - name: tenant-blue\n"
           "    match: { path: /tenant, headers: { X-Tenant: blue } }\n"
           "    upstream: delta\n"
           "    rate_limit: [per-tenant]\n"
           "  - name: tenant-any\n"
           "    match: { path: /tenant/ }\n"
           "    upstream: epsilon\n"
           "  - name: reports\n"
           "    match: { path_regex: \"^/reports/[0-9]+$\" }\n"
           "    upstream: beta\n"
           "  - name: r-post\n"
           "    match: { path_regex: \"^/r/\", methods: [POST] }\n"
           "    upstream: gamma\n"
           "  - name: switched-off\n"
           "    enabled: false\n"
           "    match: { path: /off }\n"
           "    upstream: alpha\n"
           "rate_limits:\n"
           "  - { name: per-ip, requests: 1000, per: 1s, burst: 100, key: ip }\n"
           "  - { name: per-tenant, requests: 600, per: 1m, key: \"header:X-Tenant\" }\n";
}

} // namespace gatehouse::test

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
inline QByteArray everyKeyProfile(const QMap<QString, quint16> &ports, const QString &cert,
                                  const QString &key)
{
    QByteArray yaml = R"(gatehouse: 1
name: every-key
listen:
  - bind: 127.0.0.1:{listen}
  - bind: 127.0.0.1:{listen_tls}
    tls: { cert: {cert}, key: {key} }
server_timing: false
limits: { max_header_bytes: 32KiB, max_body_bytes: 1MiB, header_timeout: 5s, idle_timeout: 30s, max_connections: 500 }
upstreams:
  - name: alpha
    targets:
      - { url: http://127.0.0.1:{alpha-1}, weight: 3 }
      - { url: http://127.0.0.1:{alpha-2} }
    connect_timeout: 2s
    keepalive: 8
    outlier: { consecutive_failures: 3, eject_for: 10s }
  - name: beta
    balance: least_connections
    targets: [{ url: http://127.0.0.1:{beta-1} }]
  - name: gamma
    balance: consistent_hash
    hash_on: header:X-User
    targets: [{ url: http://127.0.0.1:{gamma-1} }, { url: http://127.0.0.1:{gamma-2} }]
  - name: delta
    balance: ip_hash
    targets: [{ url: http://127.0.0.1:{delta-1} }]
    keepalive: 0
  - name: epsilon
    balance: random
    targets: [{ url: http://127.0.0.1:{epsilon-1} }]
routes:
  - name: status
    match: { path_exact: /status }
    respond: { status: 203, headers: { Content-Type: text/plain, X-Mock: "yes" }, body: "up $1 \"quoted\"" }
  - name: api
    match: { path: /api, methods: [GET, POST] }
    strip_prefix: /api
    upstream: alpha
    timeout: 3s
    retries: 1
    compress: true
    cors: { origins: ["http://localhost:3000", "https://*.example.test"], methods: [GET, POST], headers: [X-Token], credentials: true, max_age: 5m }
    rate_limit: [per-ip]
  - name: api-admin-host
    match: { path: /api, hosts: [admin.test, "*.admin.test"] }
    upstream: beta
  - name: api-deep
    match: { path: /api/v2/items, methods: [PUT] }
    strip_prefix: /api/v2
    upstream: gamma
  - name: tenant-blue
    match: { path: /tenant, headers: { X-Tenant: blue } }
    upstream: delta
    rate_limit: [per-tenant]
  - name: tenant-any
    match: { path: /tenant/ }
    upstream: epsilon
  - name: reports
    match: { path_regex: "^/reports/[0-9]+$" }
    upstream: beta
  - name: r-post
    match: { path_regex: "^/r/", methods: [POST] }
    upstream: gamma
  - name: switched-off
    enabled: false
    match: { path: /off }
    upstream: alpha
rate_limits:
  - { name: per-ip, requests: 1000, per: 1s, burst: 100, key: ip }
  - { name: per-tenant, requests: 600, per: 1m, key: "header:X-Tenant" }
)";
    for (auto it = ports.cbegin(); it != ports.cend(); ++it) {
        yaml.replace('{' + it.key().toUtf8() + '}', QByteArray::number(it.value()));
    }
    return yaml.replace("{cert}", cert.toUtf8()).replace("{key}", key.toUtf8());
}

} // namespace gatehouse::test

#include <QCoreApplication>
#include <QTest>

#include "StageTests.h"

namespace gatehouse::engine::testing {

std::vector<std::function<std::unique_ptr<QObject>()>> &stageTests()
{
    static std::vector<std::function<std::unique_ptr<QObject>()>> tests;
    return tests;
}

QByteArray headerValue(const QList<std::pair<QByteArray, QByteArray>> &headers, const QByteArray &name)
{
    for (const auto &[key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

QByteArray baseProfile(const QByteArray &extraRoutes, const QByteArray &extraSections)
{
    return "gatehouse: 1\n"
           "name: stages\n"
           "listen:\n"
           "  - bind: 127.0.0.1:8080\n"
           "upstreams:\n"
           "  - name: api\n"
           "    targets: [{ url: http://127.0.0.1:9001 }, { url: http://127.0.0.1:9002 }]\n"
           "  - name: api-v2\n"
           "    targets: [{ url: http://127.0.0.1:9003 }]\n"
           + extraSections
           + "routes:\n"
             "  - name: api\n"
             "    match: { path: /api }\n"
             "    upstream: api\n"
           + extraRoutes;
}

} // namespace gatehouse::engine::testing

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // a paused stage's timer needs an event loop
    int failed = 0;
    for (const auto &make : gatehouse::engine::testing::stageTests()) {
        const std::unique_ptr<QObject> test = make();
        failed += QTest::qExec(test.get(), argc, argv);
    }
    return failed;
}

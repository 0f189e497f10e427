#include <QTest>

#include "engine/upstream/SmoothWeightedRoundRobin.h"

using gatehouse::engine::PickRequest;
using gatehouse::engine::SmoothWeightedRoundRobin;

namespace {
int pickFrom(SmoothWeightedRoundRobin &balancer, std::vector<char> eligible)
{
    std::unique_ptr<bool[]> flags(new bool[eligible.size()]);
    for (size_t i = 0; i < eligible.size(); ++i) {
        flags[i] = eligible[i] != 0;
    }
    return balancer.pick(PickRequest { std::span<const bool>(flags.get(), eligible.size()), 0, 0 });
}
} // namespace

class TestBalancer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nginxSequence_data();
    void nginxSequence();
    void skipsExcludedTargets();
    void allExcluded();
};

void TestBalancer::nginxSequence_data()
{
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<QString>("sequence");
    // The sequences nginx's ngx_http_upstream_get_peer produces.
    QTest::newRow("5,1,1") << QList<int> { 5, 1, 1 } << QStringLiteral("aabacaa" "aabacaa");
    QTest::newRow("equal") << QList<int> { 1, 1, 1 } << QStringLiteral("abcabc");
    QTest::newRow("2,1") << QList<int> { 2, 1 } << QStringLiteral("abaaba");
    QTest::newRow("single") << QList<int> { 3 } << QStringLiteral("aaaa");
    QTest::newRow("4,2,1") << QList<int> { 4, 2, 1 } << QStringLiteral("abacaba");
}

void TestBalancer::nginxSequence()
{
    QFETCH(QList<int>, weights);
    QFETCH(QString, sequence);
    SmoothWeightedRoundRobin balancer(std::vector<int>(weights.begin(), weights.end()));
    QString produced;
    for (qsizetype i = 0; i < sequence.size(); ++i) {
        produced.append(QLatin1Char(char('a' + pickFrom(balancer, std::vector<char>(size_t(weights.size()), 1)))));
    }
    QCOMPARE(produced, sequence);
}

void TestBalancer::skipsExcludedTargets()
{
    SmoothWeightedRoundRobin balancer({ 5, 1, 1 });
    for (int i = 0; i < 20; ++i) {
        const int picked = pickFrom(balancer, { 0, 1, 1 });
        QVERIFY(picked == 1 || picked == 2);
    }
}

void TestBalancer::allExcluded()
{
    SmoothWeightedRoundRobin balancer({ 1, 1 });
    QCOMPARE(pickFrom(balancer, { 0, 0 }), -1);
    SmoothWeightedRoundRobin empty({});
    QCOMPARE(pickFrom(empty, {}), -1);
}

QTEST_APPLESS_MAIN(TestBalancer)
#include "TestBalancer.moc"

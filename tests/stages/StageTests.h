#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QObject>

// The stage tests share one executable (one file, one test class per stage): each file registers
// its class here and main() runs them all.
namespace gatehouse::engine::testing {

std::vector<std::function<std::unique_ptr<QObject>()>> &stageTests();

struct StageTestRegistration
{
    explicit StageTestRegistration(std::function<std::unique_ptr<QObject>()> make) { stageTests().push_back(std::move(make)); }
};

// The value of the first header called `name` (as the stage wrote it); null when there is none.
QByteArray headerValue(const QList<std::pair<QByteArray, QByteArray>> &headers, const QByteArray &name);

// The profile most stage tests start from: one listener, one upstream of two targets, /api.
QByteArray baseProfile(const QByteArray &extraRoutes = {}, const QByteArray &extraSections = {});

} // namespace gatehouse::engine::testing

#define GATEHOUSE_STAGE_TEST(Class)                                                                                   \
    static const gatehouse::engine::testing::StageTestRegistration registered##Class([] { return std::make_unique<Class>(); });

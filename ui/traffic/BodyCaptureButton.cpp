#include "BodyCaptureButton.h"

#include <QActionGroup>
#include <QMenu>
#include <QSettings>

#include "ui/traffic/BodyPreview.h"

namespace gatehouse::ui {

namespace {

constexpr qsizetype kDefaultLimit = 64 * 1024;
const char *const kLimitKey = "traffic/bodyCaptureLimit";
const char *const kKeepStartKey = "traffic/keepStartOfLargerBodies";

QString limitText(qsizetype limit)
{
    return limit <= 0 ? QStringLiteral("Don't capture bodies") : QStringLiteral("Capture bodies up to %1").arg(byteSize(limit));
}

} // namespace

BodyCaptureButton::BodyCaptureButton(QWidget *parent)
    : QToolButton(parent)
    , m_limits(new QActionGroup(this))
{
    setObjectName(QStringLiteral("trafficBodies"));
    setText(QStringLiteral("Bodies"));
    setPopupMode(QToolButton::InstantPopup);
    setAutoRaise(true);
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("trafficBodiesMenu"));
    for (const qsizetype limit : { qsizetype(0), qsizetype(16 * 1024), kDefaultLimit, qsizetype(1024 * 1024) }) {
        QAction *action = menu->addAction(limitText(limit));
        action->setObjectName(QStringLiteral("bodyLimit%1").arg(limit));
        action->setCheckable(true);
        action->setData(limit);
        m_limits->addAction(action);
        connect(action, &QAction::triggered, this, [this, limit] { choose({ limit, m_policy.keepStartOfLarger }); });
    }
    menu->addSeparator();
    m_keepStart = menu->addAction(QStringLiteral("Also keep the start of larger bodies"));
    m_keepStart->setObjectName(QStringLiteral("bodyKeepStart"));
    m_keepStart->setCheckable(true);
    connect(m_keepStart, &QAction::triggered, this, [this](bool on) { choose({ m_policy.limit, on }); });
    setMenu(menu);

    const QSettings settings;
    m_policy.limit = settings.value(QLatin1String(kLimitKey), kDefaultLimit).toLongLong();
    m_policy.keepStartOfLarger = settings.value(QLatin1String(kKeepStartKey), false).toBool();
    choose(m_policy);
}

void BodyCaptureButton::choose(engine::BodyCapturePolicy policy)
{
    bool known = false;
    for (QAction *action : m_limits->actions()) {
        const bool chosen = action->data().toLongLong() == policy.limit;
        action->setChecked(chosen);
        known = known || chosen;
    }
    if (!known) { // a hand-edited setting: back to the default
        policy.limit = kDefaultLimit;
        return choose(policy);
    }
    m_keepStart->setChecked(policy.keepStartOfLarger);
    m_keepStart->setEnabled(policy.limit > 0);
    setToolTip(policy.limit <= 0 ? QStringLiteral("Bodies are not captured for the preview")
                                 : QStringLiteral("Bodies up to %1 are kept for the preview%2")
                                       .arg(byteSize(policy.limit),
                                            policy.keepStartOfLarger ? QStringLiteral(", and the start of larger ones") : QString()));
    m_policy = policy;
    QSettings settings;
    settings.setValue(QLatin1String(kLimitKey), qint64(policy.limit));
    settings.setValue(QLatin1String(kKeepStartKey), policy.keepStartOfLarger);
    Q_EMIT policyChanged(m_policy);
}

} // namespace gatehouse::ui

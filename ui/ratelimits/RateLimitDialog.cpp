#include "RateLimitDialog.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include "engine/profile/Units.h"
#include "ui/editing/ProfileLists.h"

namespace gatehouse::ui {

RateLimitDialog::RateLimitDialog(const profile::Profile &current, int index, QWidget *parent)
    : EntryDialog(current, index, parent)
    , m_name(new QLineEdit(this))
    , m_requests(new QSpinBox(this))
    , m_per(new QLineEdit(this))
    , m_burst(new QSpinBox(this))
    , m_key(new QComboBox(this))
    , m_header(new QLineEdit(this))
    , m_store(new QLineEdit(this))
    , m_fail(new QComboBox(this))
{
    setWindowTitle(index < 0 ? tr("Add rate limit") : tr("Edit rate limit"));
    setMinimumWidth(440);
    m_name->setObjectName(QStringLiteral("rateLimitName"));
    m_requests->setObjectName(QStringLiteral("rateLimitRequests"));
    m_requests->setRange(0, 1'000'000'000);
    m_per->setObjectName(QStringLiteral("rateLimitPer"));
    m_per->setPlaceholderText(QStringLiteral("1s, 1m, 1h"));
    m_burst->setObjectName(QStringLiteral("rateLimitBurst"));
    m_burst->setRange(0, 1'000'000'000);
    m_key->setObjectName(QStringLiteral("rateLimitKey"));
    m_key->addItem(tr("per consumer (the token's sub)"), QStringLiteral("consumer"));
    m_key->addItem(tr("per client IP"), QStringLiteral("ip"));
    m_key->addItem(tr("per route"), QStringLiteral("route"));
    m_key->addItem(tr("per value of a header"), QStringLiteral("header"));
    m_key->addItem(tr("all requests together"), QStringLiteral("global"));
    m_header->setObjectName(QStringLiteral("rateLimitHeader"));
    m_header->setPlaceholderText(QStringLiteral("X-API-Key"));
    m_store->setObjectName(QStringLiteral("rateLimitStore"));
    m_store->setPlaceholderText(tr("local, or redis://127.0.0.1:6379/0 to share between gateways"));
    m_fail->setObjectName(QStringLiteral("rateLimitFail"));
    m_fail->addItem(tr("let requests through (fail open)"), false);
    m_fail->addItem(tr("refuse with 503 (fail closed)"), true);

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Requests"), m_requests);
    form->addRow(tr("Per"), m_per);
    form->addRow(tr("Burst"), m_burst);
    form->addRow(tr("Counted"), m_key);
    form->addRow(tr("Header"), m_header);
    form->addRow(tr("Store"), m_store);
    form->addRow(tr("When the store is down"), m_fail);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    addFooter(layout, QStringLiteral("rateLimitProblems"));

    const profile::RateLimitProfile limit = index >= 0 && index < current.rateLimits.size()
        ? current.rateLimits.at(index)
        : profile::RateLimitProfile { QString(), 10, profile::Duration(1000), 0, QStringLiteral("ip"), QStringLiteral("local"), false, {} };
    m_name->setText(limit.name);
    m_requests->setValue(int(std::min<qint64>(limit.requests, 1'000'000'000)));
    m_per->setText(profile::formatDuration(limit.per));
    m_burst->setValue(int(std::min<qint64>(limit.burst, 1'000'000'000)));
    const bool byHeader = limit.key.startsWith(QLatin1String("header:"));
    m_key->setCurrentIndex(m_key->findData(byHeader ? QStringLiteral("header") : limit.key));
    m_header->setText(byHeader ? limit.key.mid(7) : QString());
    m_store->setText(limit.store);
    m_fail->setCurrentIndex(limit.failClosed ? 1 : 0);

    for (QLineEdit *edit : { m_name, m_per, m_header, m_store }) {
        connect(edit, &QLineEdit::textChanged, this, &RateLimitDialog::revalidate);
    }
    connect(m_requests, &QSpinBox::valueChanged, this, &RateLimitDialog::revalidate);
    connect(m_burst, &QSpinBox::valueChanged, this, &RateLimitDialog::revalidate);
    connect(m_key, &QComboBox::currentIndexChanged, this, &RateLimitDialog::revalidate);
    connect(m_fail, &QComboBox::currentIndexChanged, this, &RateLimitDialog::revalidate);
    revalidate();
}

void RateLimitDialog::revalidate()
{
    const bool byHeader = m_key->currentData().toString() == QLatin1String("header");
    m_header->setEnabled(byHeader);
    QStringList problems;
    profile::RateLimitProfile limit = m_index >= 0 ? m_current.rateLimits.at(m_index) : profile::RateLimitProfile {};
    limit.name = m_name->text().trimmed();
    limit.requests = m_requests->value();
    QString why;
    if (const auto per = profile::parseDuration(m_per->text().trimmed(), &why)) {
        limit.per = *per;
    } else {
        problems.append(tr("per: %1").arg(why));
    }
    limit.burst = m_burst->value();
    limit.key = byHeader ? QStringLiteral("header:") + m_header->text().trimmed() : m_key->currentData().toString();
    limit.store = m_store->text().trimmed().isEmpty() ? QStringLiteral("local") : m_store->text().trimmed();
    limit.failClosed = m_fail->currentData().toBool();
    profile::Profile next = withEntry(m_current, &profile::Profile::rateLimits, m_index, limit);
    if (m_index >= 0) {
        const QString before = m_current.rateLimits.at(m_index).name;
        for (profile::Route &route : next.routes) { // routes follow a renamed limit
            for (QString &name : route.rateLimit) {
                if (name == before) {
                    name = limit.name;
                }
            }
        }
    }
    setResult(next, checked(next, problems));
}

} // namespace gatehouse::ui

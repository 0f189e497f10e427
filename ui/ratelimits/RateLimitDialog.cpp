#include "RateLimitDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "engine/profile/Units.h"
#include "ui/document/ProfileDocument.h"

namespace gatehouse::ui {

RateLimitDialog::RateLimitDialog(const profile::Profile &current, int index, QWidget *parent)
    : QDialog(parent)
    , m_current(current)
    , m_index(index)
    , m_name(new QLineEdit(this))
    , m_requests(new QSpinBox(this))
    , m_per(new QLineEdit(this))
    , m_burst(new QSpinBox(this))
    , m_key(new QComboBox(this))
    , m_header(new QLineEdit(this))
    , m_store(new QLineEdit(this))
    , m_fail(new QComboBox(this))
    , m_problemsLabel(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
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
    m_problemsLabel->setObjectName(QStringLiteral("rateLimitProblems"));
    m_problemsLabel->setWordWrap(true);
    m_problemsLabel->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_buttons->setObjectName(QStringLiteral("buttonBox"));

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
    layout->addWidget(m_problemsLabel);
    layout->addWidget(m_buttons);

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

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
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
    m_result = m_current;
    if (m_index >= 0) {
        const QString before = m_current.rateLimits.at(m_index).name;
        m_result.rateLimits[m_index] = limit;
        for (profile::Route &route : m_result.routes) { // routes follow a renamed limit
            for (QString &name : route.rateLimit) {
                if (name == before) {
                    name = limit.name;
                }
            }
        }
    } else {
        m_result.rateLimits.append(limit);
    }
    if (problems.isEmpty()) {
        problems = ProfileDocument::problemsOf(m_result);
    }
    m_problems = problems;
    m_problemsLabel->setText(problems.join(QLatin1Char('\n')));
    m_problemsLabel->setVisible(!problems.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problems.isEmpty());
}

} // namespace gatehouse::ui

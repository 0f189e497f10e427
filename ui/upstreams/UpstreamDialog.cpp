#include "UpstreamDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/profile/Units.h"
#include "engine/profile/Values.h"
#include "ui/editing/ProfileLists.h"

namespace gatehouse::ui {

namespace {

constexpr int kTargetRows = 6;

QLineEdit *lineEdit(const QString &objectName, const QString &placeholder, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    return edit;
}

std::optional<profile::Duration> duration(const QLineEdit *edit, const QString &what, QStringList *problems)
{
    QString why;
    const auto value = profile::parseDuration(edit->text().trimmed(), &why);
    if (!value) {
        problems->append(QStringLiteral("%1: %2").arg(what, why));
    }
    return value;
}

} // namespace

UpstreamDialog::UpstreamDialog(const profile::Profile &current, int index, QWidget *parent)
    : EntryDialog(current, index, parent)
    , m_name(lineEdit(QStringLiteral("upstreamName"), tr("users"), this))
    , m_balance(new QComboBox(this))
    , m_hashOn(lineEdit(QStringLiteral("upstreamHashOn"), tr("header:X-User-ID, cookie:NAME, claim:sub, ip, path"), this))
    , m_targets(new QTableWidget(kTargetRows, 2, this))
    , m_connectTimeout(lineEdit(QStringLiteral("upstreamConnectTimeout"), QStringLiteral("1s"), this))
    , m_keepalive(new QSpinBox(this))
    , m_health(new QGroupBox(tr("Active health checks"), this))
    , m_healthPath(lineEdit(QStringLiteral("upstreamHealthPath"), QStringLiteral("/health"), this))
    , m_healthInterval(lineEdit(QStringLiteral("upstreamHealthInterval"), QStringLiteral("5s"), this))
    , m_outlier(new QGroupBox(tr("Eject targets that keep failing"), this))
    , m_outlierFailures(new QSpinBox(this))
    , m_ejectFor(lineEdit(QStringLiteral("upstreamEjectFor"), QStringLiteral("30s"), this))
    , m_tls(new QGroupBox(tr("TLS for https:// targets"), this))
    , m_ca(lineEdit(QStringLiteral("upstreamCa"), tr("CA file (PEM); empty: the system's trusted CAs"), this))
    , m_verify(new QCheckBox(tr("Verify the certificate"), this))
    , m_serverName(lineEdit(QStringLiteral("upstreamServerName"), tr("name to send and verify; empty: the target's host"), this))
    , m_tlsWarning(new QLabel(this))
{
    setWindowTitle(index < 0 ? tr("Add upstream") : tr("Edit upstream"));
    setMinimumWidth(560);
    m_balance->setObjectName(QStringLiteral("upstreamBalance"));
    m_balance->addItems(profile::balanceNames());
    m_targets->setObjectName(QStringLiteral("upstreamTargets"));
    m_targets->setHorizontalHeaderLabels({ tr("Target URL"), tr("Weight") });
    m_targets->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_targets->verticalHeader()->hide();
    m_keepalive->setObjectName(QStringLiteral("upstreamKeepalive"));
    m_keepalive->setRange(0, 100'000);
    m_health->setObjectName(QStringLiteral("upstreamHealth"));
    m_health->setCheckable(true);
    m_outlier->setObjectName(QStringLiteral("upstreamOutlier"));
    m_outlier->setCheckable(true);
    m_outlierFailures->setObjectName(QStringLiteral("upstreamOutlierFailures"));
    m_outlierFailures->setRange(1, 1000);
    m_tls->setObjectName(QStringLiteral("upstreamTls"));
    m_tls->setCheckable(true);
    m_verify->setObjectName(QStringLiteral("upstreamVerify"));
    m_tlsWarning->setObjectName(QStringLiteral("upstreamTlsWarning"));
    m_tlsWarning->setWordWrap(true);
    m_tlsWarning->setStyleSheet(QStringLiteral("color: #8a5a00;"));
    m_tlsWarning->setText(tr("⚠ Without verification anyone between the gateway and this upstream can read and change its traffic."));

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Balance"), m_balance);
    form->addRow(tr("Hash on"), m_hashOn);
    form->addRow(tr("Targets"), m_targets);
    form->addRow(tr("Connect timeout"), m_connectTimeout);
    form->addRow(tr("Idle connections kept"), m_keepalive);
    auto *healthForm = new QFormLayout(m_health);
    healthForm->addRow(tr("Path"), m_healthPath);
    healthForm->addRow(tr("Every"), m_healthInterval);
    auto *outlierForm = new QFormLayout(m_outlier);
    outlierForm->addRow(tr("After failures in a row"), m_outlierFailures);
    outlierForm->addRow(tr("Eject for"), m_ejectFor);
    auto *tlsForm = new QFormLayout(m_tls);
    tlsForm->addRow(tr("CA"), m_ca);
    tlsForm->addRow(QString(), m_verify);
    tlsForm->addRow(tr("Server name"), m_serverName);
    tlsForm->addRow(m_tlsWarning);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_health);
    layout->addWidget(m_outlier);
    layout->addWidget(m_tls);
    addFooter(layout, QStringLiteral("upstreamProblems"));

    if (index >= 0 && index < current.upstreams.size()) {
        load(current.upstreams.at(index));
        m_originalName = current.upstreams.at(index).name;
    } else {
        load(profile::Upstream {});
    }
    for (QLineEdit *edit : findChildren<QLineEdit *>()) {
        connect(edit, &QLineEdit::textChanged, this, &UpstreamDialog::revalidate);
    }
    connect(m_balance, &QComboBox::currentIndexChanged, this, &UpstreamDialog::revalidate);
    connect(m_targets, &QTableWidget::cellChanged, this, &UpstreamDialog::revalidate);
    connect(m_keepalive, &QSpinBox::valueChanged, this, &UpstreamDialog::revalidate);
    connect(m_outlierFailures, &QSpinBox::valueChanged, this, &UpstreamDialog::revalidate);
    for (QGroupBox *group : { m_health, m_outlier, m_tls }) {
        connect(group, &QGroupBox::toggled, this, &UpstreamDialog::revalidate);
    }
    connect(m_verify, &QCheckBox::toggled, this, &UpstreamDialog::revalidate);
    revalidate();
}

void UpstreamDialog::load(const profile::Upstream &upstream)
{
    m_name->setText(upstream.name);
    m_balance->setCurrentText(profile::balanceName(upstream.balance));
    m_hashOn->setText(upstream.hashOn);
    for (int row = 0; row < upstream.targets.size() && row < kTargetRows; ++row) {
        m_targets->setItem(row, 0, new QTableWidgetItem(upstream.targets.at(row).url));
        m_targets->setItem(row, 1, new QTableWidgetItem(QString::number(upstream.targets.at(row).weight)));
    }
    m_connectTimeout->setText(profile::formatDuration(upstream.connectTimeout));
    m_keepalive->setValue(upstream.keepalive);
    const profile::HealthCheck health = upstream.healthCheck.value_or(profile::HealthCheck {});
    m_health->setChecked(upstream.healthCheck.has_value());
    m_healthPath->setText(health.path);
    m_healthInterval->setText(profile::formatDuration(health.interval));
    const profile::Outlier outlier = upstream.outlier.value_or(profile::Outlier {});
    m_outlier->setChecked(upstream.outlier.has_value());
    m_outlierFailures->setValue(outlier.consecutiveFailures);
    m_ejectFor->setText(profile::formatDuration(outlier.ejectFor));
    const profile::UpstreamTls tls = upstream.tls.value_or(profile::UpstreamTls {});
    m_tls->setChecked(upstream.tls.has_value());
    m_ca->setText(tls.ca);
    m_verify->setChecked(tls.verify);
    m_serverName->setText(tls.serverName);
}

std::optional<profile::Upstream> UpstreamDialog::build(QStringList *problems) const
{
    profile::Upstream upstream = m_index >= 0 ? m_current.upstreams.at(m_index) : profile::Upstream {};
    upstream.name = m_name->text().trimmed();
    upstream.balance = profile::parseBalance(m_balance->currentText()).value_or(profile::Balance::RoundRobin);
    upstream.hashOn = m_hashOn->text().trimmed();
    upstream.targets.clear();
    for (int row = 0; row < m_targets->rowCount(); ++row) {
        const QTableWidgetItem *url = m_targets->item(row, 0);
        if (!url || url->text().trimmed().isEmpty()) {
            continue;
        }
        QString why;
        auto target = profile::parseTargetUrl(url->text().trimmed(), &why);
        if (!target) {
            problems->append(QStringLiteral("target %1: %2").arg(url->text().trimmed(), why));
            continue;
        }
        const QTableWidgetItem *weight = m_targets->item(row, 1);
        bool ok = true;
        target->weight = weight && !weight->text().trimmed().isEmpty() ? weight->text().toInt(&ok) : 1;
        if (!ok) {
            problems->append(QStringLiteral("target %1: the weight must be a whole number").arg(target->url));
        }
        upstream.targets.append(*target);
    }
    if (const auto value = duration(m_connectTimeout, tr("connect timeout"), problems)) {
        upstream.connectTimeout = *value;
    }
    upstream.keepalive = m_keepalive->value();
    upstream.healthCheck.reset();
    if (m_health->isChecked()) {
        profile::HealthCheck health;
        health.path = m_healthPath->text().trimmed();
        if (const auto value = duration(m_healthInterval, tr("health check interval"), problems)) {
            health.interval = *value;
        }
        upstream.healthCheck = health;
    }
    upstream.outlier.reset();
    if (m_outlier->isChecked()) {
        profile::Outlier outlier;
        outlier.consecutiveFailures = m_outlierFailures->value();
        if (const auto value = duration(m_ejectFor, tr("eject for"), problems)) {
            outlier.ejectFor = *value;
        }
        upstream.outlier = outlier;
    }
    upstream.tls.reset();
    if (m_tls->isChecked()) {
        upstream.tls = profile::UpstreamTls { m_ca->text().trimmed(), m_verify->isChecked(), m_serverName->text().trimmed() };
    }
    return upstream;
}

void UpstreamDialog::revalidate()
{
    m_tlsWarning->setVisible(m_tls->isChecked() && !m_verify->isChecked());
    m_hashOn->setEnabled(m_balance->currentText() == QLatin1String("consistent_hash"));
    QStringList problems;
    const auto upstream = build(&problems);
    profile::Profile next = withEntry(m_current, &profile::Profile::upstreams, m_index, *upstream);
    // Routes follow a renamed upstream, as a rename in the app means.
    if (m_index >= 0 && !m_originalName.isEmpty() && upstream->name != m_originalName) {
        for (profile::Route &route : next.routes) {
            if (route.upstream == m_originalName) {
                route.upstream = upstream->name;
            }
            if (route.canary && route.canary->upstream == m_originalName) {
                route.canary->upstream = upstream->name;
            }
        }
    }
    setResult(next, checked(next, problems));
}

} // namespace gatehouse::ui

#include "RouteDialog.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStyle>
#include <QStyleOptionGroupBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "engine/profile/Units.h"
#include "engine/profile/Values.h"
#include "ui/document/ProfileDocument.h"
#include "ui/editing/FormFields.h"
#include "ui/editing/FormFooter.h"
#include "ui/editing/ProfileForm.h"
#include "ui/editing/ProfileLists.h"

namespace gatehouse::ui {

namespace {

// The methods offered as buttons; a route may list others (the file allows any token), which
// the form keeps without showing.
const QStringList &standardMethods()
{
    static const QStringList methods { QStringLiteral("GET"),    QStringLiteral("POST"), QStringLiteral("PUT"),
                                       QStringLiteral("PATCH"),  QStringLiteral("DELETE"), QStringLiteral("HEAD"),
                                       QStringLiteral("OPTIONS") };
    return methods;
}

QString joinList(const QStringList &values)
{
    return values.join(QStringLiteral(", "));
}

// Unchecked, a group collapses to its title line, without even an empty frame below it: the form
// stays short for the common route.
void makeCollapsible(QGroupBox *group, QWidget *content)
{
    auto *layout = new QVBoxLayout(group);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->addWidget(content);
    const auto show = [group, content](bool checked) {
        content->setVisible(checked);
        QStyleOptionGroupBox option;
        option.initFrom(group);
        option.text = group->title();
        option.subControls = QStyle::SC_GroupBoxCheckBox | QStyle::SC_GroupBoxLabel;
        const QRect title = group->style()->subControlRect(QStyle::CC_GroupBox, &option, QStyle::SC_GroupBoxCheckBox, group)
                                .united(group->style()->subControlRect(QStyle::CC_GroupBox, &option, QStyle::SC_GroupBoxLabel, group));
        group->setMaximumHeight(checked ? QWIDGETSIZE_MAX : title.bottom() + 2);
    };
    QObject::connect(group, &QGroupBox::toggled, content, show);
    show(group->isChecked());
}

// A new route starts out pointing at the first upstream, which is what most routes do; the path
// starts empty so the placeholder shows what to type.
profile::Route newRouteDefaults(const profile::Profile &current)
{
    profile::Route route;
    route.match.path.clear();
    if (!current.upstreams.isEmpty()) {
        route.upstream = current.upstreams.first().name;
    }
    return route;
}

} // namespace

RouteDialog::RouteDialog(const profile::Profile &current, int index, QWidget *parent)
    : QDialog(parent)
    , m_current(current)
    , m_index(index >= 0 && index < current.routes.size() ? index : -1)
    , m_original(m_index >= 0 ? current.routes.at(m_index) : newRouteDefaults(current))
{
    setObjectName(QStringLiteral("routeDialog"));
    setWindowTitle(isNewRoute() ? tr("Add route") : tr("Edit route"));
    setMinimumWidth(640);

    // Widgets are created in reading order, which is also the natural tab order.
    auto *layout = new QVBoxLayout(this);
    auto *basics = bareWidget(this);
    buildBasics(basics);
    layout->addWidget(basics);
    layout->addWidget(buildCanary());
    layout->addWidget(buildCors());

    m_footer = new FormFooter(this, QStringLiteral("routeProblems"));
    m_footer->okButton()->setText(isNewRoute() ? tr("Add route") : tr("Apply"));
    layout->addWidget(m_footer);

    fill(m_original);
    connectChanges();
    revalidate();
    m_name->setFocus();
}

RouteDialog::~RouteDialog() = default;

std::optional<profile::Profile> RouteDialog::addRoute(QWidget *parent, const profile::Profile &current)
{
    RouteDialog dialog(current, -1, parent);
    return execForm(dialog);
}

std::optional<profile::Profile> RouteDialog::editRoute(QWidget *parent, const profile::Profile &current, int index)
{
    RouteDialog dialog(current, index, parent);
    return execForm(dialog);
}

QStringList RouteDialog::problems() const
{
    return m_footer->problems();
}

void RouteDialog::buildBasics(QWidget *page)
{
    auto *form = new QFormLayout(page);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_name = new QLineEdit(page);
    m_name->setObjectName(QStringLiteral("routeName"));
    m_name->setPlaceholderText(tr("users"));
    form->addRow(tr("&Name"), m_name);

    auto *pathRow = bareWidget(page);
    auto *pathLayout = new QHBoxLayout(pathRow);
    pathLayout->setContentsMargins(0, 0, 0, 0);
    m_pathKind = new QComboBox(pathRow);
    m_pathKind->setObjectName(QStringLiteral("routePathKind"));
    // Same order as profile::RouteMatch::PathKind, so the index is the kind.
    m_pathKind->addItems({ tr("Prefix"), tr("Exact"), tr("Regex") });
    m_pathKind->setToolTip(tr("Prefix matches the path and everything below it, segment by segment"));
    m_path = new QLineEdit(pathRow);
    m_path->setObjectName(QStringLiteral("routePath"));
    m_path->setPlaceholderText(QStringLiteral("/api/users"));
    pathLayout->addWidget(m_pathKind);
    pathLayout->addWidget(m_path, 1);
    form->addRow(tr("&Path"), pathRow);
    qobject_cast<QLabel *>(form->labelForField(pathRow))->setBuddy(m_pathKind);

    form->addRow(tr("Methods"), buildMethods());

    m_hosts = new QLineEdit(page);
    m_hosts->setObjectName(QStringLiteral("routeHosts"));
    m_hosts->setPlaceholderText(tr("any host; e.g. localhost, *.shop.test"));
    form->addRow(tr("&Hosts"), m_hosts);

    m_headers = new QTableWidget(0, 2, page);
    m_headers->setObjectName(QStringLiteral("routeHeaders"));
    m_headers->setHorizontalHeaderLabels({ tr("Header"), tr("Exact value") });
    m_headers->horizontalHeader()->setStretchLastSection(true);
    m_headers->verticalHeader()->hide();
    m_headers->setTabKeyNavigation(false); // Tab moves on through the form, not cell by cell
    m_headers->setMaximumHeight(m_headers->verticalHeader()->defaultSectionSize() * 4 + 4);
    m_headers->setToolTip(tr("Only requests with these header values match; leave empty for any"));
    form->addRow(tr("Hea&ders"), m_headers);

    m_stripPrefix = new QLineEdit(page);
    m_stripPrefix->setObjectName(QStringLiteral("routeStripPrefix"));
    m_stripPrefix->setPlaceholderText(tr("none; e.g. /api so the upstream sees /users"));
    form->addRow(tr("&Strip prefix"), m_stripPrefix);

    form->addRow(tr("Target"), buildTarget());

    m_auth = new QComboBox(page);
    m_auth->setObjectName(QStringLiteral("routeAuth"));
    m_auth->addItem(tr("Public"));
    for (const profile::JwtProfile &jwt : std::as_const(m_current.jwt)) {
        m_auth->addItem(tr("JWT: %1").arg(jwt.name), jwt.name);
    }
    form->addRow(tr("&Auth"), m_auth);

    m_rateLimits = new QListWidget(page);
    m_rateLimits->setObjectName(QStringLiteral("routeRateLimits"));
    for (const profile::RateLimitProfile &limit : std::as_const(m_current.rateLimits)) {
        auto *item = new QListWidgetItem(limit.name, m_rateLimits);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    m_rateLimits->setMaximumHeight(m_rateLimits->sizeHintForRow(0) * 4 + 6);
    if (m_current.rateLimits.isEmpty()) {
        m_rateLimits->setEnabled(false);
        m_rateLimits->setToolTip(tr("The profile has no rate limits yet"));
        m_rateLimits->setMaximumHeight(m_name->sizeHint().height());
    }
    form->addRow(tr("&Rate limits"), m_rateLimits);

    m_timeout = new QLineEdit(page);
    m_timeout->setObjectName(QStringLiteral("routeTimeout"));
    m_timeout->setPlaceholderText(tr("30s"));
    m_timeout->setToolTip(tr("The whole upstream exchange, e.g. 250ms, 5s, 2m; 504 beyond"));
    form->addRow(tr("&Timeout"), m_timeout);

    m_retries = new QSpinBox(page);
    m_retries->setObjectName(QStringLiteral("routeRetries"));
    m_retries->setRange(0, 10);
    m_retries->setToolTip(tr("Idempotent methods are retried on failure; others only when the connection was refused"));
    form->addRow(tr("R&etries"), m_retries);

    m_enabled = new QCheckBox(tr("Serve this route"), page);
    m_enabled->setObjectName(QStringLiteral("routeEnabled"));
    form->addRow(tr("Enabled"), m_enabled);
}

QWidget *RouteDialog::buildMethods()
{
    auto *row = bareWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    for (const QString &name : standardMethods()) {
        auto *button = new QToolButton(row);
        button->setObjectName(QStringLiteral("routeMethod_") + name);
        button->setText(name);
        button->setCheckable(true);
        layout->addWidget(button);
        m_methods.append(button);
    }
    auto *hint = new QLabel(tr("none = any method"), row);
    hint->setEnabled(false);
    layout->addSpacing(6);
    layout->addWidget(hint);
    layout->addStretch(1);
    return row;
}

QWidget *RouteDialog::buildTarget()
{
    auto *target = bareWidget(this);
    auto *layout = new QVBoxLayout(target);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *kinds = new QHBoxLayout;
    m_toUpstream = new QRadioButton(tr("&Upstream"), target);
    m_toUpstream->setObjectName(QStringLiteral("routeTargetUpstream"));
    m_toRespond = new QRadioButton(tr("Respond d&irectly"), target);
    m_toRespond->setObjectName(QStringLiteral("routeTargetRespond"));
    m_targetKind = new QButtonGroup(this);
    m_targetKind->addButton(m_toUpstream);
    m_targetKind->addButton(m_toRespond);
    kinds->addWidget(m_toUpstream);
    kinds->addWidget(m_toRespond);
    kinds->addStretch(1);
    layout->addLayout(kinds);

    m_upstreamPanel = bareWidget(target);
    auto *upstreamLayout = new QVBoxLayout(m_upstreamPanel);
    upstreamLayout->setContentsMargins(0, 0, 0, 0);
    m_upstream = new QComboBox(m_upstreamPanel);
    m_upstream->setObjectName(QStringLiteral("routeUpstream"));
    for (const profile::Upstream &upstream : std::as_const(m_current.upstreams)) {
        m_upstream->addItem(upstream.name, upstream.name);
    }
    // Always last, so "the last item" is how the form recognises it.
    m_upstream->addItem(tr("New upstream…"));
    upstreamLayout->addWidget(m_upstream);
    m_newUpstreamPanel = bareWidget(m_upstreamPanel);
    auto *newForm = new QFormLayout(m_newUpstreamPanel);
    newForm->setContentsMargins(16, 0, 0, 0);
    m_newUpstreamName = new QLineEdit(m_newUpstreamPanel);
    m_newUpstreamName->setObjectName(QStringLiteral("newUpstreamName"));
    m_newUpstreamName->setPlaceholderText(tr("users"));
    m_newUpstreamUrl = new QLineEdit(m_newUpstreamPanel);
    m_newUpstreamUrl->setObjectName(QStringLiteral("newUpstreamUrl"));
    m_newUpstreamUrl->setPlaceholderText(QStringLiteral("http://127.0.0.1:8001"));
    newForm->addRow(tr("Upstream name"), m_newUpstreamName);
    newForm->addRow(tr("Target URL"), m_newUpstreamUrl);
    upstreamLayout->addWidget(m_newUpstreamPanel);
    layout->addWidget(m_upstreamPanel);

    m_respondPanel = bareWidget(target);
    auto *respondLayout = new QHBoxLayout(m_respondPanel);
    respondLayout->setContentsMargins(0, 0, 0, 0);
    m_respondStatus = new QSpinBox(m_respondPanel);
    m_respondStatus->setObjectName(QStringLiteral("routeRespondStatus"));
    m_respondStatus->setRange(100, 599);
    m_respondStatus->setPrefix(tr("status "));
    m_respondBody = new QLineEdit(m_respondPanel);
    m_respondBody->setObjectName(QStringLiteral("routeRespondBody"));
    m_respondBody->setPlaceholderText(tr("body (empty)"));
    respondLayout->addWidget(m_respondStatus);
    respondLayout->addWidget(m_respondBody, 1);
    layout->addWidget(m_respondPanel);
    return target;
}

QGroupBox *RouteDialog::buildCanary()
{
    m_canary = new QGroupBox(tr("&Canary: send a share of the traffic to another upstream"), this);
    m_canary->setObjectName(QStringLiteral("routeCanary"));
    m_canary->setCheckable(true);
    auto *content = bareWidget(m_canary);
    auto *form = new QFormLayout(content);
    m_canaryUpstream = new QComboBox(content);
    m_canaryUpstream->setObjectName(QStringLiteral("routeCanaryUpstream"));
    for (const profile::Upstream &upstream : std::as_const(m_current.upstreams)) {
        m_canaryUpstream->addItem(upstream.name);
    }
    m_canaryPercent = new QDoubleSpinBox(content);
    m_canaryPercent->setObjectName(QStringLiteral("routeCanaryPercent"));
    m_canaryPercent->setRange(0.0, 100.0);
    m_canaryPercent->setDecimals(1);
    m_canaryPercent->setSuffix(QStringLiteral(" %"));
    m_canaryHeader = new QLineEdit(content);
    m_canaryHeader->setObjectName(QStringLiteral("routeCanaryHeader"));
    m_canaryHeader->setPlaceholderText(tr("optional; e.g. X-Canary forces the canary"));
    form->addRow(tr("Upstream"), m_canaryUpstream);
    form->addRow(tr("Share"), m_canaryPercent);
    form->addRow(tr("Header"), m_canaryHeader);
    makeCollapsible(m_canary, content);
    return m_canary;
}

QGroupBox *RouteDialog::buildCors()
{
    m_cors = new QGroupBox(tr("C&ORS: let browser pages from other origins call this route"), this);
    m_cors->setObjectName(QStringLiteral("routeCors"));
    m_cors->setCheckable(true);
    auto *content = bareWidget(m_cors);
    auto *form = new QFormLayout(content);
    m_corsOrigins = new QLineEdit(content);
    m_corsOrigins->setObjectName(QStringLiteral("routeCorsOrigins"));
    m_corsOrigins->setPlaceholderText(QStringLiteral("http://localhost:3000, https://*.shop.test"));
    m_corsCredentials = new QCheckBox(tr("Allow credentials (cookies, Authorization)"), content);
    m_corsCredentials->setObjectName(QStringLiteral("routeCorsCredentials"));
    form->addRow(tr("Origins"), m_corsOrigins);
    form->addRow(QString(), m_corsCredentials);
    makeCollapsible(m_cors, content);
    return m_cors;
}

void RouteDialog::fill(const profile::Route &route)
{
    m_name->setText(route.name);
    m_pathKind->setCurrentIndex(int(route.match.pathKind));
    m_path->setText(route.match.path);
    for (qsizetype i = 0; i < m_methods.size(); ++i) {
        m_methods.at(i)->setChecked(route.match.methods.contains(standardMethods().at(i)));
    }
    m_hosts->setText(joinList(route.match.hosts));
    m_headers->setRowCount(int(route.match.headers.size()) + 1);
    for (int row = 0; row < route.match.headers.size(); ++row) {
        m_headers->setItem(row, 0, new QTableWidgetItem(route.match.headers.at(row).first));
        m_headers->setItem(row, 1, new QTableWidgetItem(route.match.headers.at(row).second));
    }
    m_stripPrefix->setText(route.stripPrefix);

    const bool responds = route.respond.has_value();
    (responds ? m_toRespond : m_toUpstream)->setChecked(true);
    // A route that responds by itself offers the first upstream should it switch; "New upstream…"
    // only comes first when there is no other.
    const int upstream = route.upstream.isEmpty() ? 0 : m_upstream->findData(route.upstream);
    m_upstream->setCurrentIndex(upstream >= 0 ? upstream : m_upstream->count() - 1);
    m_respondStatus->setValue(responds ? route.respond->status : 200);
    m_respondBody->setText(responds ? QString::fromUtf8(route.respond->body) : QString());

    const int auth = m_auth->findData(route.auth);
    m_auth->setCurrentIndex(auth >= 0 ? auth : 0);
    for (int row = 0; row < m_rateLimits->count(); ++row) {
        QListWidgetItem *item = m_rateLimits->item(row);
        item->setCheckState(route.rateLimit.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
    }
    m_timeout->setText(profile::formatDuration(route.timeout));
    m_retries->setValue(route.retries);
    m_enabled->setChecked(route.enabled);

    m_canary->setChecked(route.canary.has_value());
    if (route.canary) {
        m_canaryUpstream->setCurrentText(route.canary->upstream);
        m_canaryPercent->setValue(route.canary->percent);
        m_canaryHeader->setText(route.canary->header);
    } else {
        // The canary must differ from the route's upstream: offer the first other one.
        for (int i = 0; i < m_canaryUpstream->count(); ++i) {
            if (m_canaryUpstream->itemText(i) != route.upstream) {
                m_canaryUpstream->setCurrentIndex(i);
                break;
            }
        }
    }
    m_cors->setChecked(route.cors.has_value());
    if (route.cors) {
        m_corsOrigins->setText(joinList(route.cors->origins));
        m_corsCredentials->setChecked(route.cors->credentials);
    }
    showTargetKind();
}

void RouteDialog::connectChanges()
{
    const auto changed = [this] { revalidate(); };
    for (QLineEdit *edit : { m_name, m_path, m_hosts, m_stripPrefix, m_newUpstreamName, m_newUpstreamUrl, m_respondBody,
                             m_timeout, m_canaryHeader, m_corsOrigins }) {
        connect(edit, &QLineEdit::textChanged, this, changed);
    }
    for (QComboBox *combo : { m_pathKind, m_auth, m_canaryUpstream }) {
        connect(combo, &QComboBox::currentIndexChanged, this, changed);
    }
    for (QToolButton *button : std::as_const(m_methods)) {
        connect(button, &QToolButton::toggled, this, changed);
    }
    for (QSpinBox *spin : { m_respondStatus, m_retries }) {
        connect(spin, &QSpinBox::valueChanged, this, changed);
    }
    connect(m_canaryPercent, &QDoubleSpinBox::valueChanged, this, changed);
    for (QCheckBox *box : { m_enabled, m_corsCredentials }) {
        connect(box, &QCheckBox::toggled, this, changed);
    }
    for (QGroupBox *box : { m_canary, m_cors }) {
        connect(box, &QGroupBox::toggled, this, changed);
    }
    connect(m_headers, &QTableWidget::cellChanged, this, [this] {
        addHeaderRowIfFull();
        revalidate();
    });
    connect(m_rateLimits, &QListWidget::itemChanged, this, changed);
    connect(m_upstream, &QComboBox::currentIndexChanged, this, [this] {
        showTargetKind();
        revalidate();
    });
    connect(m_targetKind, &QButtonGroup::buttonToggled, this, [this](QAbstractButton *, bool checked) {
        if (checked) { // one signal per switch, not one per button
            showTargetKind();
            revalidate();
        }
    });
}

void RouteDialog::addHeaderRowIfFull()
{
    // There is always one empty row to type a new header into.
    const int last = m_headers->rowCount() - 1;
    const QTableWidgetItem *name = m_headers->item(last, 0);
    const QTableWidgetItem *value = m_headers->item(last, 1);
    if (last < 0 || (name && !name->text().isEmpty()) || (value && !value->text().isEmpty())) {
        m_headers->setRowCount(last + 2);
    }
}

void RouteDialog::showTargetKind()
{
    const bool responds = m_toRespond->isChecked();
    m_upstreamPanel->setVisible(!responds);
    m_newUpstreamPanel->setVisible(!responds && newUpstreamChosen());
    m_respondPanel->setVisible(responds);
}

bool RouteDialog::newUpstreamChosen() const
{
    return m_upstream->currentIndex() == m_upstream->count() - 1;
}

std::optional<profile::Duration> RouteDialog::typedTimeout(QString *error) const
{
    // Empty means the documented default.
    return typedDuration(m_timeout, QStringLiteral("timeout"), profile::Route().timeout, error);
}

profile::Profile RouteDialog::result() const
{
    profile::Profile next = m_current;
    profile::Route route = m_original; // keeps what the form does not show

    route.name = m_name->text().trimmed();
    route.match.pathKind = profile::RouteMatch::PathKind(m_pathKind->currentIndex());
    route.match.path = m_path->text().trimmed();
    QStringList methods;
    for (qsizetype i = 0; i < m_methods.size(); ++i) {
        if (m_methods.at(i)->isChecked()) {
            methods.append(standardMethods().at(i));
        }
    }
    for (const QString &method : std::as_const(m_original.match.methods)) {
        if (!standardMethods().contains(method) && !methods.contains(method)) {
            methods.append(method);
        }
    }
    route.match.methods = methods;
    route.match.hosts.clear();
    for (const QString &host : splitList(m_hosts->text())) {
        route.match.hosts.append(host.toLower()); // hosts are case-insensitive; the reader stores them lower case
    }
    route.match.headers.clear();
    for (int row = 0; row < m_headers->rowCount(); ++row) {
        const QTableWidgetItem *name = m_headers->item(row, 0);
        const QTableWidgetItem *value = m_headers->item(row, 1);
        const QString headerName = name ? name->text().trimmed() : QString();
        const QString headerValue = value ? value->text() : QString();
        if (!headerName.isEmpty() || !headerValue.isEmpty()) {
            route.match.headers.append({ headerName, headerValue });
        }
    }
    route.stripPrefix = m_stripPrefix->text().trimmed();

    if (m_toRespond->isChecked()) {
        route.upstream.clear();
        profile::Respond respond = m_original.respond.value_or(profile::Respond {});
        respond.status = m_respondStatus->value();
        respond.body = m_respondBody->text().toUtf8();
        route.respond = respond;
    } else {
        route.respond.reset();
        if (newUpstreamChosen()) {
            profile::Upstream upstream;
            upstream.name = m_newUpstreamName->text().trimmed();
            const QString url = m_newUpstreamUrl->text().trimmed();
            profile::Target target = profile::parseTargetUrl(url).value_or(profile::Target {});
            target.url = url; // a bad URL stays as typed, so the reader names what is wrong with it
            upstream.targets.append(target);
            next.upstreams.append(upstream);
            route.upstream = upstream.name;
        } else {
            route.upstream = m_upstream->currentData().toString();
        }
    }

    route.auth = m_auth->currentData().toString();
    QStringList limits;
    for (const QString &name : std::as_const(m_original.rateLimit)) { // the order they were listed in stays
        const QList<QListWidgetItem *> items = m_rateLimits->findItems(name, Qt::MatchExactly);
        if (!items.isEmpty() && items.first()->checkState() == Qt::Checked) {
            limits.append(name);
        }
    }
    for (int row = 0; row < m_rateLimits->count(); ++row) {
        const QListWidgetItem *item = m_rateLimits->item(row);
        if (item->checkState() == Qt::Checked && !limits.contains(item->text())) {
            limits.append(item->text());
        }
    }
    route.rateLimit = limits;
    QString timeoutError;
    route.timeout = typedTimeout(&timeoutError).value_or(m_original.timeout);
    route.retries = m_retries->value();
    route.enabled = m_enabled->isChecked();

    if (m_canary->isChecked()) {
        profile::Canary canary = m_original.canary.value_or(profile::Canary {});
        canary.upstream = m_canaryUpstream->currentText();
        canary.percent = m_canaryPercent->value();
        canary.header = m_canaryHeader->text().trimmed();
        route.canary = canary;
    } else {
        route.canary.reset();
    }
    if (m_cors->isChecked()) {
        profile::Cors cors = m_original.cors.value_or(profile::Cors {});
        cors.origins = splitList(m_corsOrigins->text());
        cors.credentials = m_corsCredentials->isChecked();
        route.cors = cors;
    } else {
        route.cors.reset();
    }

    return withEntry(next, &profile::Profile::routes, m_index, route);
}

void RouteDialog::revalidate()
{
    QString timeoutError;
    typedTimeout(&timeoutError);
    QStringList problems = ProfileDocument::problemsOf(result());
    if (!timeoutError.isEmpty()) {
        problems.prepend(timeoutError);
    }
    m_footer->setProblems(problems);
}

void RouteDialog::accept()
{
    revalidate();
    if (!problems().isEmpty()) {
        return;
    }
    QDialog::accept();
}

} // namespace gatehouse::ui

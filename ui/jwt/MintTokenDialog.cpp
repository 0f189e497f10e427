#include "MintTokenDialog.h"

#include <chrono>

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/core/EngineTools.h"
#include "engine/profile/Units.h"
#include "ui/traffic/CurlCommand.h"

namespace gatehouse::ui {

namespace {

// A URL with nothing a shell would interpret stays unquoted, as people type it.
QString shellWord(const QString &text)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:@%+=,-]+$"));
    return plain.match(text).hasMatch() ? text : shellQuote(text);
}

} // namespace

MintTokenDialog::MintTokenDialog(const profile::JwtProfile &jwt, const QString &baseDir, engine::SecretStore *store,
                                 const QString &baseUrl, QWidget *parent)
    : QDialog(parent)
    , m_jwt(jwt)
    , m_baseDir(baseDir)
    , m_store(store)
    , m_baseUrl(baseUrl)
{
    setObjectName(QStringLiteral("mintTokenDialog"));
    setWindowTitle(tr("Mint test token: %1").arg(jwt.name));
    setMinimumWidth(560);

    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addLayout(form);

    m_claims = new QTableWidget(0, 2, this);
    m_claims->setObjectName(QStringLiteral("mintClaims"));
    m_claims->setHorizontalHeaderLabels({ tr("Claim"), tr("Value") });
    m_claims->horizontalHeader()->setStretchLastSection(true);
    m_claims->verticalHeader()->hide();
    m_claims->setTabKeyNavigation(false);
    m_claims->setToolTip(tr("Values are JSON when they parse as JSON (42, true, [\"a\",\"b\"]), else text. iat, exp, jti, "
                            "and the profile's issuer and first audience are added unless you set them here."));
    m_claims->setRowCount(1);
    m_claims->setItem(0, 0, new QTableWidgetItem(QStringLiteral("sub")));
    m_claims->setItem(0, 1, new QTableWidgetItem(QStringLiteral("dev-user")));
    addClaimRowIfFull();
    form->addRow(tr("&Claims"), m_claims);

    m_ttl = new QLineEdit(QStringLiteral("1h"), this);
    m_ttl->setObjectName(QStringLiteral("mintTtl"));
    m_ttl->setToolTip(tr("How long the token is valid: 30s, 15m, 1h, 24h…"));
    form->addRow(tr("&Valid for"), m_ttl);

    m_algorithm = new QComboBox(this);
    m_algorithm->setObjectName(QStringLiteral("mintAlgorithm"));
    m_algorithm->addItems(jwt.algorithms);
    form->addRow(tr("&Algorithm"), m_algorithm);

    m_mintButton = new QPushButton(tr("&Mint token"), this);
    m_mintButton->setObjectName(QStringLiteral("mintSign"));
    m_mintButton->setDefault(true);
    form->addRow(QString(), m_mintButton);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("mintError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    m_error->hide();
    layout->addWidget(m_error);

    m_output = new QPlainTextEdit(this);
    m_output->setObjectName(QStringLiteral("mintToken"));
    m_output->setReadOnly(true);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setPlaceholderText(tr("The signed token appears here"));
    m_output->setMinimumHeight(90);
    layout->addWidget(m_output, 1);

    auto *copyRow = new QHBoxLayout;
    m_copyToken = new QPushButton(tr("Copy &token"), this);
    m_copyToken->setObjectName(QStringLiteral("mintCopyToken"));
    m_copyCurl = new QPushButton(tr("Copy c&url command"), this);
    m_copyCurl->setObjectName(QStringLiteral("mintCopyCurl"));
    copyRow->addWidget(m_copyToken);
    copyRow->addWidget(m_copyCurl);
    copyRow->addStretch(1);
    layout->addLayout(copyRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &MintTokenDialog::reject);

    connect(m_mintButton, &QPushButton::clicked, this, &MintTokenDialog::mint);
    connect(m_copyToken, &QPushButton::clicked, this, &MintTokenDialog::copyToken);
    connect(m_copyCurl, &QPushButton::clicked, this, &MintTokenDialog::copyCurlCommand);
    connect(m_claims, &QTableWidget::cellChanged, this, &MintTokenDialog::addClaimRowIfFull);
    showResult(QString());
}

MintTokenDialog::~MintTokenDialog() = default;

void MintTokenDialog::showEvent(QShowEvent *showing)
{
    QDialog::showEvent(showing);
    if (!m_mintedOnShow) {
        // A first token with the defaults, once the dialog is on screen (reading the keychain may
        // take a moment, or ask to unlock it).
        m_mintedOnShow = true;
        QTimer::singleShot(0, this, [this] {
            if (m_token.isEmpty() && !m_minting) {
                mint();
            }
        });
    }
}

void MintTokenDialog::addClaimRowIfFull()
{
    // There is always one empty row to type a new claim into.
    const int last = m_claims->rowCount() - 1;
    const QTableWidgetItem *name = last >= 0 ? m_claims->item(last, 0) : nullptr;
    const QTableWidgetItem *value = last >= 0 ? m_claims->item(last, 1) : nullptr;
    if (last < 0 || (name && !name->text().isEmpty()) || (value && !value->text().isEmpty())) {
        m_claims->setRowCount(last + 2);
    }
}

bool MintTokenDialog::typedClaims(QList<std::pair<QString, QString>> *claims, QString *error) const
{
    for (int row = 0; row < m_claims->rowCount(); ++row) {
        const QTableWidgetItem *nameItem = m_claims->item(row, 0);
        const QTableWidgetItem *valueItem = m_claims->item(row, 1);
        const QString name = nameItem ? nameItem->text().trimmed() : QString();
        const QString value = valueItem ? valueItem->text() : QString();
        if (name.isEmpty()) {
            if (!value.trimmed().isEmpty()) {
                *error = tr("the claim in row %1 has a value but no name").arg(row + 1);
                return false;
            }
            continue;
        }
        claims->append({ name, value });
    }
    return true;
}

void MintTokenDialog::mint()
{
    // Only the latest mint's answer counts: one still signing when the form changed is dropped.
    const quint64 serial = ++m_mintSerial;
    m_token.clear();
    QString why;
    const auto ttl = profile::parseDuration(m_ttl->text().trimmed(), &why);
    if (!ttl || ttl->count() < 1000) {
        return finishMint(QString(), ttl ? tr("Valid for: at least 1s") : tr("Valid for: %1").arg(why));
    }
    engine::tools::TestTokenRequest request;
    if (!typedClaims(&request.claims, &why)) {
        return finishMint(QString(), why);
    }
    request.jwt = m_jwt;
    request.baseDir = m_baseDir;
    request.algorithm = m_algorithm->currentText();
    request.ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
    m_minting = true;
    m_mintButton->setEnabled(false);
    m_output->setPlaceholderText(tr("Signing…"));
    showResult(QString());
    engine::tools::mintTestToken(request, m_store, this, [this, serial](const engine::tools::TestToken &minted) {
        if (serial == m_mintSerial) {
            finishMint(minted.token, minted.error);
        }
    });
}

void MintTokenDialog::finishMint(const QString &token, const QString &error)
{
    m_minting = false;
    m_mintButton->setEnabled(true);
    m_output->setPlaceholderText(tr("The signed token appears here"));
    m_token = token;
    showResult(error);
    Q_EMIT mintFinished(error);
}

void MintTokenDialog::showResult(const QString &error)
{
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_output->setPlainText(m_token);
    m_copyToken->setEnabled(!m_token.isEmpty());
    m_copyCurl->setEnabled(!m_token.isEmpty() && !m_baseUrl.isEmpty());
    m_copyCurl->setToolTip(m_baseUrl.isEmpty() ? tr("The gateway is not listening yet") : QString());
}

QString MintTokenDialog::curlCommand() const
{
    if (m_token.isEmpty()) {
        return {};
    }
    QString base = m_baseUrl;
    while (base.endsWith(u'/')) {
        base.chop(1);
    }
    // Where the profile looks first for a token (docs/security.md "Finding the token").
    const QString source = m_jwt.tokenFrom.value(0, QStringLiteral("header:Authorization"));
    const qsizetype colon = source.indexOf(u':');
    const QString kind = source.left(colon);
    const QString name = source.mid(colon + 1);
    if (kind == u"cookie") {
        return QStringLiteral("curl -b %1 %2/").arg(shellQuote(name + u'=' + m_token), shellWord(base));
    }
    if (kind == u"query") {
        return QStringLiteral("curl %1").arg(shellWord(base + QStringLiteral("/?") + name + u'=' + m_token));
    }
    const QString value = name.compare(QStringLiteral("Authorization"), Qt::CaseInsensitive) == 0
        ? QStringLiteral("Bearer ") + m_token
        : m_token;
    return QStringLiteral("curl -H %1 %2/").arg(shellQuote(name + QStringLiteral(": ") + value), shellWord(base));
}

void MintTokenDialog::copyToken() const
{
    if (!m_token.isEmpty()) {
        QApplication::clipboard()->setText(m_token);
    }
}

void MintTokenDialog::copyCurlCommand() const
{
    const QString command = curlCommand();
    if (!command.isEmpty() && !m_baseUrl.isEmpty()) {
        QApplication::clipboard()->setText(command);
    }
}

} // namespace gatehouse::ui

#include "JwtProfileDialog.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "engine/profile/Units.h"
#include "engine/profile/Values.h"
#include "engine/secrets/SecretStore.h"
#include "ui/Prompts.h"
#include "ui/document/ProfileDocument.h"
#include "ui/editing/FormFields.h"
#include "ui/editing/FormFooter.h"
#include "ui/editing/ProfileForm.h"
#include "ui/editing/ProfileLists.h"

namespace gatehouse::ui {

namespace {

struct AlgorithmFamily
{
    const char *label; // technical names, not translated
    QStringList algorithms;
};

// The algorithms the engine verifies (profile::jwtAlgorithms()), grouped as people look for them.
const QList<AlgorithmFamily> &algorithmFamilies()
{
    static const QList<AlgorithmFamily> families {
        { "HMAC", { QStringLiteral("HS256"), QStringLiteral("HS384"), QStringLiteral("HS512") } },
        { "RSA", { QStringLiteral("RS256"), QStringLiteral("RS384"), QStringLiteral("RS512") } },
        { "RSA-PSS", { QStringLiteral("PS256"), QStringLiteral("PS384"), QStringLiteral("PS512") } },
        { "ECDSA", { QStringLiteral("ES256"), QStringLiteral("ES384") } },
        { "EdDSA", { QStringLiteral("EdDSA") } },
    };
    return families;
}

const QString kItemPrefix = QStringLiteral("gatehouse-jwt-");

// A key field takes a path (it becomes `file:PATH`) or a reference as the profile writes it. A
// malformed reference is kept as typed so the reader's message names what is wrong with it.
profile::SecretRef refFromText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        return {};
    }
    static const QList<QPair<QString, profile::SecretRef::Kind>> prefixes {
        { QStringLiteral("keychain:"), profile::SecretRef::Kind::Keychain },
        { QStringLiteral("env:"), profile::SecretRef::Kind::Env },
        { QStringLiteral("file:"), profile::SecretRef::Kind::File },
    };
    for (const auto &[prefix, kind] : prefixes) {
        if (trimmed.startsWith(prefix)) {
            return { kind, trimmed.mid(prefix.size()) };
        }
    }
    return { profile::SecretRef::Kind::File, trimmed };
}

QString textFromRef(const profile::SecretRef &ref)
{
    if (!ref.isSet()) {
        return {};
    }
    return ref.kind == profile::SecretRef::Kind::File ? ref.name : profile::formatSecretRef(ref);
}

QString jwksFromText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed.startsWith(QLatin1String("file:")) || trimmed.startsWith(QLatin1String("http://"))
        || trimmed.startsWith(QLatin1String("https://"))) {
        return trimmed;
    }
    return QStringLiteral("file:") + trimmed;
}

} // namespace

JwtProfileDialog::JwtProfileDialog(const profile::Profile &current, int index, engine::SecretStore *store, QWidget *parent)
    : QDialog(parent)
    , m_current(current)
    , m_index(index >= 0 && index < current.jwt.size() ? index : -1)
    , m_original(m_index >= 0 ? current.jwt.at(m_index) : profile::JwtProfile {})
    , m_store(store)
    , m_storedSecret(m_original.secret)
{
    setObjectName(QStringLiteral("jwtProfileDialog"));
    setWindowTitle(isNewProfile() ? tr("Add JWT profile") : tr("Edit JWT profile"));
    setMinimumWidth(560);

    auto *layout = new QVBoxLayout(this);
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addLayout(m_form);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("jwtName"));
    m_name->setPlaceholderText(QStringLiteral("user-jwt"));
    m_form->addRow(tr("&Name"), m_name);

    m_form->addRow(tr("Algorithms"), buildAlgorithms());

    m_keySource = new QComboBox(this);
    m_keySource->setObjectName(QStringLiteral("jwtKeySource"));
    // Same order as KeySource, so the index is the source.
    m_keySource->addItems({ tr("Shared secret (stored in the OS keychain)"), tr("Public key file"), tr("JWKS URL or file") });
    m_form->addRow(tr("&Keys"), m_keySource);

    m_keyPanels = new QStackedWidget(this);
    m_keyPanels->addWidget(buildSecretPanel());
    m_publicKey = new QLineEdit(this);
    m_publicKey->setObjectName(QStringLiteral("jwtPublicKey"));
    m_publicKey->setPlaceholderText(tr("keys/public.pem (PEM public key or certificate)"));
    m_keyPanels->addWidget(buildFileRow(m_publicKey, "jwtPublicKeyBrowse", tr("Choose the public key"),
                                        tr("PEM files (*.pem *.crt *.pub);;All files (*)")));
    m_jwks = new QLineEdit(this);
    m_jwks->setObjectName(QStringLiteral("jwtJwks"));
    m_jwks->setPlaceholderText(tr("http://127.0.0.1:8005/.well-known/jwks.json or keys/jwks.json"));
    m_keyPanels->addWidget(buildFileRow(m_jwks, "jwtJwksBrowse", tr("Choose the JWK Set"),
                                        tr("JSON files (*.json);;All files (*)")));
    m_form->addRow(QString(), m_keyPanels);

    m_privateKey = new QLineEdit(this);
    m_privateKey->setObjectName(QStringLiteral("jwtPrivateKey"));
    m_privateKey->setPlaceholderText(tr("optional: keys/dev-private.pem, to mint test tokens"));
    m_privateKeyRow = buildFileRow(m_privateKey, "jwtPrivateKeyBrowse", tr("Choose the private key"),
                                   tr("PEM files (*.pem *.key);;All files (*)"));
    m_form->addRow(tr("&Private key"), m_privateKeyRow);

    m_issuer = new QLineEdit(this);
    m_issuer->setObjectName(QStringLiteral("jwtIssuer"));
    m_issuer->setPlaceholderText(tr("any issuer; e.g. https://auth.shop.test"));
    m_form->addRow(tr("&Issuer"), m_issuer);

    m_audience = new QLineEdit(this);
    m_audience->setObjectName(QStringLiteral("jwtAudience"));
    m_audience->setPlaceholderText(tr("any audience; e.g. shop-api, admin-api"));
    m_form->addRow(tr("&Audience"), m_audience);

    m_leeway = new QLineEdit(this);
    m_leeway->setObjectName(QStringLiteral("jwtLeeway"));
    m_leeway->setPlaceholderText(tr("0s; e.g. 30s of clock skew allowed on exp, nbf and iat"));
    m_form->addRow(tr("&Leeway"), m_leeway);

    m_footer = new FormFooter(this, QStringLiteral("jwtProblems"));
    m_footer->okButton()->setText(isNewProfile() ? tr("Add JWT profile") : tr("Apply"));
    layout->addWidget(m_footer);

    m_storeError = new QLabel(this);
    m_storeError->setObjectName(QStringLiteral("jwtStoreError"));
    m_storeError->setWordWrap(true);
    m_storeError->setTextFormat(Qt::PlainText);
    m_storeError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_storeError->setStyleSheet(QStringLiteral("QLabel { color: #c62828; font-weight: bold; }"));
    m_storeError->hide();
    m_footer->addNote(m_storeError);

    fill(m_original);
    connectChanges();
    revalidate();
    m_name->setFocus();
}

JwtProfileDialog::~JwtProfileDialog() = default;

std::optional<profile::Profile> JwtProfileDialog::addJwt(QWidget *parent, const profile::Profile &current,
                                                         engine::SecretStore *store)
{
    JwtProfileDialog dialog(current, -1, store, parent);
    return execForm(dialog);
}

std::optional<profile::Profile> JwtProfileDialog::editJwt(QWidget *parent, const profile::Profile &current, int index,
                                                          engine::SecretStore *store)
{
    JwtProfileDialog dialog(current, index, store, parent);
    return execForm(dialog);
}

QStringList JwtProfileDialog::problems() const
{
    return m_footer->problems();
}

QWidget *JwtProfileDialog::buildAlgorithms()
{
    auto *box = bareWidget(this);
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(4);
    int row = 0;
    for (const AlgorithmFamily &family : algorithmFamilies()) {
        grid->addWidget(new QLabel(QString::fromLatin1(family.label), box), row, 0);
        int column = 1;
        for (const QString &algorithm : family.algorithms) {
            auto *button = new QToolButton(box);
            button->setObjectName(QStringLiteral("jwtAlg_") + algorithm);
            button->setText(algorithm);
            button->setCheckable(true);
            button->setToolButtonStyle(Qt::ToolButtonTextOnly);
            grid->addWidget(button, row, column++);
            m_algorithmNames.append(algorithm);
            m_algorithms.append(button);
        }
        ++row;
    }
    grid->setColumnStretch(4, 1);
    box->setToolTip(tr("Tokens signed with another algorithm are refused; HS* and the public-key algorithms "
                       "are never mixed in one profile"));
    return box;
}

QWidget *JwtProfileDialog::buildSecretPanel()
{
    auto *panel = bareWidget(this);
    auto *form = new QFormLayout(panel);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto *secretRow = bareWidget(panel);
    auto *secretLayout = new QHBoxLayout(secretRow);
    secretLayout->setContentsMargins(0, 0, 0, 0);
    m_secret = new QLineEdit(secretRow);
    m_secret->setObjectName(QStringLiteral("jwtSecret"));
    m_secret->setEchoMode(QLineEdit::Password);
    // A stored secret is never read back into the form: the field only ever holds a new one.
    m_showSecret = new QToolButton(secretRow);
    m_showSecret->setObjectName(QStringLiteral("jwtSecretShow"));
    m_showSecret->setCheckable(true);
    m_showSecret->setText(tr("Show"));
    m_showSecret->setToolTip(tr("Show or hide the secret as you type it"));
    connect(m_showSecret, &QToolButton::toggled, this, [this](bool shown) {
        m_secret->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        m_showSecret->setText(shown ? tr("Hide") : tr("Show"));
    });
    secretLayout->addWidget(m_secret, 1);
    secretLayout->addWidget(m_showSecret);
    form->addRow(tr("&Secret"), secretRow);

    m_keychainItem = new QLineEdit(panel);
    m_keychainItem->setObjectName(QStringLiteral("jwtKeychainItem"));
    m_keychainItem->setToolTip(tr("The OS keychain item (service \"gatehouse\") the secret is stored under; "
                                  "the profile refers to it as keychain:ITEM"));
    form->addRow(tr("Keychain &item"), m_keychainItem);

    m_secretStatus = new QLabel(panel);
    m_secretStatus->setObjectName(QStringLiteral("jwtSecretStatus"));
    m_secretStatus->setWordWrap(true);
    m_secretStatus->setTextFormat(Qt::PlainText);
    form->addRow(QString(), m_secretStatus);
    return panel;
}

QWidget *JwtProfileDialog::buildFileRow(QLineEdit *edit, const char *buttonName, const QString &title, const QString &filter)
{
    auto *row = bareWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    edit->setParent(row);
    auto *browse = new QToolButton(row);
    browse->setObjectName(QString::fromLatin1(buttonName));
    browse->setText(tr("Browse…"));
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    connect(browse, &QToolButton::clicked, this, [this, edit, title, filter] {
        const QString path = chooseOpenFile(this, title, filter);
        if (path.isEmpty()) {
            return;
        }
        // Inside the profile's folder the path is kept relative, so the profile can move with its keys.
        const QString baseDir = m_current.baseDir;
        const QString relative = baseDir.isEmpty() ? QString() : QDir(baseDir).relativeFilePath(path);
        const bool inside = !relative.isEmpty() && !relative.startsWith(QLatin1String("..")) && QFileInfo(relative).isRelative();
        const QString shown = inside ? relative : path;
        edit->setText(edit == m_jwks ? QStringLiteral("file:") + shown : shown);
    });
    return row;
}

void JwtProfileDialog::fill(const profile::JwtProfile &jwt)
{
    m_name->setText(jwt.name);
    KeySource source = KeySource::SharedSecret;
    if (jwt.publicKey.isSet()) {
        source = KeySource::PublicKey;
    } else if (!jwt.jwks.isEmpty()) {
        source = KeySource::Jwks;
    } else if (!jwt.secret.isSet() && !jwt.algorithms.isEmpty() && !profile::isHmacAlgorithm(jwt.algorithms.first())) {
        source = KeySource::PublicKey;
    }
    m_keySource->setCurrentIndex(int(source));
    m_keyPanels->setCurrentIndex(int(source));
    const QStringList algorithms = isNewProfile() ? QStringList { QStringLiteral("HS256") } : jwt.algorithms;
    for (qsizetype i = 0; i < m_algorithms.size(); ++i) {
        m_algorithms.at(i)->setChecked(algorithms.contains(m_algorithmNames.at(i)));
    }
    applyKeySource(false);

    const bool keychainBacked = m_storedSecret.kind == profile::SecretRef::Kind::Keychain;
    m_keychainItem->setText(keychainBacked ? m_storedSecret.name : kItemPrefix + jwt.name);
    m_publicKey->setText(textFromRef(jwt.publicKey));
    m_jwks->setText(jwt.jwks);
    m_privateKey->setText(textFromRef(jwt.privateKey));
    m_issuer->setText(jwt.issuer);
    m_audience->setText(jwt.audience.join(QStringLiteral(", ")));
    m_leeway->setText(jwt.leeway.count() > 0 ? profile::formatDuration(jwt.leeway) : QString());
}

void JwtProfileDialog::connectChanges()
{
    const auto changed = [this] { revalidate(); };
    for (QLineEdit *edit : { m_secret, m_keychainItem, m_publicKey, m_jwks, m_privateKey, m_issuer, m_audience, m_leeway }) {
        connect(edit, &QLineEdit::textChanged, this, changed);
    }
    for (QToolButton *button : std::as_const(m_algorithms)) {
        connect(button, &QToolButton::toggled, this, changed);
    }
    connect(m_name, &QLineEdit::textChanged, this, [this](const QString &name) {
        // A new item follows the name until it is typed over; an existing one stays where it is.
        if (!m_itemEdited && m_storedSecret.kind != profile::SecretRef::Kind::Keychain) {
            m_keychainItem->setText(kItemPrefix + name.trimmed());
        }
        revalidate();
    });
    connect(m_keychainItem, &QLineEdit::textEdited, this, [this] { m_itemEdited = true; });
    connect(m_keySource, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_keyPanels->setCurrentIndex(index);
        applyKeySource(true);
        revalidate();
    });
}

JwtProfileDialog::KeySource JwtProfileDialog::keySource() const
{
    return KeySource(m_keySource->currentIndex());
}

void JwtProfileDialog::applyKeySource(bool pickDefault)
{
    const bool hmac = keySource() == KeySource::SharedSecret;
    bool anyChecked = false;
    for (qsizetype i = 0; i < m_algorithms.size(); ++i) {
        QToolButton *button = m_algorithms.at(i);
        const bool fits = profile::isHmacAlgorithm(m_algorithmNames.at(i)) == hmac;
        button->setEnabled(fits);
        if (!fits && button->isChecked()) {
            const QSignalBlocker blocker(button); // one revalidation for the whole switch
            button->setChecked(false);
        }
        anyChecked = anyChecked || button->isChecked();
    }
    if (pickDefault && !anyChecked) {
        const qsizetype common = m_algorithmNames.indexOf(hmac ? QStringLiteral("HS256") : QStringLiteral("RS256"));
        const QSignalBlocker blocker(m_algorithms.at(common));
        m_algorithms.at(common)->setChecked(true);
    }
    m_form->setRowVisible(m_privateKeyRow, !hmac);
}

QString JwtProfileDialog::keychainItem() const
{
    return m_keychainItem->text().trimmed();
}

profile::SecretRef JwtProfileDialog::keptSecret() const
{
    if (m_storedSecret.kind == profile::SecretRef::Kind::Keychain && m_storedSecret.name != keychainItem()) {
        return {}; // the item was renamed: the stored secret is not under the new name
    }
    return m_storedSecret;
}

std::optional<profile::Duration> JwtProfileDialog::typedLeeway(QString *error) const
{
    return typedDuration(m_leeway, QStringLiteral("leeway"), profile::Duration(0), error);
}

profile::Profile JwtProfileDialog::result() const
{
    profile::Profile next = m_current;
    profile::JwtProfile jwt = m_original; // keeps token_from, claims_to_headers, revocation_store

    jwt.name = m_name->text().trimmed();
    QStringList algorithms;
    // The order they were listed in stays: the first one is what test tokens are signed with.
    for (const QString &name : std::as_const(m_original.algorithms)) {
        const qsizetype i = m_algorithmNames.indexOf(name);
        if (i >= 0 && m_algorithms.at(i)->isChecked()) {
            algorithms.append(name);
        }
    }
    for (qsizetype i = 0; i < m_algorithms.size(); ++i) {
        if (m_algorithms.at(i)->isChecked() && !algorithms.contains(m_algorithmNames.at(i))) {
            algorithms.append(m_algorithmNames.at(i));
        }
    }
    jwt.algorithms = algorithms;

    jwt.secret = {};
    jwt.publicKey = {};
    jwt.jwks.clear();
    jwt.privateKey = {};
    switch (keySource()) {
    case KeySource::SharedSecret: {
        const profile::SecretRef kept = keptSecret();
        // Only a reference goes in the profile; the typed secret goes to the keychain on commit().
        jwt.secret = !m_secret->text().isEmpty() || !kept.isSet()
            ? profile::SecretRef { profile::SecretRef::Kind::Keychain, keychainItem() }
            : kept;
        break;
    }
    case KeySource::PublicKey:
        jwt.publicKey = refFromText(m_publicKey->text());
        jwt.privateKey = refFromText(m_privateKey->text());
        break;
    case KeySource::Jwks:
        jwt.jwks = jwksFromText(m_jwks->text());
        jwt.privateKey = refFromText(m_privateKey->text());
        break;
    }

    jwt.issuer = m_issuer->text().trimmed();
    jwt.audience = splitList(m_audience->text());
    QString leewayError;
    jwt.leeway = typedLeeway(&leewayError).value_or(m_original.leeway);

    // Routes follow a rename, so renaming never leaves them pointing at nothing.
    if (m_index >= 0 && !m_original.name.isEmpty() && jwt.name != m_original.name) {
        for (profile::Route &route : next.routes) {
            if (route.auth == m_original.name) {
                route.auth = jwt.name;
            }
        }
    }
    return withEntry(next, &profile::Profile::jwt, m_index, jwt);
}

void JwtProfileDialog::updateSecretStatus()
{
    const QString item = keychainItem();
    const profile::SecretRef kept = keptSecret();
    const bool keychainKept = kept.kind == profile::SecretRef::Kind::Keychain;
    m_secret->setPlaceholderText(keychainKept ? tr("stored in the OS keychain; type a new secret to replace it")
                                              : tr("the shared secret"));
    if (!m_secret->text().isEmpty()) {
        m_secretStatus->setText(tr("On OK the secret is stored in the OS keychain as item \"%1\"; the profile keeps only "
                                   "keychain:%1.").arg(item));
    } else if (keychainKept) {
        m_secretStatus->setText(tr("The secret is stored in the OS keychain (keychain:%1). It stays as it is unless you "
                                   "type a new one.").arg(kept.name));
    } else if (kept.isSet()) {
        m_secretStatus->setText(tr("The secret comes from %1. Type one to store it in the OS keychain instead.")
                                    .arg(profile::formatSecretRef(kept)));
    } else {
        m_secretStatus->setText(tr("Type the shared secret. It is stored in the OS keychain, never in the profile."));
    }
}

void JwtProfileDialog::revalidate()
{
    QString leewayError;
    typedLeeway(&leewayError);
    QStringList problems = ProfileDocument::problemsOf(result());
    if (!leewayError.isEmpty()) {
        problems.prepend(leewayError);
    }
    if (keySource() == KeySource::SharedSecret) {
        const bool typed = !m_secret->text().isEmpty();
        if (!typed && !keptSecret().isSet()) {
            problems.append(m_storedSecret.kind == profile::SecretRef::Kind::Keychain
                                  ? tr("type the secret to store under keychain item \"%1\" (the stored one is under \"%2\")")
                                        .arg(keychainItem(), m_storedSecret.name)
                                  : tr("type the shared secret (it is stored in the OS keychain, not in the profile)"));
        } else if (typed && !m_store) {
            problems.append(tr("no OS keychain is available to store the secret in"));
        }
    }
    m_footer->setProblems(problems);
    updateSecretStatus();
}

bool JwtProfileDialog::commit(QString *error)
{
    m_storeError->clear();
    m_storeError->hide();
    revalidate();
    if (!problems().isEmpty()) {
        *error = problems().join(QLatin1Char('\n'));
        return false;
    }
    if (keySource() == KeySource::SharedSecret && !m_secret->text().isEmpty()) {
        const QString item = keychainItem();
        QByteArray secret = m_secret->text().toUtf8();
        QString why;
        const bool stored = m_store->write(item, secret, &why);
        secret.fill('\0');
        if (!stored) {
            // The store's errors never contain the secret (SecretStore's contract).
            *error = tr("The secret could not be stored in the OS keychain (item \"%1\"): %2").arg(item, why);
            m_storeError->setText(*error);
            m_storeError->show();
            return false;
        }
        m_storedSecret = { profile::SecretRef::Kind::Keychain, item };
    }
    // Gone from the form once it is stored (or when another key source made it moot). setText(),
    // unlike clear(), also drops the field's undo history, which would otherwise still hold it.
    m_showSecret->setChecked(false);
    m_secret->setText(QString());
    revalidate();
    return true;
}

void JwtProfileDialog::accept()
{
    QString error;
    if (!commit(&error)) {
        return; // the problems or the store's error are shown; the dialog stays open
    }
    QDialog::accept();
}

} // namespace gatehouse::ui

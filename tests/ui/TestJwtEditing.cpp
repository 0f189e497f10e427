// JWT profiles edited in the app, over a real running engine: a profile added through the JWT
// page's form with a typed secret stores the secret in the SecretStore (here the in-memory one)
// and only `keychain:ITEM` in the profile; the secret is then nowhere in the YAML, the undo
// stack or any widget. A route protected by that profile answers 401 without a token, 200 with a
// token minted in "Mint test token" (claims as typed, like `gatehouse token`), 401 when the token's
// payload was tampered with, and the copied curl command works as is. A failing store keeps the
// form open and the document unchanged; the form refuses what `gatehouse check` refuses; the
// engine refuses a keychain secret too short for its algorithm.

#include <algorithm>
#include <functional>
#include <memory>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"
#include "engine/profile/Values.h"
#include "tests/support/InMemorySecretStore.h"
#include "ui/document/ProfileDocument.h"
#include "ui/jwt/JwtPage.h"
#include "ui/jwt/JwtProfileDialog.h"
#include "ui/jwt/MintTokenDialog.h"

using namespace gatehouse;

namespace {

const QString kSecret = QStringLiteral("typed-hmac-secret-9c41e7d2-long-enough-for-hs256");
const QString kOtherSecret = QStringLiteral("second-typed-secret-0b5f-long-enough-for-hs256");
const QString kItem = QStringLiteral("gatehouse-jwt-user-jwt");
constexpr int kWaitMs = 5000;

// A protected route (protected once a JWT profile exists) and a public one, both answered by the
// gateway itself. Kept inside a function: moc trips over raw strings before a class.
profile::Profile startingProfile()
{
    const QByteArray yaml = R"(gatehouse: 1
name: jwt-editing
listen:
  - bind: 127.0.0.1:0
routes:
  - name: secure
    match: { path_exact: /secure }
    respond: { status: 200, body: secure-area }
  - name: open
    match: { path_exact: /open }
    respond: { status: 200, body: open-area }
)";
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("<jwt-editing>"), QString());
    return read.ok() ? *read.profile : profile::Profile {};
}

// Every text the widgets under `root` show or hold, to prove a secret is nowhere in them.
QStringList allTexts(const QWidget &root)
{
    QStringList texts { root.windowTitle(), root.toolTip() };
    for (const QWidget *widget : root.findChildren<QWidget *>()) {
        texts << widget->toolTip() << widget->windowTitle();
    }
    for (const QLabel *label : root.findChildren<QLabel *>()) {
        texts << label->text();
    }
    for (const QLineEdit *edit : root.findChildren<QLineEdit *>()) {
        texts << edit->text() << edit->placeholderText() << edit->displayText();
    }
    for (const QPlainTextEdit *edit : root.findChildren<QPlainTextEdit *>()) {
        texts << edit->toPlainText();
    }
    for (const QAbstractButton *button : root.findChildren<QAbstractButton *>()) {
        texts << button->text();
    }
    for (const QComboBox *combo : root.findChildren<QComboBox *>()) {
        for (int i = 0; i < combo->count(); ++i) {
            texts << combo->itemText(i);
        }
    }
    for (const QTableWidget *table : root.findChildren<QTableWidget *>()) {
        for (int row = 0; row < table->rowCount(); ++row) {
            for (int column = 0; column < table->columnCount(); ++column) {
                if (const QTableWidgetItem *item = table->item(row, column)) {
                    texts << item->text() << item->toolTip();
                }
            }
        }
    }
    return texts;
}

bool anyContains(const QStringList &texts, const QString &needle)
{
    return std::any_of(texts.cbegin(), texts.cend(), [&needle](const QString &text) { return text.contains(needle); });
}

template<typename T>
T *child(const QWidget &root, const char *name)
{
    return root.findChild<T *>(QString::fromLatin1(name));
}

QPushButton *okButton(const QDialog &dialog)
{
    return child<QDialogButtonBox>(dialog, "buttonBox")->button(QDialogButtonBox::Ok);
}

QJsonObject payloadOf(const QString &token)
{
    const QStringList parts = token.split(u'.');
    if (parts.size() != 3) {
        return {};
    }
    const auto decoded = QByteArray::fromBase64Encoding(parts.at(1).toLatin1(),
                                                        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    return decoded ? QJsonDocument::fromJson(*decoded).object() : QJsonObject {};
}

// The same header and signature around a payload that says something else.
QString withPayload(const QString &token, const QJsonObject &payload)
{
    QStringList parts = token.split(u'.');
    parts[1] = QString::fromLatin1(QJsonDocument(payload).toJson(QJsonDocument::Compact)
                                       .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    return parts.join(u'.');
}

// Mints as the dialog's button does and waits for the answer, which is signed on the thread
// pool and comes back through the event loop: the token, or empty with `error` set.
QString mintAndWait(ui::MintTokenDialog &dialog, QString *error)
{
    QSignalSpy finished(&dialog, &ui::MintTokenDialog::mintFinished);
    dialog.mint();
    if (finished.isEmpty() && !finished.wait(kWaitMs)) {
        *error = QStringLiteral("no answer within %1 ms").arg(kWaitMs);
        return {};
    }
    *error = finished.constLast().at(0).toString();
    return dialog.token();
}

} // namespace

class TestJwtEditing : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void emptyPageOffersTheFirstProfile();
    void formRefusesWhatCheckRefuses();
    void addedProfileKeepsOnlyAKeychainReference();
    void failingStoreKeepsTheFormOpen();
    void duplicateNameIsRefused();
    void editingLeavesTheStoredSecretAlone();
    void protectedRouteRefusesWithoutToken();
    void mintedTokenOpensTheRoute();
    void mintErrorsAreShownNotFatal();
    void deleteIsRefusedWhileRoutesUseIt();
    void secretIsNowhereAfterAll();
    void weakKeychainSecretIsRefused();

private:
    int send(const QString &path, const QString &token = {});
    void editDocument(const std::function<void(profile::Profile &)> &change);
    QString yaml() const { return QString::fromUtf8(profile::writeProfileYaml(m_document.profile())); }

    test::InMemorySecretStore m_store;
    ui::ProfileDocument m_document;
    engine::Gateway m_gateway;
    std::unique_ptr<ui::JwtPage> m_page;
    QNetworkAccessManager m_manager;
    QString m_baseUrl;
    QStringList m_applyErrors;
    // The page's form seam: fills the dialog (and clicks OK or not); the texts it showed after.
    std::function<void(ui::JwtProfileDialog &)> m_fill;
    QStringList m_dialogTexts;
    QString m_token; // minted in mintedTokenOpensTheRoute
};

void TestJwtEditing::initTestCase()
{
    m_manager.setProxy(QNetworkProxy::NoProxy);
    const profile::Profile start = startingProfile();
    QVERIFY(!start.routes.isEmpty());
    m_document.reset(start);
    m_gateway.setSecretStore(&m_store);
    QVERIFY(m_gateway.start(m_document.profile()));
    m_baseUrl = m_gateway.listeners().first().url();
    connect(&m_document, &ui::ProfileDocument::changed, this, [this] {
        if (!m_gateway.apply(m_document.profile())) {
            m_applyErrors << m_gateway.lastError().messages;
        }
    });

    m_page = std::make_unique<ui::JwtPage>(
        m_document, &m_store, [this] { return m_baseUrl; },
        [this](QWidget *parent, const profile::Profile &current, int index) -> std::optional<profile::Profile> {
            ui::JwtProfileDialog dialog(current, index, &m_store, parent);
            dialog.show();
            if (m_fill) {
                m_fill(dialog);
            }
            m_dialogTexts = allTexts(dialog);
            if (dialog.QDialog::result() != QDialog::Accepted) {
                return std::nullopt;
            }
            return dialog.result();
        });
    m_page->resize(900, 500);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
}

void TestJwtEditing::cleanupTestCase()
{
    m_page.reset();
    if (m_gateway.isRunning()) {
        QSignalSpy stopped(&m_gateway, &engine::Gateway::stopped);
        m_gateway.stop(std::chrono::seconds(2));
        QVERIFY(stopped.wait(kWaitMs));
    }
}

int TestJwtEditing::send(const QString &path, const QString &token)
{
    QNetworkRequest request(QUrl(m_baseUrl + path));
    if (!token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    }
    QNetworkReply *reply = m_manager.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    const bool done = reply->isFinished() || finished.wait(kWaitMs);
    const int status = done ? reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : -1;
    reply->deleteLater();
    return status;
}

void TestJwtEditing::editDocument(const std::function<void(profile::Profile &)> &change)
{
    profile::Profile next = m_document.profile();
    change(next);
    QStringList problems;
    QVERIFY2(m_document.edit(QStringLiteral("test edit"), next, &problems), qPrintable(problems.join(u'\n')));
    QVERIFY2(m_applyErrors.isEmpty(), qPrintable(m_applyErrors.join(u'\n')));
}

void TestJwtEditing::emptyPageOffersTheFirstProfile()
{
    const auto *stack = m_page->findChild<QStackedWidget *>();
    QVERIFY(stack);
    QCOMPARE(stack->currentWidget(), child<QWidget>(*m_page, "jwtEmpty"));
    QVERIFY(child<QPushButton>(*m_page, "jwtEmptyAdd")->isVisible());
    for (const char *name : { "actionEditJwt", "actionDeleteJwt", "actionMintToken" }) {
        QVERIFY2(!m_page->findChild<QAction *>(QString::fromLatin1(name))->isEnabled(), name);
    }
    QVERIFY(m_page->findChild<QAction *>(QStringLiteral("actionAddJwt"))->isEnabled());
}

void TestJwtEditing::formRefusesWhatCheckRefuses()
{
    ui::JwtProfileDialog dialog(m_document.profile(), -1, &m_store);
    dialog.show();
    auto *problems = child<QLabel>(dialog, "jwtProblems");
    auto *hs256 = child<QToolButton>(dialog, "jwtAlg_HS256");
    QVERIFY(problems && hs256);
    // Every algorithm the engine verifies has its button.
    for (const QString &algorithm : profile::jwtAlgorithms()) {
        QVERIFY2(dialog.findChild<QToolButton *>(QStringLiteral("jwtAlg_") + algorithm), qPrintable(algorithm));
    }
    QVERIFY(hs256->isChecked()); // the common choice for a shared secret

    // No name: the reader's message, and OK disabled.
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(problems->text().contains(QStringLiteral("JWT profile name")), qPrintable(problems->text()));
    for (const QString &message : ui::ProfileDocument::problemsOf(dialog.result())) {
        QVERIFY2(problems->text().contains(message), qPrintable(message)); // the reader's words, as they are
    }

    QTest::keyClicks(child<QLineEdit>(dialog, "jwtName"), QStringLiteral("user-jwt"));
    QCOMPARE(child<QLineEdit>(dialog, "jwtKeychainItem")->text(), kItem); // follows the name
    QVERIFY(!problems->text().contains(QStringLiteral("JWT profile name")));
    QVERIFY2(problems->text().contains(QStringLiteral("type the shared secret")), qPrintable(problems->text()));
    QVERIFY(!okButton(dialog)->isEnabled()); // no secret typed, none stored

    QTest::keyClicks(child<QLineEdit>(dialog, "jwtSecret"), kSecret);
    QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(problems->text()));
    QVERIFY(!problems->isVisible());

    // No algorithm.
    QTest::mouseClick(hs256, Qt::LeftButton);
    QVERIFY(!hs256->isChecked());
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(problems->text().contains(QStringLiteral("algorithm")), qPrintable(problems->text()));
    QCOMPARE(dialog.problems(), ui::ProfileDocument::problemsOf(dialog.result()));
    QTest::mouseClick(hs256, Qt::LeftButton);
    QVERIFY(okButton(dialog)->isEnabled());

    // A bad leeway, worded as the reader words it.
    QTest::keyClicks(child<QLineEdit>(dialog, "jwtLeeway"), QStringLiteral("soon"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(problems->text().contains(QStringLiteral("'leeway'")), qPrintable(problems->text()));
    child<QLineEdit>(dialog, "jwtLeeway")->clear();
    QVERIFY(okButton(dialog)->isEnabled());

    // A public key source offers only the public-key algorithms and needs a key.
    auto *source = child<QComboBox>(dialog, "jwtKeySource");
    source->setCurrentIndex(int(ui::JwtProfileDialog::KeySource::PublicKey));
    QVERIFY(!hs256->isEnabled());
    QVERIFY(!hs256->isChecked());
    QVERIFY(child<QToolButton>(dialog, "jwtAlg_RS256")->isChecked());
    QVERIFY(child<QLineEdit>(dialog, "jwtPrivateKey")->isVisibleTo(&dialog));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(problems->text().contains(QStringLiteral("need 'public_key' or 'jwks'")), qPrintable(problems->text()));
    QVERIFY(dialog.result().jwt.last().secret.kind == profile::SecretRef::Kind::None);
    source->setCurrentIndex(int(ui::JwtProfileDialog::KeySource::SharedSecret));
    QVERIFY(hs256->isChecked());
    QVERIFY(!child<QLineEdit>(dialog, "jwtPrivateKey")->isVisibleTo(&dialog));
    QVERIFY(okButton(dialog)->isEnabled());

    // Cancel: nothing stored, nothing changed.
    const int undoCount = m_document.undoStack()->count();
    dialog.reject();
    QCOMPARE(m_store.writeCount(), 0);
    QCOMPARE(m_document.undoStack()->count(), undoCount);
    QVERIFY(m_document.profile().jwt.isEmpty());
}

void TestJwtEditing::addedProfileKeepsOnlyAKeychainReference()
{
    bool filled = false;
    m_fill = [&filled](ui::JwtProfileDialog &dialog) {
        QTest::keyClicks(child<QLineEdit>(dialog, "jwtName"), QStringLiteral("user-jwt"));
        auto *secret = child<QLineEdit>(dialog, "jwtSecret");
        QCOMPARE(secret->echoMode(), QLineEdit::Password);
        QTest::keyClicks(secret, kSecret);
        auto *show = child<QToolButton>(dialog, "jwtSecretShow");
        QTest::mouseClick(show, Qt::LeftButton);
        QCOMPARE(secret->echoMode(), QLineEdit::Normal);
        QTest::mouseClick(show, Qt::LeftButton);
        QCOMPARE(secret->echoMode(), QLineEdit::Password);
        QCOMPARE(child<QLineEdit>(dialog, "jwtKeychainItem")->text(), kItem);
        QTest::keyClicks(child<QLineEdit>(dialog, "jwtIssuer"), QStringLiteral("https://auth.jwt.test"));
        QTest::keyClicks(child<QLineEdit>(dialog, "jwtAudience"), QStringLiteral("shop-api, admin-api"));
        QTest::keyClicks(child<QLineEdit>(dialog, "jwtLeeway"), QStringLiteral("30s"));
        QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(dialog.problems().join(u'\n')));
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
        QCOMPARE(dialog.QDialog::result(), int(QDialog::Accepted));
        QVERIFY(secret->text().isEmpty()); // gone from the form once stored
        filled = true;
    };
    QTest::mouseClick(child<QPushButton>(*m_page, "jwtEmptyAdd"), Qt::LeftButton);
    m_fill = {};
    QVERIFY(filled);

    // The secret went to the store, under the item; the profile has only the reference.
    QCOMPARE(m_store.value(kItem), kSecret.toUtf8());
    QCOMPARE(m_document.profile().jwt.size(), 1);
    const profile::JwtProfile &jwt = m_document.profile().jwt.first();
    QCOMPARE(jwt.name, QStringLiteral("user-jwt"));
    QCOMPARE(jwt.algorithms, QStringList { QStringLiteral("HS256") });
    QCOMPARE(profile::formatSecretRef(jwt.secret), QStringLiteral("keychain:") + kItem);
    QCOMPARE(jwt.issuer, QStringLiteral("https://auth.jwt.test"));
    QCOMPARE(jwt.audience, (QStringList { QStringLiteral("shop-api"), QStringLiteral("admin-api") }));
    QVERIFY(jwt.leeway == std::chrono::seconds(30));
    QVERIFY(yaml().contains(QStringLiteral("secret: keychain:") + kItem));
    QVERIFY2(!yaml().contains(kSecret), qPrintable(yaml()));
    QVERIFY(!anyContains(m_dialogTexts, kSecret));
    QVERIFY(!anyContains(allTexts(*m_page), kSecret));
    QCOMPARE(m_document.undoStack()->text(m_document.undoStack()->count() - 1), QStringLiteral("Add JWT profile user-jwt"));

    // The page lists it with its key reference, selected; the running engine has it.
    QCOMPARE(m_page->table()->rowCount(), 1);
    QCOMPARE(m_page->table()->item(0, 0)->text(), QStringLiteral("user-jwt"));
    QCOMPARE(m_page->table()->item(0, 2)->text(), QStringLiteral("keychain:") + kItem);
    QCOMPARE(m_page->table()->item(0, 3)->text(), QStringLiteral("https://auth.jwt.test"));
    QCOMPARE(m_page->currentRow(), 0);
    QCOMPARE(m_page->findChild<QStackedWidget *>()->currentWidget(), m_page->table());
    QVERIFY2(m_applyErrors.isEmpty(), qPrintable(m_applyErrors.join(u'\n')));
    QCOMPARE(m_gateway.profile().jwt.size(), 1);
}

void TestJwtEditing::failingStoreKeepsTheFormOpen()
{
    const profile::Profile before = m_document.profile();
    const int undoCount = m_document.undoStack()->count();
    m_store.setFailWrites(true);
    ui::JwtProfileDialog dialog(m_document.profile(), -1, &m_store);
    dialog.show();
    QTest::keyClicks(child<QLineEdit>(dialog, "jwtName"), QStringLiteral("other-jwt"));
    QTest::keyClicks(child<QLineEdit>(dialog, "jwtSecret"), kOtherSecret);
    QVERIFY(okButton(dialog)->isEnabled());
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);

    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.QDialog::result() != QDialog::Accepted);
    auto *storeError = child<QLabel>(dialog, "jwtStoreError");
    QVERIFY(storeError->isVisible());
    QVERIFY2(storeError->text().contains(QStringLiteral("could not be stored")), qPrintable(storeError->text()));
    QVERIFY2(storeError->text().contains(QStringLiteral("locked")), qPrintable(storeError->text())); // the store's own words
    QVERIFY(!storeError->text().contains(kOtherSecret));
    QString error;
    QVERIFY(!dialog.commit(&error));
    QCOMPARE(error, storeError->text());
    QVERIFY(!m_store.contains(QStringLiteral("gatehouse-jwt-other-jwt")));
    QVERIFY(m_document.profile().sameContent(before));
    QCOMPARE(m_document.undoStack()->count(), undoCount);
    QCOMPARE(child<QLineEdit>(dialog, "jwtSecret")->text(), kOtherSecret); // kept, to try again

    // Once the keychain answers again, the same form goes through.
    m_store.setFailWrites(false);
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QCOMPARE(dialog.QDialog::result(), int(QDialog::Accepted));
    QVERIFY(!storeError->isVisible());
    QCOMPARE(m_store.value(QStringLiteral("gatehouse-jwt-other-jwt")), kOtherSecret.toUtf8());
    QVERIFY(!anyContains(allTexts(dialog), kOtherSecret));
    QStringList problems;
    QVERIFY(m_document.edit(QStringLiteral("Add JWT profile other-jwt"), dialog.result(), &problems));
    QCOMPARE(m_document.profile().jwt.size(), 2);
    QVERIFY(!yaml().contains(kOtherSecret));
    QVERIFY2(m_applyErrors.isEmpty(), qPrintable(m_applyErrors.join(u'\n')));
}

void TestJwtEditing::duplicateNameIsRefused()
{
    ui::JwtProfileDialog dialog(m_document.profile(), -1, &m_store);
    QTest::keyClicks(child<QLineEdit>(dialog, "jwtName"), QStringLiteral("user-jwt"));
    QTest::keyClicks(child<QLineEdit>(dialog, "jwtSecret"), QStringLiteral("whatever"));
    QVERIFY(!okButton(dialog)->isEnabled());
    const QString text = child<QLabel>(dialog, "jwtProblems")->text();
    QVERIFY2(text.contains(QStringLiteral("duplicate JWT profile name 'user-jwt'")), qPrintable(text));
    const int writes = m_store.writeCount();
    QString error;
    QVERIFY(!dialog.commit(&error));
    QCOMPARE(m_store.writeCount(), writes); // refused before anything is stored
}

void TestJwtEditing::editingLeavesTheStoredSecretAlone()
{
    m_page->selectJwt(QStringLiteral("user-jwt"));
    QCOMPARE(m_page->currentRow(), 0);
    const int writes = m_store.writeCount();
    const profile::JwtProfile before = m_document.profile().jwt.first();
    bool filled = false;
    m_fill = [&filled](ui::JwtProfileDialog &dialog) {
        QVERIFY(!dialog.isNewProfile());
        auto *secret = child<QLineEdit>(dialog, "jwtSecret");
        QVERIFY(secret->text().isEmpty()); // a stored secret is never read back into the form
        QVERIFY(secret->placeholderText().contains(QStringLiteral("stored in the OS keychain")));
        QVERIFY(child<QLabel>(dialog, "jwtSecretStatus")->text().contains(QStringLiteral("stored in the OS keychain")));
        auto *item = child<QLineEdit>(dialog, "jwtKeychainItem");
        QCOMPARE(item->text(), kItem);
        QVERIFY(okButton(dialog)->isEnabled());
        // Another item has no secret yet: the form wants one typed.
        item->setText(QStringLiteral("elsewhere"));
        QVERIFY(!okButton(dialog)->isEnabled());
        QVERIFY(child<QLabel>(dialog, "jwtProblems")->text().contains(QStringLiteral("elsewhere")));
        item->setText(kItem);
        QVERIFY(okButton(dialog)->isEnabled());
        // Renaming does not move the stored secret's item.
        auto *name = child<QLineEdit>(dialog, "jwtName");
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("user-token"));
        QCOMPARE(item->text(), kItem);
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
        QCOMPARE(dialog.QDialog::result(), int(QDialog::Accepted));
        filled = true;
    };
    QTableWidget *table = m_page->table();
    // A double click opens the form. (Qt 6.4's mouseDClick alone is not seen as one by item views:
    // a click first gives the view its pressed index, as a real double click does.)
    const QPoint cell = table->visualItemRect(table->item(0, 1)).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell);
    m_fill = {};
    QVERIFY(filled);
    QCOMPARE(m_store.writeCount(), writes); // nothing typed, nothing written
    const profile::JwtProfile after = m_document.profile().jwt.first();
    QCOMPARE(after.name, QStringLiteral("user-token"));
    QCOMPARE(after.secret, before.secret);
    QCOMPARE(after.issuer, before.issuer);
    QCOMPARE(m_page->table()->item(0, 0)->text(), QStringLiteral("user-token"));

    // And back, through undo: the name is the document's, the secret the keychain's.
    m_document.undoStack()->undo();
    QCOMPARE(m_document.profile().jwt.first().name, QStringLiteral("user-jwt"));
    QCOMPARE(m_page->table()->item(0, 0)->text(), QStringLiteral("user-jwt"));
    QVERIFY2(m_applyErrors.isEmpty(), qPrintable(m_applyErrors.join(u'\n')));
}

void TestJwtEditing::protectedRouteRefusesWithoutToken()
{
    editDocument([](profile::Profile &next) {
        for (profile::Route &route : next.routes) {
            if (route.name == u"secure") {
                route.auth = QStringLiteral("user-jwt");
                route.require = { { QStringLiteral("role"), QStringLiteral("admin") } };
            }
        }
    });
    QCOMPARE(m_gateway.profile().routes.first().auth, QStringLiteral("user-jwt"));
    QCOMPARE(send(QStringLiteral("/secure")), 401);
    QCOMPARE(send(QStringLiteral("/open")), 200);
}

void TestJwtEditing::mintedTokenOpensTheRoute()
{
    m_page->selectJwt(QStringLiteral("user-jwt"));
    auto *mintAction = m_page->findChild<QAction *>(QStringLiteral("actionMintToken"));
    QVERIFY(mintAction->isEnabled());
    mintAction->trigger();
    QPointer<ui::MintTokenDialog> dialog = m_page->findChild<ui::MintTokenDialog *>();
    QVERIFY(dialog);
    QCOMPARE(dialog->jwtName(), QStringLiteral("user-jwt"));
    QCOMPARE(child<QLineEdit>(*dialog, "mintTtl")->text(), QStringLiteral("1h"));
    auto *algorithm = child<QComboBox>(*dialog, "mintAlgorithm");
    QCOMPARE(algorithm->count(), 1);
    QCOMPARE(algorithm->currentText(), QStringLiteral("HS256"));

    auto *claims = child<QTableWidget>(*dialog, "mintClaims");
    QCOMPARE(claims->columnCount(), 2);
    QCOMPARE(claims->item(0, 0)->text(), QStringLiteral("sub"));
    QCOMPARE(claims->item(0, 1)->text(), QStringLiteral("dev-user"));
    QCOMPARE(claims->rowCount(), 2); // one empty row to type into
    claims->setItem(1, 0, new QTableWidgetItem(QStringLiteral("role")));
    claims->setItem(1, 1, new QTableWidgetItem(QStringLiteral("admin")));
    QCOMPARE(claims->rowCount(), 3);
    claims->setItem(2, 0, new QTableWidgetItem(QStringLiteral("roles")));
    claims->setItem(2, 1, new QTableWidgetItem(QStringLiteral("[\"a\", \"b\"]")));
    claims->setItem(3, 0, new QTableWidgetItem(QStringLiteral("level")));
    claims->setItem(3, 1, new QTableWidgetItem(QStringLiteral("42")));

    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isMinting(), kWaitMs); // the token minted on show, if it started
    QSignalSpy minted(dialog.data(), &ui::MintTokenDialog::mintFinished);
    QTest::mouseClick(child<QPushButton>(*dialog, "mintSign"), Qt::LeftButton);
    // Signing runs off the GUI thread: the dialog says so, the button waits, the loop runs on.
    QVERIFY(dialog->isMinting());
    QVERIFY(!child<QPushButton>(*dialog, "mintSign")->isEnabled());
    QCOMPARE(child<QPlainTextEdit>(*dialog, "mintToken")->placeholderText(), QStringLiteral("Signing…"));
    QVERIFY(minted.wait(kWaitMs));
    QVERIFY(child<QPushButton>(*dialog, "mintSign")->isEnabled());
    m_token = dialog->token();
    QVERIFY2(!m_token.isEmpty(), qPrintable(child<QLabel>(*dialog, "mintError")->text()));
    QCOMPARE(child<QPlainTextEdit>(*dialog, "mintToken")->toPlainText(), m_token);
    QVERIFY(child<QPlainTextEdit>(*dialog, "mintToken")->isReadOnly());
    QVERIFY(!child<QLabel>(*dialog, "mintError")->isVisible());

    // The claims `gatehouse token` would put in, and the typed ones as JSON where they are JSON.
    const QJsonObject payload = payloadOf(m_token);
    QCOMPARE(payload.value(QStringLiteral("sub")).toString(), QStringLiteral("dev-user"));
    QCOMPARE(payload.value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
    QCOMPARE(payload.value(QStringLiteral("roles")).toArray(), (QJsonArray { QStringLiteral("a"), QStringLiteral("b") }));
    QCOMPARE(payload.value(QStringLiteral("level")).toInt(), 42);
    QCOMPARE(payload.value(QStringLiteral("iss")).toString(), QStringLiteral("https://auth.jwt.test"));
    QCOMPARE(payload.value(QStringLiteral("aud")).toString(), QStringLiteral("shop-api"));
    QCOMPARE(payload.value(QStringLiteral("exp")).toInteger() - payload.value(QStringLiteral("iat")).toInteger(), qint64(3600));
    QVERIFY(!payload.value(QStringLiteral("jti")).toString().isEmpty());

    // Real requests through the engine.
    QCOMPARE(send(QStringLiteral("/secure"), m_token), 200);
    QCOMPARE(send(QStringLiteral("/secure")), 401);
    QJsonObject forged = payload;
    forged.insert(QStringLiteral("sub"), QStringLiteral("someone-else"));
    QCOMPARE(send(QStringLiteral("/secure"), withPayload(m_token, forged)), 401);
    QCOMPARE(send(QStringLiteral("/open")), 200);

    // The route's `require: { role: admin }` sees the claim as typed.
    claims->item(1, 1)->setText(QStringLiteral("viewer"));
    QString error;
    const QString viewer = mintAndWait(*dialog, &error);
    QVERIFY2(!viewer.isEmpty(), qPrintable(error));
    QCOMPARE(send(QStringLiteral("/secure"), viewer), 403);
    claims->item(1, 1)->setText(QStringLiteral("admin"));
    QVERIFY(!mintAndWait(*dialog, &error).isEmpty());
    m_token = dialog->token();

    // Copy token, and a curl command that works as pasted.
    QTest::mouseClick(child<QPushButton>(*dialog, "mintCopyToken"), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), m_token);
    QTest::mouseClick(child<QPushButton>(*dialog, "mintCopyCurl"), Qt::LeftButton);
    const QString curl = QApplication::clipboard()->text();
    QCOMPARE(curl, QStringLiteral("curl -H 'Authorization: Bearer %1' %2/").arg(m_token, m_baseUrl));
    // As pasted, with the protected route's path after the base URL and output for the test.
    QProcess shell;
    shell.start(QStringLiteral("bash"), { QStringLiteral("-c"),
                                          curl + QStringLiteral("secure --noproxy '*' -s -m 5 -o /dev/null -w '%{http_code}'") });
    QSignalSpy finished(&shell, &QProcess::finished); // the gateway accepts on this thread: keep its loop running
    QVERIFY(finished.wait(10000));
    QCOMPARE(shell.readAllStandardOutput(), QByteArray("200"));

    dialog->close(); // deleted on close
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isNull(), kWaitMs);
}

void TestJwtEditing::mintErrorsAreShownNotFatal()
{
    profile::JwtProfile missing;
    missing.name = QStringLiteral("ghost-jwt");
    missing.algorithms = { QStringLiteral("HS256") };
    missing.secret = { profile::SecretRef::Kind::Keychain, QStringLiteral("no-such-item") };

    {
        ui::MintTokenDialog dialog(missing, QString(), &m_store, m_baseUrl);
        QString error;
        QVERIFY(mintAndWait(dialog, &error).isEmpty());
        QCOMPARE(error, QStringLiteral("keychain:no-such-item: no such item in the OS keychain"));
        QCOMPARE(child<QLabel>(dialog, "mintError")->text(), error);
        QVERIFY(!child<QLabel>(dialog, "mintError")->isHidden());
        QVERIFY(!child<QPushButton>(dialog, "mintCopyToken")->isEnabled());
        QVERIFY(!child<QPushButton>(dialog, "mintCopyCurl")->isEnabled());
        QVERIFY(dialog.curlCommand().isEmpty());
    }
    {
        ui::MintTokenDialog dialog(missing, QString(), nullptr, m_baseUrl); // no keychain at all
        QString error;
        QVERIFY(mintAndWait(dialog, &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("no OS keychain")), qPrintable(error));
    }
    {
        profile::JwtProfile rsa = missing;
        rsa.algorithms = { QStringLiteral("RS256") };
        rsa.secret = {};
        rsa.publicKey = { profile::SecretRef::Kind::File, QStringLiteral("keys/public.pem") };
        ui::MintTokenDialog dialog(rsa, QString(), &m_store, m_baseUrl);
        QString error;
        QVERIFY(mintAndWait(dialog, &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("no private_key")), qPrintable(error));
    }
    {
        ui::MintTokenDialog dialog(m_document.profile().jwt.first(), QString(), &m_store, m_baseUrl);
        QString error;
        child<QLineEdit>(dialog, "mintTtl")->setText(QStringLiteral("soon"));
        QVERIFY(mintAndWait(dialog, &error).isEmpty());
        QVERIFY2(error.startsWith(QStringLiteral("Valid for")), qPrintable(error));
        child<QLineEdit>(dialog, "mintTtl")->setText(QStringLiteral("15m"));
        child<QTableWidget>(dialog, "mintClaims")->setItem(1, 1, new QTableWidgetItem(QStringLiteral("orphan")));
        QVERIFY(mintAndWait(dialog, &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("no name")), qPrintable(error));
        child<QTableWidget>(dialog, "mintClaims")->item(1, 1)->setText(QString());
        const QString token = mintAndWait(dialog, &error);
        QVERIFY2(!token.isEmpty(), qPrintable(error));
        const QJsonObject payload = payloadOf(token);
        QCOMPARE(payload.value(QStringLiteral("exp")).toInteger() - payload.value(QStringLiteral("iat")).toInteger(), qint64(900));
        QVERIFY(child<QLabel>(dialog, "mintError")->isHidden());
    }
}

void TestJwtEditing::deleteIsRefusedWhileRoutesUseIt()
{
    const int undoCount = m_document.undoStack()->count();
    m_page->selectJwt(QStringLiteral("user-jwt"));
    m_page->findChild<QAction *>(QStringLiteral("actionDeleteJwt"))->trigger();
    QCOMPARE(m_document.profile().jwt.size(), 2);
    QCOMPARE(m_document.undoStack()->count(), undoCount);
    auto *message = child<QLabel>(*m_page, "jwtMessage");
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QStringLiteral("unknown JWT profile 'user-jwt'")), qPrintable(message->text()));
    QVERIFY(message->text().contains(QStringLiteral("was not deleted")));

    // One nothing uses goes, and comes back with undo.
    m_page->selectJwt(QStringLiteral("other-jwt"));
    QCOMPARE(m_page->currentRow(), 1);
    m_page->findChild<QAction *>(QStringLiteral("actionDeleteJwt"))->trigger();
    QCOMPARE(m_document.profile().jwt.size(), 1);
    QVERIFY(!message->isVisible());
    QCOMPARE(m_page->table()->rowCount(), 1);
    QCOMPARE(m_page->currentRow(), 0); // the neighbour
    m_document.undoStack()->undo();
    QCOMPARE(m_page->table()->rowCount(), 2);
    QVERIFY2(m_applyErrors.isEmpty(), qPrintable(m_applyErrors.join(u'\n')));
    // Deleting never touched the keychain: undo needs the item.
    QVERIFY(m_store.contains(QStringLiteral("gatehouse-jwt-other-jwt")));

    // The token minted earlier still opens the route.
    QCOMPARE(send(QStringLiteral("/secure"), m_token), 200);
}

void TestJwtEditing::secretIsNowhereAfterAll()
{
    for (const QString &secret : { kSecret, kOtherSecret }) {
        QVERIFY(!yaml().contains(secret));
        QVERIFY(!QString::fromUtf8(profile::writeProfileYaml(m_gateway.profile())).contains(secret));
        QVERIFY(!anyContains(allTexts(*m_page), secret));
        for (int i = 0; i < m_document.undoStack()->count(); ++i) {
            QVERIFY(!m_document.undoStack()->text(i).contains(secret));
        }
    }
    // And the undo stack's snapshots hold only references.
    while (m_document.undoStack()->canUndo()) {
        m_document.undoStack()->undo();
        QVERIFY(!yaml().contains(kSecret));
        QVERIFY(!yaml().contains(kOtherSecret));
    }
}

// RFC 7518 §3.2 where the engine resolves keychain references: a secret shorter than the hash
// of its HS algorithm does not load (the running profile stays), and cannot mint either.
void TestJwtEditing::weakKeychainSecretIsRefused()
{
    QString error;
    QVERIFY(m_store.write(QStringLiteral("gatehouse-jwt-weak"), "sixteen-bytes-xx", &error));
    profile::JwtProfile weak;
    weak.name = QStringLiteral("weak-jwt");
    weak.algorithms = { QStringLiteral("HS256") };
    weak.secret = { profile::SecretRef::Kind::Keychain, QStringLiteral("gatehouse-jwt-weak") };
    profile::Profile next = m_gateway.profile();
    const qsizetype running = next.jwt.size();
    next.jwt.append(weak);
    QVERIFY(!m_gateway.apply(next));
    const QString messages = m_gateway.lastError().messages.join(u'\n');
    QVERIFY2(messages.contains(QStringLiteral("JWT profile 'weak-jwt': keychain:gatehouse-jwt-weak is 16 bytes; HS256 needs a "
                                              "secret of at least 32 bytes")),
             qPrintable(messages));
    QVERIFY(!messages.contains(QStringLiteral("sixteen-bytes-xx")));
    QCOMPARE(m_gateway.profile().jwt.size(), running);

    ui::MintTokenDialog dialog(weak, QString(), &m_store, m_baseUrl);
    QVERIFY(mintAndWait(dialog, &error).isEmpty());
    QVERIFY2(error.contains(QStringLiteral("HS256 needs a secret of at least 32 bytes")), qPrintable(error));
}

QTEST_MAIN(TestJwtEditing)
#include "TestJwtEditing.moc"

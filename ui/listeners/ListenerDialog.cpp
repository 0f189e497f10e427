#include "ListenerDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QVBoxLayout>

#include "engine/core/EngineTools.h"
#include "engine/profile/Values.h"
#include "ui/editing/ProfileLists.h"

namespace gatehouse::ui {

ListenerDialog::ListenerDialog(const profile::Profile &current, int index, QWidget *parent)
    : EntryDialog(current, index, parent)
    , m_bind(new QLineEdit(this))
    , m_tls(new QComboBox(this))
    , m_cert(new QLineEdit(this))
    , m_key(new QLineEdit(this))
    , m_redirect(new QCheckBox(tr("Answer every request with a redirect to HTTPS"), this))
{
    setWindowTitle(index < 0 ? tr("Add listener") : tr("Edit listener"));
    setMinimumWidth(480);
    m_bind->setObjectName(QStringLiteral("listenerBind"));
    m_bind->setPlaceholderText(QStringLiteral("127.0.0.1:8080"));
    m_tls->setObjectName(QStringLiteral("listenerTls"));
    m_tls->addItem(tr("Plain HTTP"), Plain);
    m_tls->addItem(tr("HTTPS with a certificate from the local CA"), LocalCa);
    m_tls->addItem(tr("HTTPS with certificate files"), Files);
    m_cert->setObjectName(QStringLiteral("listenerCert"));
    m_cert->setPlaceholderText(tr("certs/site.pem (relative to the profile's folder)"));
    m_key->setObjectName(QStringLiteral("listenerKey"));
    m_key->setPlaceholderText(QStringLiteral("certs/site-key.pem"));
    m_redirect->setObjectName(QStringLiteral("listenerRedirect"));

    auto *form = new QFormLayout;
    form->addRow(tr("Address"), m_bind);
    form->addRow(tr("Protocol"), m_tls);
    form->addRow(tr("Certificate"), m_cert);
    form->addRow(tr("Key"), m_key);
    form->addRow(QString(), m_redirect);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    addFooter(layout, QStringLiteral("listenerProblems"));

    profile::Listener listener;
    listener.bind = { QStringLiteral("127.0.0.1"), 8080 };
    if (index >= 0 && index < current.listen.size()) {
        listener = current.listen.at(index);
    }
    m_bind->setText(index >= 0 ? profile::formatHostPort(listener.bind) : QString());
    m_tls->setCurrentIndex(!listener.tls ? Plain : listener.tls->autoIssue ? LocalCa : Files);
    if (listener.tls) {
        m_cert->setText(listener.tls->cert);
        m_key->setText(listener.tls->key);
    }
    m_redirect->setChecked(listener.redirectHttps);

    for (QLineEdit *edit : { m_bind, m_cert, m_key }) {
        connect(edit, &QLineEdit::textChanged, this, &ListenerDialog::revalidate);
    }
    connect(m_tls, &QComboBox::currentIndexChanged, this, &ListenerDialog::revalidate);
    connect(m_redirect, &QCheckBox::toggled, this, &ListenerDialog::revalidate);
    revalidate();
}

void ListenerDialog::revalidate()
{
    const auto kind = Tls(m_tls->currentData().toInt());
    m_cert->setEnabled(kind == Files);
    m_key->setEnabled(kind == Files);
    m_redirect->setEnabled(kind == Plain);
    QStringList problems;
    profile::Listener listener = m_index >= 0 ? m_current.listen.at(m_index) : profile::Listener {};
    QString why;
    if (const auto bind = profile::parseHostPort(m_bind->text().trimmed(), &why)) {
        listener.bind = *bind;
    } else {
        problems.append(tr("address: %1").arg(why));
    }
    listener.tls.reset();
    if (kind != Plain) {
        listener.tls.emplace();
        listener.tls->autoIssue = kind == LocalCa;
        if (kind == Files) {
            listener.tls->cert = m_cert->text().trimmed();
            listener.tls->key = m_key->text().trimmed();
        }
    }
    listener.redirectHttps = kind == Plain && m_redirect->isChecked();
    const profile::Profile next = withEntry(m_current, &profile::Profile::listen, m_index, listener);
    problems = checked(next, problems);
    // Only the latest form's check counts: one still reading files when the form changed is dropped.
    const quint64 serial = ++m_checkSerial;
    if (problems.isEmpty() && kind == Files) {
        // The files themselves, as `gatehouse check` reads them: there, parseable, matching. Read
        // off the GUI thread; OK waits for the answer.
        setResult(next, { tr("checking the certificate files…") });
        const auto answer = [this, serial, next](const QString &error) {
            if (serial == m_checkSerial) {
                setResult(next, error.isEmpty() ? QStringList() : QStringList { error });
            }
        };
        engine::tools::checkListenerCertificates(*listener.tls, m_current.baseDir, this, answer);
        return;
    }
    setResult(next, problems);
}

} // namespace gatehouse::ui

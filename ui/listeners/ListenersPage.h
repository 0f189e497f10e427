#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace gatehouse::engine {
class Gateway;
}

namespace gatehouse::ui {

class ListenerDialog;
class ProfileDocument;

// The Listeners page: what the engine listens on now, and local HTTPS in one click: a listener
// with a certificate from the local development CA (`tls: { auto: true }`), and the CA's
// certificate exported, or trusted in the system and browser stores, so browsers and tools accept it.
class ListenersPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ListenersPage)
public:
    ListenersPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent = nullptr);

    void refresh();
    // The two buttons, callable from tests. addHttpsListener() is false (and a message in the
    // page) when it cannot; the export reads the CA off the GUI thread and answers in the page,
    // its button disabled until then.
    bool addHttpsListener();
    void exportCaCertificate(const QString &path);
    // `gatehouse ca --trust` (trust) or `--untrust`, off the GUI thread; the page shows one line
    // per store when done (without root, the system store's line says what to run), both trust
    // buttons disabled until then.
    void changeCaTrust(bool trust);
    // The editor for listener `index` of the profile (or a new one when < 0); window-modal, and OK
    // applies it to the document. Returned so tests can fill it in.
    ListenerDialog *openEditor(int index);
    bool deleteListener(int index);

private:
    engine::Gateway &m_gateway;
    ProfileDocument &m_document;
    QTreeWidget *m_list;
    QPushButton *m_addHttps;
    QPushButton *m_exportCa;
    QPushButton *m_trustCa;
    QPushButton *m_untrustCa;
    QLabel *m_message;
};

} // namespace gatehouse::ui

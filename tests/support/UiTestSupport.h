#pragma once

#include <QByteArray>
#include <QByteArray>
#include <QList>
#include <QString>

#include <utility>

class QAction;
class QDialog;
class QNetworkAccessManager;
class QPushButton;
class QWidget;

namespace gatehouse::engine {
class Gateway;
}
namespace gatehouse::ui {
class ProfileDocument;
}

// Helpers for the UI tests, which run the engine in their own process, on their own thread: what
// waits for it must wait in the event loop.
namespace gatehouse::test {

// As the app does: `yaml` becomes the document's profile and runs in `gateway`, and so does every
// later change of the document. False when the profile is not valid or does not start.
bool runDocument(ui::ProfileDocument &document, engine::Gateway &gateway, const QByteArray &yaml);

// A window's action by object name ("actionUndo"), or null.
QAction *action(QWidget &window, const char *name);

// Stops `gateway` and waits for it; false when it did not stop within 5 s.
bool stopGateway(engine::Gateway &gateway);

using HeaderPairs = QList<std::pair<QByteArray, QByteArray>>;

// A GET's status, or -1 when no answer came within 5 s.
int statusOf(QNetworkAccessManager &manager, const QString &url);
// Any request's status, or -1 when no answer came within 5 s.
int statusOf(QNetworkAccessManager &manager, const QByteArray &method, const QString &url, const HeaderPairs &headers = {},
             const QByteArray &body = {});

// A profile form's OK button (the form's `buttonBox`), or null.
QPushButton *okButton(const QDialog &dialog);
QPushButton *okButton(const QDialog *dialog);

} // namespace gatehouse::test

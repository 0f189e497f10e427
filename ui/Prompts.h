#pragma once

#include <functional>

#include <QMessageBox>
#include <QString>

namespace gatehouse::ui {

// The app's questions and file choosers go through here, so GUI tests can answer them without a
// modal loop (KeePassXC's MessageBox::setNextAnswer does the same).
QMessageBox::StandardButton ask(QWidget *parent, const QString &title, const QString &text,
                                QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton);
QString chooseOpenFile(QWidget *parent, const QString &title, const QString &filter);
QString chooseSaveFile(QWidget *parent, const QString &title, const QString &suggested, const QString &filter);

// Tests: the next question gets `answer`; the next file chooser returns `path` ("" = cancelled).
void setNextAnswer(QMessageBox::StandardButton answer);
void setNextFile(const QString &path);

} // namespace gatehouse::ui

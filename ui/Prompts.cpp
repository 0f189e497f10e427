#include "Prompts.h"

#include <optional>

#include <QFileDialog>

namespace gatehouse::ui {

namespace {
std::optional<QMessageBox::StandardButton> g_nextAnswer;
std::optional<QString> g_nextFile;
} // namespace

QMessageBox::StandardButton ask(QWidget *parent, const QString &title, const QString &text,
                                QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton)
{
    if (g_nextAnswer) {
        return std::exchange(g_nextAnswer, std::nullopt).value();
    }
    return QMessageBox::question(parent, title, text, buttons, defaultButton);
}

QString chooseOpenFile(QWidget *parent, const QString &title, const QString &filter)
{
    if (g_nextFile) {
        return std::exchange(g_nextFile, std::nullopt).value();
    }
    return QFileDialog::getOpenFileName(parent, title, QString(), filter);
}

QString chooseSaveFile(QWidget *parent, const QString &title, const QString &suggested, const QString &filter)
{
    if (g_nextFile) {
        return std::exchange(g_nextFile, std::nullopt).value();
    }
    return QFileDialog::getSaveFileName(parent, title, suggested, filter);
}

void setNextAnswer(QMessageBox::StandardButton answer)
{
    g_nextAnswer = answer;
}

void setNextFile(const QString &path)
{
    g_nextFile = path;
}

} // namespace gatehouse::ui

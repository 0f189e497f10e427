#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace gatehouse::ui {

// What an editor page shows instead of an empty table: what the page is for, in big type, and
// the one button that makes its first entry, since that is the only thing to do there.
class EmptyState final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmptyState)
public:
    EmptyState(const QString &title, const QString &hint, const QString &buttonText, QWidget *parent);

    QLabel *title() const { return m_title; }
    QPushButton *button() const { return m_button; }

private:
    QLabel *m_title;
    QPushButton *m_button = nullptr;
};

} // namespace gatehouse::ui

#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QToolButton;

namespace gatehouse::ui {

class LogFilterModel;
class LogModel;

// The Logs view: the engine's diagnostics (health changes, ejections, circuits, reloads,
// errors) with a level and a text filter; follows the newest line unless scrolled away.
class LogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)
public:
    explicit LogView(LogModel *model, QWidget *parent = nullptr);

private:
    void afterInsert();
    void updateCount();

    LogModel *m_model;
    LogFilterModel *m_filter;
    QTableView *m_table;
    QComboBox *m_level;
    QLineEdit *m_text;
    QToolButton *m_follow;
    QLabel *m_count;
};

} // namespace gatehouse::ui

#pragma once

#include <QDialog>

#include "engine/profile/Profile.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace gatehouse::ui {

// "Add rate limit" / "Edit rate limit": requests per period, burst, what is counted (consumer, IP,
// route, a header, everything) and where (this gateway, or Redis shared by several); checked as
// you type by the reader `gatehouse check` uses.
class RateLimitDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RateLimitDialog)
public:
    RateLimitDialog(const profile::Profile &current, int index, QWidget *parent = nullptr);

    profile::Profile result() const { return m_result; }
    QStringList problems() const { return m_problems; }

private:
    void revalidate();

    profile::Profile m_current;
    int m_index;
    profile::Profile m_result;
    QStringList m_problems;
    QLineEdit *m_name;
    QSpinBox *m_requests;
    QLineEdit *m_per;
    QSpinBox *m_burst;
    QComboBox *m_key;
    QLineEdit *m_header;
    QLineEdit *m_store;
    QComboBox *m_fail;
    QLabel *m_problemsLabel;
    QDialogButtonBox *m_buttons;
};

} // namespace gatehouse::ui

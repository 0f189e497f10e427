#pragma once

#include "ui/editing/EntryDialog.h"

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace gatehouse::ui {

// "Add rate limit" / "Edit rate limit": requests per period, burst, what is counted (consumer, IP,
// route, a header, everything) and where (this gateway, or Redis shared by several); checked as
// you type by the reader `gatehouse check` uses.
class RateLimitDialog final : public EntryDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RateLimitDialog)
public:
    RateLimitDialog(const profile::Profile &current, int index, QWidget *parent = nullptr);

private:
    void revalidate();

    QLineEdit *m_name;
    QSpinBox *m_requests;
    QLineEdit *m_per;
    QSpinBox *m_burst;
    QComboBox *m_key;
    QLineEdit *m_header;
    QLineEdit *m_store;
    QComboBox *m_fail;
};

} // namespace gatehouse::ui

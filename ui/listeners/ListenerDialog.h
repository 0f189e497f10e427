#pragma once

#include <QDialog>

#include "engine/profile/Profile.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace gatehouse::ui {

// "Add listener" / "Edit listener": the address, and plain HTTP (optionally redirecting to
// HTTPS), HTTPS with a local-CA certificate, or HTTPS with certificate files. Checked as you type
// by the reader `gatehouse check` uses.
class ListenerDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ListenerDialog)
public:
    enum Tls { Plain, LocalCa, Files };

    ListenerDialog(const profile::Profile &current, int index, QWidget *parent = nullptr);

    profile::Profile result() const { return m_result; }
    QStringList problems() const { return m_problems; }

private:
    void revalidate();

    profile::Profile m_current;
    int m_index;
    profile::Profile m_result;
    QStringList m_problems;
    QLineEdit *m_bind;
    QComboBox *m_tls;
    QLineEdit *m_cert;
    QLineEdit *m_key;
    QCheckBox *m_redirect;
    QLabel *m_problemsLabel;
    QDialogButtonBox *m_buttons;
};

} // namespace gatehouse::ui

#pragma once

#include "ui/editing/EntryDialog.h"

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace gatehouse::ui {

// "Add listener" / "Edit listener": the address, and plain HTTP (optionally redirecting to
// HTTPS), HTTPS with a local-CA certificate, or HTTPS with certificate files. Checked as you type
// by the reader `gatehouse check` uses.
class ListenerDialog final : public EntryDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ListenerDialog)
public:
    enum Tls { Plain, LocalCa, Files };

    ListenerDialog(const profile::Profile &current, int index, QWidget *parent = nullptr);

private:
    void revalidate();

    QLineEdit *m_bind;
    QComboBox *m_tls;
    QLineEdit *m_cert;
    QLineEdit *m_key;
    QCheckBox *m_redirect;
    quint64 m_checkSerial = 0;
};

} // namespace gatehouse::ui

#pragma once

#include "ui/editing/EntryDialog.h"

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace gatehouse::ui {

// "Add upstream" / "Edit upstream": name, balancing, targets with weights, connect timeout and
// keep-alive, active health checks, passive ejection, and TLS for https:// targets. Checked as
// you type by the same reader as `gatehouse check`; OK only when the result is valid.
class UpstreamDialog final : public EntryDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamDialog)
public:
    // `index` < 0 adds an upstream, else edits that one.
    UpstreamDialog(const profile::Profile &current, int index, QWidget *parent = nullptr);

private:
    void load(const profile::Upstream &upstream);
    void revalidate();
    std::optional<profile::Upstream> build(QStringList *problems) const;

    QString m_originalName;
    QLineEdit *m_name;
    QComboBox *m_balance;
    QLineEdit *m_hashOn;
    QTableWidget *m_targets;
    QLineEdit *m_connectTimeout;
    QSpinBox *m_keepalive;
    QGroupBox *m_health;
    QLineEdit *m_healthPath;
    QLineEdit *m_healthInterval;
    QGroupBox *m_outlier;
    QSpinBox *m_outlierFailures;
    QLineEdit *m_ejectFor;
    QGroupBox *m_tls;
    QLineEdit *m_ca;
    QCheckBox *m_verify;
    QLineEdit *m_serverName;
    QLabel *m_tlsWarning;
};

} // namespace gatehouse::ui

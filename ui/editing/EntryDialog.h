#pragma once

#include <QDialog>
#include <QStringList>

#include "engine/profile/Profile.h"

class QBoxLayout;

namespace gatehouse::ui {

class FormFooter;

// An "Add …" / "Edit …" form over entry `index` of one of the profile's lists (< 0: a new one).
// Every change makes the whole next profile, and the foot shows what the reader `gatehouse
// check` uses finds in it, so OK only ever hands on a profile the document takes.
class EntryDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EntryDialog)
public:
    // The whole next profile. Hides QDialog::result(); accepted() tells the outcome.
    profile::Profile result() const { return m_result; }
    QStringList problems() const;

protected:
    EntryDialog(const profile::Profile &current, int index, QWidget *parent);

    // The problems and OK/Cancel, added last so that they also come last in the tab order.
    void addFooter(QBoxLayout *layout, const QString &problemsName);
    // The form's own `problems` (what it could not read), or when there are none what the reader
    // finds in `next`.
    static QStringList checked(const profile::Profile &next, const QStringList &problems);
    void setResult(const profile::Profile &next, const QStringList &problems);

    const profile::Profile m_current;
    const int m_index;

private:
    profile::Profile m_result;
    FormFooter *m_footer = nullptr;
};

} // namespace gatehouse::ui

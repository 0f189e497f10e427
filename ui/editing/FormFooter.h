#pragma once

#include <QStringList>
#include <QWidget>

class QDialog;
class QDialogButtonBox;
class QPushButton;
class QVBoxLayout;

namespace gatehouse::ui {

class ProblemsLabel;

// The foot of a profile form: the problems the reader `gatehouse check` uses finds in what the
// form would make, then OK and Cancel, OK enabled only while there are none, so no form can be
// accepted past them.
class FormFooter final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FormFooter)
public:
    // OK and Cancel go to `dialog`'s accept() and reject(), overrides included. `problemsName`
    // names the problems label, for tests.
    FormFooter(QDialog *dialog, const QString &problemsName);

    QPushButton *okButton() const;
    QStringList problems() const { return m_problems; }
    void setProblems(const QStringList &problems);
    // Another line between the problems and the buttons, for what is not the reader's to say.
    void addNote(QWidget *note);

private:
    QStringList m_problems;
    QVBoxLayout *m_layout;
    ProblemsLabel *m_problemsLabel;
    QDialogButtonBox *m_buttons;
};

} // namespace gatehouse::ui

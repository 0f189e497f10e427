#include "FormFooter.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/editing/ProblemsLabel.h"

namespace gatehouse::ui {

FormFooter::FormFooter(QDialog *dialog, const QString &problemsName)
    : QWidget(dialog)
    , m_layout(new QVBoxLayout(this))
    , m_problemsLabel(new ProblemsLabel(problemsName, this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    m_buttons->setObjectName(QStringLiteral("buttonBox"));
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->addWidget(m_problemsLabel);
    m_layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
}

QPushButton *FormFooter::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

void FormFooter::setProblems(const QStringList &problems)
{
    m_problems = problems;
    m_problemsLabel->setProblems(problems);
    okButton()->setEnabled(problems.isEmpty());
}

void FormFooter::addNote(QWidget *note)
{
    m_layout->insertWidget(m_layout->indexOf(m_buttons), note);
}

} // namespace gatehouse::ui

#include "EntryDialog.h"

#include <QBoxLayout>

#include "ui/document/ProfileDocument.h"
#include "ui/editing/FormFooter.h"

namespace gatehouse::ui {

EntryDialog::EntryDialog(const profile::Profile &current, int index, QWidget *parent)
    : QDialog(parent)
    , m_current(current)
    , m_index(index)
{
}

QStringList EntryDialog::problems() const
{
    return m_footer ? m_footer->problems() : QStringList();
}

void EntryDialog::addFooter(QBoxLayout *layout, const QString &problemsName)
{
    m_footer = new FormFooter(this, problemsName);
    layout->addWidget(m_footer);
}

QStringList EntryDialog::checked(const profile::Profile &next, const QStringList &problems)
{
    return problems.isEmpty() ? ProfileDocument::problemsOf(next) : problems;
}

void EntryDialog::setResult(const profile::Profile &next, const QStringList &problems)
{
    m_result = next;
    m_footer->setProblems(problems);
}

} // namespace gatehouse::ui

#include "PageEdits.h"

#include <QLabel>

#include "ui/document/ProfileDocument.h"

namespace gatehouse::ui {

bool applyEdit(ProfileDocument &document, const QString &description, const profile::Profile &next, QLabel *message)
{
    QStringList problems;
    const bool applied = document.edit(description, next, &problems);
    message->setText(applied ? QString() : problems.join(QLatin1Char('\n')));
    return applied;
}

bool applyDeletion(ProfileDocument &document, const QString &description, const profile::Profile &next, const QString &name,
                   QLabel *message)
{
    QStringList problems;
    if (!document.edit(description, next, &problems)) {
        message->setText(QObject::tr("%1 cannot be deleted: %2").arg(name, problems.join(QStringLiteral("; "))));
        return false;
    }
    return true;
}

void openEditDialog(QDialog *dialog, std::function<profile::Profile()> result, ProfileDocument &document, QLabel *message,
                    DescribeEdit describe)
{
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &QDialog::accepted, message, [&document, message, result = std::move(result), describe = std::move(describe)] {
        const profile::Profile next = result();
        applyEdit(document, describe(next), next, message);
    });
    dialog->open();
}

} // namespace gatehouse::ui

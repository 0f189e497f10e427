#pragma once

#include <QLabel>
#include <QStringList>

namespace gatehouse::ui {

// Where a form or an editor page says what the profile reader found wrong: the messages quote
// what was typed, so they are plain text; selectable, to be copied into a search or a report;
// hidden while there is nothing to say.
class ProblemsLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProblemsLabel)
public:
    ProblemsLabel(const QString &objectName, QWidget *parent);

    // One problem a line; none hides the label.
    void setProblems(const QStringList &problems);
};

} // namespace gatehouse::ui

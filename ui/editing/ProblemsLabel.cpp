#include "ProblemsLabel.h"

namespace gatehouse::ui {

ProblemsLabel::ProblemsLabel(const QString &objectName, QWidget *parent)
    : QLabel(parent)
{
    setObjectName(objectName);
    setWordWrap(true);
    setTextFormat(Qt::PlainText);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    hide();
}

void ProblemsLabel::setProblems(const QStringList &problems)
{
    setText(problems.join(QLatin1Char('\n')));
    setVisible(!problems.isEmpty());
}

} // namespace gatehouse::ui

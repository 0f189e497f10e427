#include "FormFields.h"

#include <QLineEdit>
#include <QWidget>

#include "engine/profile/Units.h"

namespace gatehouse::ui {

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty()) {
            out.append(trimmed);
        }
    }
    return out;
}

QWidget *bareWidget(QWidget *parent)
{
    auto *widget = new QWidget(parent);
    widget->setContentsMargins(0, 0, 0, 0);
    return widget;
}

std::optional<profile::Duration> typedDuration(const QLineEdit *edit, const QString &key, profile::Duration whenEmpty, QString *error)
{
    const QString text = edit->text().trimmed();
    if (text.isEmpty()) {
        return whenEmpty;
    }
    QString why;
    const auto value = profile::parseDuration(text, &why);
    if (!value) {
        *error = QStringLiteral("'%1': %2").arg(key, why);
    }
    return value;
}

} // namespace gatehouse::ui

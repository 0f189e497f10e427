#pragma once

#include <optional>

#include <QString>
#include <QStringList>

#include "engine/profile/Profile.h"

class QLineEdit;
class QWidget;

// How the profile forms read what was typed and lay out their rows.
namespace gatehouse::ui {

// A comma-separated list as typed: each item trimmed, empty ones dropped.
QStringList splitList(const QString &text);

// A panel that takes no room of its own: its content lines up with the form around it.
QWidget *bareWidget(QWidget *parent);

// The duration in `edit`, or `whenEmpty` when nothing is typed. Nothing, with `*error` worded
// as the reader words a bad `key`, when it is not a duration, so the form and `gatehouse check`
// agree.
std::optional<profile::Duration> typedDuration(const QLineEdit *edit, const QString &key, profile::Duration whenEmpty, QString *error);

} // namespace gatehouse::ui

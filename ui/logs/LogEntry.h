#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QtGlobal>

namespace gatehouse::ui {

// One diagnostic message of the engine (or the app), as the Logs view shows it.
struct LogEntry
{
    QDateTime time;
    QtMsgType level = QtInfoMsg;
    QString category; // "gatehouse.engine.upstream"
    QString message;
};

// Debug < Info < Warning < Critical/Fatal, for "at least this level" filters.
int severity(QtMsgType level);
QString levelName(QtMsgType level);

} // namespace gatehouse::ui

Q_DECLARE_METATYPE(gatehouse::ui::LogEntry)

#include "ExportNotes.h"

namespace gatehouse::exporter {

QString ExportNotes::notExported(const QString &where, const QString &what)
{
    const QString text = where.isEmpty() ? what : QStringLiteral("%1: %2").arg(where, what);
    m_warnings.append(QStringLiteral("warning: export %1: not exported: %2").arg(m_format, text));
    return QStringLiteral("not exported: ") + text;
}

} // namespace gatehouse::exporter

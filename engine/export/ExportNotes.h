#pragma once

#include <utility>

#include <QString>
#include <QStringList>

namespace gatehouse::exporter {

// What an export could not express: each becomes a `# not exported: ...` comment where it would
// have been (SPEC §7.9) and one warning line, which the command prints on stderr.
class ExportNotes final
{
public:
    explicit ExportNotes(QString format)
        : m_format(std::move(format))
    { }

    // Records the warning and returns the comment text, "not exported: WHAT" (without the '#').
    // `where` names the profile entry ("route users", "upstream orders"), `what` the feature.
    QString notExported(const QString &where, const QString &what);
    QStringList warnings() const { return m_warnings; }

private:
    QString m_format;
    QStringList m_warnings;
};

} // namespace gatehouse::exporter

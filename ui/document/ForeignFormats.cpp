#include "ForeignFormats.h"

#include <QFileInfo>
#include <QLabel>
#include <QMenu>

#include "ProfileDocument.h"
#include "ui/Prompts.h"

namespace gatehouse::ui {

ForeignFormats::ForeignFormats(ProfileDocument *document, QWidget *window)
    : QObject(window)
    , m_document(document)
    , m_window(window)
    , m_report(new QLabel(window))
{
    m_report->setObjectName(QStringLiteral("foreignFormatReport"));
    m_report->setWordWrap(true);
    m_report->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    m_report->setStyleSheet(QStringLiteral("QLabel { background: #e5f1fb; color: #0b3a5c; padding: 8px; border-radius: 3px; }"));
    m_report->hide();
    connect(m_report, &QLabel::linkActivated, m_report, &QWidget::hide);
}

void ForeignFormats::addActions(QMenu *file)
{
    file->addAction(tr("Import from &Kong…"), this, &ForeignFormats::importKong)
        ->setObjectName(QStringLiteral("actionImportKong"));
    file->addAction(tr("Export as &nginx…"), this, [this] { exportAs(true); })
        ->setObjectName(QStringLiteral("actionExportNginx"));
    file->addAction(tr("Export as K&ong…"), this, [this] { exportAs(false); })
        ->setObjectName(QStringLiteral("actionExportKong"));
}

void ForeignFormats::importKong()
{
    const QString path = chooseOpenFile(m_window, tr("Import from Kong"), tr("decK files (*.yaml *.yml)"));
    if (path.isEmpty()) {
        return;
    }
    QStringList notMapped;
    QStringList problems;
    const QString name = QFileInfo(path).fileName();
    if (!m_document->importKong(path, &notMapped, &problems)) {
        show(tr("%1 was not imported; nothing changed.").arg(name), problems + notMapped);
    } else if (!notMapped.isEmpty()) {
        show(tr("%1 imported (Edit → Undo takes it back). Not mapped:").arg(name), notMapped);
    } else {
        show(tr("%1 imported (Edit → Undo takes it back); everything mapped.").arg(name), {});
    }
}

void ForeignFormats::exportAs(bool nginx)
{
    const QString base = QFileInfo(m_document->displayName()).completeBaseName();
    const QString path = nginx
        ? chooseSaveFile(m_window, tr("Export as nginx"), base + QStringLiteral(".conf"), tr("nginx configs (*.conf)"))
        : chooseSaveFile(m_window, tr("Export as Kong"), base + QStringLiteral(".kong.yaml"), tr("decK files (*.yaml *.yml)"));
    if (path.isEmpty()) {
        return;
    }
    QStringList warnings;
    QString error;
    const auto format = nginx ? engine::tools::ExportFormat::Nginx : engine::tools::ExportFormat::Kong;
    if (!m_document->exportAs(path, format, &warnings, &error)) {
        show(tr("The profile was not exported."), { error });
    } else if (!warnings.isEmpty()) {
        show(tr("Exported to %1. What %2 cannot express is a comment there:").arg(path, nginx ? u"nginx"_qs : u"Kong"_qs),
             warnings);
    } else {
        show(tr("Exported to %1.").arg(path), {});
    }
}

void ForeignFormats::show(const QString &title, const QStringList &lines)
{
    QString text = QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped());
    for (const QString &line : lines) {
        text += QStringLiteral("<br>") + line.toHtmlEscaped();
    }
    m_report->setText(text + QStringLiteral(" <a href=\"dismiss\">%1</a>").arg(tr("Dismiss")));
    m_report->show();
}

} // namespace gatehouse::ui

#pragma once

#include <QObject>

class QLabel;
class QMenu;
class QWidget;

namespace gatehouse::ui {

class ProfileDocument;

// File → Import from Kong and Export as nginx / Kong (SPEC §7.9), as `gatehouse import` and
// `gatehouse export` do them. What the other format cannot hold is listed in `report()`, a banner
// that stays until dismissed: an edit applied meanwhile must not hide it, as it hides an error.
class ForeignFormats final : public QObject
{
    Q_OBJECT
public:
    ForeignFormats(ProfileDocument *document, QWidget *window);

    void addActions(QMenu *file);
    QLabel *report() const { return m_report; }

private:
    void importKong();
    void exportAs(bool nginx);
    void show(const QString &title, const QStringList &lines);

    ProfileDocument *m_document;
    QWidget *m_window;
    QLabel *m_report;
};

} // namespace gatehouse::ui

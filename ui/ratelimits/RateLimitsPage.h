#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace gatehouse::engine {
class Gateway;
}

namespace gatehouse::ui {

class ProfileDocument;
class RateLimitDialog;

// The Rate limits page: the profile's limits, which routes use each, and whether their store
// answers (Redis), with Add/Edit/Delete through RateLimitDialog.
class RateLimitsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RateLimitsPage)
public:
    RateLimitsPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent = nullptr);

    void refresh();
    RateLimitDialog *openEditor(int index); // window-modal; OK applies to the document
    bool deleteLimit(int index);

private:
    int selectedIndex() const;

    engine::Gateway &m_gateway;
    ProfileDocument &m_document;
    QTreeWidget *m_tree;
    QLabel *m_message;
};

} // namespace gatehouse::ui

#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace gatehouse::engine {
class Gateway;
}

namespace gatehouse::ui {

class ProfileDocument;
class UpstreamDialog;

// The Upstreams page: every upstream with its targets' live state (health, ejection, in flight,
// latency, requests, failures; refreshed while shown) and Add/Edit/Delete through UpstreamDialog.
class UpstreamsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamsPage)
public:
    UpstreamsPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent = nullptr);

    void refresh();
    // Opens the editor (window-modal, not a nested loop) for upstream `index`, or a new one when
    // `index` < 0; OK applies it to the document. Returned so tests can fill it in.
    UpstreamDialog *openEditor(int index);
    bool deleteUpstream(int index);

private:
    int selectedIndex() const;

    engine::Gateway &m_gateway;
    ProfileDocument &m_document;
    QTreeWidget *m_tree;
    QLabel *m_message;
};

} // namespace gatehouse::ui

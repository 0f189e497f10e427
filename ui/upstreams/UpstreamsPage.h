#pragma once

#include "ui/editing/EntryTreePage.h"

namespace gatehouse::ui {

class UpstreamDialog;

// The Upstreams page: every upstream with its targets' live state (health, ejection, in flight,
// latency, requests, failures; refreshed while shown) and Add/Edit/Delete through UpstreamDialog.
class UpstreamsPage final : public EntryTreePage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamsPage)
public:
    UpstreamsPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent = nullptr);

    void refresh() override;
    // Opens the editor (window-modal, not a nested loop) for upstream `index`, or a new one when
    // `index` < 0; OK applies it to the document. Returned so tests can fill it in.
    UpstreamDialog *openEditor(int index);
    bool deleteUpstream(int index);
};

} // namespace gatehouse::ui

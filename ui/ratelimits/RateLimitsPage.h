#pragma once

#include "ui/editing/EntryTreePage.h"

namespace gatehouse::ui {

class RateLimitDialog;

// The Rate limits page: the profile's limits, which routes use each, and whether their store
// answers (Redis), with Add/Edit/Delete through RateLimitDialog.
class RateLimitsPage final : public EntryTreePage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RateLimitsPage)
public:
    RateLimitsPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent = nullptr);

    void refresh() override;
    RateLimitDialog *openEditor(int index); // window-modal; OK applies to the document
    bool deleteLimit(int index);
};

} // namespace gatehouse::ui

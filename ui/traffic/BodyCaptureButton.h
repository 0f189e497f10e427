#pragma once

#include <QToolButton>

#include "engine/core/BodyCapture.h"

class QAction;
class QActionGroup;

namespace gatehouse::ui {

// "Bodies ▾" above the traffic table: how large a body the engine keeps for the preview (off,
// 16 KiB, 64 KiB or 1 MiB), and whether the start of a larger body is kept too (off by default:
// large bodies are streamed through untouched). Remembered across launches.
class BodyCaptureButton final : public QToolButton
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BodyCaptureButton)
public:
    explicit BodyCaptureButton(QWidget *parent = nullptr);

    engine::BodyCapturePolicy policy() const { return m_policy; }

Q_SIGNALS:
    void policyChanged(const gatehouse::engine::BodyCapturePolicy &policy);

private:
    void choose(engine::BodyCapturePolicy policy);

    engine::BodyCapturePolicy m_policy;
    QActionGroup *m_limits;
    QAction *m_keepStart;
};

} // namespace gatehouse::ui

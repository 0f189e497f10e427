#include "EmptyState.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace gatehouse::ui {

EmptyState::EmptyState(const QString &title, const QString &hint, const QString &buttonText, QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(title, this))
{
    m_title->setAlignment(Qt::AlignCenter);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    m_title->setFont(big);
    auto *hintLabel = new QLabel(hint, this);
    hintLabel->setAlignment(Qt::AlignCenter);
    hintLabel->setWordWrap(true);
    m_button = new QPushButton(buttonText, this);
    m_button->setMinimumSize(180, 44);
    auto *layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addWidget(m_title);
    layout->addWidget(hintLabel);
    layout->addSpacing(12);
    layout->addWidget(m_button, 0, Qt::AlignHCenter);
    layout->addStretch(2);
}

} // namespace gatehouse::ui

#include "LogView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/logs/LogFilterModel.h"
#include "ui/logs/LogModel.h"

namespace gatehouse::ui {

LogView::LogView(LogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new LogFilterModel(this))
    , m_table(new QTableView(this))
    , m_level(new QComboBox(this))
    , m_text(new QLineEdit(this))
    , m_follow(new QToolButton(this))
    , m_count(new QLabel(this))
{
    m_filter->setSourceModel(model);
    m_level->setObjectName(QStringLiteral("logLevel"));
    m_level->addItem(tr("All levels"), int(QtDebugMsg));
    m_level->addItem(tr("Info and above"), int(QtInfoMsg));
    m_level->addItem(tr("Warnings and errors"), int(QtWarningMsg));
    m_level->addItem(tr("Errors"), int(QtCriticalMsg));
    m_level->setCurrentIndex(1);
    m_filter->setMinimumLevel(QtInfoMsg);
    m_text->setObjectName(QStringLiteral("logFilter"));
    m_text->setPlaceholderText(tr("Filter: message or source…"));
    m_text->setClearButtonEnabled(true);
    m_follow->setObjectName(QStringLiteral("logFollow"));
    m_follow->setText(tr("Follow"));
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest message in view"));
    auto *clear = new QToolButton(this);
    clear->setObjectName(QStringLiteral("logClear"));
    clear->setText(tr("Clear"));
    m_count->setObjectName(QStringLiteral("logCount"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_text, 1);
    bar->addWidget(m_level);
    bar->addWidget(m_follow);
    bar->addWidget(clear);
    bar->addWidget(m_count);

    m_table->setObjectName(QStringLiteral("logTable"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(LogModel::Time, 100);
    m_table->setColumnWidth(LogModel::Level, 70);
    m_table->setColumnWidth(LogModel::Category, 90);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);

    connect(m_level, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setMinimumLevel(QtMsgType(m_level->currentData().toInt()));
        updateCount();
    });
    connect(m_text, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filter->setText(text);
        updateCount();
    });
    connect(clear, &QToolButton::clicked, m_model, &LogModel::clear);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LogView::afterInsert);
    connect(m_model, &QAbstractItemModel::modelReset, this, &LogView::updateCount);
    updateCount();
}

void LogView::afterInsert()
{
    if (m_follow->isChecked()) {
        m_table->scrollToBottom();
    }
    updateCount();
}

void LogView::updateCount()
{
    m_count->setText(tr("%1 of %2").arg(m_filter->rowCount()).arg(m_model->rowCount()));
}

} // namespace gatehouse::ui

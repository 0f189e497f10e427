#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;
class QTreeWidget;

namespace gatehouse::engine {
class Gateway;
}

namespace gatehouse::ui {

// The route tester: a method, a URL and headers in; which route would take the request, why
// every other route would not, and the path the upstream would see out. Nothing is sent; the
// answer follows every keystroke and every profile change.
class RouteTesterView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RouteTesterView)
public:
    explicit RouteTesterView(engine::Gateway &gateway, QWidget *parent = nullptr);

    void setRequest(const QString &method, const QString &url);
    void evaluate();

private:
    engine::Gateway &m_gateway;
    QComboBox *m_method;
    QLineEdit *m_url;
    QTableWidget *m_headers;
    QLabel *m_result;
    QTreeWidget *m_routes;
};

} // namespace gatehouse::ui

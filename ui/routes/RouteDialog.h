#pragma once

#include <optional>

#include <QDialog>
#include <QStringList>

#include "engine/profile/Profile.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLineEdit;
class QListWidget;
class QRadioButton;
class QSpinBox;
class QTableWidget;
class QToolButton;
class QWidget;

namespace gatehouse::ui {

class FormFooter;

// "Add route" / "Edit route": a form over one route, seen in the context of the whole profile.
// Every change builds the whole next profile and runs it through the same reader as
// `gatehouse check`, so the problems shown are exactly that command's and OK stays disabled until
// there are none. What the form does not show (require, fault, CORS methods, canary users...) is
// kept from the route being edited, so editing never loses settings.
//
// Tests drive it without exec(): construct it, fill the named widgets, click OK (or call
// accept()), and read result().
class RouteDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RouteDialog)
public:
    // `index` < 0 adds a route (appended: file order only breaks ties between equal matches);
    // otherwise the route at `index` is edited in place.
    RouteDialog(const profile::Profile &current, int index, QWidget *parent = nullptr);
    ~RouteDialog() override;

    // Modal conveniences for the app: the next profile, or nothing when cancelled.
    static std::optional<profile::Profile> addRoute(QWidget *parent, const profile::Profile &current);
    static std::optional<profile::Profile> editRoute(QWidget *parent, const profile::Profile &current, int index);

    // The whole next profile: the route added or replaced, plus the new upstream when the form
    // creates one. Hides QDialog::result(); use QDialog::result() or accepted() for the outcome.
    profile::Profile result() const;
    // What `gatehouse check` would say about result(), as shown in the form; empty = acceptable.
    QStringList problems() const;
    bool isNewRoute() const { return m_index < 0; }

    void accept() override; // refused while there are problems

private:
    void buildBasics(QWidget *page);
    QWidget *buildMethods();
    QWidget *buildTarget();
    QGroupBox *buildCanary();
    QGroupBox *buildCors();
    void fill(const profile::Route &route);
    void connectChanges();
    void addHeaderRowIfFull();
    void showTargetKind();
    void revalidate();
    bool newUpstreamChosen() const;
    // The timeout as typed; nullopt and *error set when it is not a duration.
    std::optional<profile::Duration> typedTimeout(QString *error) const;

    profile::Profile m_current;
    int m_index;
    profile::Route m_original;

    QLineEdit *m_name = nullptr;
    QComboBox *m_pathKind = nullptr;
    QLineEdit *m_path = nullptr;
    QList<QToolButton *> m_methods;
    QLineEdit *m_hosts = nullptr;
    QTableWidget *m_headers = nullptr;
    QLineEdit *m_stripPrefix = nullptr;
    QButtonGroup *m_targetKind = nullptr;
    QRadioButton *m_toUpstream = nullptr;
    QRadioButton *m_toRespond = nullptr;
    QWidget *m_upstreamPanel = nullptr;
    QComboBox *m_upstream = nullptr;
    QWidget *m_newUpstreamPanel = nullptr;
    QLineEdit *m_newUpstreamName = nullptr;
    QLineEdit *m_newUpstreamUrl = nullptr;
    QWidget *m_respondPanel = nullptr;
    QSpinBox *m_respondStatus = nullptr;
    QLineEdit *m_respondBody = nullptr;
    QComboBox *m_auth = nullptr;
    QListWidget *m_rateLimits = nullptr;
    QLineEdit *m_timeout = nullptr;
    QSpinBox *m_retries = nullptr;
    QCheckBox *m_enabled = nullptr;
    QGroupBox *m_canary = nullptr;
    QComboBox *m_canaryUpstream = nullptr;
    QDoubleSpinBox *m_canaryPercent = nullptr;
    QLineEdit *m_canaryHeader = nullptr;
    QGroupBox *m_cors = nullptr;
    QLineEdit *m_corsOrigins = nullptr;
    QCheckBox *m_corsCredentials = nullptr;
    FormFooter *m_footer = nullptr;
};

} // namespace gatehouse::ui

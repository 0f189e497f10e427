#pragma once

// Private to gatehouse_profile: the plumbing the section readers share. It is the only header
// that includes yaml-cpp, and it is not installed or included from outside this folder.

#include "Profile.h"
#include "ProfileReader.h"

#include <functional>
#include <initializer_list>
#include <optional>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <QList>
#include <QString>
#include <QStringList>

namespace gatehouse::profile::detail {

// A name used by a route that must be defined elsewhere; checked once everything is read.
struct Reference
{
    enum class Kind { Upstream, Jwt, RateLimit };
    Kind kind;
    QString name;
    YAML::Node node;
};

// A bind address, remembered to find two sockets on the same address.
struct BindUse
{
    HostPort bind;
    YAML::Node node;
    QString owner; // "listen", "admin", "service 'users-1'"
};

class ReadContext final
{
public:
    explicit ReadContext(QString file);

    // Reports a problem at the node's position (the key, for a value that is missing).
    void error(const YAML::Node &node, const QString &message);
    void errorAt(int line, int column, const QString &message); // 1-based
    bool hasErrors() const { return !m_problems.isEmpty(); }
    QList<Problem> takeProblems(); // ordered by position

    QList<Reference> references;
    QList<BindUse> binds;

private:
    QString m_file;
    QList<Problem> m_problems;
};

// 1-based position of a node; line 0 when yaml-cpp has none.
SourcePos positionOf(const YAML::Node &node);
QString describe(const SourcePos &pos); // "line 3"

// Scalar conversions. Each reports its own problem at the node and returns nullopt on failure;
// `what` names the value in messages ("'keep'", "a method").
std::optional<QString> readString(ReadContext &ctx, const YAML::Node &node, const QString &what);
std::optional<bool> readBool(ReadContext &ctx, const YAML::Node &node, const QString &what);
std::optional<qint64> readInteger(ReadContext &ctx, const YAML::Node &node, const QString &what,
                                  qint64 min, qint64 max);
std::optional<double> readNumber(ReadContext &ctx, const YAML::Node &node, const QString &what,
                                 double min, double max);

// Calls `item` for every entry of a list; reports a problem if the node is not a list.
void forEachItem(ReadContext &ctx, const YAML::Node &node, const QString &what,
                 const std::function<void(const YAML::Node &)> &item);

// Walks one YAML map: reports a non-map, unknown keys (at the key) and repeated keys, then hands
// out values by key. Getters return true when the key is present and its value valid.
class MapReader final
{
public:
    MapReader(ReadContext &ctx, const YAML::Node &node, const QString &what,
              std::initializer_list<const char *> knownKeys);

    bool isMap() const { return m_isMap; }
    const YAML::Node &node() const { return m_node; }
    bool has(const char *key) const;
    // The value, or an undefined node when absent.
    YAML::Node value(const char *key) const;
    YAML::Node keyNode(const char *key) const;
    // Reports "`what` needs 'key'" at the map when the key is absent.
    bool require(const char *key);

    bool getString(const char *key, QString &out);
    bool getBool(const char *key, bool &out);
    bool getInt(const char *key, int &out, int min, int max);
    bool getInt64(const char *key, qint64 &out, qint64 min, qint64 max);
    bool getNumber(const char *key, double &out, double min, double max);
    bool getDuration(const char *key, Duration &out, Duration min = Duration(0));
    bool getSize(const char *key, qint64 &out, qint64 min = 0);
    bool getSecret(const char *key, SecretRef &out);
    // A list of strings; `item` may validate (and normalise) each one, returning false to drop it.
    bool getStringList(const char *key, QStringList &out,
                       const std::function<bool(const YAML::Node &, QString &)> &item = {});
    // A map of strings to strings (header values, claims), in file order.
    bool getStringPairs(const char *key, QList<QPair<QString, QString>> &out,
                        const std::function<bool(const YAML::Node &key, const QString &)> &checkKey = {});

private:
    struct Entry
    {
        QString key;
        YAML::Node keyNode;
        YAML::Node value;
    };
    const Entry *find(const char *key) const;
    // The entry when present with a value; reports "needs a value" at the key when it is empty.
    const Entry *withValue(const char *key);
    // The node a problem about this entry's value points at: the key when the value is empty.
    YAML::Node blame(const Entry &entry) const;
    QString label(const char *key) const;

    ReadContext &m_ctx;
    YAML::Node m_node;
    QString m_what;
    bool m_isMap = false;
    std::vector<Entry> m_entries;
};

} // namespace gatehouse::profile::detail

#pragma once

#include <initializer_list>
#include <optional>

#include <yaml-cpp/yaml.h>

#include <QString>
#include <QStringList>

#include "engine/profile/Profile.h"

// Private to the Kong importer (KongImport*.cpp): the state of one import and the helpers its
// parts share. yaml-cpp is in this header, so it never leaves engine/export's sources.
namespace gatehouse::exporter::kongimport {

class ImportContext final
{
public:
    explicit ImportContext(QString file)
        : m_file(std::move(file))
    {
    }

    profile::Profile profile;

    // One line for what has no place in a profile, at the node's position in the decK file.
    void notMapped(const YAML::Node &at, const QString &what);
    // Bad input: the import fails.
    void error(const YAML::Node &at, const QString &what);
    void errorAt(int line, int column, const QString &what);
    // Reports every key of `map` outside `known` whose value is not null, as "WHERE: KEY".
    void unknownKeys(
        const YAML::Node &map, std::initializer_list<const char *> known, const QString &where);

    QStringList notMappedLines() const { return m_notMapped; }
    QStringList errorLines() const { return m_errors; }
    const QString &file() const { return m_file; }

private:
    QString position(const YAML::Node &at) const;

    QString m_file;
    QStringList m_notMapped;
    QStringList m_errors;
};

// A map's value, or an undefined node: yaml-cpp throws when a missing node is indexed again.
YAML::Node child(const YAML::Node &map, const char *key);
// A scalar as text ("" for null or missing).
QString text(const YAML::Node &node);
// A scalar as a number; `fallback` when missing or null, nullopt (with an error) when not one.
std::optional<double> number(ImportContext &ctx, const YAML::Node &node, double fallback);
bool boolean(const YAML::Node &node, bool fallback);
QStringList texts(const YAML::Node &sequence);
// A name the profile accepts (letters, digits, '.', '_', '-').
QString safeName(const QString &text);
// `{vault://env/NAME}` -> env:NAME; anything else (a literal secret) -> nullopt.
std::optional<profile::SecretRef> secretFromVault(const QString &value);

// Readers of the parts of a decK file, each filling ctx.profile.
void readUpstreams(ImportContext &ctx, const YAML::Node &upstreams);
void readConsumers(ImportContext &ctx, const YAML::Node &consumers);

// One route's plugins, most specific last (global, then service, then route): Kong applies one
// plugin of a name, the most specific.
void applyPlugins(ImportContext &ctx, profile::Route &route, const QList<YAML::Node> &plugins);
// Global plugins that are not per route (file-log).
bool applyGlobalPlugin(ImportContext &ctx, const YAML::Node &plugin);

} // namespace gatehouse::exporter::kongimport

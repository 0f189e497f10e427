#pragma once

// Private to gatehouse_profile: one reader per part of the profile format. Each reads what it can,
// reports every problem it finds to the context, and leaves defaults where a value is bad.

#include "YamlReading.h"

#include <QHash>

namespace gatehouse::profile::detail {

// Names within one section ("route", "upstream", …) must be unique.
class NameSet final
{
public:
    explicit NameSet(QString what);
    // Reads the required 'name' of an entry, checks its form and that it is new.
    bool read(ReadContext &ctx, MapReader &map, QString &name);

private:
    QString m_what;
    QHash<QString, SourcePos> m_seen;
};

void readListeners(ReadContext &ctx, const YAML::Node &node, QList<Listener> &out);
void readAdmin(ReadContext &ctx, const YAML::Node &node, Admin &out);
void readAccessLog(ReadContext &ctx, const YAML::Node &node, AccessLog &out);
void readServices(ReadContext &ctx, const YAML::Node &node, QList<Service> &out);
void readLimits(ReadContext &ctx, const YAML::Node &node, Limits &out);
void readUpstreams(ReadContext &ctx, const YAML::Node &node, QList<Upstream> &out);
void readRoutes(ReadContext &ctx, const YAML::Node &node, QList<Route> &out);
void readJwtProfiles(ReadContext &ctx, const YAML::Node &node, QList<JwtProfile> &out);
void readRateLimits(ReadContext &ctx, const YAML::Node &node, QList<RateLimitProfile> &out);

// Checks that names used by routes are defined and that no two sockets share an address.
void checkReferences(ReadContext &ctx, const Profile &profile);
void checkBinds(ReadContext &ctx);

} // namespace gatehouse::profile::detail

#pragma once

#include <algorithm>
#include <optional>

#include "engine/profile/Profile.h"

// The profile's lists (listen, upstreams, routes, jwt, rate_limits) as the editors change them:
// one entry by its index, where an index < 0 means a new entry, appended because file order
// only breaks ties.
namespace gatehouse::ui {

template<typename Entry>
using ProfileList = QList<Entry> profile::Profile::*;

// How pages and edit descriptions call an entry: by its name; a listener, which has none, by its
// address.
template<typename Entry>
QString entryName(const Entry &entry)
{
    return entry.name;
}
QString entryName(const profile::Listener &listener);

// `profile` with `entry` in place of entry `index` of `list`, or appended when `index` < 0.
template<typename Entry>
profile::Profile withEntry(profile::Profile profile, ProfileList<Entry> list, int index, const Entry &entry)
{
    if (index >= 0) {
        (profile.*list)[index] = entry;
    } else {
        (profile.*list).append(entry);
    }
    return profile;
}

// `profile` without entry `index` of `list`; nothing when there is no such entry.
template<typename Entry>
std::optional<profile::Profile> withoutEntry(profile::Profile profile, ProfileList<Entry> list, int index)
{
    if (index < 0 || index >= (profile.*list).size()) {
        return std::nullopt;
    }
    (profile.*list).removeAt(index);
    return profile;
}

// The entry a form added: the one whose name `before` did not have (the last one, failing that).
template<typename Entry>
QString addedName(const QList<Entry> &before, const QList<Entry> &after)
{
    for (const Entry &entry : after) {
        const bool known = std::any_of(before.cbegin(), before.cend(), [&entry](const Entry &old) { return old.name == entry.name; });
        if (!known) {
            return entry.name;
        }
    }
    return after.isEmpty() ? QString() : after.last().name;
}

// The entry that takes the place of a deleted entry `index`, to keep a selection on; empty when
// the list is now empty.
template<typename Entry>
QString nameAt(const QList<Entry> &entries, int index)
{
    return entries.isEmpty() ? QString() : entries.at(std::min<qsizetype>(index, entries.size() - 1)).name;
}

} // namespace gatehouse::ui

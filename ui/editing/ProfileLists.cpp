#include "ProfileLists.h"

#include "engine/profile/Values.h"

namespace gatehouse::ui {

QString entryName(const profile::Listener &listener)
{
    return profile::formatHostPort(listener.bind);
}

} // namespace gatehouse::ui

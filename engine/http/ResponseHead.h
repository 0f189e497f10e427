#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include "engine/http/HttpMessage.h"

namespace gatehouse::engine::http {

// A response head on its way to the client, whoever made it (the upstream or the gateway): what
// the response phase's stages edit before one writer puts it on the wire.
struct ResponseHead
{
    int status = 0;
    QByteArray reason; // empty: the standard phrase for the status
    QList<Header> headers;

    // First value of a header (case-insensitive name), or a null QByteArray.
    QByteArray header(QByteArrayView name) const;
    void add(const QByteArray &name, const QByteArray &value) { headers.append({ name, value }); }
    void remove(QByteArrayView name);
};

} // namespace gatehouse::engine::http

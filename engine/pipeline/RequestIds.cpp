#include "RequestIds.h"

#include <random>

#include <QRandomGenerator>

namespace gatehouse::engine {

namespace {

// One generator per thread: QRandomGenerator::global() would be shared by every worker.
std::mt19937_64 &generator()
{
    thread_local std::mt19937_64 engine(QRandomGenerator::system()->generate64());
    return engine;
}

void appendRandomHex(QByteArray &out, int hexDigits)
{
    static const char digits[] = "0123456789abcdef";
    // Written in place: one resize, not a capacity check per digit.
    const qsizetype start = out.size();
    out.resize(start + hexDigits);
    char *p = out.data() + start;
    while (hexDigits > 0) {
        quint64 bits = generator()();
        for (int i = 0; i < 16 && hexDigits > 0; ++i, --hexDigits) {
            *p++ = digits[bits & 0xF];
            bits >>= 4;
        }
    }
}

bool isLowerHex(QByteArrayView text)
{
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool allZero(QByteArrayView text)
{
    for (const char c : text) {
        if (c != '0') {
            return false;
        }
    }
    return true;
}

} // namespace

bool isSaneRequestId(QByteArrayView id)
{
    if (id.isEmpty() || id.size() > 128) {
        return false;
    }
    for (const char c : id) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

QByteArray newRequestId()
{
    QByteArray id;
    id.reserve(32);
    appendRandomHex(id, 32);
    return id;
}

QByteArray nextTraceparent(QByteArrayView incoming)
{
    // version "-" trace-id(32) "-" parent-id(16) "-" flags(2)
    QByteArray out;
    out.reserve(55);
    const bool valid = incoming.size() == 55 && incoming.at(2) == '-' && incoming.at(35) == '-'
        && incoming.at(52) == '-' && isLowerHex(incoming.first(2)) && incoming.first(2) != "ff"
        && isLowerHex(incoming.sliced(3, 32)) && !allZero(incoming.sliced(3, 32))
        && isLowerHex(incoming.sliced(36, 16)) && isLowerHex(incoming.sliced(53, 2));
    if (valid) {
        out.append("00-");
        out.append(incoming.sliced(3, 32));
        out.append('-');
        appendRandomHex(out, 16);
        out.append('-');
        out.append(incoming.sliced(53, 2));
    } else {
        out.append("00-");
        appendRandomHex(out, 32);
        out.append('-');
        appendRandomHex(out, 16);
        out.append("-01");
    }
    return out;
}

} // namespace gatehouse::engine

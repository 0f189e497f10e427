#pragma once

namespace gatehouse::engine::http {

// A hex digit's value (either case), or -1: chunk sizes and percent-escapes.
constexpr int hexValue(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace gatehouse::engine::http

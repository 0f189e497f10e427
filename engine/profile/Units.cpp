#include "Units.h"

#include <array>
#include <limits>

#include "engine/profile/OptionalError.h"

namespace gatehouse::profile {

namespace {

struct Unit
{
    QStringView suffix;
    qint64 factor;
};

// Longest suffix first so "ms" is not read as "m" + garbage.
constexpr std::array<Unit, 4> durationUnits { {
    { u"ms", 1 },
    { u"h", 3'600'000 },
    { u"m", 60'000 },
    { u"s", 1'000 },
} };

constexpr std::array<Unit, 4> sizeUnits { {
    { u"GiB", 1LL << 30 },
    { u"MiB", 1LL << 20 },
    { u"KiB", 1LL << 10 },
    { u"B", 1 },
} };

// Digits only: no sign, no spaces, no "0x". Fails on overflow.
std::optional<qint64> parseDigits(QStringView digits)
{
    if (digits.isEmpty() || digits.size() > 18) {
        return std::nullopt;
    }
    qint64 value = 0;
    for (const QChar c : digits) {
        if (c < u'0' || c > u'9') {
            return std::nullopt;
        }
        value = value * 10 + (c.unicode() - u'0');
    }
    return value;
}

using detail::setError;

} // namespace

std::optional<std::chrono::milliseconds> parseDuration(QStringView text, QString *error)
{
    const QString usage = QStringLiteral("a duration is a whole number with a unit: 250ms, 5s, 2m or 1h");
    const QStringView trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        setError(error, QStringLiteral("empty duration; ") + usage);
        return std::nullopt;
    }
    if (parseDigits(trimmed)) {
        setError(error,
                 QStringLiteral("duration '%1' has no unit; write e.g. %1ms or %1s").arg(trimmed));
        return std::nullopt;
    }
    for (const Unit &unit : durationUnits) {
        if (!trimmed.endsWith(unit.suffix)) {
            continue;
        }
        const auto number = parseDigits(trimmed.chopped(unit.suffix.size()));
        if (!number) {
            break;
        }
        if (*number > std::numeric_limits<qint64>::max() / unit.factor / 1000) {
            setError(error, QStringLiteral("duration '%1' is too large").arg(trimmed));
            return std::nullopt;
        }
        return std::chrono::milliseconds(*number * unit.factor);
    }
    setError(error, QStringLiteral("invalid duration '%1'; ").arg(trimmed) + usage);
    return std::nullopt;
}

QString formatDuration(std::chrono::milliseconds duration)
{
    const qint64 ms = duration.count();
    if (ms == 0) {
        return QStringLiteral("0s");
    }
    if (ms % 3'600'000 == 0) {
        return QString::number(ms / 3'600'000) + u'h';
    }
    if (ms % 60'000 == 0) {
        return QString::number(ms / 60'000) + u'm';
    }
    if (ms % 1'000 == 0) {
        return QString::number(ms / 1'000) + u's';
    }
    return QString::number(ms) + QStringLiteral("ms");
}

std::optional<qint64> parseSize(QStringView text, QString *error)
{
    const QString usage = QStringLiteral("a size is a whole number of bytes, optionally with B, KiB, MiB or GiB");
    const QStringView trimmed = text.trimmed();
    if (const auto bytes = parseDigits(trimmed)) {
        return bytes;
    }
    for (const Unit &unit : sizeUnits) {
        if (!trimmed.endsWith(unit.suffix)) {
            continue;
        }
        const auto number = parseDigits(trimmed.chopped(unit.suffix.size()).trimmed());
        if (!number) {
            break;
        }
        if (*number > std::numeric_limits<qint64>::max() / unit.factor) {
            setError(error, QStringLiteral("size '%1' is too large").arg(trimmed));
            return std::nullopt;
        }
        return *number * unit.factor;
    }
    for (const QStringView decimal : { QStringView(u"KB"), QStringView(u"MB"), QStringView(u"GB") }) {
        if (trimmed.endsWith(decimal, Qt::CaseInsensitive)) {
            setError(error, QStringLiteral("invalid size '%1'; use binary units (KiB, MiB, GiB)").arg(trimmed));
            return std::nullopt;
        }
    }
    setError(error, QStringLiteral("invalid size '%1'; ").arg(trimmed) + usage);
    return std::nullopt;
}

QString formatSize(qint64 bytes)
{
    if (bytes == 0) {
        return QStringLiteral("0");
    }
    for (const Unit &unit : sizeUnits) {
        if (unit.factor > 1 && bytes % unit.factor == 0) {
            return QString::number(bytes / unit.factor).append(unit.suffix);
        }
    }
    return QString::number(bytes);
}

} // namespace gatehouse::profile

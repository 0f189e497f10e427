#pragma once

#include <chrono>
#include <optional>

#include <QString>
#include <QStringView>

// Durations and sizes as they appear in profiles and on the command line
// (`gatehouse echo --delay 250ms`). Parsing and formatting round-trip exactly.
namespace gatehouse::profile {

// "250ms", "5s", "2m", "1h": a non-negative integer and a unit; a bare number is an error because
// "timeout: 5" is ambiguous. On failure, *error (when given) says what is wrong.
std::optional<std::chrono::milliseconds> parseDuration(QStringView text, QString *error = nullptr);

// The largest unit that is exact: 1500ms -> "1500ms", 60000ms -> "1m", 0 -> "0s".
QString formatDuration(std::chrono::milliseconds duration);

// "1048576" (bytes), "512B", "64KiB", "10MiB", "1GiB". Decimal units (KB, MB) are refused rather
// than guessed.
std::optional<qint64> parseSize(QStringView text, QString *error = nullptr);

// The largest binary unit that is exact: 65536 -> "64KiB", 1000 -> "1000", 0 -> "0".
QString formatSize(qint64 bytes);

} // namespace gatehouse::profile

#include "Claims.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>

namespace gatehouse::engine {

namespace {

QString scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String: return value.toString();
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        // Whole numbers print without an exponent while a qint64 holds them exactly (2^53).
        const double number = value.toDouble();
        const bool whole = std::fabs(number) < 9007199254740992.0 && number == std::floor(number);
        return whole ? QString::number(qint64(number)) : QString::number(number, 'g', 17);
    }
    default: return {};
    }
}

bool isSafeHeaderValue(QByteArrayView value)
{
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
            return false;
        }
    }
    return true;
}

} // namespace

QJsonValue claimValue(const QJsonObject &claims, QStringView name)
{
    const auto direct = claims.constFind(name);
    if (direct != claims.constEnd()) {
        return *direct;
    }
    QJsonValue current = claims;
    for (QStringView part : name.split(u'.')) {
        if (!current.isObject()) {
            return QJsonValue(QJsonValue::Undefined);
        }
        current = current.toObject().value(part);
    }
    return current;
}

bool claimMatches(const QJsonValue &value, QStringView expected)
{
    if (value.isArray()) {
        const QJsonArray items = value.toArray();
        return std::any_of(items.begin(), items.end(), [expected](const QJsonValue &item) {
            return !item.isArray() && !item.isObject() && !item.isNull() && scalarText(item) == expected;
        });
    }
    return !value.isObject() && !value.isNull() && !value.isUndefined() && scalarText(value) == expected;
}

QByteArray claimHeaderValue(const QJsonValue &value)
{
    QByteArray text;
    if (value.isArray()) {
        QStringList parts;
        for (const QJsonValue &item : value.toArray()) {
            parts.append(item.isObject() || item.isArray() ? QString() : scalarText(item));
        }
        text = parts.join(QLatin1Char(',')).toUtf8();
    } else if (value.isObject()) {
        text = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    } else {
        text = scalarText(value).toUtf8();
    }
    return isSafeHeaderValue(text) ? text.trimmed() : QByteArray();
}

} // namespace gatehouse::engine

#include "ProfileJson.h"

#include <yaml-cpp/yaml.h>

#include <QJsonArray>

#include "engine/profile/ProfileWriter.h"

namespace gatehouse::profile {

namespace {

// The writer's YAML has plain scalars for numbers and booleans and quotes any string that would
// read as one, so a plain scalar's type is what YAML 1.2's core schema says it is.
QJsonValue scalar(const YAML::Node &node)
{
    const std::string &text = node.Scalar();
    if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
        return QString::fromStdString(text); // quoted in the file
    }
    if (text == "true" || text == "false") {
        return text == "true";
    }
    if (text == "null" || text == "~") {
        return QJsonValue::Null;
    }
    bool isNumber = false;
    const double number = QString::fromStdString(text).toDouble(&isNumber);
    const bool plainDigits = !text.empty() && text.find_first_not_of("-+0123456789.eE") == std::string::npos;
    if (isNumber && plainDigits) {
        return number;
    }
    return QString::fromStdString(text);
}

QJsonValue toJson(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        QJsonObject object;
        for (const auto &item : node) {
            object.insert(QString::fromStdString(item.first.Scalar()), toJson(item.second));
        }
        return object;
    }
    case YAML::NodeType::Sequence: {
        QJsonArray array;
        for (const auto &item : node) {
            array.append(toJson(item));
        }
        return array;
    }
    case YAML::NodeType::Scalar:
        return scalar(node);
    default:
        return QJsonValue::Null;
    }
}

} // namespace

QJsonObject profileToJson(const Profile &profile)
{
    try {
        return toJson(YAML::Load(writeProfileYaml(profile).toStdString())).toObject();
    } catch (const YAML::Exception &) {
        return {}; // the writer's own output always parses; nothing escapes this library anyway
    }
}

} // namespace gatehouse::profile

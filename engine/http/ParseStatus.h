#pragma once

namespace gatehouse::engine::http {

enum class ParseStatus { Ok, Incomplete, BadRequest, HeadersTooLarge, BodyTooLarge, BadMethod };

} // namespace gatehouse::engine::http

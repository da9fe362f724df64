#include "common/json/strict_json.h"

#include <vector>

namespace sc::json {
namespace {

using nlohmann::json;

// Builds a json value from SAX events, refusing duplicate keys and nesting
// deeper than the limit. Keeps the JSON pointer of the current position so
// that errors can name it.
class StrictBuilder {
 public:
  explicit StrictBuilder(std::size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool value) { return put(json(value)); }
  bool number_integer(json::number_integer_t value) { return put(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return put(json(value)); }
  bool number_float(json::number_float_t value, const json::string_t& /*raw*/) {
    return put(json(value));
  }
  bool string(json::string_t& value) { return put(json(std::move(value))); }
  bool binary(json::binary_t& /*value*/) {
    return fail(ErrorCode::Parse, "binary values are not JSON", pointer());
  }

  bool start_object(std::size_t /*size*/) { return open(json::object()); }
  bool start_array(std::size_t /*size*/) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& name) {
    json* object = stack_.back();
    if (object->contains(name)) {
      pending_key_ = name;
      return fail(ErrorCode::Schema, fmt::format("duplicate key '{}'", name),
                  pointer() + "/" + pointerToken(name));
    }
    pending_key_ = std::move(name);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    error_position_ = position;
    parse_message_ = ex.what();
    return false;
  }

  std::optional<Error> error;
  std::size_t error_position_ = 0;
  std::string parse_message_;
  json root;

 private:
  bool put(json value) {
    if (stack_.empty()) {
      root = std::move(value);
      return true;
    }
    json* parent = stack_.back();
    if (parent->is_array()) {
      parent->push_back(std::move(value));
    } else {
      (*parent)[pending_key_] = std::move(value);
    }
    return true;
  }

  bool open(json container) {
    if (stack_.size() + 1 > max_depth_) {
      return fail(ErrorCode::TooDeep,
                  fmt::format("nesting deeper than the limit of {}", max_depth_), pointer());
    }
    json* slot = nullptr;
    if (stack_.empty()) {
      root = std::move(container);
      slot = &root;
    } else if (json* parent = stack_.back(); parent->is_array()) {
      parent->push_back(std::move(container));
      path_.push_back(std::to_string(parent->size() - 1));
      slot = &parent->back();
    } else {
      path_.push_back(pointerToken(pending_key_));
      slot = &((*parent)[pending_key_] = std::move(container));
    }
    stack_.push_back(slot);
    return true;
  }

  bool close() {
    stack_.pop_back();
    if (!path_.empty() && stack_.size() == path_.size()) path_.pop_back();
    return true;
  }

  std::string pointer() const {
    std::string out;
    for (const auto& token : path_) out += "/" + token;
    return out;
  }

  bool fail(ErrorCode code, std::string message, std::string where) {
    error.emplace(code, std::move(message), std::move(where));
    return false;
  }

  std::size_t max_depth_;
  std::vector<json*> stack_;
  std::vector<std::string> path_;
  std::string pending_key_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] parse
// error at line 1, column 5: "; keep only the part after the location.
std::string trimParseMessage(const std::string& what) {
  const auto colon = what.find(": ");
  std::string rest = colon == std::string::npos ? what : what.substr(colon + 2);
  if (rest.rfind("syntax error while parsing value - ", 0) == 0) {
    rest = rest.substr(35);
  }
  return rest;
}

}  // namespace

std::string pointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string lineColumn(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}", line, column);
}

Result<nlohmann::json> parseStrictJson(std::string_view bytes, std::string_view source_name,
                                       const ParseLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return Error(
        ErrorCode::TooLarge,
        fmt::format("document is {} bytes, over the limit of {}", bytes.size(), limits.max_bytes),
        std::string(source_name));
  }
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
      static_cast<unsigned char>(bytes[1]) == 0xBB &&
      static_cast<unsigned char>(bytes[2]) == 0xBF) {
    return Error(ErrorCode::Encoding, "byte-order mark at offset 0; write plain UTF-8",
                 fmt::format("{}:1:1", source_name));
  }
  StrictBuilder builder(limits.max_depth);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(bytes, &builder, nlohmann::json::input_format_t::json,
                                       /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception& ex) {
    return Error(ErrorCode::Parse, ex.what(), std::string(source_name));
  }
  if (builder.error) {
    Error error = std::move(*builder.error);
    return std::move(error).withWhere(fmt::format("{}:", source_name));
  }
  if (!parsed) {
    const ErrorCode code = builder.parse_message_.find("UTF-8") != std::string::npos
                               ? ErrorCode::Encoding
                               : ErrorCode::Parse;
    // nlohmann reports the position one past the offending byte.
    const std::size_t at = builder.error_position_ > 0 ? builder.error_position_ - 1 : 0;
    return Error(code, trimParseMessage(builder.parse_message_),
                 fmt::format("{}:{}", source_name, lineColumn(bytes, at)));
  }
  return std::move(builder.root);
}

}  // namespace sc::json

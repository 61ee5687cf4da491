#include "plugnode/plugs/parsers.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "plugnode/plugs/local_reply.hpp"
#include "plugnode/plugs/read_body.hpp"
#include "plugnode/plugs/uri.hpp"

namespace plugnode::plugs {
namespace {

const std::string json_key = "plugnode.json";

// "Application/JSON; charset=utf-8" -> "application/json"
std::string media_type(const std::string& content_type) {
  auto type = lower_case(content_type.substr(0, content_type.find(';')));
  auto first = type.find_first_not_of(" \t");
  auto last = type.find_last_not_of(" \t");
  return first == std::string::npos ? "" : type.substr(first, last - first + 1);
}

bool is_json(const std::string& type) {
  return type == "application/json" || (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0 &&
                                        type.rfind("application/", 0) == 0);
}

} // namespace

// The body is read through read_body(), spooled or not, and only when its type is one parsed here: a type
// let through stays unread for the plug that wants it.
void parsers::call(conn& c) const {
  auto content_type = c.get_req_header("content-type");
  auto length = body_length(c);
  if (length == 0 && !content_type)
    return;
  if (length > options_.max_length)
    return void(local_reply(c, 413));
  auto type = media_type(content_type.value_or(""));
  if (options_.json && is_json(type)) {
    auto parsed = nlohmann::json::parse(read_body(c, options_.max_length).data, nullptr, false);
    if (parsed.is_discarded())
      return void(local_reply(c, 400, "malformed JSON body"));
    c.private_[json_key] = std::make_shared<const nlohmann::json>(std::move(parsed));
    return;
  }
  if (options_.urlencoded && type == "application/x-www-form-urlencoded") {
    auto params = parse_query(read_body(c, options_.max_length).data);
    if (!params)
      return void(local_reply(c, 400, "malformed form body"));
    c.body_params = std::move(*params);
    return;
  }
  auto passed = [&](const std::string& p) { return p == "*/*" || p == type; };
  if (std::none_of(options_.pass.begin(), options_.pass.end(), passed))
    local_reply(c, 415);
}

const nlohmann::json* json_body(const conn& c) {
  auto it = c.private_.find(json_key);
  if (it == c.private_.end())
    return nullptr;
  return std::any_cast<const std::shared_ptr<const nlohmann::json>&>(it->second).get();
}

} // namespace plugnode::plugs

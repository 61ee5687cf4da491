// node_name: the `app@host` name of a node, as Erlang writes it. Its host part is what peers dial, so parsing
// refuses anything a resolver would not take rather than failing later, at connect time, on another node.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace plugnode::runtime {

class node_name {
public:
  // Longest accepted name: Erlang's atom limit, which also keeps names within one DNS name plus a prefix.
  static constexpr std::size_t max_length = 255;

  // Parses `app@host`; on failure returns nullopt and, when `error` is given, says what is wrong.
  static std::optional<node_name> parse(std::string_view text, std::string* error = nullptr);

  // `app@<fully qualified host name of this machine>`, as `hostname -f` would print it.
  static node_name local_default(std::string_view app = "plugnode");

  // Empty: only what CAF's deserialisation starts from (a node_name travels in connect_target).
  node_name() = default;

  const std::string& app() const { return app_; }
  const std::string& host() const { return host_; }
  std::string to_string() const { return app_ + "@" + host_; }

  friend bool operator==(const node_name& a, const node_name& b) {
    return a.app_ == b.app_ && a.host_ == b.host_;
  }
  friend bool operator!=(const node_name& a, const node_name& b) { return !(a == b); }
  friend bool operator<(const node_name& a, const node_name& b) {
    return a.app_ != b.app_ ? a.app_ < b.app_ : a.host_ < b.host_;
  }

  template <class Inspector> friend typename Inspector::result_type inspect(Inspector& f, node_name& x) {
    return f(x.app_, x.host_);
  }

private:
  node_name(std::string app, std::string host) : app_(std::move(app)), host_(std::move(host)) {}
  std::string app_;
  std::string host_;
};

// The fully qualified name of this host (`hostname -f`): the canonical name getaddrinfo gives for
// gethostname(), or the plain host name when that lookup fails.
std::string fully_qualified_hostname();

} // namespace plugnode::runtime

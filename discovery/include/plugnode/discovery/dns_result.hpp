// dns_result: what a DNS lookup gives back, a value or an error saying why there is none. An empty list never
// stands in for a failure, so a caller cannot mistake "the server did not answer" for "there are no peers".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace plugnode::discovery {

enum class dns_errc {
  nxdomain,       // the name does not exist (under any search domain tried)
  no_data,        // the name exists but holds no record of the asked type
  refused,        // the server refused the query (REFUSED, NOTIMP, ...)
  server_failure, // SERVFAIL: the server could not answer
  timeout,        // no answer within the timeout, after every retry
  unreachable,    // the query could not be sent or was bounced (nothing listens there)
  malformed,      // the answer could not be parsed or does not answer the question asked
  bad_name,       // the name asked is not a valid DNS name
};

std::string_view to_string(dns_errc code);

struct dns_error {
  dns_errc code;
  std::string detail; // names the query, the server and what went wrong, for logs and the remote shell

  std::string message() const { return std::string(to_string(code)) + ": " + detail; }
};

template <class T> class dns_result {
public:
  dns_result(T value) : data_(std::move(value)) {}
  dns_result(dns_error error) : data_(std::move(error)) {}

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const dns_error& error() const { return std::get<1>(data_); }

private:
  std::variant<T, dns_error> data_;
};

} // namespace plugnode::discovery

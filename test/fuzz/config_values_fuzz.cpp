// Fuzzes the configuration's value parsers (ports, counts, durations, addresses, URLs) with any text: a value
// or a config_error naming the setting, nothing else; a duration prints as text that parses back to itself.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "plugnode/app/config_values.hpp"

namespace {

template <class Parse> void expect_value_or_error(Parse parse) {
  try {
    parse();
  } catch (const plugnode::app::config_error& e) {
    if (std::string(e.what()).rfind("FUZZ", 0) != 0)
      std::abort(); // the one line must start with the setting's name
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plugnode::app;
  std::string text(reinterpret_cast<const char*>(data), size);
  expect_value_or_error([&] { parse_port(text, "FUZZ"); });
  expect_value_or_error([&] { parse_count(text, "FUZZ", 1, 10000); });
  expect_value_or_error([&] { parse_ip_address(text, "FUZZ"); });
  expect_value_or_error([&] { parse_http_url(text, "FUZZ"); });
  expect_value_or_error([&] { parse_http_host(text, "FUZZ"); });
  expect_value_or_error([&] {
    auto value = parse_duration(text, "FUZZ");
    if (parse_duration(format_duration(value), "FUZZ") != value)
      std::abort();
  });
  return 0;
}

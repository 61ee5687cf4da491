// pipeline: an ordered list of plugs that is itself a plug (Plug.Builder); it stops at the first plug that
// halts the conn, so an auth failure or a sent response ends the request there.
#pragma once

#include <initializer_list>
#include <vector>

#include "plugnode/plugs/plug.hpp"

namespace plugnode::plugs {

class pipeline {
public:
  pipeline() = default;
  pipeline(std::initializer_list<plug> plugs) : plugs_(plugs) {}

  pipeline& add(plug p) {
    plugs_.push_back(std::move(p));
    return *this;
  }
  void call(conn& c) const;
  // Whether any of its plugs may block (a conservative answer: the plugs before one that halts count too).
  bool blocks(const request_path& r) const;

private:
  std::vector<plug> plugs_;
};

} // namespace plugnode::plugs

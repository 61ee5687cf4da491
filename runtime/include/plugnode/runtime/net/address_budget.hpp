// address_budget: how a listener shares its bounded slots among client addresses (the distribution port's
// handshakes, the Erlang gate, the EPMD responder): at most `per_address` held for one address, and when
// all are taken the address holding the most gives up its oldest, so a flood from a few sources takes their
// share and no more, and a client from any other address always finds a slot.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>

namespace plugnode::runtime::net {

class address_budget {
public:
  address_budget(std::size_t total, std::size_t per_address) : total_(total), per_address_(per_address) {}

  // `address` holds all it may: refuse its next client.
  bool spent(const std::string& address) const {
    auto n = held_.find(address);
    return n != held_.end() && n->second >= per_address_;
  }
  // Every slot is taken: evict the oldest client of busiest() before adding one.
  bool full() const { return count_ >= total_; }
  const std::string& busiest() const {
    return std::max_element(held_.begin(), held_.end(),
                            [](const auto& a, const auto& b) { return a.second < b.second; })
        ->first;
  }
  void take(const std::string& address) {
    ++held_[address];
    ++count_;
  }
  void give_back(const std::string& address) {
    if (auto n = held_.find(address); n != held_.end()) {
      --count_;
      if (--n->second == 0)
        held_.erase(n);
    }
  }
  std::size_t total() const { return total_; }
  std::size_t per_address() const { return per_address_; }

private:
  std::size_t total_;
  std::size_t per_address_;
  std::size_t count_ = 0;
  std::map<std::string, std::size_t> held_;
};

} // namespace plugnode::runtime::net

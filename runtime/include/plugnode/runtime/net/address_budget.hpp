// address_budget: how a listener shares its bounded slots among client addresses (the distribution port's
// handshakes, the Erlang gate, the EPMD responder): at most `per_address` held for one address, and when
// all are taken the client to evict is chosen fairly: from the address holding the most, and among those the
// one that got least far and has waited longest since it last made progress. Never by the order of the
// address text, which would single out one address (before, any 127.0.0.x peer lost every tie against a
// flood), so a flood from many sources takes its share and no more, and a client from a fresh address always
// finds a slot.
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace plugnode::runtime::net {

class address_budget {
public:
  address_budget(std::size_t total, std::size_t per_address) : total_(total), per_address_(per_address) {}

  // `address` holds all it may: refuse its next client.
  bool spent(const std::string& address) const { return held(address) >= per_address_; }
  // Every slot is taken: evict a client (evictee) before adding one.
  bool full() const { return count_ >= total_; }
  std::size_t held(const std::string& address) const {
    auto n = held_.find(address);
    return n == held_.end() ? 0 : n->second;
  }
  // The client to evict among [first, last): one whose address holds the most slots; of those, the one with
  // the smallest `rank`, which the listener defines as any ordered key, e.g. when the client last made
  // progress (accepted, or last sent a byte), or a pair of how far it got and that time. `last` when the
  // range is empty.
  template <typename It, typename AddressOf, typename Rank>
  It evictee(It first, It last, AddressOf address_of, Rank rank) const {
    It pick = last;
    std::size_t pick_held = 0;
    for (It it = first; it != last; ++it) {
      auto n = held(address_of(*it));
      if (pick == last || n > pick_held || (n == pick_held && rank(*it) < rank(*pick))) {
        pick = it;
        pick_held = n;
      }
    }
    return pick;
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

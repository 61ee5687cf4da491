// plug: anything that takes a conn and transforms it (Plug's behaviour). A class with `call(conn&)` whose
// constructor takes its options (Plug's init), or a function/lambda `void(conn&)`; `plug` holds either
// behind one type. Plugs run on many threads at once: state they share must be thread-safe.
//
// Where a request runs: on the event loop that read it when every plug on its way says it never blocks, else
// on one of the endpoint's worker threads (the default). A plug that never blocks (no ask, no call to an
// actor, no sleep, no waiting I/O) says so by a member `bool blocks(const request_path&) const` returning
// false, or is wrapped in non_blocking(); one that says nothing is taken to block. Composite plugs (pipeline,
// router, error_handler) answer for the plugs a request would meet.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "plugnode/plugs/conn.hpp"

namespace plugnode::plugs {

// What a plug is asked before any plug runs, to say whether the request may meet a blocking plug: the
// request's method and its path's segments (those from `from` on: the earlier ones are the prefixes of the
// forwards it went through).
struct request_path {
  const std::string& method;
  const std::vector<std::string>& segments;
  std::size_t from = 0;
};

template <class P, class = void> struct says_whether_it_blocks : std::false_type {};
template <class P>
struct says_whether_it_blocks<
    P, std::void_t<decltype(std::declval<const P&>().blocks(std::declval<const request_path&>()))>>
    : std::true_type {};

class plug {
public:
  template <class P, class = std::enable_if_t<!std::is_same_v<std::decay_t<P>, plug>>>
  plug(P p) : impl_(std::make_shared<model<P>>(std::move(p))) {} // NOLINT: any plug converts implicitly

  void call(conn& c) const { impl_->call(c); }
  void operator()(conn& c) const { impl_->call(c); }
  // Whether this plug may block for such a request (see the top): true unless it says otherwise.
  bool blocks(const request_path& r) const { return impl_->blocks(r); }

private:
  struct concept_t {
    virtual ~concept_t() = default;
    virtual void call(conn& c) = 0;
    virtual bool blocks(const request_path& r) const = 0;
  };
  template <class P> struct model final : concept_t {
    explicit model(P p) : p_(std::move(p)) {}
    void call(conn& c) override {
      if constexpr (std::is_invocable_v<P&, conn&>)
        p_(c);
      else
        p_.call(c);
    }
    bool blocks(const request_path& r) const override {
      if constexpr (says_whether_it_blocks<P>::value)
        return p_.blocks(r);
      else
        return true;
    }
    P p_;
  };
  std::shared_ptr<concept_t> impl_;
};

// `p` marked as never blocking (see the top): its requests may run on the event loop. For a route's plug
// (`router.get("/hello", non_blocking(hello))`), or a plug of one's own that neither asks nor waits.
class non_blocking {
public:
  explicit non_blocking(plug p) : inner_(std::move(p)) {}
  void call(conn& c) const { inner_.call(c); }
  bool blocks(const request_path&) const { return false; }

private:
  plug inner_;
};

} // namespace plugnode::plugs

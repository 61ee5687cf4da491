// plug: anything that takes a conn and transforms it (Plug's behaviour). A class with `call(conn&)` whose
// constructor takes its options (Plug's init), or a function/lambda `void(conn&)`; `plug` holds either
// behind one type. Plugs run on many threads at once: state they share must be thread-safe.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "plugnode/plugs/conn.hpp"

namespace plugnode::plugs {

class plug {
public:
  template <class P, class = std::enable_if_t<!std::is_same_v<std::decay_t<P>, plug>>>
  plug(P p) : impl_(std::make_shared<model<P>>(std::move(p))) {} // NOLINT: any plug converts implicitly

  void call(conn& c) const { impl_->call(c); }
  void operator()(conn& c) const { impl_->call(c); }

private:
  struct concept_t {
    virtual ~concept_t() = default;
    virtual void call(conn& c) = 0;
  };
  template <class P> struct model final : concept_t {
    explicit model(P p) : p_(std::move(p)) {}
    void call(conn& c) override {
      if constexpr (std::is_invocable_v<P&, conn&>)
        p_(c);
      else
        p_.call(c);
    }
    P p_;
  };
  std::shared_ptr<concept_t> impl_;
};

} // namespace plugnode::plugs

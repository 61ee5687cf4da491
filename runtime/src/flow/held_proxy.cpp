// A remote handle whose plain sends are held by the outbound budget; see held_proxy.hpp.
#include "flow/held_proxy.hpp"

#include <thread>
#include <utility>

#include <caf/abstract_actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/detail/serialized_size.hpp>
#include <caf/io/basp/header.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/multiplexer.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/make_actor.hpp>

#include "flow/peer_directory.hpp"
#include "plugnode/runtime/dist_send.hpp"

namespace plugnode::runtime::detail {
namespace {

class held_proxy final : public caf::abstract_actor {
public:
  held_proxy(caf::actor_config& cfg, caf::strong_actor_ptr remote, budget_ptr budget,
             std::weak_ptr<const peer_directory> directory)
      : caf::abstract_actor(cfg), remote_(std::move(remote)), budget_(std::move(budget)),
        directory_(std::move(directory)) {}

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit* host) override {
    // What BASP will write for it, measured before the message is handed on (it moves the content).
    caf::detail::serialized_size_inspector size{home_system()};
    caf::message::save(size, what->content());
    auto bytes = caf::io::basp::header_size + size.result();
    remote_->get()->enqueue(std::move(what), host);
    auto charged = budget_->charge(bytes);
    if (charged.mark || charged.probe)
      if (auto directory = directory_.lock()) {
        auto route = directory->route_to(node());
        if (route.budget == budget_)
          request_confirmations(route.flow, budget_, route.agent, charged);
      }
    if (charged.full && std::this_thread::get_id() != home_system().middleman().backend().thread_id())
      budget_->wait_for_room();
  }

  // Monitors and links belong to the remote actor: they fire when CAF's proxy learns it is gone.
  void attach(caf::attachable_ptr ptr) override { remote_->get()->attach(std::move(ptr)); }
  size_t detach(const caf::attachable::token& what) override { return remote_->get()->detach(what); }
  void add_link(caf::abstract_actor* other) override { remote_->get()->add_link(other); }
  void remove_link(caf::abstract_actor* other) override { remote_->get()->remove_link(other); }
  bool add_backlink(caf::abstract_actor* other) override { return remote_->get()->add_backlink(other); }
  bool remove_backlink(caf::abstract_actor* other) override { return remote_->get()->remove_backlink(other); }

  const caf::strong_actor_ptr& remote() const { return remote_; }

private:
  caf::strong_actor_ptr remote_;
  budget_ptr budget_;
  std::weak_ptr<const peer_directory> directory_;
};

held_proxy* as_held(const caf::actor& x) {
  return x ? dynamic_cast<held_proxy*>(caf::actor_cast<caf::abstract_actor*>(x)) : nullptr;
}

} // namespace

caf::actor make_held_proxy(const caf::actor& remote, budget_ptr budget,
                           std::weak_ptr<const peer_directory> directory) {
  if (!remote || !budget || as_held(remote))
    return remote;
  auto& system = remote->home_system();
  caf::actor_config cfg;
  return caf::actor_cast<caf::actor>(caf::make_actor<held_proxy, caf::strong_actor_ptr>(
      remote.id(), remote.node(), &system, cfg, caf::actor_cast<caf::strong_actor_ptr>(remote),
      std::move(budget), std::move(directory)));
}

caf::actor unheld(const caf::actor& x) {
  auto held = as_held(x);
  return held ? caf::actor_cast<caf::actor>(held->remote()) : x;
}

} // namespace plugnode::runtime::detail

// bench_commands: the measuring half of test/bench/dist/run, inside cluster_test_node so the benchmark runs
// the same node code the tests do. Loops run in event-based actors (as Erlang's run in processes), not in a
// blocking scoped actor, so no thread wake-up sits in the measured round trip.
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor.hpp>

namespace plugnode::runtime {
class node;
}

namespace plugnode::bench {

// A registered actor that counts (std::uint64_t) messages and answers (caf::get_atom) with the count.
caf::actor spawn_sink(plugnode::runtime::node& n);
// The same on the middleman's I/O thread (a broker): separates BASP's per-message cost from the scheduler's
// wake-ups in the throughput figure.
caf::actor spawn_io_sink(plugnode::runtime::node& n);

// A sink that takes `micros` per message on the I/O thread: a receiving node that reads its connection no
// faster than that (the slow receiver of the load tests).
caf::actor spawn_slow_sink(plugnode::runtime::node& n, int micros);

// "connect_us N": the time of one connect through the agent, in microseconds.
std::string time_connect(plugnode::runtime::node& n, const std::string& target);

// "median_us p99_us" over `count` sequential runtime::ping calls (net_adm:ping: the peer's agent directly).
std::string time_pings(plugnode::runtime::node& n, const std::string& target, int count);

// "msgs_per_s delivered" for `count` one-way messages to {name, target} by plain sends, acknowledged every
// `window` (the handle is whereis's, held by the outbound budget).
std::string time_sends(plugnode::runtime::node& n, const std::string& name, const std::string& target,
                       int count, int window);

// "msgs_per_s delivered" for `count` one-way messages to {name, target} sent without waiting for any
// acknowledgement, through runtime::send (the outbound budget holds the sender, as Erlang suspends a
// process whose distribution buffer is busy); the rate is up to the sink's count of all of them.
std::string time_blast(plugnode::runtime::node& n, const std::string& name, const std::string& target,
                       std::uint64_t count);

} // namespace plugnode::bench

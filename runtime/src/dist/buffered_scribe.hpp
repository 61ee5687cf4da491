// buffered_scribe: CAF's TCP connection servant with one difference, for the BASP connections plugnode
// hands to CAF (basp_handoff.hpp): it reads the socket in 16 KB chunks and serves BASP's reads from them.
// BASP asks for exactly a 32-byte header and then exactly its payload, and CAF's own scribe passes each
// request to recv(), so every message cost two system calls on the receiving I/O thread (about 40 % of its
// time in a blast, docs/benchmarks.md); here one recv() carries hundreds of small messages. Writes are
// CAF's (they are already batched per event-loop turn).
#pragma once

#include <caf/io/network/native_socket.hpp>
#include <caf/io/scribe.hpp>

namespace caf::io::network {
class default_multiplexer;
}

namespace plugnode::runtime::detail {

caf::io::scribe_ptr make_buffered_scribe(caf::io::network::default_multiplexer& mpx,
                                         caf::io::network::native_socket fd);

} // namespace plugnode::runtime::detail

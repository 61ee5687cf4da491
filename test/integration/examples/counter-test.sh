#!/usr/bin/env bash
# counter-test.sh BUILD_DIR EXAMPLE_DIR: installs plugnode from BUILD_DIR to a temporary prefix, builds
# examples/counter against it with find_package, runs three counter nodes on 127.x.y.{1,2,3} with static
# discovery, adds to 20 keys through different nodes, and checks that every node answers every key the same
# (value and owner), that the owners' `counters` shell command lists each key once, that the values survive a
# graceful stop of a node and its coming back (the counters are sharded entities that hand their values
# over), and a graceful stop.
# Loopback traffic only; bounded: every wait has a deadline, ctest's timeout is 600 s.
set -uo pipefail
build=$(realpath "$1")
example=$(realpath "$2")
# shellcheck source=deploy/test-lib.sh
. "$(dirname "$0")/../../../deploy/test-lib.sh"
work=$(mktemp -d /tmp/plugnode-counter-test.XXXXXX)
declare -a pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

logged() { # logged NAME COMMAND...: COMMAND's output to $work/NAME.log, shown when it fails
  "${@:2}" >"$work/$1.log" 2>&1 || { tail -30 "$work/$1.log"; return 1; }
}
check "cmake --install the dev component to a temporary prefix" \
  logged install cmake --install "$build" --prefix "$work/prefix" --component dev
check "the example configures with find_package(plugnode 0.2)" \
  logged configure cmake -S "$example" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release
check "the example builds" logged build cmake --build "$work/build" -j"$(nproc)"
counter=$work/build/counter
[ -x "$counter" ] || { echo "counter-test: no binary, giving up"; exit 1; }
check "counter version names the service and plugnode" grep -q '^counter 1.0.0 (plugnode 0.2' <("$counter" version)
check "the example's own tests (plugnode's test kit, one node and two on loopback) pass" \
  logged counter_test "$work/build/counter_test" "$(free_port)" "$(free_port)"

net=127.$((RANDOM % 200 + 20)).$((RANDOM % 250))
http_port=$(free_port)
dist_port=$(free_port)
nodes=counter@$net.1,counter@$net.2,counter@$net.3
node_env() { # node_env I: the variables node I runs with, and a command reaching it uses
  echo PLUGNODE_NODE=counter@$net.$1 HTTP_PORT=$http_port PLUGNODE_HTTP_ADDR=$net.$1 \
    PLUGNODE_DIST_PORT=$dist_port PLUGNODE_COOKIE=counter-test PLUGNODE_DISCOVERY=static \
    PLUGNODE_STATIC_NODES=$nodes PLUGNODE_FAILURE_BOUND=3s
}
on() { local i=$1; shift; env $(node_env "$i") "$counter" "$@"; } # on I COMMAND...: counter run for node I
start_node() { on "$1" foreground >>"$work/node$1.log" 2>&1 & pids[$(($1 - 1))]=$!; }
for i in 1 2 3; do start_node "$i"; done
peers_of() { [ "$(on "$1" rpc nodes 2>/dev/null | grep -c '^counter@')" = 2 ]; }
for i in 1 2 3; do
  check "node $i is ready and sees both peers" until_true 30 peers_of "$i"
done

url() { echo "http://$net.$1:$http_port/count/$2"; }
keys=$(seq -f 'key-%g' 1 20)
k=0
for key in $keys; do
  k=$((k + 1))
  # Two adds through two different nodes: k, then 1.
  curl -fsS -X POST --data "$k" "$(url $((k % 3 + 1)) "$key")" >/dev/null || echo "POST $key failed"
  curl -fsS -X POST "$(url $(((k + 1) % 3 + 1)) "$key")" >/dev/null || echo "POST $key failed"
done
same_everywhere() { # same_everywhere [NODES]: every key's answer from each of NODES (default 1 2 3)
  local k=0 key answers expected
  for key in $keys; do
    k=$((k + 1))
    answers=$(for i in ${1:-1 2 3}; do curl -fsS "$(url "$i" "$key")" || echo "no answer from node $i"; done | sort -u)
    expected="$key $((k + 1)) "
    if [ "$(wc -l <<<"$answers")" != 1 ] || [[ "$answers" != "$expected"* ]]; then
      echo "$key: $answers (wanted one answer starting '$expected')"
      return 1
    fi
  done
}
check "every node answers every key the same, with the sum of both adds" same_everywhere
check "a body that is not an integer is refused with 400" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "$(url 1 key-1)")" = 400
check "the keys are spread over more than one owner" \
  test "$(for key in $keys; do curl -fsS "$(url 1 "$key")"; done | awk '{ print $3 }' | sort -u | wc -l)" -gt 1
owned=$(for i in 1 2 3; do on "$i" rpc counters; done | grep '^key-' | sort)
check "the owners' counters commands list each key once, with its value" \
  test "$(awk '{ print $1 }' <<<"$owned" | sort -u | wc -l)" = 20 -a "$(wc -l <<<"$owned")" = 20
check "the application's metric is on /metrics" \
  grep '^counter_adds_total [1-9]' <(curl -fsS "http://$net.1:$http_port/metrics") >/dev/null
check "the shell's groups command shows node 1's counters group" grep -q '^counters [0-9]' <(on 1 rpc groups)
check "the shell's entities command shows the counter type on each of the 3 nodes" \
  test "$(on 1 rpc entities | grep -c '^counter active=[0-9]* hosts=3 .* node=counter@')" = 3
check "/metrics has the entity metrics" \
  grep -q '^plugnode_entities_active{type="counter"}' <(curl -fsS "http://$net.1:$http_port/metrics")

# A graceful stop hands node 3's counters to their next owners before it leaves; when it comes back it
# takes its keys over again, values included, on their next use.
on 3 stop >/dev/null
until_true 10 bash -c "! kill -0 ${pids[2]} 2>/dev/null"
wait "${pids[2]}"
check "node 3 stops gracefully (exit 0)" test $? = 0
check "after node 3's graceful stop, nodes 1 and 2 answer every key with its value" same_everywhere "1 2"
check "no key answers from node 3" test "$(for key in $keys; do curl -fsS "$(url 1 "$key")"; done | grep -c "@$net.3")" = 0
start_node 3
hosts_on() { on "$1" rpc entities 2>/dev/null | grep -q "^counter active=[0-9]* hosts=3 .* node=counter@$net.$1\$"; }
for i in 1 2 3; do
  check "node $i sees both peers again" until_true 30 peers_of "$i"
  # Until every node knows node 3 hosts counters again, a read through a node that does not yet goes to
  # the key's previous owner (with the same value; the owner in the answer would differ).
  check "node $i knows the counter's 3 hosts" until_true 10 hosts_on "$i"
done
check "with node 3 back, every node answers every key with its value" same_everywhere
check "node 3 holds some of the keys again" test "$(on 3 rpc counters | grep -c '^key-')" -gt 0

for i in 1 2 3; do on "$i" stop >/dev/null; done
for i in 1 2 3; do
  pid=${pids[$((i - 1))]}
  until_true 10 bash -c "! kill -0 $pid 2>/dev/null"
  wait "$pid"
  check "node $i stops gracefully (exit 0)" test $? = 0
done
pids=()
[ "$failures" -eq 0 ] || { for i in 1 2 3; do echo "--- node $i"; tail -5 "$work/node$i.log"; done; }
echo "counter test: $passes passed, $failures failed"
exit $((failures > 0))

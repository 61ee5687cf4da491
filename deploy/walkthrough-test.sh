#!/usr/bin/env bash
# walkthrough-test.sh [PLUGNODE_BINARY]: the Elixir starter's README walkthrough, replayed on one machine
# against real plugnode processes. Four "pods" plugnode-0..3 of a StatefulSet behind the headless Service
# plugnode.default.svc.cluster.local: each a process in its own UTS and mount namespace (`unshare`) with
# the /etc/hosts and /etc/resolv.conf Kubernetes would give it (so `hostname -f` is the pod's FQDN), its
# own loopback address 127.0.0.1x and the same ports as the others; one dnsmasq on 127.53.x.y:53 plays
# the cluster DNS (SRV in both forms, A records, the wildcard). Then, as an operator would: hostname -f,
# dig SRV, nslookup, remote_console with Node.connect / Node.list / Node.ping, kill a pod, restart it,
# scale to 5, and curl /, /cluster and /metrics on every pod. Prints one ok/FAIL line per step.
# Needs root (namespaces, port 53 on a loopback address), dnsmasq, dig, nslookup, curl, openssl.
# Loopback traffic only. About 10 s; ctest runs it (labels deploy, e2e, slow; docs/operations.md).
set -uo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-${PLUGNODE_BINARY:-build/app/plugnode}}")
[ -x "$binary" ] || { echo "walkthrough: no plugnode binary at $binary"; exit 2; }
# Exit 77 (ctest: skipped) where it cannot run, rather than failing.
[ "$(id -u)" -eq 0 ] || { echo "walkthrough: skipped, needs root (unshare, port 53)"; exit 77; }
for tool in unshare nsenter dnsmasq dig nslookup curl openssl ss; do
  command -v "$tool" >/dev/null || { echo "walkthrough: skipped, $tool is missing"; exit 77; }
done

# shellcheck source=deploy/test-lib.sh
. deploy/test-lib.sh
service=plugnode
subdomain=$service.default.svc.cluster.local
# The cluster DNS listens on port 53 (resolv.conf cannot name another) of a loopback address of its own,
# picked at random so that two runs at once do not collide.
dns_ip=
for _ in $(seq 20); do
  candidate=127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 2))
  ss -Hlun "src $candidate:53" | grep -q . || { dns_ip=$candidate; break; }
done
[ -n "$dns_ip" ] || { echo "walkthrough: no free loopback address for the DNS server"; exit 1; }
work=$(mktemp -d /tmp/plugnode-walkthrough.XXXXXX)
declare -A pod_pid
http_port=$(free_port)
dist_port=$(free_port)
ip_of() { echo "127.0.0.$((10 + $1))"; }
fqdn_of() { echo "$service-$1.$subdomain"; }
node_of() { echo "plugnode@$(fqdn_of "$1")"; }

cleanup() {
  for pid in "${pod_pid[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in "${pod_pid[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  [ -f "$work/dnsmasq.pid" ] && kill "$(cat "$work/dnsmasq.pid")" 2>/dev/null
  wait 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # so that a ctest timeout still runs cleanup

# ---- the cluster DNS: what CoreDNS answers for a headless Service with N ready-or-not pods ----
start_dns() { # start_dns N
  local n=$1 i
  {
    echo "port=53"
    echo "listen-address=$dns_ip"
    echo "bind-interfaces"
    echo "no-resolv"
    echo "no-hosts"
    echo "local=/cluster.local/" # NXDOMAIN for other names there, as CoreDNS says, so search lists go on
    echo "pid-file=$work/dnsmasq.pid"
    for ((i = 0; i < n; i++)); do
      echo "host-record=$(fqdn_of "$i"),$(ip_of "$i")"
      echo "host-record=$subdomain,$(ip_of "$i")"
      echo "srv-host=_dist._tcp.$subdomain,$(fqdn_of "$i"),$dist_port,0,100"
      echo "srv-host=_http._tcp.$subdomain,$(fqdn_of "$i"),$http_port,0,100"
      echo "srv-host=$subdomain,$(fqdn_of "$i"),0,0,100"
      echo "srv-host=*.$subdomain,$(fqdn_of "$i"),0,0,100"
    done
  } >"$work/dnsmasq.conf"
  if [ -f "$work/dnsmasq.pid" ]; then
    kill "$(cat "$work/dnsmasq.pid")" 2>/dev/null
    until_true 5 sh -c "! kill -0 $(cat "$work/dnsmasq.pid") 2>/dev/null"
  fi
  dnsmasq --conf-file="$work/dnsmasq.conf" --log-facility="$work/dnsmasq.log"
  until_true 5 test -s "$work/dnsmasq.pid"
}

# ---- a pod: its own host name, /etc/hosts and resolv.conf as the kubelet writes them ----
printf 'nameserver %s\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n' \
  "$dns_ip" >"$work/resolv.conf"
openssl rand -base64 48 | tr -d '\n' >"$work/cookie"
pod_env() { # the StatefulSet's environment for pod I
  echo PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
  echo HTTP_PORT="$http_port" PLUGNODE_HTTP_ADDR="$(ip_of "$1")" PLUGNODE_DIST_PORT="$dist_port"
  echo PLUGNODE_DISCOVERY=k8s-srv PLUGNODE_SERVICE=$service PLUGNODE_NAMESPACE=default PLUGNODE_PORT_NAME=dist
  echo PLUGNODE_COOKIE_FILE="$work/cookie" PLUGNODE_POLL_INTERVAL=1s LOG_LEVEL=info
}
start_pod() { # start_pod I
  local i=$1
  printf '127.0.0.1\tlocalhost\n%s\t%s\t%s-%s\n' "$(ip_of "$i")" "$(fqdn_of "$i")" "$service" "$i" >"$work/hosts.$i"
  # shellcheck disable=SC2046
  env -i $(pod_env "$i") unshare --uts --mount --propagation private sh -c '
    hostname "$1" && mount --bind "$2/hosts.$3" /etc/hosts && mount --bind "$2/resolv.conf" /etc/resolv.conf &&
    exec "$4" foreground' sh "$service-$i" "$work" "$i" "$binary" >>"$work/pod-$i.log" 2>&1 &
  pod_pid[$i]=$!
}
in_pod() { # in_pod I COMMAND...: kubectl exec plugnode-I -- COMMAND
  local i=$1
  shift
  # shellcheck disable=SC2046
  nsenter --target "${pod_pid[$i]}" --uts --mount --root --wd -- env -i $(pod_env "$i") "$@"
}
http() { curl -fsS --max-time 2 "http://$(ip_of "$1"):$http_port$2"; }
rpc() { in_pod "$1" "$binary" rpc "$2" 2>&1; }

nodes_of() { rpc "$1" "Node.list" | tr -c 'A-Za-z0-9@.:_-' '\n' | grep -E '^:?plugnode@' | tr -d ':' | sort; }
others_of() { # the nodes pod I should list when pods 0..N-1 run
  local i=$1 n=$2 j
  for ((j = 0; j < n; j++)); do [ "$j" -ne "$i" ] && node_of "$j"; done | sort
}
lists_exactly() { [ "$(nodes_of "$1")" = "$(others_of "$1" "$2")" ]; }
all_list_exactly() { # every pod of 0..N-1 lists the others
  local n=$1 i
  for ((i = 0; i < n; i++)); do lists_exactly "$i" "$n" || return 1; done
}
names_all() { # names_all TEXT NAME...: TEXT mentions every NAME
  local text=$1 name
  shift
  for name in "$@"; do grep -qF "$name" <<<"$text" || return 1; done
}
lacks() { ! nodes_of "$1" | grep -qx "$2"; }
has() { nodes_of "$1" | grep -qx "$2"; }

echo "walkthrough: $binary, HTTP :$http_port, distribution :$dist_port, DNS $dns_ip:53, work dir $work"
start_dns 4
for i in 0 1 2 3; do start_pod "$i"; done
all_ready() { local i; for i in 0 1 2 3; do http "$i" /readyz >/dev/null 2>&1 || return 1; done; }
check "four pods serve and report ready (/readyz) within 30 s" until_true 30 all_ready

# kubectl exec -ti plugnode-0 -- sh; hostname -f
check "hostname -f in plugnode-0 is $(fqdn_of 0)" test "$(in_pod 0 hostname -f)" = "$(fqdn_of 0)"
# dig SRV, both forms, through the pod's resolv.conf
srv_targets() { in_pod 0 dig +short +search SRV "$1" | awk '{ print $4 }' | sort -u | wc -l; }
check "dig SRV _dist._tcp.$subdomain: 4 pods" test "$(srv_targets "_dist._tcp.$subdomain")" = 4
check "dig SRV $subdomain (bare, libcluster's form): 4 pods" test "$(srv_targets "$subdomain")" = 4
check "dig SRV *.$subdomain (the wildcard): 4 pods" test "$(srv_targets "*.$subdomain")" = 4
check "dig SRV port of _dist._tcp is the distribution port" \
  grep -q " $dist_port $(fqdn_of 1)." <(in_pod 0 dig +short SRV "_dist._tcp.$subdomain")
check "nslookup $service (search list) gives the 4 pod addresses" \
  test "$(in_pod 0 nslookup "$service" | grep -c '^Address: 127\.0\.0\.1[0-3]$')" = 4

# kubectl exec -ti plugnode-0 -- plugnode remote_console
printf '%s\n' "nslookup $subdomain srv" "Node.connect(:\"$(node_of 1)\")" "Node.list" \
  "Node.ping(:\"$(node_of 2)\")" "quit" >"$work/console.in"
in_pod 0 "$binary" remote_console <"$work/console.in" >"$work/console.out" 2>&1
console_status=$?
sed 's/^/    console| /' "$work/console.out"
check "remote_console attaches and quits cleanly (exit 0)" test "$console_status" = 0
check "remote_console: nslookup of the Service lists the pods" grep -q "$(fqdn_of 3)" "$work/console.out"
check "remote_console: Node.connect(:\"$(node_of 1)\") is true" grep -qx '.*true' "$work/console.out"
check "remote_console: Node.list names the three others" \
  names_all "$(grep -F '[' "$work/console.out")" "$(node_of 1)" "$(node_of 2)" "$(node_of 3)"
check "remote_console: Node.ping(:\"$(node_of 2)\") is :pong" grep -q ':pong' "$work/console.out"
check "every pod lists exactly the three others" until_true 15 all_list_exactly 4

# kubectl delete pod plugnode-3 (a crash: SIGKILL, no goodbye), then the StatefulSet brings it back
listed=no
has 0 "$(node_of 3)" && listed=yes
check "plugnode-3 is in plugnode-0's Node.list before the kill" test $listed = yes
kill -KILL "${pod_pid[3]}"
wait "${pod_pid[3]}" 2>/dev/null
t=$SECONDS
gone() { [ $listed = yes ] && until_true 10 lacks 0 "$(node_of 3)"; } # gone only counts if it was there
check "kill plugnode-3: gone from plugnode-0's Node.list within 10 s" gone
echo "     (after $((SECONDS - t)) s)"
start_pod 3
t=$SECONDS
check "restart plugnode-3: back in plugnode-0's Node.list within 15 s" until_true 15 has 0 "$(node_of 3)"
echo "     (after $((SECONDS - t)) s)"

# kubectl scale statefulset plugnode --replicas=5
start_dns 5
start_pod 4
t=$SECONDS
check "scale to 5: plugnode-4 joins, every pod lists the four others within 20 s" until_true 20 all_list_exactly 5
echo "     (after $((SECONDS - t)) s)"

for i in 0 1 2 3 4; do
  check "plugnode-$i: GET / says hello" grep -q "Hello" <(http "$i" /)
  cluster=$(http "$i" /cluster)
  check "plugnode-$i: GET /cluster names the four others" names_all "$cluster" $(others_of "$i" 5)
  check "plugnode-$i: GET /metrics is Prometheus text" grep -q '^# TYPE' <(http "$i" /metrics)
done

if [ "$failures" -gt 0 ]; then
  for i in 0 1 2 3 4; do
    [ -f "$work/pod-$i.log" ] && { echo "--- pod-$i.log (tail)"; tail -15 "$work/pod-$i.log"; }
  done
fi
echo "walkthrough: $passes passed, $failures failed"
exit $((failures > 0))

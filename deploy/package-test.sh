#!/usr/bin/env bash
# package-test.sh [DEB_DIR]: the Debian packages of `./plugnode.sh package` on a bare Debian bookworm. A
# debootstrap --variant=minbase root is made once and kept unchanged (/srv/chroot/plugnode-bare-bookworm);
# each run works on an overlay of it: apt-get installs ./plugnode_*.deb and ./plugnode-dev_*.deb there (their
# dependencies come from Debian's archive, as on a user's machine), then:
#   - plugnode: `plugnode version`, the unit and /etc/default/plugnode (0600), the docs and every docs/...
#     they mention, `plugnode foreground` serving GET / on a loopback address, SIGTERM for the graceful stop;
#   - plugnode-dev: the libraries in the multiarch directory, the public headers only, no Erlang package,
#     `pkg-config plugnode` and a program built with its flags alone;
#   - a service of one's own: examples/counter, copied from /usr/share/doc/plugnode-dev/examples out of any
#     source tree, built with plugnode_add_service, its .deb made with cpack and installed, then run from its
#     unit's ExecStart with the unit's settings that can run without systemd (a user of its own, no new
#     privileges, no capabilities, UMask 0077, the cookie as a credential in $CREDENTIALS_DIRECTORY,
#     Type=notify's READY=1 and STOPPING=1 on a NOTIFY_SOCKET), serving its counters, stopped by SIGTERM.
#     The seccomp filter, the namespaces and the read-only file system need systemd as PID 1: the
#     unit's score is checked by `systemd-analyze security --offline` here, as ctest does for plugnode's.
# Prints one ok/FAIL line per step.
# Needs root, debootstrap and python3 (the notify socket's listener; both installed when missing) and Debian's
# archive. Not part of ctest (minutes: debootstrap the first time, compiling the example every time):
# .ci/run runs it after the suite (docs/operations.md, "The package test").
set -uo pipefail
cd "$(dirname "$0")/.."
debs=$(realpath "${1:-build/packages}")
pristine=${PLUGNODE_BARE_ROOT:-/srv/chroot/plugnode-bare-bookworm}
[ "$(id -u)" -eq 0 ] || { echo "package-test: needs root (debootstrap, chroot, mount)"; exit 2; }
deb=$(ls "$debs"/plugnode_*_amd64.deb 2>/dev/null | tail -1)
dev_deb=$(ls "$debs"/plugnode-dev_*_amd64.deb 2>/dev/null | tail -1)
[ -n "$deb" ] && [ -n "$dev_deb" ] ||
  { echo "package-test: no plugnode_*.deb and plugnode-dev_*.deb in $debs (./plugnode.sh package makes them)"; exit 2; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
command -v python3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 >/dev/null

# shellcheck source=deploy/test-lib.sh
. deploy/test-lib.sh
step() { printf '==> %s\n' "$*"; }
if [ ! -x "$pristine/bin/bash" ]; then
  step "debootstrap --variant=minbase bookworm $pristine (once)"
  debootstrap --variant=minbase bookworm "$pristine" http://deb.debian.org/debian >/dev/null ||
    { echo "package-test: debootstrap failed"; exit 1; }
fi
work=$(mktemp -d /tmp/plugnode-package-test.XXXXXX)
root=$work/root
node_pid=
listener_pid=
cleanup() {
  [ -n "$node_pid" ] && kill -KILL "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
  [ -n "$listener_pid" ] && kill -KILL "$listener_pid" 2>/dev/null && wait "$listener_pid" 2>/dev/null
  umount -R "$root/dev" "$root/proc" 2>/dev/null
  umount "$root" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$root" "$work/upper" "$work/overlay-work"
mount -t overlay overlay -o "lowerdir=$pristine,upperdir=$work/upper,workdir=$work/overlay-work" "$root" ||
  { echo "package-test: cannot mount an overlay of $pristine"; exit 1; }
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The host's Debian sources (bookworm, its updates and security), so the libraries match what the binary
# was linked against.
[ -f /etc/apt/sources.list.d/debian.sources ] && cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
cp "$deb" "$dev_deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
apt_install() { # apt_install LOG PACKAGE...: apt-get install in the root, the log's tail on failure
  local log=$work/$1.log
  shift
  in_root bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq --no-install-recommends $*" \
    >"$log" 2>&1 || { tail -20 "$log"; return 1; }
}

step "apt-get install ./$(basename "$deb") on the bare root"
check "apt-get update in the root" bash -c "chroot '$root' apt-get update -qq >'$work/update.log' 2>&1"
check "the package installs with its dependencies from Debian's archive" apt_install apt "/tmp/$(basename "$deb")"
check "plugnode version" grep -q '^plugnode [0-9]' <(in_root plugnode version)
check "the systemd unit and /etc/default/plugnode are in place" \
  test -f "$root/lib/systemd/system/plugnode.service" -a -f "$root/etc/default/plugnode"
check "/etc/default/plugnode, where the cookie goes, is root's alone (0600)" \
  test "$(stat -c %a "$root/etc/default/plugnode")" = 600
check "the docs are in place" test -f "$root/usr/share/doc/plugnode/README.md"
# The docs mention each other as docs/NAME.md, from the checkout's top: each resolves in the installed tree.
for link in $(cat "$root"/usr/share/doc/plugnode/README.md "$root"/usr/share/doc/plugnode/docs/*.md |
  grep -o 'docs/[a-z_-]*\.md' | sort -u); do
  check "the docs' mention of $link resolves" test -f "$root/usr/share/doc/plugnode/$link"
done

address=127.0.0.1
port=$(free_port)
# chroot itself in the background (not a function): the pid is the node's, since chroot and env exec.
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HTTP_PORT="$port" PLUGNODE_HTTP_ADDR=$address \
  PLUGNODE_NODE=plugnode@localhost PLUGNODE_DIST_PORT="$(free_port)" plugnode foreground >"$work/node.log" 2>&1 &
node_pid=$!
check "plugnode foreground serves GET /" until_true 20 \
  bash -c "curl -fsS http://$address:$port/ 2>/dev/null | grep -q 'Hello, World!'"
kill -TERM "$node_pid"
wait "$node_pid"
check "SIGTERM stops it gracefully (exit 0)" test $? = 0
node_pid=
[ "$failures" -eq 0 ] || tail -5 "$work/node.log"

step "apt-get install ./$(basename "$dev_deb"), a compiler, and what cpack needs (dpkg-dev, file)"
check "plugnode-dev installs with its dependencies from Debian's archive" \
  apt_install apt-dev "/tmp/$(basename "$dev_deb")" g++ make cmake dpkg-dev file
libdir=/usr/lib/x86_64-linux-gnu
check "the five static libraries are in the multiarch directory $libdir" \
  test "$(ls "$root$libdir"/libplugnode_*.a | wc -l)" = 5
check "and none in /usr/lib" bash -c "! ls '$root'/usr/lib/libplugnode* 2>/dev/null | grep -q ."
check "the CMake package is in $libdir/cmake/plugnode" test -f "$root$libdir/cmake/plugnode/plugnodeConfig.cmake"
for internal in app/greeter.hpp app/hello_routes.hpp app/node_main.hpp app/shell_service.hpp \
  erlang/term_codec.hpp erlang/side.hpp plugs/endpoint.hpp plugs/request_parser.hpp runtime/handshake.hpp \
  runtime/cookie.hpp runtime/net/sockets.hpp discovery/dns_client.hpp; do
  check "the internal header plugnode/$internal is not installed" test ! -e "$root/usr/include/plugnode/$internal"
done
check "the public API is installed (service.hpp, testing.hpp, json.hpp, groups.hpp, erlang/call.hpp)" \
  bash -c "cd '$root/usr/include/plugnode' && test -f app/service.hpp -a -f app/testing.hpp -a -f plugs/json.hpp \
    -a -f runtime/groups.hpp -a -f erlang/call.hpp"
no_erlang() { ! in_root dpkg-query -W -f='${Status}\n' erlang-base erlang-dev 2>/dev/null | grep -q 'ok installed'; }
check "no Erlang package came along (erlang-base, erlang-dev)" no_erlang
check "pkg-config plugnode says 0.2.0" test "$(in_root pkg-config --modversion plugnode)" = 0.2.0
check "pkg-config --libs plugnode names the libraries from the multiarch directory" \
  grep -q -- "-lplugnode_app .*-lplugnode_runtime" <(in_root pkg-config --libs plugnode)
check "the examples are in /usr/share/doc/plugnode-dev/examples, where the guide says" \
  test -f "$root/usr/share/doc/plugnode-dev/examples/counter/CMakeLists.txt" \
  -a -n "$(grep -l 'usr/share/doc/plugnode-dev/examples/counter' "$root/usr/share/doc/plugnode/docs/guide.md")"

# A program built with pkg-config's flags alone (no CMake), in a directory of its own.
mkdir -p "$root/tmp/hello"
cp test/integration/examples/hello_service.cpp "$root/tmp/hello/"
check "a service builds with \$(pkg-config --cflags --libs plugnode) and runs" bash -c \
  "chroot '$root' bash -c 'cd /tmp/hello && g++ -std=c++17 -O1 hello_service.cpp -o hello \$(pkg-config --cflags --libs plugnode)' \
   >'$work/hello.log' 2>&1 || { tail -20 '$work/hello.log'; exit 1; }
   chroot '$root' /tmp/hello/hello version | grep -q '^hello '"

step "examples/counter from the installed package: plugnode_add_service, cpack, apt-get install"
in_root cp -r /usr/share/doc/plugnode-dev/examples/counter /tmp/counter
build_counter() {
  in_root bash -c 'cmake -S /tmp/counter -B /tmp/counter-build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF &&
    cmake --build /tmp/counter-build -j"$(nproc)" && cd /tmp/counter-build && cpack' >"$work/counter.log" 2>&1 ||
    { tail -30 "$work/counter.log"; return 1; }
}
check "counter configures, builds and packages from the installed plugnode-dev (find_package, plugnode_add_service)" \
  build_counter
counter_deb=$(ls "$root"/tmp/counter-build/counter_*_amd64.deb 2>/dev/null | tail -1)
check "cpack made counter_1.0.0_amd64.deb" test "$(basename "${counter_deb:-none}")" = counter_1.0.0_amd64.deb
check "counter's .deb installs" apt_install apt-counter "/tmp/counter-build/$(basename "${counter_deb:-none}")"
unit=$root/lib/systemd/system/counter.service
check "counter's unit and /etc/default/counter (0600) are in place" \
  test -f "$unit" -a "$(stat -c %a "$root/etc/default/counter" 2>/dev/null)" = 600
check "counter's unit is plugnode's: Type=notify, the cookie credential, EnvironmentFile" \
  grep -qz 'Type=notify.*EnvironmentFile=-/etc/default/counter.*LoadCredential=cookie:counter-cookie' "$unit"
if command -v systemd-analyze >/dev/null; then
  check "counter's unit scores below 4 in systemd-analyze security" bash -c \
    "systemd-analyze security --offline=true --threshold=40 '$unit' >'$work/security.log' 2>&1 ||
     { tail -2 '$work/security.log'; exit 1; }"
fi

# The unit's settings that run without systemd: its ExecStart, as a user of its own with no new privileges
# and no capabilities, UMask 0077, /etc/default/counter, the cookie as a credential only that user reads, and
# a notify socket (a listener on the host, seen as /run/notify in the root).
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
check "the unit's ExecStart runs the installed program" test "$exec_start" = "/usr/bin/counter foreground"
uid=61234
mkdir -p "$root/run/credentials/counter.service"
printf 'package-test-cookie\n' >"$root/run/credentials/counter.service/cookie"
chown -R $uid:$uid "$root/run/credentials/counter.service"
chmod 0500 "$root/run/credentials/counter.service"
chmod 0400 "$root/run/credentials/counter.service/cookie"
python3 -c '
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)
with open(out, "a") as f:
    while True:
        f.write(s.recv(4096).decode() + "\n---\n")
        f.flush()
' "$root/run/notify" "$work/notify.log" &
listener_pid=$!
until_true 5 test -S "$root/run/notify"
port=$(free_port)
dist_port=$(free_port)
# A command in the root with the unit's settings, as ExecStart runs it; chroot, sh, setpriv and env each exec
# the next, so a process started with it keeps its pid.
hardened=(chroot "$root" /bin/sh -c 'umask 0077; set -a; . /etc/default/counter; exec "$@"' sh
  setpriv --reuid=$uid --regid=$uid --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all
  /usr/bin/env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY=/run/credentials/counter.service
  NOTIFY_SOCKET=/run/notify HTTP_PORT="$port" PLUGNODE_HTTP_ADDR=$address PLUGNODE_NODE=counter@localhost
  PLUGNODE_DIST_PORT="$dist_port")
check "counter describe takes the cookie from the credential" \
  grep -q 'cookie.*systemd credential /run/credentials/counter.service/cookie' <("${hardened[@]}" /usr/bin/counter describe)
# shellcheck disable=SC2086 # ExecStart is a command line
"${hardened[@]}" $exec_start >"$work/counter-node.log" 2>&1 &
node_pid=$!
check "under the unit's settings counter tells systemd READY=1" until_true 20 grep -q '^READY=1' "$work/notify.log"
check "and its HTTP port answers at once (READY=1 comes after the listen)" \
  curl -fsS -o /dev/null "http://$address:$port/healthz"
check "it runs as the unit's user, with no capabilities and no new privileges" \
  grep -qz "Uid:.$uid.*CapEff:.0000000000000000.*NoNewPrivs:.1" "/proc/$node_pid/status"
check "a counter adds and reads back" bash -c \
  "curl -fsS -X POST --data 5 http://$address:$port/count/k >/dev/null &&
   curl -fsS http://$address:$port/count/k | grep -q '^k 5 '"
kill -TERM "$node_pid"
wait "$node_pid"
check "SIGTERM stops counter gracefully (exit 0)" test $? = 0
node_pid=
check "and it told systemd STOPPING=1 first" grep -q '^STOPPING=1' "$work/notify.log"
[ "$failures" -eq 0 ] || { tail -5 "$work/counter-node.log"; cat "$work/notify.log"; }
echo "package test: $passes passed, $failures failed"
exit $((failures > 0))

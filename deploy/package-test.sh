#!/usr/bin/env bash
# package-test.sh [DEB_DIR]: the Debian packages of `./plugnode.sh package` on a bare Debian bookworm. A
# debootstrap --variant=minbase root is made once and kept unchanged (/srv/chroot/plugnode-bare-bookworm);
# each run works on an overlay of it: apt-get installs ./plugnode_*.deb there (its shared libraries come from
# Debian's archive, as on a user's machine), then `plugnode version`, `plugnode foreground` serving GET / on
# a loopback address, and SIGTERM for the graceful stop. Prints one ok/FAIL line per step.
# Needs root, debootstrap (installed when missing) and Debian's archive. Not part of ctest (minutes the first
# time, for debootstrap): .ci/run runs it after the suite (docs/operations.md, "The package test").
set -uo pipefail
cd "$(dirname "$0")/.."
debs=$(realpath "${1:-build/packages}")
pristine=${PLUGNODE_BARE_ROOT:-/srv/chroot/plugnode-bare-bookworm}
[ "$(id -u)" -eq 0 ] || { echo "package-test: needs root (debootstrap, chroot, mount)"; exit 2; }
deb=$(ls "$debs"/plugnode_*_amd64.deb 2>/dev/null | tail -1)
[ -n "$deb" ] || { echo "package-test: no plugnode_*.deb in $debs (./plugnode.sh package makes it)"; exit 2; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null

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
cleanup() {
  [ -n "$node_pid" ] && kill -KILL "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
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
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

step "apt-get install ./$(basename "$deb") on the bare root"
check "the package installs with its dependencies from Debian's archive" bash -c \
  "chroot '$root' /bin/bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
   apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")' >'$work/apt.log' 2>&1 ||
   { tail -20 '$work/apt.log'; exit 1; }"
check "plugnode version" grep -q '^plugnode [0-9]' <(in_root plugnode version)
check "the systemd unit and /etc/default/plugnode are in place" \
  test -f "$root/lib/systemd/system/plugnode.service" -a -f "$root/etc/default/plugnode"
check "/etc/default/plugnode, where the cookie goes, is root's alone (0600)" \
  test "$(stat -c %a "$root/etc/default/plugnode")" = 600
check "the docs are in place" test -f "$root/usr/share/doc/plugnode/README.md"
# README.md's links (docs/guide.md ...) resolve in the installed tree as in the checkout.
for link in $(grep -o 'docs/[a-z_-]*\.md' "$root/usr/share/doc/plugnode/README.md" | sort -u); do
  check "README.md's link $link resolves" test -f "$root/usr/share/doc/plugnode/$link"
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
echo "package test: $passes passed, $failures failed"
exit $((failures > 0))

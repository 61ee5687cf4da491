#!/usr/bin/env bash
# guide-test.sh BUILD_DIR GUIDE: runs docs/guide.md as its reader would, so the guide cannot rot. Every
# ```sh run block runs, in order, in one bash -e session (HOME is a scratch directory holding
# plugnode/build -> BUILD_DIR, as a checkout would); every ```<lang> file=NAME block is written to NAME in the
# directory the session is in at that point; every line of every ```text output block must appear in what
# the session printed. Only the loopback network 127.0.0.x and the HTTP port 4000 are mapped to free ones
# (and the distribution port, through PLUGNODE_DIST_PORT), so runs at once do not collide.
# Loopback traffic only; bounded: the session gets 300 s, then its process group is killed.
set -uo pipefail
build=$(realpath "$1")
guide=$(realpath "$2")
# shellcheck source=deploy/test-lib.sh
. "$(dirname "$0")/../../../deploy/test-lib.sh"
work=$(mktemp -d /tmp/plugnode-guide-test.XXXXXX)
session=
cleanup() {
  [ -n "$session" ] && kill -KILL -- "-$session" 2>/dev/null
  wait 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$work/plugnode"
ln -s "$build" "$work/plugnode/build"

net=127.$((RANDOM % 200 + 20)).$((RANDOM % 250))
http_port=$(free_port)
dist_port=$(free_port)
map() { sed -e "s/127\.0\.0\./$net./g" -e "s/:4000\b/:$http_port/g"; }

# The guide as a script, and the outputs it promises.
awk -v expected="$work/expected.txt" '
  mode == "" && /^```sh run$/ { mode = "run"; next }
  mode == "" && /^```[a-z]+ file=/ { mode = "file"; sub(/^```[a-z]+ file=/, ""); print "cat > " $0 " <<'\''GUIDE_EOF'\''"; next }
  mode == "" && /^```text output$/ { mode = "output"; next }
  mode != "" && /^```$/ { if (mode == "file") print "GUIDE_EOF"; mode = ""; next }
  mode == "run" || mode == "file" { print }
  mode == "output" { print > expected }
' "$guide" | map >"$work/guide.sh"
map <"$work/expected.txt" >"$work/expected.mapped"
check "the guide has commands, files and outputs to check" \
  test "$(grep -c 'GUIDE_EOF' "$work/guide.sh")" -ge 4 -a -s "$work/expected.mapped"

cd "$work"
HOME=$work HTTP_PORT=$http_port PLUGNODE_DIST_PORT=$dist_port setsid bash -e "$work/guide.sh" \
  >"$work/output.txt" 2>&1 </dev/null &
session=$!
until_true 300 bash -c "! kill -0 $session 2>/dev/null"
wait "$session"
rc=$?
check "every command of the guide runs (exit 0, within 300 s)" test "$rc" = 0
session_left=$session
session=
while IFS= read -r line; do
  [ -n "$line" ] && check "output: $line" grep -qF -- "$line" "$work/output.txt"
done <"$work/expected.mapped"
check "the guide's nodes are gone after its last step" \
  bash -c "! pgrep -g $session_left >/dev/null"
[ "$failures" -eq 0 ] || { echo "--- the guide's session printed:"; tail -40 "$work/output.txt"; }
echo "guide test: $passes passed, $failures failed"
exit $((failures > 0))

#!/usr/bin/env bash
# container-test.sh: build the plugnode image from the real Dockerfile with podman, run it the way the
# StatefulSet does (non-root, read-only root filesystem), ask it over HTTP, stop it with SIGTERM; then run
# the offline deploy checks on a fresh Debian bookworm (its nodejs 18 and npm 9). Prints the image size
# and the timings. Needs root, podman, buildah, runc and debootstrap (docs/operations.md, "The container test").
# Traffic: loopback only, plus Debian's archive for packages. Not part of ctest: it takes minutes.
#   deploy/container-test.sh                 build context: this work tree
#   PLUGNODE_CONTEXT=DIR deploy/container-test.sh   another context (e.g. a `git archive` export)
#   PLUGNODE_NO_BUILD=1 PLUGNODE_IMAGE=NAME deploy/container-test.sh   test an image built before
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
context=${PLUGNODE_CONTEXT:-$repo}
image=${PLUGNODE_IMAGE:-localhost/plugnode:test}
name=plugnode-container-test-$$
export CONTAINERS_CONF=$repo/deploy/container/containers.conf

for tool in podman buildah runc debootstrap curl; do
  command -v "$tool" >/dev/null || { echo "container-test: $tool is missing (apt-get install podman buildah runc debootstrap curl)"; exit 2; }
done

# shellcheck source=deploy/test-lib.sh
. deploy/test-lib.sh
step() { printf '==> %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
cleanup() { podman rm -f -t 0 "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 143' TERM INT

step "base image debian:bookworm-slim (debootstrap + podman import when missing)"
t=$(now)
deploy/container/make-base-image.sh debian:bookworm-slim
base_time=$(since "$t")

t=$(now)
if [ -n "${PLUGNODE_NO_BUILD:-}" ]; then
  step "testing the image $image as it is (PLUGNODE_NO_BUILD)"
else
  step "podman build --pull=never --isolation=chroot -t $image ($context)"
  podman build --pull=never --isolation=chroot -t "$image" -f "$context/Dockerfile" "$context"
fi
build_time=$(since "$t")
size=$(podman image inspect --format '{{.Size}}' "$image")
base_size=$(podman image inspect --format '{{.Size}}' debian:bookworm-slim)

step "run it: read-only, host network bound to 127.0.0.1, host name plugnode-0"
http_port=$(free_port)
dist_port=$(free_port)
t=$(now)
podman run -d --name "$name" --network=host --read-only --tmpfs /tmp --hostname plugnode-0 \
  -e HTTP_PORT="$http_port" -e PLUGNODE_HTTP_ADDR=127.0.0.1 \
  -e PLUGNODE_DIST_PORT="$dist_port" -e PLUGNODE_DIST_ADDR=127.0.0.1 "$image" >/dev/null
url=http://127.0.0.1:$http_port
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$url/" 2>/dev/null && break
  sleep 0.1
done
start_time=$(since "$t")
check "GET / says hello" grep -q "Hello" <(curl -fsS "$url/")
check "GET /healthz is 200" curl -fsS -o /dev/null "$url/healthz"
check "GET /metrics is Prometheus text" grep -q "^# TYPE" <(curl -fsS "$url/metrics")
check "runs as uid 10001, not root" test "$(podman exec "$name" id -u)" = 10001
check "node name is plugnode@plugnode-0" grep -q "plugnode@plugnode-0" <(podman exec "$name" plugnode describe)
check "the root filesystem is read-only" test "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name")" = true

step "stop it with SIGTERM"
t=$(now)
podman stop -t 10 "$name" >/dev/null
stop_time=$(since "$t")
check "exit code 0 after SIGTERM" test "$(podman inspect --format '{{.State.ExitCode}}' "$name")" = 0
podman logs "$name" 2>&1 | tail -5

step "offline deploy checks on a fresh bookworm (Debian's nodejs and npm)"
# The host's CA bundle goes in too: where a TLS-inspecting proxy stands before the npm registry, the host
# trusts it and a fresh container would not.
ca_bundle=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
ca_args=()
[ -f "$ca_bundle" ] && ca_args=(-v "$ca_bundle:/etc/host-ca.crt:ro" -e NODE_EXTRA_CA_CERTS=/etc/host-ca.crt
  -e npm_config_cafile=/etc/host-ca.crt)
t=$(now)
check "schemas, types and lint pass under Debian's node" podman run --rm --network=host "${ca_args[@]}" \
  -v "$repo:/src:ro" debian:bookworm-slim bash -euc '
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    mkdir -p /tmp/w/deploy && cp /src/Dockerfile /tmp/w/ && cp -r /src/deploy/k8s /tmp/w/deploy/
    mkdir /tmp/w/deploy/checks && cp /src/deploy/checks/*.mjs /src/deploy/checks/*.json /src/deploy/checks/install.sh /tmp/w/deploy/checks/
    cd /tmp/w/deploy/checks
    echo "node $(node --version), npm $(npm --version)"
    ./install.sh >/dev/null
    node validate-schemas.mjs && node typecheck.mjs && node node_modules/dockerfilelint/bin/dockerfilelint ../../Dockerfile'
checks_time=$(since "$t")

echo
echo "container test: image $image $((size / 1000000)) MB (base debian:bookworm-slim $((base_size / 1000000)) MB)"
echo "container test: base ${base_time}s, build ${build_time}s, start to first answer ${start_time}s, stop ${stop_time}s, fresh-bookworm checks ${checks_time}s"
if [ "$failures" -eq 0 ]; then echo "container test: all checks passed"; else echo "container test: $failures check(s) failed"; fi
exit $((failures > 0))

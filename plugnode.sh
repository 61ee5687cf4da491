#!/usr/bin/env bash
# plugnode.sh: the project's one entry point on a Debian bookworm machine (as root, or with sudo).
#   ./plugnode.sh start        install what is missing, build, run one node in the foreground (HTTP :4000)
#   ./plugnode.sh test         install what is missing, build, run the whole test suite with ctest
#   ./plugnode.sh test-asan    the same suite in the ASan+UBSan build (build-asan/)
#   ./plugnode.sh test-tsan    the plugs and HTTP suites in the ThreadSanitizer build (build-tsan/)
#   ./plugnode.sh bench [...]  install the benchmark peers (wrk, nginx, Erlang) and run test/bench/run-all
#   ./plugnode.sh lint         clang-tidy over every source (slow: CAF's headers are large)
#   ./plugnode.sh fuzz [secs]  the libFuzzer targets of test/fuzz, each for secs (default 60), in build-fuzz/
#   ./plugnode.sh package      the Debian packages plugnode and plugnode-dev (CPack), in build/packages/
#   ./plugnode.sh deps [test|bench]   only install packages
# Every step is idempotent: packages already there are not fetched again, and the build is incremental.
set -euo pipefail
cd "$(dirname "$0")"

# Why each package is here: docs/dependencies.md.
BUILD_PACKAGES=(
  build-essential cmake pkg-config catch2
  libcaf-dev libssl-dev libcpp-httplib-dev libldns-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev prometheus-cpp-dev libcli11-dev libedit-dev erlang-dev libsystemd-dev
)
TEST_PACKAGES=(
  clang-format clang libclang-rt-14-dev dnsmasq-base ldnsutils bind9-dnsutils curl iproute2 procps util-linux openssl
  nodejs npm prometheus erlang-base elixir file chromium firefox-esr python3 python3-websocket
)
BENCH_PACKAGES=(wrk nginx-light erlang-base)

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; exit 1
  fi
}

# provided PKG: an installed package provides PKG (a nodejs from elsewhere ships npm and conflicts with it).
provided() {
  dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
    grep -E "^ii *\|(.*, )?$1( \(|,|$)" >/dev/null # not -q: an early exit would be a SIGPIPE under pipefail
}

install_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      provided "$pkg" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() { # build DIR [--target T] [cmake args...]
  local dir=$1 target=(); shift
  if [ "${1:-}" = --target ]; then target=(--target "$2"); shift 2; fi
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" "$@"
  fi
  cmake --build "$dir" -j"$(nproc)" "${target[@]}"
}

run_tests() { # run_tests DIR
  ctest --test-dir "$1" --output-on-failure --no-tests=error --timeout 600 -j"$(nproc)" -LE bench
}

verb=${1:-start}
[ $# -gt 0 ] && shift
case "$verb" in
  deps)
    install_packages "${BUILD_PACKAGES[@]}"
    case "${1:-}" in
      test) install_packages "${TEST_PACKAGES[@]}" ;;
      bench) install_packages "${TEST_PACKAGES[@]}" "${BENCH_PACKAGES[@]}" ;;
    esac ;;
  start)
    install_packages "${BUILD_PACKAGES[@]}"
    build build --target plugnode
    exec ./build/app/plugnode foreground "$@" ;;
  test)
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build build
    run_tests build ;;
  test-asan)
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build build-asan -DPLUGNODE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
    run_tests build-asan ;;
  test-tsan)
    # The HTTP server's threads under ThreadSanitizer; any report fails the test (exit code 66). Only CAF's
    # frames are suppressed, each for the reason written in test/tsan.supp. One test at a time:
    # TSan slows every thread several times, and the suites' timing bounds are set for a normal build.
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build build-tsan --target plugs_unit_tests -DPLUGNODE_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
    build build-tsan --target http_integration_tests
    TSAN_OPTIONS="suppressions=$PWD/test/tsan.supp exitcode=66 second_deadlock_stack=1" \
      ctest --test-dir build-tsan --output-on-failure --no-tests=error --timeout 600 -j1 \
      -R '^(plugs_unit_tests|http_integration_tests):' ;;
  package)
    # Only what the packages hold (no tests, no benchmarks), in a build of its own whose prefix is /usr, so
    # the libraries go to the multiarch directory (GNUInstallDirs); the packages land in build/packages/.
    install_packages "${BUILD_PACKAGES[@]}"
    build build-package -DCMAKE_BUILD_TYPE=Release -DPLUGNODE_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr
    cpack --config build-package/CPackConfig.cmake -B "$PWD/build/packages" ;;
  lint)
    install_packages "${BUILD_PACKAGES[@]}" clang-tidy
    build build
    git ls-files '*.cpp' | grep -v '^test/bench/' | xargs -P"$(nproc)" -n4 clang-tidy -p build --quiet ;;
  fuzz)
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    exec test/fuzz/run "$@" ;;
  bench)
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    build build
    exec test/bench/run-all "$@" ;;
  *)
    sed -n '2,12p' "$0" >&2
    exit 2 ;;
esac

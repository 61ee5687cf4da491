# plugnode container image: build and unit-test on Debian bookworm, then ship the stripped binary on
# bookworm-slim with only the shared libraries it links, as a non-root user.
#   podman build -t plugnode .        (or docker build; deploy/container-test.sh builds and runs it here)

# ---- build: the package lists of ./plugnode.sh, its CMake configuration, the unit tests ----
FROM debian:bookworm-slim AS build
WORKDIR /src
# plugnode.sh alone first, so the package layer is cached until its package lists change. The test
# packages too: unit tests of the DNS client ask a real DNS server (dnsmasq, ldns-testns) on loopback.
COPY plugnode.sh ./
RUN ./plugnode.sh deps test && rm -rf /var/lib/apt/lists/*
COPY . .
# The binary and the unit tests (every target under test/unit), which run here: a failing test fails the
# image build. Integration tests and benchmarks are not built: they need more than this stage has.
# Release: the binary is stripped anyway, and no debug info makes the compile faster.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build -j"$(nproc)" --target plugnode \
 && make -C build/test/unit -j"$(nproc)" \
 && ctest --test-dir build -L unit --output-on-failure -j"$(nproc)"
# The runtime packages are derived from what the binary really links (ldd, then dpkg -S), so the
# runtime stage cannot drift from the build: a library added to the code is installed without editing
# this file.
RUN mkdir /out \
 && strip -o /out/plugnode build/app/plugnode \
 && ldd build/app/plugnode | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' \
    | while read -r lib; do dpkg -S "*/${lib##*/}"; done \
    | cut -d: -f1 | sort -u > /out/runtime-packages \
 && cat /out/runtime-packages

# ---- runtime: bookworm-slim, runtime libraries, the binary ----
FROM debian:bookworm-slim
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log /tmp/runtime-packages \
 && groupadd --system --gid 10001 plugnode \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin plugnode
COPY --from=build /out/plugnode /usr/local/bin/plugnode
# Fails the build when a shared library is missing.
RUN /usr/local/bin/plugnode version
USER 10001:10001
# HTTP (HTTP_PORT) and distribution (PLUGNODE_DIST_PORT), the binary's defaults.
EXPOSE 4000 4370
# The node name defaults to plugnode@$(hostname -f): in a StatefulSet behind a headless Service that is
# plugnode@plugnode-0.plugnode.<namespace>.svc.cluster.local.
ENTRYPOINT ["/usr/local/bin/plugnode"]
CMD ["foreground"]

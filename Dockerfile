# vigil's container image: build on Debian 12, run on Debian 12 slim.
#   docker build -t vigil:latest .
# The BPF build reads one kernel's BTF to generate vmlinux.h (the programs are
# CO-RE and run on any kernel with BTF): the build host's by default, or a file
# from the build context: --build-arg VMLINUX_BTF=path/to/vmlinux.
# Deployment and privileges: docs/deployment.md.

FROM debian:bookworm AS build
WORKDIR /src
# The package list is scripts/deps.sh's, the same as for a build on a host;
# copied alone first so the layer is reused until the list changes.
COPY scripts/deps.sh scripts/deps.sh
RUN scripts/deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
ARG VMLINUX_BTF=/sys/kernel/btf/vmlinux
RUN make -j"$(nproc)" VMLINUX_BTF="$VMLINUX_BTF" build/vigil

FROM debian:bookworm-slim
# Only the shared libraries build/vigil links, and CA certificates for TLS outputs
# (tests/deploy/check_manifests.py compares this list with the binary's).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libbpf1 libelf1 zlib1g libyaml-0-2 libssl3 libmicrohttpd12 libzstd1 libcurl4 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/vigil /usr/bin/vigil
LABEL org.opencontainers.image.title="vigil" \
      org.opencontainers.image.description="Runtime security agent on eBPF"
# root: /proc of other processes and bpffs need it (capabilities: docs/deployment.md)
USER 0
ENTRYPOINT ["/usr/bin/vigil"]
CMD ["run"]

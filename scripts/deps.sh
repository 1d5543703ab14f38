#!/bin/sh
# Install the Debian packages vigil needs to build, run and test, when missing.
# Safe to run repeatedly: it only calls apt-get when something is absent.
set -eu

PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libyaml-dev libssl-dev pkg-config
      libcmocka-dev runc busybox-static iproute2 jq python3 procps util-linux bc libcap2-bin curl
      fakeroot git openssh-client gdb strace passwd systemd libmicrohttpd-dev python3-yaml
      libzstd-dev zstd libcurl4-openssl-dev rsyslog"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

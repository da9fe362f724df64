#!/usr/bin/env bash
# setup.sh - install what building and testing smartcookies needs on Debian 12.
# Idempotent and non-interactive: packages already present are not touched,
# and nothing is fetched when everything is there.
#
# usage: scripts/setup.sh            build and test dependencies
#        SC_SETUP_QUIET=1 scripts/setup.sh
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build clang-format clang-14 libclang-rt-14-dev pkg-config
  # libraries (the checked set; see docs/building.md)
  libboost1.81-all-dev libssl-dev libssh2-1-dev libyaml-cpp-dev libfmt-dev
  libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev libspdlog-dev
  libsqlitecpp-dev libsqlite3-dev libexpected-dev libcurl4-openssl-dev
  libsystemd-dev libbenchmark-dev
  # tests and benchmarks: the Ansible oracle, syscall tracing, timing
  ansible strace hyperfine time python3 util-linux
  # a real SMTP server for the mail sender's integration test
  python3-aiosmtpd
  # third-party TLS scanners for the TLS baseline (SECURITY.md T-16)
  sslscan gnutls-bin
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  [ -n "${SC_SETUP_QUIET:-}" ] || echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"

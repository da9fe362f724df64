#!/usr/bin/env bash
# test.sh - install what is missing, build, and run every test.
#   1. scripts/setup.sh (Debian packages)
#   2. the dev preset (ASan + UBSan, crash points) and the release sc-agent
#      (for the test that release builds ignore SC_CRASHPOINT)
#   3. ctest: unit, contract, golden, integration and the differential
#      tests against Ansible (lab tests are opt-in: ctest --preset dev -L lab)
#   4. the fuzz targets (YAML loader, Jinja2 engine, signed-manifest admission, wire
#      frames, agents' answers to pushes) for FUZZ_SECONDS each
#      (default 60; 0 skips them)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh dev
scripts/build.sh release sc-agent
export SC_RELEASE_AGENT="$PWD/build/release/agent/sc-agent"
ctest --preset dev -LE lab "$@"
if [ "${FUZZ_SECONDS:-60}" -gt 0 ]; then scripts/fuzz.sh "${FUZZ_SECONDS:-60}"; fi

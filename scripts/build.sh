#!/usr/bin/env bash
# build.sh PRESET [TARGET...] - configure (once) and build one CMake preset.
#   dev      Debug + ASan/UBSan + crash points: what the tests run
#   release  optimised, no test hooks: what ships, the demo and benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:?usage: build.sh dev|release [TARGET...]}
shift
# Configure on the first build, and again when the presets changed (cache
# variables such as the release flags are read only at configure time).
if [ ! -f "build/$preset/build.ninja" ] || [ CMakePresets.json -nt "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" >/dev/null
fi
# Two cores, 24 GiB: two compile jobs keep both busy without swapping.
cmake --build "build/$preset" -j 2 ${1:+--target "$@"}

#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer targets (preset `fuzz`: clang,
# ASan/UBSan) and run each for SECONDS (default 60) from the seeds in
# tests/fuzz/corpus. A crash, leak, timeout (10 s per input) or out-of-memory
# (2 GiB) fails; the input that did it is left in build/fuzz/artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/build.sh fuzz yaml_fuzz jinja_fuzz envelope_fuzz frame_fuzz report_fuzz
mkdir -p build/fuzz/artifacts
for target in yaml jinja envelope frame report; do
  work=build/fuzz/corpus-$target
  mkdir -p "$work"
  echo "fuzz: ${target}_fuzz for ${seconds}s"
  build/fuzz/tests/fuzz/${target}_fuzz "$work" "tests/fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 2>&1 | tail -12
done

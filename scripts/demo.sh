#!/usr/bin/env bash
# demo.sh - install what is missing, build sc-agent, and show it at work on
# a scratch directory: apply the example manifest, change a managed file by
# hand, see the drift in check mode, and see the next run repair it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release sc-agent
AGENT=$PWD/build/release/agent/sc-agent
WORK=${SC_DEMO_DIR:-/tmp/smartcookies-demo}
rm -rf "$WORK"
mkdir -p "$WORK/root"
run() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
common=(--manifest examples/web1.json --root "$WORK/root" --state-dir "$WORK/state" --color always)

echo "== 1. First run: the example manifest converges an empty root =="
run "$AGENT" apply "${common[@]}" -q
echo
echo "== 2. Someone edits the nginx site by hand =="
run sed -i 's/listen 8443 ssl;/listen 80;/' "$WORK/root/etc/nginx/sites-enabled/site.conf"
echo
echo "== 3. Check mode sees the drift (exit code 4 = changes pending) =="
set +e
"$AGENT" apply "${common[@]}" --check --diff --detailed-exitcode -q
echo "exit code: $?"
set -e
echo
echo "== 4. The next run repairs it (corrective) and restarts the handler =="
run "$AGENT" apply "${common[@]}" -q --diff
echo
echo "== 5. A no-op run changes nothing =="
run "$AGENT" apply "${common[@]}" -q
echo
echo "== 6. The hand-edited version is in the backup store =="
run "$AGENT" backups list --state-dir "$WORK/state" /etc/nginx/sites-enabled/site.conf
echo
echo "Scratch root: $WORK/root"

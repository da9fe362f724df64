#!/usr/bin/env bash
# demo.sh - install what is missing, build, and show smartcookies at work on
# this machine: a controller and two agents (web1, web2) on loopback, each
# agent applying under a scratch root of its own.
#
#   1. the controller's CA, a signing key, and `scctl serve` with mail to
#      ops through a local SMTP server (Debian's aiosmtpd into a Maildir);
#   2. both agents enrol with one-time tokens and keep a session open;
#   3. `scctl apply` pushes the example site (examples/site) to both;
#   4. someone edits web1's nginx server block by hand: the agent's next
#      scheduled check finds the drift, reports it, and ops get a mail;
#   5. `scctl apply` again puts the file back.
#
# SC_DEMO_DIR (default /tmp/smartcookies-demo) is wiped and reused;
# SC_DEMO_PRESET=dev runs the debug build instead of building release.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PRESET=${SC_DEMO_PRESET:-release}
scripts/build.sh "$PRESET" sc-agent scctl
AGENT=$PWD/build/$PRESET/agent/sc-agent
SCCTL=$PWD/build/$PRESET/controller/scctl
WORK=${SC_DEMO_DIR:-/tmp/smartcookies-demo}
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
rm -rf "$WORK"
mkdir -p "$WORK/logs"  # not maildir/: aiosmtpd makes it, with its subdirectories
bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
die() { echo "demo: $*" >&2; exit 1; }
# Debian's interpreter: python3-aiosmtpd is installed for it.
PYTHON=/usr/bin/python3
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || die "no $what after waiting"
    sleep 0.3
  done
}

bold "== 1. The controller: CA, signing key, scctl serve with mail to ops =="
SMTP_PORT=$(free_port)
env -u PYTHONPATH -u PYTHONHOME "$PYTHON" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
  -c aiosmtpd.handlers.Mailbox "$WORK/maildir" 2>"$WORK/logs/smtp.log" &
PIDS+=($!)
run "$SCCTL" ca --ca-dir "$WORK/ca" init --name 127.0.0.1
run "$SCCTL" key create "$WORK/signing.key"
printf '\n\033[1m$ scctl serve ... --smtp smtp://127.0.0.1:%s --mail-to ops@example.com &\033[0m\n' \
  "$SMTP_PORT"
"$SCCTL" serve --ca-dir "$WORK/ca" --listen 127.0.0.1 --port 0 --port-file "$WORK/port" \
  --admin-socket "$WORK/scctl.sock" --db "$WORK/controller.db" --trust-dir "$WORK/trust" \
  --smtp "smtp://127.0.0.1:$SMTP_PORT" --mail-to ops@example.com --mail-retry 2 \
  2>"$WORK/logs/serve.log" &
PIDS+=($!)
wait_for 30 "port from scctl serve" test -s "$WORK/port"
PORT=$(cat "$WORK/port")

bold "== 2. Two agents enrol with one-time tokens and keep a session open =="
for host in web1 web2; do
  token=$("$SCCTL" token --ca-dir "$WORK/ca" create --host "$host" --ttl 10m)
  run "$AGENT" enroll --controller "127.0.0.1:$PORT" --token "$token" --name "$host" \
    --state-dir "$WORK/state/$host"
  mkdir -p "$WORK/hosts/$host"
  # A check every 3 seconds, so the demo need not wait the default 30 min.
  "$AGENT" run --state-dir "$WORK/state/$host" --root "$WORK/hosts/$host" \
    --trust "$WORK/signing.key.pub" --run-interval 3 --run-mode check \
    2>"$WORK/logs/$host.log" &
  PIDS+=($!)
done
connected() { [ "$("$SCCTL" hosts --json --admin-socket "$WORK/scctl.sock" --ca-dir "$WORK/ca" \
  --db "$WORK/controller.db" | grep -c '"connected": true')" -ge 2 ]; }
wait_for 30 "two connected agents" connected
run "$SCCTL" hosts --admin-socket "$WORK/scctl.sock" --ca-dir "$WORK/ca" --db "$WORK/controller.db"

bold "== 3. scctl apply pushes the example site to both, signed =="
apply=("$SCCTL" apply examples/site/site.yml -i examples/site/hosts.ini
  --admin-socket "$WORK/scctl.sock" --sign "$WORK/signing.key")
run "${apply[@]}"

bold "== 4. Someone edits web1's nginx server block by hand =="
SITE=$WORK/hosts/web1/etc/nginx/sites-enabled/site.conf
run sed -i 's/listen 443 ssl;/listen 80;/' "$SITE"
echo "(web1's next scheduled check, within 3 s, reports the drift; the controller mails ops)"
mailed() { [ -n "$(ls -A "$WORK/maildir/new" 2>/dev/null)" ]; }
wait_for 60 "mail to ops" mailed
bold "Mail to ops@example.com:"
env -u PYTHONPATH -u PYTHONHOME "$PYTHON" - "$WORK/maildir" <<'EOF'
import email, email.policy, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1], "new").iterdir()):
    m = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    print(f"From: {m['From']}\nTo: {m['To']}\nSubject: {m['Subject']}\n")
    print(m.get_content())
EOF
run "$SCCTL" reports --db "$WORK/controller.db" --limit 6

bold "== 5. scctl apply again puts the file back =="
run "${apply[@]}"
grep -q 'listen 443 ssl;' "$SITE" || die "web1's server block was not repaired"
echo
echo "Scratch hosts: $WORK/hosts   logs: $WORK/logs   store: $WORK/controller.db"

#!/usr/bin/env bash
# fanout.sh - one controller, N real agent processes on loopback: time
# `scctl apply` of a one-file playbook from its start to its last line (the
# recap), and measure the controller's peak RSS and an idle agent's RSS.
#
# usage: bench/fanout.sh [N ...]        sizes (default: 100 1000)
# environment:
#   SCCTL            scctl binary (default build/release/controller/scctl)
#   SC_AGENT         sc-agent binary (default build/release/agent/sc-agent)
#   CONNECT_TIMEOUT  seconds to wait for all N agents to connect (default 300)
#   IDLE_SETTLE      seconds the connected agents idle before their RSS is
#                    read (default 3)
#   KEEP             1: keep each size's work directory (logs) instead of
#                    removing it
#
# For each N, in a fresh directory from mktemp -d: a signing key, a CA, an
# `scctl serve` on 127.0.0.1 with an ephemeral port, N agents h0001..hNNNN
# enrolled with one-time tokens (untimed, two at a time) and started with
# `sc-agent run --root`, then two timed applies of the playbook below:
# "first" (every host writes /etc/motd under its root) and "noop" (nothing
# changes). Each run must exit 0 with every host in the recap at changed=1
# (first) or changed=0 (noop), and every host's motd must hold its own
# name, or the script stops. Every process it started is stopped at the
# end of each size (and on any exit), and the directory is removed.
#
# The figures go to stdout as a Markdown table; progress and diagnostics go
# to stderr. Nothing is built: build the release binaries first
# (scripts/build.sh release sc-agent scctl).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
if [ $# -eq 0 ]; then set -- 100 1000; fi
SIZES=("$@")
SCCTL=${SCCTL:-$REPO/build/release/controller/scctl}
SC_AGENT=${SC_AGENT:-$REPO/build/release/agent/sc-agent}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-300}
IDLE_SETTLE=${IDLE_SETTLE:-3}
KEEP=${KEEP:-0}

log() { printf 'fanout: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for size in "${SIZES[@]}"; do
  [[ $size =~ ^[1-9][0-9]*$ ]] || { log "error: '$size' is not a host count"; exit 2; }
done
for bin in "$SCCTL" "$SC_AGENT"; do
  [ -x "$bin" ] || die "no executable '$bin' (scripts/build.sh release sc-agent scctl, or set SCCTL / SC_AGENT)"
done

# State of the size being run; cleanup() reads it, so the EXIT trap can
# stop whatever a failed run left behind.
WORK=""
SERVE_PID=""
AGENT_PIDS=()

# Stop processes: SIGTERM, then SIGKILL for those still there after 10 s.
# Background jobs of a non-interactive shell ignore SIGINT, hence SIGTERM.
stop() {
  local pid alive deadline=$((SECONDS + 10))
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  while :; do
    alive=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ ${#alive[@]} -eq 0 ] && break
    if [ $SECONDS -ge $deadline ]; then
      log "${#alive[@]} process(es) ignored SIGTERM; killing them"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$@" 2>/dev/null || true
}

# Stop the agents, then the server (the other way round, every agent would
# log a lost session and start reconnecting), and remove the work directory.
cleanup() {
  stop "${AGENT_PIDS[@]}"
  AGENT_PIDS=()
  [ -n "$SERVE_PID" ] && stop "$SERVE_PID"
  SERVE_PID=""
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  WORK=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1,000 agents mean more than 2,000 descriptors on the controller (a TLS
# socket per agent, plus files and the admin socket): take the hard limit.
raise_fd_limit() {
  local hard
  hard=$(ulimit -Hn)
  ulimit -n "$hard" 2>/dev/null || true
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# VmRSS / VmHWM of a process in kB.
status_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# Host names h0001.., wide enough for N.
host_names() {
  local n=$1 width=${#1} i
  [ "$width" -lt 4 ] && width=4
  for ((i = 1; i <= n; i++)); do printf "h%0${width}d\n" "$i"; done
}

show_tail() {  # FILE [LINES]
  local file=$1 lines=${2:-30}
  [ -f "$file" ] || return 0
  printf -- '--- last %s lines of %s\n' "$lines" "$file" >&2
  tail -n "$lines" "$file" >&2
}

# Hosts the daemon lists as connected ("connected": true in the pretty
# printed JSON of `scctl hosts --json`).
connected_count() {
  "$SCCTL" hosts --json --admin-socket "$WORK/admin.sock" --ca-dir "$WORK/ca" 2>/dev/null |
    grep -c '"connected": true' || true
}

# Names the daemon does not list as connected. Keys are printed sorted, so
# "connected" comes before "host" in each object.
unconnected_hosts() {
  "$SCCTL" hosts --json --admin-socket "$WORK/admin.sock" --ca-dir "$WORK/ca" 2>/dev/null |
    awk '/"connected": true/ { c = 1 } /"connected": false/ { c = 0 }
         /"host": "/ { if (!c) { gsub(/[",]/, "", $2); print $2 } }'
}

# One host's enrolment, run by xargs in a child bash (hence exported): a
# token, then `sc-agent enroll` with it. Output goes to the host's log.
enrol_one() {
  local name=$1 token
  token=$("$SCCTL" token --ca-dir "$WORK/ca" create --host "$name" 2>>"$WORK/logs/$name.enrol.log") ||
    { echo "$name: scctl token create failed" >&2; return 1; }
  "$SC_AGENT" enroll --controller "127.0.0.1:$PORT" --name "$name" --token "$token" \
    --state-dir "$WORK/state/$name" >>"$WORK/logs/$name.enrol.log" 2>&1 ||
    { echo "$name: sc-agent enroll failed" >&2; return 1; }
}
export -f enrol_one

# timed_apply LABEL CHANGED: time one `scctl apply -v` and check its recap
# and exit code. With -v, scctl logs how long each phase took ("gathered
# facts in N ms", "compiled ...", "signed ...", "pushed and collected the
# results ..."). Sets APPLY_S, PHASE_MS (those four, space-separated) and
# APPLY_KB (scctl apply's own peak RSS, from GNU time).
timed_apply() {
  local label=$1 changed=$2 out=$WORK/apply-$1.out rc t0 t1 first recap
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -o "$WORK/apply-$label.rss" -f %M)
  t0=$(now)
  set +e
  "${timer[@]}" "$SCCTL" apply "$WORK/site.yml" -i "$WORK/hosts.ini" \
    --admin-socket "$WORK/admin.sock" --sign "$WORK/signing.key" -v >"$out.txt" 2>&1
  rc=$?
  set -e
  t1=$(now)
  APPLY_S=$(elapsed "$t0" "$t1")
  # scctl apply -v logs how long each phase took.
  grep -E ' in [0-9]+ ms$' "$out.txt" | sed 's/^info: /fanout:   /' >&2 || true
  if [ "$rc" -ne 0 ]; then
    show_tail "$out.txt" 40
    show_tail "$WORK/serve.log" 20
    die "apply ($label) exited $rc"
  fi
  # Recap lines: "h0001<padding> : ok=1 changed=1 failed=0 skipped=0 rescued=0".
  recap=$(sed -n '/^RECAP$/,$p' "$out.txt" |
    grep -cE "^h[0-9]+ +: ok=[0-9]+ changed=$changed failed=0 " || true)
  if [ "$recap" -ne "$N" ]; then
    show_tail "$out.txt" 40
    die "apply ($label): $recap of $N hosts in the recap with changed=$changed failed=0"
  fi
  PHASE_MS=""
  local phase ms
  for phase in "gathered facts" "compiled" "signed" "pushed and collected the results"; do
    ms=$(sed -n "s/^info: $phase in \([0-9]*\) ms$/\1/p" "$out.txt" | head -n 1)
    PHASE_MS+="${ms:--} "
  done
  APPLY_KB=
  [ -f "$WORK/apply-$label.rss" ] && APPLY_KB=$(tail -n 1 "$WORK/apply-$label.rss")
  if grep -q 'sent no facts' "$out.txt"; then
    log "apply ($label): $(grep -c 'sent no facts' "$out.txt") host(s) sent no facts"
  fi
  log "apply ($label): ${APPLY_S} s; facts, compile, sign, push ms: ${PHASE_MS}"
}

# Every host's motd holds exactly its name and a newline.
check_motd() {
  local name content bad=0
  for name in "${NAMES[@]}"; do
    content=""
    IFS= read -r -d '' content <"$WORK/root/$name/etc/motd" 2>/dev/null || true
    if [ "$content" != "$name"$'\n' ]; then
      [ $bad -lt 5 ] && log "$name: /etc/motd holds '${content}'"
      bad=$((bad + 1))
    fi
  done
  [ $bad -eq 0 ] || die "$bad of $N hosts have a wrong /etc/motd after the first apply"
}

# One row of the phase table: N, run, total, the four phases in ms, scctl
# apply's peak RSS ("-" for what was not measured).
phase_row() {  # LABEL TOTAL_S "FACTS COMPILE SIGN PUSH" APPLY_KB
  local rss=- facts compile sign push
  read -r facts compile sign push <<<"$3"
  [ -n "$4" ] && rss=$(mib "$4")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |' "$N" "$1" "$2" "$facts" "$compile" "$sign" \
    "$push" "$rss"
}

ROWS=()
PHASES=()

run_size() {
  N=$1
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sc-fanout.XXXXXX")
  export WORK SCCTL SC_AGENT
  mkdir -p "$WORK/logs" "$WORK/state" "$WORK/root"
  mapfile -t NAMES < <(host_names "$N")
  log "N=$N in $WORK"

  "$SCCTL" key create "$WORK/signing.key" >/dev/null
  "$SCCTL" ca --ca-dir "$WORK/ca" init --name 127.0.0.1 >/dev/null

  # Every agent dials at once: let them all be mid-handshake together
  # rather than have the server close the surplus and the agents back off.
  local max_handshakes=$((N + 64))
  "$SCCTL" serve --ca-dir "$WORK/ca" --listen 127.0.0.1 --port 0 --port-file "$WORK/port" \
    --admin-socket "$WORK/admin.sock" --max-handshakes "$max_handshakes" --db "$WORK/controller.db" \
    2>"$WORK/serve.log" &
  SERVE_PID=$!
  local deadline=$((SECONDS + 30))
  until [ -s "$WORK/port" ] && [ -S "$WORK/admin.sock" ]; do
    kill -0 "$SERVE_PID" 2>/dev/null || { show_tail "$WORK/serve.log"; die "scctl serve exited"; }
    [ $SECONDS -lt $deadline ] || { show_tail "$WORK/serve.log"; die "scctl serve wrote no port in 30 s"; }
    sleep 0.05
  done
  read -r PORT <"$WORK/port"
  export PORT

  # Enrolment is set-up, not measured; two at a time for the two cores.
  local t0 t1 enrol_s connect_s
  t0=$(now)
  if ! printf '%s\n' "${NAMES[@]}" | xargs -P2 -n1 bash -c 'enrol_one "$1"' _; then
    # xargs names the failed hosts on stderr; show the first one's log.
    local failed
    failed=$(grep -l -i 'error\|refused\|fail' "$WORK"/logs/*.enrol.log 2>/dev/null | head -n 1 || true)
    [ -n "$failed" ] && show_tail "$failed"
    show_tail "$WORK/serve.log"
    die "enrolment failed"
  fi
  t1=$(now)
  enrol_s=$(elapsed "$t0" "$t1")
  log "enrolled $N agents in ${enrol_s} s"

  local name
  t0=$(now)
  for name in "${NAMES[@]}"; do
    mkdir -p "$WORK/root/$name/etc"
    "$SC_AGENT" run --state-dir "$WORK/state/$name" --root "$WORK/root/$name" \
      --trust "$WORK/signing.key.pub" --backoff 0.2 --backoff-cap 2 \
      2>"$WORK/logs/$name.run.log" &
    AGENT_PIDS+=($!)
  done
  # Polled twice a second: each `scctl hosts` reads every certificate in
  # the CA and competes for the cores with the connecting agents.
  local connected=0
  deadline=$((SECONDS + CONNECT_TIMEOUT))
  while :; do
    connected=$(connected_count)
    [ "$connected" -ge "$N" ] && break
    if [ $SECONDS -ge $deadline ]; then
      local missing
      missing=$(unconnected_hosts)
      log "$(printf '%s\n' "$missing" | grep -c . || true) host(s) not connected, first: $(printf '%s\n' "$missing" | head -n 5 | tr '\n' ' ')"
      show_tail "$WORK/serve.log"
      name=$(printf '%s\n' "$missing" | head -n 1)
      [ -n "$name" ] && show_tail "$WORK/logs/$name.run.log"
      die "only $connected of $N agents connected within ${CONNECT_TIMEOUT} s"
    fi
    sleep 0.5
  done
  t1=$(now)
  connect_s=$(elapsed "$t0" "$t1")
  log "$N agents connected in ${connect_s} s"

  # Idle RSS once the connection burst is over.
  sleep "$IDLE_SETTLE"
  local pid rss_med rss_max
  local rss=()
  for pid in "${AGENT_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || die "agent $pid exited while idle"
    rss+=("$(status_kb "$pid" VmRSS)")
  done
  mapfile -t rss < <(printf '%s\n' "${rss[@]}" | sort -n)
  rss_med=$(mib "${rss[$(((${#rss[@]} - 1) / 2))]}")
  rss_max=$(mib "${rss[-1]}")

  printf '%s\n' "${NAMES[@]}" >"$WORK/hosts.ini"
  cat >"$WORK/site.yml" <<'YAML'
- hosts: all
  tasks:
    - name: message of the day
      copy:
        content: "{{ inventory_hostname }}\n"
        dest: /etc/motd
YAML

  local first_s first_pre first_kb noop_s noop_pre noop_kb serve_kb
  timed_apply first 1
  first_s=$APPLY_S first_pre=$PHASE_MS first_kb=$APPLY_KB
  check_motd
  timed_apply noop 0
  noop_s=$APPLY_S noop_pre=$PHASE_MS noop_kb=$APPLY_KB

  kill -0 "$SERVE_PID" 2>/dev/null || { show_tail "$WORK/serve.log"; die "scctl serve exited"; }
  serve_kb=$(status_kb "$SERVE_PID" VmHWM)

  ROWS+=("| $N | $enrol_s | $connect_s | $first_s | $noop_s | $(mib "$serve_kb") | $rss_med / $rss_max |")
  PHASES+=("$(phase_row first "$first_s" "$first_pre" "$first_kb")")
  PHASES+=("$(phase_row noop "$noop_s" "$noop_pre" "$noop_kb")")
  cleanup
}

raise_fd_limit
for size in "${SIZES[@]}"; do
  # The controller holds a socket per agent; warn before it runs out.
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((2 * size + 100)) ]; then
    log "warning: ulimit -n is $(ulimit -n), low for $size agents"
  fi
  run_size "$size"
done

# The binaries may hold uncommitted changes; say so next to the commit.
commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$REPO" diff --quiet HEAD -- 2>/dev/null || commit="$commit (working tree modified)"
echo "Machine: $(nproc) cores, Linux $(uname -r); commit $commit"
echo
echo "| N | enrol s (info) | connect s | apply first s | apply noop s | controller peak RSS MiB | agent idle RSS MiB median / max |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Where an apply's time goes (scctl apply -v): facts from every agent, compiling, signing, then pushing and collecting every result."
echo
echo "| N | run | total s | facts ms | compile ms | sign ms | push ms | scctl apply peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${PHASES[@]}"

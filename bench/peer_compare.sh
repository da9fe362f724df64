#!/usr/bin/env bash
# peer_compare.sh - time smartcookies side by side with CFEngine, Puppet and
# (optionally) Ansible on the peer-benchmark workload, in one run, and print
# the figures and ratios as a Markdown table. smartcookies is timed twice:
# `smartcookies` is sc-agent applying the manifest scctl compiled from
# loop.yml once (what a host pays on each run), `scctl` is `scctl apply -c
# local` compiling and applying loop.yml every run (what ansible-playbook
# -c local does).
#
# usage: bench/peer_compare.sh [N ...]          sizes (default: 1000)
# environment:
#   PEERS   tools to compare besides smartcookies (default "cfengine puppet";
#           add "ansible" for the slow one: about 5 minutes a run at N=1000)
#   RUNS    timed runs per case (default 10; Puppet gets at most 3, Ansible 1)
#   BASE    work directory (default /tmp/sc-peerbench)
#   AGENT   sc-agent binary (default build/release/agent/sc-agent, built
#           with scripts/build.sh release sc-agent when missing)
#   SCCTL   scctl binary (default build/release/controller/scctl, built the
#           same way)
#   PEERS_DIR  the workload generator's folder (default ../shared/bench/peers)
#
# Cases, as in the peer README: first (seed the root, converge), noop
# (converge again; every path's inode, mtime and ctime must stay put) and
# drift (drift.sh edits 5% and deletes 5% of the files, converge). The prep
# step runs inside the timed command for every tool alike. Each case's end
# state is checked against the reference tree's fingerprint. Timing:
# hyperfine for wall time, GNU time for CPU (user+sys) and peak RSS of the
# largest single process.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SIZES=("${@:-1000}")
PEERS=${PEERS-cfengine puppet}
RUNS=${RUNS:-10}
BASE=${BASE:-/tmp/sc-peerbench}
PEERS_DIR=${PEERS_DIR:-$REPO/../shared/bench/peers}
AGENT=${AGENT:-$REPO/build/release/agent/sc-agent}
SCCTL=${SCCTL:-$REPO/build/release/controller/scctl}

[ -x "$PEERS_DIR/gen.sh" ] || { echo "peer_compare: no gen.sh in '$PEERS_DIR' (set PEERS_DIR)" >&2; exit 2; }
if [ ! -x "$AGENT" ]; then "$REPO/scripts/build.sh" release sc-agent >/dev/null; fi
if [ ! -x "$SCCTL" ]; then "$REPO/scripts/build.sh" release scctl >/dev/null; fi
need=(hyperfine time)
for peer in $PEERS; do
  case $peer in
    cfengine) command -v cf-agent >/dev/null || need+=(cfengine3) ;;
    puppet) command -v puppet >/dev/null || need+=(puppet) ;;
    ansible) command -v ansible-playbook >/dev/null || need+=(ansible) ;;
    *) echo "peer_compare: unknown peer '$peer'" >&2; exit 2 ;;
  esac
done
missing=()
for pkg in "${need[@]}"; do dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -q installed || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "peer_compare: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# timed LABEL RUNS CMD -> sets WALL (median s), CPU (median s), PEAK (median MiB)
timed() {
  local label=$1 runs=$2 cmd=$3 json=$OUT/$1.json peaks=$OUT/$1.peaks
  : > "$peaks"
  hyperfine -N --runs "$runs" --export-json "$json" --style none \
    "/usr/bin/time -a -o $peaks -f %M|%U|%S sh -c \"$cmd\"" > "$OUT/$label.txt" 2>&1
  read -r WALL CPU PEAK < <(python3 - "$json" "$peaks" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
rows = [l.strip().split("|") for l in open(sys.argv[2]) if "|" in l]
print("%.4f %.4f %.1f" % (statistics.median(r["times"]),
      statistics.median(float(u) + float(s) for _, u, s in rows),
      statistics.median(int(m) / 1024 for m, _, _ in rows)))
PY
)
}

fingerprint_paths() { find "$1" -printf '%i %T@ %C@ %p\n' | LC_ALL=C sort; }

declare -A ROWS
rm -f "$BASE/table.md.part"
for N in "${SIZES[@]}"; do
  B=$BASE/n$N
  OUT=$B/results
  mkdir -p "$OUT"
  bash "$PEERS_DIR/gen.sh" "$N" "$B" >/dev/null
  W=$B/workload
  REF=$("$W/treehash.sh" "$B/reference/root")
  mkdir -p "$B/smartcookies" "$B/scctl"
  "$SCCTL" compile "$B/ansible/loop.yml" -i localhost, -e "pb_root=$B/smartcookies/root" \
    --serial 1 -o "$B/smartcookies/manifests" >/dev/null
  for tool in smartcookies scctl $PEERS; do
    ROOT=$B/$tool/root
    case $tool in
      smartcookies) CMD="$AGENT apply -q --manifest $B/smartcookies/manifests/localhost.json --state-dir $B/smartcookies/state >/dev/null" ;;
      scctl) CMD="$SCCTL apply -q -c local -i localhost, $B/ansible/loop.yml -e pb_root=$ROOT --state-dir $B/scctl/state >/dev/null" ;;
      cfengine) CMD="cf-agent -K -I -f $B/cfengine/loop.cf >/dev/null" ;;
      puppet) CMD="puppet apply --modulepath=$B/puppet/modules $B/puppet/loop.pp >/dev/null 2>&1" ;;
      ansible) CMD="ANSIBLE_CONFIG=$B/ansible/ansible.cfg ansible-playbook -c local -i localhost, $B/ansible/loop.yml >/dev/null" ;;
    esac
    runs=$RUNS
    [ "$tool" = ansible ] && runs=1
    [ "$tool" = puppet ] && [ "$RUNS" -gt 3 ] && runs=3
    line="| $N | $tool |"
    for kase in first noop drift; do
      case $kase in
        first) timed "$tool-$kase" "$runs" "$W/seed.sh $ROOT && rm -rf $B/$tool/state && $CMD" ;;
        noop)
          before=$(fingerprint_paths "$ROOT")
          timed "$tool-$kase" "$runs" "$CMD"
          [ "$before" = "$(fingerprint_paths "$ROOT")" ] || { echo "peer_compare: $tool no-op changed paths" >&2; exit 1; } ;;
        drift) timed "$tool-$kase" "$runs" "$W/drift.sh $ROOT && $CMD" ;;
      esac
      got=$("$W/treehash.sh" "$ROOT")
      [ "$got" = "$REF" ] || { echo "peer_compare: $tool $kase end state differs from the reference" >&2; exit 1; }
      line+=" $WALL / $CPU / $PEAK |"
      ROWS[$N,$tool,$kase]=$WALL
    done
    echo "$line" >> "$BASE/table.md.part"
  done
done

echo "| N | tool | first: wall s / cpu s / peak MiB | no-op | drift |"
echo "|---|---|---|---|---|"
cat "$BASE/table.md.part"; rm -f "$BASE/table.md.part"
echo
echo "Wall-time ratios, peer / smartcookies (higher means smartcookies is faster):"
for N in "${SIZES[@]}"; do
  for peer in $PEERS; do
    # Ansible compiles its playbook on every run, so it is compared with
    # scctl doing the same; the agent-based peers with sc-agent.
    ours=smartcookies
    [ "$peer" = ansible ] && ours=scctl
    printf '  N=%s %-9s vs %-12s' "$N" "$peer" "$ours"
    for kase in first noop drift; do
      python3 -c "import sys; print('  %s %.1fx' % (sys.argv[1], float(sys.argv[2]) / float(sys.argv[3])), end='')" \
        "$kase" "${ROWS[$N,$peer,$kase]}" "${ROWS[$N,$ours,$kase]}"
    done
    echo
  done
done

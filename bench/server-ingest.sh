#!/usr/bin/env bash
# Aggregate ingest of one vault server with 1, 4 and 16 agents backing up at the same time.
# Each agent is a real `cairn backup` process of its own tenant (so nothing dedupes across
# agents) and backs up the same real data: the java.base sources of the JDK (about 52 MB in
# 3,400 files). Prints per agent count the median wall time from the first start to the last
# finish, aggregate MB/s (logical bytes / wall), and the server's peak RSS and CPU seconds.
#
# Usage: bench/server-ingest.sh [ROUNDS] [WORKDIR] [AGENT_COUNTS]
set -euo pipefail
ROUNDS="${1:-3}"
WORK="${2:-/tmp/cairn-ingest}"
COUNTS="${3:-1 4 16}"
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bench/server-lib.sh
. "$ROOT/bench/server-lib.sh"
mkdir -p "$WORK"
DATA="$WORK/java.base"
if [ ! -d "$DATA" ]; then
  (cd "$WORK" && unzip -q "$JAVA_HOME/lib/src.zip" 'java.base/*')
fi
BYTES=$(du -sb "$DATA" | cut -f1)
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
export CAIRN_PASSWORD=bench CAIRN_JAVA_OPTS="-Xmx256m"

run() {  # agents round
  local n=$1 r=$2 dir="$WORK/run-$1-$2"
  rm -rf "$dir"; mkdir -p "$dir"
  start_server "$dir" CAIRN_JAVA_OPTS="-Xmx1g"
  local server=$SERVER_PID b=$SERVER_URL
  for i in $(seq 1 "$n"); do
    enroll_agent "t$i" "agent$i" "$dir/cred$i.json"
  done
  for i in $(seq 1 "$n"); do   # two at a time; a plain `wait` would wait for the server too
    CAIRN_CREDENTIALS="$dir/cred$i.json" CAIRN_CACHE_DIR="$dir/cache$i" "$C" -q -r "$b/repos/t$i/main" init >/dev/null &
    local ip=$!
    if (( i % 2 == 0 || i == n )); then wait "$ip"; fi
  done
  sleep 1
  local cpu0 start end cpu1 hwm
  # ./cairn execs java, so $server is the server JVM itself.
  cpu0=$(awk '{print $14+$15}' "/proc/$server/stat")
  start=$(date +%s.%N)
  local pids=()
  for i in $(seq 1 "$n"); do
    CAIRN_CREDENTIALS="$dir/cred$i.json" CAIRN_CACHE_DIR="$dir/cache$i" \
      "$C" -q -r "$b/repos/t$i/main" backup "$DATA" >"$dir/agent$i.log" 2>&1 &
    pids+=($!)
  done
  local failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  end=$(date +%s.%N)
  cpu1=$(awk '{print $14+$15}' "/proc/$server/stat")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  stop_server
  if [ "$failed" = 1 ]; then echo "a backup failed; see $dir/agent*.log" >&2; exit 1; fi
  local wall mbs
  wall=$(echo "$end - $start" | bc -l)
  mbs=$(echo "$n * $BYTES / 1000000 / $wall" | bc -l)
  printf '%s\t%s\t%.2f\t%.1f\t%d\t%.1f\n' "$n" "$r" "$wall" "$mbs" "$((hwm / 1024))" \
    "$(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK)" | bc -l)" | tee -a "$RESULTS"
  rm -rf "$dir"
}

echo -e "agents\tround\twall_s\tMB/s\tserver_rss_MiB\tserver_cpu_s"
for r in $(seq 1 "$ROUNDS"); do
  for n in $COUNTS; do run "$n" "$r"; done
done
echo
echo "medians over $ROUNDS rounds ($((BYTES / 1000000)) MB of java.base sources per agent):"
for n in $COUNTS; do
  awk -F'\t' -v n="$n" '$1 == n' "$RESULTS" | sort -t$'\t' -k3 -g | awk -F'\t' -v c="$ROUNDS" '
    NR == int((c + 1) / 2) { printf "  %2d agents: %6.2f s wall, %6.1f MB/s aggregate, server peak RSS %d MiB, server CPU %.1f s\n", $1, $3, $4, $5, $6 }'
done

#!/usr/bin/env bash
# One agent's first backup of the benchmark corpus's day1 tree (bench/make-corpus.sh) into a local
# directory, and the same through one local vault server (TLS, repository in its data directory),
# in alternating rounds. Printed per round: wall seconds of each backup, the server's CPU seconds
# (user + system) during it, and the ratio through-server / local; then the medians.
# The timed part is `cairn backup` alone (init, enrollment and the server's start are not).
#
# Usage: bench/server-vs-local.sh [ROUNDS] [CORPUS] [WORKDIR]
set -euo pipefail
ROUNDS="${1:-5}"
CORPUS="${2:-/tmp/corpus-bench}"
WORK="${3:-/tmp/cairn-svl}"
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bench/server-lib.sh
. "$ROOT/bench/server-lib.sh"
[ -d "$CORPUS/day1" ] || "$ROOT/bench/make-corpus.sh" "$CORPUS"
SRC="$CORPUS/day1"
mkdir -p "$WORK"
export CAIRN_PASSWORD=bench
cpu() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }
find "$SRC" -type f -print0 | xargs -0 cat >/dev/null   # into the page cache, for both alike
local_run() {
  local d="$WORK/local"; rm -rf "$d"; mkdir -p "$d"
  "$C" -q -r "$d/repo" --cache-dir "$d/cache" init >/dev/null
  local t0 t1; t0=$(date +%s.%N)
  "$C" -q -r "$d/repo" --cache-dir "$d/cache" backup "$SRC" >/dev/null
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l
}
server_run() {
  local d="$WORK/server"; rm -rf "$d"; mkdir -p "$d"
  start_server "$d" CAIRN_SERVER_LOG_REQUESTS="${LOG_REQUESTS:-false}"
  local server=$SERVER_PID b=$SERVER_URL
  enroll_agent t agent "$d/cred.json"
  export CAIRN_CREDENTIALS="$d/cred.json"
  "$C" -q -r "$b/repos/t/main" --cache-dir "$d/cache" init >/dev/null
  local c0 c1 t0 t1
  c0=$(cpu "$server"); t0=$(date +%s.%N)
  "$C" -q -r "$b/repos/t/main" --cache-dir "$d/cache" backup "$SRC" >/dev/null
  t1=$(date +%s.%N); c1=$(cpu "$server")
  unset CAIRN_CREDENTIALS
  stop_server
  [ -z "${LOG_REQUESTS:-}" ] || cp "$d/server.log" "$WORK/server-last.log"
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$c1 - $c0" | bc -l)"
}
: > "$WORK/results.tsv"
for r in $(seq 1 "$ROUNDS"); do
  l=$(local_run)
  read -r s scpu < <(server_run)
  printf 'round %d\tlocal %.2f s\tserver %.2f s\tserver_cpu %.2f s\tratio %.2f\n' "$r" "$l" "$s" "$scpu" \
    "$(echo "$s / $l" | bc -l)" | tee -a "$WORK/results.tsv"
done
awk -F'\t' '{split($2,a," "); split($3,b," "); split($4,c," "); L[NR]=a[2]; S[NR]=b[2]; P[NR]=c[2]; R[NR]=b[2]/a[2]}
  function med(x, n,  i,j,t,y) { for(i=1;i<=n;i++) y[i]=x[i]; for(i=1;i<=n;i++) for(j=i+1;j<=n;j++) if (y[j]<y[i]) {t=y[i];y[i]=y[j];y[j]=t}
    return n%2 ? y[(n+1)/2] : (y[n/2]+y[n/2+1])/2 }
  END { printf "median\tlocal %.2f s\tserver %.2f s\tserver_cpu %.2f s\tratio %.2f\n", med(L,NR), med(S,NR), med(P,NR), med(R,NR) }' \
  "$WORK/results.tsv"

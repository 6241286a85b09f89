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
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
cairn_pick_jdk
C="$ROOT/cairn"
"$C" --version >/dev/null
[ -d "$CORPUS/day1" ] || "$ROOT/bench/make-corpus.sh" "$CORPUS"
SRC="$CORPUS/day1"
mkdir -p "$WORK"
export CAIRN_PASSWORD=bench
json() { grep -o "\"$1\" *: *\"[^\"]*\"" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
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
  local port; port=$(free_port)
  CAIRN_ADMIN_PASSWORD=bench-admin-password CAIRN_SERVER_LISTEN_HOST=127.0.0.1 CAIRN_SERVER_LOG_REQUESTS=${LOG_REQUESTS:-false} \
    CAIRN_SERVER_JOBS_GC_INTERVAL=0 CAIRN_SERVER_JOBS_SCRUB_INTERVAL=0 CAIRN_SERVER_JOBS_RETENTION_INTERVAL=0 \
    "$C" server --data "$d/data" --port "$port" >"$d/server.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 120); do grep -q "listening on" "$d/server.log" && break; sleep 0.5; done
  local fp b admin tok cred
  fp=$(grep -o 'sha256:[0-9a-f]*' "$d/server.log" | head -1)
  b="https://localhost:$port"
  admin=$(curl -sSk -X POST "$b/api/v1/login" -d '{"username":"admin","password":"bench-admin-password"}' | json token)
  curl -sSk -X POST "$b/api/v1/tenants" -H "Authorization: Bearer $admin" -d '{"slug":"t"}' >/dev/null
  curl -sSk -X POST "$b/api/v1/tenants/t/repos" -H "Authorization: Bearer $admin" -d '{"name":"main"}' >/dev/null
  tok=$(curl -sSk -X POST "$b/api/v1/tenants/t/enrollments" -H "Authorization: Bearer $admin" \
    -d '{"repository":"main"}' | json token)
  cred=$(curl -sSk -X POST "$b/api/v1/enroll" -d "{\"token\":\"$tok\",\"name\":\"agent\"}" | json credential)
  printf '{"version":1,"repositories":{"%s/repos/t/main":{"token":"%s","fingerprint":"%s"}}}\n' \
    "$b" "$cred" "$fp" > "$d/cred.json"
  export CAIRN_CREDENTIALS="$d/cred.json"
  "$C" -q -r "$b/repos/t/main" --cache-dir "$d/cache" init >/dev/null
  local c0 c1 t0 t1
  c0=$(cpu "$server"); t0=$(date +%s.%N)
  "$C" -q -r "$b/repos/t/main" --cache-dir "$d/cache" backup "$SRC" >/dev/null
  t1=$(date +%s.%N); c1=$(cpu "$server")
  unset CAIRN_CREDENTIALS
  kill -TERM "$server"; wait "$server" 2>/dev/null || true
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

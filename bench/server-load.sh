#!/usr/bin/env bash
# The vault server's own cost of receiving packs, apart from the agents' work: ready-made packs
# (io.cairn.bench.ServerLoad prepare; 64 packs of 16 MiB of random blobs under real headers) are
# replayed by N simulated agents of N tenants with one upload in flight each. For each storage
# (the data directory; a bucket on a throwaway Ceph RGW from scripts/ceph-rgw) and each N, a fresh
# server receives the whole 1 GiB twice: a first pass warms it up (a server runs for days; its JIT
# compilation is not what is measured), and the second is printed: wall, MB/s, the server's CPU
# seconds (user + system) and CPU seconds per GB received, and its peak RSS during the uploads.
#
# Usage: bench/server-load.sh [ROUNDS] [WORKDIR] [UPLOADS] [STORAGES]
#   e.g. bench/server-load.sh 3 /tmp/cairn-load "1 16 64" "dir rgw"
set -euo pipefail
ROUNDS="${1:-3}"
WORK="${2:-/tmp/cairn-load}"
COUNTS="${3:-1 16 64}"
STORAGES="${4:-dir rgw}"
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
cairn_pick_jdk
C="$ROOT/cairn"
"$C" --version >/dev/null   # build first, outside the measurements
CP="$ROOT/cairn-bench/target/cairn-bench.jar:$ROOT/cairn-bench/target/lib/*"
LOAD=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m -cp "$CP" io.cairn.bench.ServerLoad)
mkdir -p "$WORK"
"${LOAD[@]}" prepare "$WORK" 64 16
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RGW_ENDPOINT=
if [[ " $STORAGES " == *" rgw "* ]]; then
  rm -rf "$WORK/ceph"
  RGW_ENDPOINT=$("$ROOT/scripts/ceph-rgw" "$WORK/ceph/cluster" "$(free_port)" "$(free_port)" load-access \
    load-secret-key | sed -n 's/^endpoint=//p')
  trap '"$ROOT/scripts/ceph-rgw" --stop "$WORK/ceph/cluster"' EXIT
fi
RESULTS="$WORK/results.txt"
: > "$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
  for storage in $STORAGES; do
    for n in $COUNTS; do
      dir="$WORK/run-$storage-$n-$r"
      rm -rf "$dir"; mkdir -p "$dir"
      port=$(free_port)
      extra=()
      if [ "$storage" = rgw ]; then
        extra=(CAIRN_SERVER_STORAGE_LOCATION="s3:$RGW_ENDPOINT/load-$n-$r-$$/vault"
          CAIRN_SERVER_STORAGE_S3_ACCESS_KEY_ID=load-access CAIRN_SERVER_STORAGE_S3_SECRET_ACCESS_KEY=load-secret-key)
      fi
      env "${extra[@]}" CAIRN_ADMIN_PASSWORD=load-admin-password CAIRN_SERVER_LISTEN_HOST=127.0.0.1 \
        CAIRN_SERVER_JOBS_GC_INTERVAL=0 CAIRN_SERVER_JOBS_SCRUB_INTERVAL=0 CAIRN_SERVER_JOBS_RETENTION_INTERVAL=0 \
        "$C" server --data "$dir/server" --port "$port" >"$dir/server.log" 2>&1 &
      server=$!
      for _ in $(seq 1 120); do grep -q "listening on" "$dir/server.log" && break; sleep 0.5; done
      fp=$(grep -o 'sha256:[0-9a-f]*' "$dir/server.log" | head -1)
      "${LOAD[@]}" run "$WORK" "https://localhost:$port" "$fp" load-admin-password "$n" "$server" >/dev/null
      line=$("${LOAD[@]}" run "$WORK" "https://localhost:$port" "$fp" load-admin-password "$n" "$server")
      kill -TERM "$server"; wait "$server" 2>/dev/null || true
      echo "storage=$storage round=$r $line" | tee -a "$RESULTS"
      rm -rf "$dir"
      if [ "$storage" = rgw ]; then   # the OSD keeps objects in memory (memstore): free them
        radosgw-admin -c "$WORK/ceph/cluster/ceph.conf" bucket rm --bucket="load-$n-$r-$$" --purge-objects \
          --bypass-gc >/dev/null 2>&1 || true
      fi
    done
  done
done

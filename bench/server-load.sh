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
# shellcheck source=bench/server-lib.sh
. "$ROOT/bench/server-lib.sh"
CP="$ROOT/cairn-bench/target/cairn-bench.jar:$ROOT/cairn-bench/target/lib/*"
LOAD=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m -cp "$CP" io.cairn.bench.ServerLoad)
mkdir -p "$WORK"
"${LOAD[@]}" prepare "$WORK" 64 16
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
      extra=()
      if [ "$storage" = rgw ]; then
        extra=(CAIRN_SERVER_STORAGE_LOCATION="s3:$RGW_ENDPOINT/load-$n-$r-$$/vault"
          CAIRN_SERVER_STORAGE_S3_ACCESS_KEY_ID=load-access CAIRN_SERVER_STORAGE_S3_SECRET_ACCESS_KEY=load-secret-key)
      fi
      start_server "$dir" "${extra[@]}"
      "${LOAD[@]}" run "$WORK" "$SERVER_URL" "$SERVER_FP" "$SERVER_ADMIN_PASSWORD" "$n" "$SERVER_PID" >/dev/null
      line=$("${LOAD[@]}" run "$WORK" "$SERVER_URL" "$SERVER_FP" "$SERVER_ADMIN_PASSWORD" "$n" "$SERVER_PID")
      stop_server
      echo "storage=$storage round=$r $line" | tee -a "$RESULTS"
      rm -rf "$dir"
      if [ "$storage" = rgw ]; then   # the OSD keeps objects in memory (memstore): free them
        radosgw-admin -c "$WORK/ceph/cluster/ceph.conf" bucket rm --bucket="load-$n-$r-$$" --purge-objects \
          --bypass-gc >/dev/null 2>&1 || true
      fi
    done
  done
done

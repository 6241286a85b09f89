#!/usr/bin/env bash
# A no-change backup of the benchmark corpus's day1 tree (bench/make-corpus.sh) into a repository
# with many index segments (day1 once, then SMALL backups of a one-file directory, each adding
# segments), by two builds of cairn in alternating rounds: what a per-tree index lookup costs as
# segments accumulate. Prints each round's wall seconds, then the medians.
#
# Usage: bench/segments-nochange.sh JAR_A JAR_B [ROUNDS] [SMALL] [CORPUS] [WORKDIR]
#   JAR_A, JAR_B: cairn-cli/target/cairn-cli.jar of two checkouts (built with package/install).
set -euo pipefail
A="${1:?usage: segments-nochange.sh JAR_A JAR_B [ROUNDS] [SMALL] [CORPUS] [WORKDIR]}"
B="${2:?usage: segments-nochange.sh JAR_A JAR_B [ROUNDS] [SMALL] [CORPUS] [WORKDIR]}"
ROUNDS="${3:-5}"
SMALL="${4:-100}"
CORPUS="${5:-/tmp/corpus-bench}"
WORK="${6:-/tmp/cairn-segments}"
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$ROOT/scripts/jdk.sh"
cairn_pick_jdk
export CAIRN_PASSWORD=bench
run() { local jar=$1 tag=$2; shift 2
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.fs=ALL-UNNAMED \
    -cp "$jar" io.cairn.cli.Main -r "$WORK/repo" --cache-dir "$WORK/cache-$tag" "$@"; }
rm -rf "$WORK"; mkdir -p "$WORK/small"
run "$A" a init -q >/dev/null
run "$A" a backup -q "$CORPUS/day1" >/dev/null
for i in $(seq 1 "$SMALL"); do echo "$i" > "$WORK/small/f"; run "$A" a backup -q "$WORK/small" >/dev/null; done
echo "index segments: $(ls "$WORK/repo/index" | wc -l)"
: > "$WORK/times"
for r in $(seq 0 "$ROUNDS"); do
  for t in a b; do
    jar=$A; [ $t = b ] && jar=$B
    s=$(date +%s.%N); run "$jar" $t backup -q "$CORPUS/day1" >/dev/null; e=$(date +%s.%N)
    secs=$(echo "$e - $s" | bc); echo "round $r $t $secs"
    [ "$r" -gt 0 ] && echo "$t $secs" >> "$WORK/times"   # round 0 warms each build's cache
  done
done
for t in a b; do
  echo "median $t: $(grep "^$t " "$WORK/times" | cut -d' ' -f2 | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}') s"
done

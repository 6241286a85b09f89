#!/usr/bin/env bash
# Builds the benchmark corpus from real files of a Debian machine with a JDK 25:
#   day1: the JDK's lib/src.zip unpacked, /usr/share/doc, /usr/share/man and the JDK's bin/ and lib/
#   day2: day1 with ~1% of the .java files edited, 100 files removed and 200 added
# Usage: bench/make-corpus.sh OUTDIR
set -euo pipefail
OUT="${1:?usage: make-corpus.sh OUTDIR}"
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$ROOT/scripts/jdk.sh"; cairn_pick_jdk
rm -rf "$OUT"; mkdir -p "$OUT/day1"
unzip -q "$JAVA_HOME/lib/src.zip" -d "$OUT/day1/jdk-src"
cp -r /usr/share/doc "$OUT/day1/usr-share-doc" 2>/dev/null || true
cp -r /usr/share/man "$OUT/day1/usr-share-man" 2>/dev/null || true
cp -r "$JAVA_HOME/bin" "$OUT/day1/jdk-bin"
cp -r "$JAVA_HOME/lib" "$OUT/day1/jdk-lib"
cp -a "$OUT/day1" "$OUT/day2"
cd "$OUT/day2"
mapfile -t java < <(find jdk-src -name '*.java' | sort)
n=${#java[@]}
# Edit every 100th source file: a line inserted near the middle.
for ((i = 0; i < n; i += 100)); do
  f="${java[$i]}"; lines=$(wc -l < "$f"); mid=$((lines / 2 + 1))
  sed -i "${mid}i // edited on day two ($i)" "$f"
done
# Add 200 files (copies of other sources with a new header), then remove 100.
mkdir -p jdk-src/day2-added
for ((i = 0; i < 200; i++)); do
  src="${java[$(( (i * 211 + 7) % n ))]}"
  { echo "// added on day two: $i"; cat "$src"; } > "jdk-src/day2-added/Added$i.java"
done
for ((i = 50; i < 50 + 100 * 37; i += 37)); do rm -f "${java[$i]}"; done
echo "day1: $(du -sh "$OUT/day1" | cut -f1), $(find "$OUT/day1" -type f | wc -l) files"
echo "day2: $(du -sh "$OUT/day2" | cut -f1), $(find "$OUT/day2" -type f | wc -l) files"
bash "$ROOT/bench/make-extras.sh" "$OUT"

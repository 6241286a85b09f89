#!/usr/bin/env bash
# Runs cairn, restic and borg over the same corpus in the same run, alternating tools, for
# several rounds, and prints per tool and step the median wall time, throughput and peak RSS,
# plus the ratio cairn/peer. Needs: restic, borgbackup, rsync, GNU time (Debian packages
# restic borgbackup rsync time).
#
# Usage: bench/compare.sh CORPUS_DIR [ROUNDS] [WORKDIR]
#   CORPUS_DIR as made by bench/make-corpus.sh (holds day1/, day2/, image/disk.img and
#   dumps/dump1.sql, dumps/dump2.sql; bench/make-extras.sh adds the last two to an older corpus)
#   MEMDIR (default /dev/shm): a tmpfs for the restore into memory.
set -euo pipefail
CORPUS="$(readlink -f "${1:?usage: compare.sh CORPUS_DIR [ROUNDS] [WORKDIR]}")"
ROUNDS="${2:-3}"
WORK="${3:-/tmp/cairn-bench}"
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
TOOLS="${TOOLS:-cairn restic borg}"
for t in restic borg rsync /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t: apt-get install restic borgbackup rsync time" >&2; exit 1; }
done
"$ROOT/cairn" --version >/dev/null   # build first, outside the measurements
export RESTIC_PASSWORD=bench BORG_PASSPHRASE=bench CAIRN_PASSWORD=bench
export BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
RESULTS="$WORK/results.tsv"
mkdir -p "$WORK"; : > "$RESULTS"
DAY1_BYTES=$(du -sb "$CORPUS/day1" | cut -f1)
IMAGE_BYTES=$(du -b --apparent-size "$CORPUS/image/disk.img" | cut -f1)
DUMP2_BYTES=$(du -b "$CORPUS/dumps/dump2.sql" | cut -f1)
# The corpus twice over (two copies of day one in one tree), for peak memory as the input grows.
LIVE2X="$WORK/live2x"
if [ ! -d "$LIVE2X" ]; then
  mkdir -p "$LIVE2X"; cp -a "$CORPUS/day1" "$LIVE2X/a"; cp -a "$CORPUS/day1" "$LIVE2X/b"
fi

init() {  # tool repo
  case $1 in
    cairn) CAIRN_CACHE_DIR="$2.cache" "$ROOT/cairn" -r "$2" init -q >/dev/null ;;
    restic) restic init -q -r "$2" >/dev/null ;;
    borg) borg init -e repokey-blake2 "$2" >/dev/null 2>&1 ;;
  esac
}
backup() {  # tool repo dir name
  case $1 in
    cairn) CAIRN_CACHE_DIR="$2.cache" "$ROOT/cairn" -r "$2" backup -q "$3" ;;
    restic) restic -r "$2" backup -q "$3" ;;
    borg) borg create --compression zstd,3 "$2::$4" "$3" ;;
  esac
}
restore() {  # tool repo target
  case $1 in
    cairn) CAIRN_CACHE_DIR="$2.cache" "$ROOT/cairn" -r "$2" restore -q latest --target "$3" ;;
    restic) restic -r "$2" restore -q latest --target "$3" ;;
    borg) (mkdir -p "$3" && cd "$3" && borg extract "$2::day2") ;;
  esac
}
export ROOT
warm() {  # dir: reads every file, so that each tool starts a backup with its input in the page cache
  find "$1" -type f -print0 | xargs -0 cat > /dev/null
}
export -f init backup restore
measure() {  # round tool step bytes cmd...
  local round=$1 tool=$2 step=$3 bytes=$4; shift 4
  local tf="$WORK/time.txt"
  /usr/bin/time -v -o "$tf" bash -c '"$@"' _ "$@" > "$WORK/last.log" 2>&1 || { echo "$tool $step failed:"; cat "$WORK/last.log"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tf")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$tf")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$step" "$wall" "$rss" "$bytes" >> "$RESULTS"
  printf '  %-7s %-10s %8.2f s  %8d KiB RSS\n' "$tool" "$step" "$wall" "$rss"
}

for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r"
  for tool in $TOOLS; do
    # Copies and restore targets get their own directories and are removed only after the last
    # round: on some file systems (ext4 without a journal here) creating tens of thousands of
    # files right after deleting as many is several times slower, which swamped the restore figures.
    repo="$WORK/$tool-repo"; live="$WORK/keep/live-$r-$tool"; out="$WORK/keep/restore-$r-$tool"
    rm -rf "$repo" "$repo.cache" "$live" "$out"
    mkdir -p "$WORK/keep"
    cp -a "$CORPUS/day1" "$live"
    init "$tool" "$repo"
    measure "$r" "$tool" first "$DAY1_BYTES" backup "$tool" "$repo" "$live" day1
    measure "$r" "$tool" nochange "$DAY1_BYTES" backup "$tool" "$repo" "$live" day1b
    rsync -a --delete "$CORPUS/day2/" "$live/"
    measure "$r" "$tool" daytwo "$DAY1_BYTES" backup "$tool" "$repo" "$live" day2
    measure "$r" "$tool" restore "$DAY1_BYTES" restore "$tool" "$repo" "$out"
    # The same restore into memory (tmpfs): each tool's own speed, apart from the disk's. On the
    # disk, ext4 without a journal passes over inodes freed in the last minute (six if their
    # inode table block is not yet written back) when it allocates new ones, one buffer-cache
    # lookup each (Linux fs/ext4/ialloc.c, recently_deleted()), so a restore soon after a large
    # deletion on the same file system is slower by a margin that depends on what ran before.
    mem="${MEMDIR:-/dev/shm}/cairn-bench-restore"
    rm -rf "$mem"
    measure "$r" "$tool" restoremem "$DAY1_BYTES" restore "$tool" "$repo" "$mem"
    rm -rf "$mem"
    warm "$CORPUS/image"
    measure "$r" "$tool" image "$IMAGE_BYTES" backup "$tool" "$repo" "$CORPUS/image" image
    mkdir -p "$WORK/db"; cp "$CORPUS/dumps/dump1.sql" "$WORK/db/shop.sql"
    measure "$r" "$tool" dump1 "$DUMP2_BYTES" backup "$tool" "$repo" "$WORK/db" dump1
    before=$(du -sb "$repo" | cut -f1)
    cp "$CORPUS/dumps/dump2.sql" "$WORK/db/shop.sql"
    measure "$r" "$tool" dump2 "$DUMP2_BYTES" backup "$tool" "$repo" "$WORK/db" dump2
    size=$(du -sb "$repo" | cut -f1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$tool" dump2new 0 0 "$((size - before))" >> "$RESULTS"
    printf '  %-7s %-10s %8.1f MiB new for a %.0f MiB dump\n' "$tool" dump2new "$(echo "($size - $before) / 1048576" | bc -l)" "$(echo "$DUMP2_BYTES / 1048576" | bc -l)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$tool" reposize 0 0 "$size" >> "$RESULTS"
    printf '  %-7s %-10s %8.1f MiB\n' "$tool" reposize "$(echo "$size / 1048576" | bc -l)"
    rm -rf "$WORK/db" "$repo" "$repo.cache"
    init "$tool" "$repo"
    # Without this, whichever tool ran first after the tree had left the page cache read it from
    # disk and the next ones read it from memory (cairn, run first: 15.7-20.7 s in five rounds
    # of six, against 9.2-12.5 s with the tree warmed).
    warm "$LIVE2X"
    measure "$r" "$tool" first2x "$((2 * DAY1_BYTES))" backup "$tool" "$repo" "$LIVE2X" twice
    rm -rf "$repo" "$repo.cache"
  done
done

rm -rf "$WORK/keep"
echo
echo "Medians over $ROUNDS rounds (corpus day1: $((DAY1_BYTES / 1048576)) MiB)"
python3 - "$RESULTS" <<'PY'
import sys, statistics, collections
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
d = collections.defaultdict(list)
for rnd, tool, step, wall, rss, b in rows:
    d[(tool, step)].append((float(wall), int(rss), int(b)))
tools = sorted({t for t, _ in d}, key=lambda t: (t != 'cairn', t))
print(f"{'step':<10}" + "".join(f"{t:>26}" for t in tools) + "".join(f"{'cairn/'+t:>14}" for t in tools if t != 'cairn'))
for step in ['first', 'nochange', 'daytwo', 'restore', 'restoremem', 'image', 'dump1', 'dump2', 'first2x']:
    line = f"{step:<10}"
    med = {}
    for t in tools:
        v = d.get((t, step))
        if not v:
            line += f"{'-':>26}"; continue
        w = statistics.median(x[0] for x in v); rss = statistics.median(x[1] for x in v); b = v[0][2]
        med[t] = (w, rss)
        line += f"{w:>8.2f}s {b / w / 1e6 if w else 0:>6.1f}MB/s {rss / 1024:>6.0f}MiB"
    for t in tools:
        if t != 'cairn' and 'cairn' in med and t in med:
            line += f"{med['cairn'][0] / med[t][0]:>8.2f}x t {med['cairn'][1] / med[t][1]:>4.2f}x m"
    print(line)
line = f"{'reposize':<10}"
sizes = {t: statistics.median(x[2] for x in d[(t, 'reposize')]) for t in tools if (t, 'reposize') in d}
for t in tools:
    line += f"{sizes.get(t, 0) / 2**20:>22.1f}MiB"
for t in tools:
    if t != 'cairn' and t in sizes and 'cairn' in sizes:
        line += f"{sizes['cairn'] / sizes[t]:>14.2f}x"
print(line)
line = f"{'dump2new':<10}"
new = {t: statistics.median(x[2] for x in d[(t, 'dump2new')]) for t in tools if (t, 'dump2new') in d}
dump2 = d[(tools[0], 'dump2')][0][2] if (tools[0], 'dump2') in d else 1
for t in tools:
    line += f"{new.get(t, 0) / 2**20:>14.1f}MiB {100 * new.get(t, 0) / dump2:>5.1f}%  "
print(line)
PY

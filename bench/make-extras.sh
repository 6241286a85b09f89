#!/usr/bin/env bash
# Adds the disk image and the database dumps to a corpus made by make-corpus.sh:
#   image/disk.img   a sparse 2 GiB ext4 image (mke2fs -d) holding the JDK's lib/ (~200 MB used)
#   dumps/dump1.sql  pg_dump of a pgbench database (scale 10: a million accounts)
#   dumps/dump2.sql  pg_dump of the same database after a day of writes (30 s of pgbench)
# Needs: e2fsprogs, PostgreSQL server binaries and pgbench (Debian: postgresql, postgresql-contrib).
# Usage: bench/make-extras.sh CORPUS_DIR
set -euo pipefail
OUT="$(readlink -f "${1:?usage: make-extras.sh CORPUS_DIR}")"
mkdir -p "$OUT/image" "$OUT/dumps"
if [ ! -f "$OUT/image/disk.img" ]; then
  truncate -s 2G "$OUT/image/disk.img"
  mke2fs -q -F -t ext4 -d "$OUT/day1/jdk-lib" "$OUT/image/disk.img"
fi
if [ ! -f "$OUT/dumps/dump2.sql" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  TMP=$(mktemp -d /tmp/cairn-pg.XXXXXX)
  chown postgres "$TMP"
  as_pg() { su postgres -s /bin/bash -c "$*"; }
  as_pg "$PGBIN/initdb -D $TMP/data -A trust -U postgres" >/dev/null
  as_pg "$PGBIN/pg_ctl -D $TMP/data -l $TMP/log -w -o '-p 55432 -k $TMP -c listen_addresses= -c fsync=off' start" >/dev/null
  trap 'as_pg "$PGBIN/pg_ctl -D $TMP/data -m fast stop" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
  as_pg "$PGBIN/createdb -h $TMP -p 55432 bench"
  as_pg "$PGBIN/pgbench -q -h $TMP -p 55432 -i -s 10 bench" >/dev/null 2>&1
  as_pg "$PGBIN/pg_dump -h $TMP -p 55432 bench" > "$OUT/dumps/dump1.sql"
  as_pg "$PGBIN/pgbench -h $TMP -p 55432 -c 2 -j 2 -T 30 bench" > "$OUT/dumps/pgbench.txt" 2>&1
  as_pg "$PGBIN/pg_dump -h $TMP -p 55432 bench" > "$OUT/dumps/dump2.sql"
fi
echo "image: $(du -h --apparent-size "$OUT/image/disk.img" | cut -f1) apparent, $(du -h "$OUT/image/disk.img" | cut -f1) allocated"
echo "dumps: $(du -h "$OUT/dumps/dump1.sql" | cut -f1) and $(du -h "$OUT/dumps/dump2.sql" | cut -f1)"

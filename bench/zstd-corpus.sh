#!/usr/bin/env bash
# zstd alone over a corpus, cut and compressed as a backup would (bench/ZstdCorpus.java), with
# the zstd-jni of the build. Usage: bench/zstd-corpus.sh DIR [ROUNDS] [SETTING...]
# e.g. bench/zstd-corpus.sh /tmp/corpus/day1 5 3 3,17,14 2
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
cairn_pick_jdk
"$ROOT/cairn" --version >/dev/null   # builds, and so unpacks the dependencies into target/lib
DIR="${1:?usage: zstd-corpus.sh DIR [ROUNDS] [SETTING...]}"
ROUNDS="${2:-3}"
shift $(($# < 2 ? $# : 2))
[ $# -gt 0 ] || set -- 3 2
JAR=$(ls "$ROOT"/cairn-cli/target/lib/zstd-jni-*.jar | head -1)
exec "$JAVA_HOME/bin/java" -Xmx4g --enable-native-access=ALL-UNNAMED -cp "$JAR" "$ROOT/bench/ZstdCorpus.java" "$DIR" "$ROUNDS" "$@"

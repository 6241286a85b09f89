# Sourced by ./cairn, ./mvnw callers and .ci/run: selects a JDK 25 or newer as JAVA_HOME,
# even when the default `java` on PATH is older. Fails with a clear message when none exists.
cairn_java_major() {
  # Sets cairn_major to the JDK's major version. The JDK's `release` file names it without
  # starting a JVM (~0.1 s saved per command); it is read with the shell's own `read`, and no
  # subshell is started, as this runs before every command.
  local v="" line
  if [ -f "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in
        JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v#\"}; v=${v%%[!0-9]*}; break ;;
      esac
    done < "$1/release"
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
  fi
  cairn_major=${v%%.*}
}

cairn_use_jdk() {
  [ -x "$1/bin/java" ] || return 1
  cairn_java_major "$1"
  if [ -n "$cairn_major" ] && [ "$cairn_major" -ge 25 ] 2>/dev/null; then
    export JAVA_HOME="$1"
    export PATH="$JAVA_HOME/bin:$PATH"
    return 0
  fi
  return 1
}

cairn_pick_jdk() {
  # JAVA_HOME first, then the usual places, and only then the `java` on PATH (which takes a few
  # processes to resolve).
  local c
  for c in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-2[5-9]-jdk* \
      /usr/lib/jvm/java-2[5-9]-openjdk* /usr/lib/jvm/jdk-2[5-9]*; do
    cairn_use_jdk "$c" && return 0
  done
  if command -v java >/dev/null 2>&1 && cairn_use_jdk "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"; then
    return 0
  fi
  echo "cairn: no JDK 25 or newer found. Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}

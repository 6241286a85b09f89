# Shared by the server benchmarks (sourced, not run): pick the JDK, build cairn, and start a
# throwaway vault server and enroll agents with it.
# Needs ROOT (the checkout) set by the caller; sets C (the cairn launcher).
# shellcheck shell=bash
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
cairn_pick_jdk
C="$ROOT/cairn"
"$C" --version >/dev/null   # build first, outside the measurements
SERVER_ADMIN_PASSWORD=bench-admin-password

# The first string value of a JSON key in what comes on stdin.
json() { grep -o "\"$1\" *: *\"[^\"]*\"" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server DIR [VAR=VALUE...]: a server with its data in DIR/server and its log in
# DIR/server.log, on a free loopback port, with no scheduled jobs; the VAR=VALUE pairs go to its
# environment. Waits until it listens. Sets SERVER_PID (the server JVM: ./cairn execs java),
# SERVER_URL and SERVER_FP (its certificate's fingerprint).
start_server() {
  local dir=$1 port
  shift
  port=$(free_port)
  env "$@" CAIRN_ADMIN_PASSWORD="$SERVER_ADMIN_PASSWORD" CAIRN_SERVER_LISTEN_HOST=127.0.0.1 \
    CAIRN_SERVER_JOBS_GC_INTERVAL=0 CAIRN_SERVER_JOBS_SCRUB_INTERVAL=0 CAIRN_SERVER_JOBS_RETENTION_INTERVAL=0 \
    "$C" server --data "$dir/server" --port "$port" >"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do grep -q "listening on" "$dir/server.log" && break; sleep 0.5; done
  grep -q "listening on" "$dir/server.log" || { echo "the server did not start; see $dir/server.log" >&2; exit 1; }
  SERVER_URL="https://localhost:$port"
  SERVER_FP=$(grep -o 'sha256:[0-9a-f]*' "$dir/server.log" | head -1)
}

stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
}

# enroll_agent TENANT NAME CREDFILE: creates the tenant and its repository "main" on the server
# start_server started, enrolls an agent NAME for it, and writes its credentials file.
enroll_agent() {
  local tenant=$1 name=$2 file=$3 b=$SERVER_URL admin tok cred
  admin=$(curl -sSk -X POST "$b/api/v1/login" \
    -d "{\"username\":\"admin\",\"password\":\"$SERVER_ADMIN_PASSWORD\"}" | json token)
  curl -sSk -X POST "$b/api/v1/tenants" -H "Authorization: Bearer $admin" -d "{\"slug\":\"$tenant\"}" >/dev/null
  curl -sSk -X POST "$b/api/v1/tenants/$tenant/repos" -H "Authorization: Bearer $admin" -d '{"name":"main"}' >/dev/null
  tok=$(curl -sSk -X POST "$b/api/v1/tenants/$tenant/enrollments" -H "Authorization: Bearer $admin" \
    -d '{"repository":"main"}' | json token)
  cred=$(curl -sSk -X POST "$b/api/v1/enroll" -d "{\"token\":\"$tok\",\"name\":\"$name\"}" | json credential)
  printf '{"version":1,"repositories":{"%s/repos/%s/main":{"token":"%s","fingerprint":"%s"}}}\n' \
    "$b" "$tenant" "$cred" "$SERVER_FP" > "$file"
}

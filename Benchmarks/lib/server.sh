# Shared by the benchmark and test scripts: start `kindred serve` in the background and wait
# until it is ready, or fail with its log. Source this file, then:
#
#   start_server BINARY MODEL_DIR PORT LOG [EXTRA SERVE ARGUMENTS...]
#
# sets server_pid; stop_server stops it (by that PID only). make_work_directory sets $work and
# cleans both up at exit.
server_pid=""

start_server() {
  local binary=$1 model=$2 port=$3 log=$4
  shift 4
  "$binary" serve --model "$model" --port "$port" --log-level warning "$@" 2>>"$log" &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  echo "kindred serve did not become ready on port $port" >&2
  return 1
}

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    server_pid=""
  fi
  return 0
}

# Makes a temporary directory in $work and, at exit, stops the server and removes it.
make_work_directory() {
  work=$(mktemp -d)
  trap 'stop_server; rm -rf "$work"' EXIT
}

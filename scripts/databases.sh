#!/usr/bin/env bash
# Throw-away database servers for the source tests: PostgreSQL and MariaDB from Debian's packages,
# each in a directory of its own under DIR, listening on a free loopback port, run as the
# packages' unprivileged users (postgres, mysql) when started by root, since PostgreSQL refuses
# root. Nothing else on the machine is touched: no service is enabled, no port but 127.0.0.1's.
#
# Usage:
#   scripts/databases.sh start DIR   # installs the servers if missing, starts both, writes DIR/env
#   scripts/databases.sh stop DIR    # stops the servers started in DIR (by their PIDs)
# DIR/env holds the URLs the tests read: KINDRED_TEST_POSTGRESQL_URL and KINDRED_TEST_MYSQL_URL
# (user kindred, password in the URL, database kindred), the servers' versions, and
# KINDRED_TEST_POSTGRESQL_CONTROL, a script that stops and starts the PostgreSQL (stop|start).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-}
dir=${2:-}
[ -n "$action" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
password=kindred-test-secret

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "error: no free loopback port found" >&2
  return 1
}

# Runs a command as the given user when this script runs as root, as the caller otherwise.
as_user() {
  local user=$1; shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

start() {
  scripts/bootstrap.sh postgresql mariadb-server >&2
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

  # PostgreSQL: a cluster of its own, password (SCRAM) on TCP, trust on its private socket.
  local pgport
  pgport=$(free_port)
  mkdir -p "$dir/postgresql/socket"
  printf '%s\n' "$password" > "$dir/postgresql/password"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$dir/postgresql"
    runuser -u postgres -- test -r "$dir/postgresql/password" || {
      echo "error: the postgres user can't reach $dir; give DIR's parent directories o+x (or use a directory under /tmp)" >&2
      exit 1
    }
  fi
  as_user postgres "$pgbin/initdb" -D "$dir/postgresql/data" -U kindred --pwfile="$dir/postgresql/password" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 > "$dir/postgresql/initdb.log"
  as_user postgres "$pgbin/pg_ctl" -D "$dir/postgresql/data" -l "$dir/postgresql/server.log" -w -t 60 \
    -o "-p $pgport -k $dir/postgresql/socket -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null
  as_user postgres "$pgbin/createdb" -h "$dir/postgresql/socket" -p "$pgport" -U kindred kindred
  local pgversion
  pgversion=$("$pgbin/postgres" --version)
  # For tests that take the database away and bring it back: DIR/postgresql/control stop|start.
  local runas=""
  [ "$(id -u)" -eq 0 ] && runas="runuser -u postgres --"
  cat > "$dir/postgresql/control" <<CONTROL
#!/bin/sh
case "\$1" in
  stop) exec $runas "$pgbin/pg_ctl" -D "$dir/postgresql/data" -m fast -w stop ;;
  start) exec $runas "$pgbin/pg_ctl" -D "$dir/postgresql/data" -l "$dir/postgresql/server.log" -w -t 60 \\
    -o "-p $pgport -k $dir/postgresql/socket -c listen_addresses=127.0.0.1 -c fsync=off" start ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CONTROL
  chmod 755 "$dir/postgresql/control"

  # MariaDB: a data directory of its own, user kindred with a password over TCP.
  local myport
  myport=$(free_port)
  mkdir -p "$dir/mariadb"
  local myuser=()
  if [ "$(id -u)" -eq 0 ]; then chown mysql: "$dir/mariadb"; myuser=(--user=mysql); fi
  mariadb-install-db --no-defaults --datadir="$dir/mariadb/data" "${myuser[@]}" \
    --auth-root-authentication-method=socket --skip-test-db > "$dir/mariadb/install.log" 2>&1
  mariadbd --no-defaults --datadir="$dir/mariadb/data" "${myuser[@]}" --port="$myport" --bind-address=127.0.0.1 \
    --socket="$dir/mariadb/socket" --pid-file="$dir/mariadb/server.pid" --log-error="$dir/mariadb/server.log" \
    --skip-name-resolve --innodb-flush-log-at-trx-commit=0 --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci > /dev/null 2>&1 &
  echo $! > "$dir/mariadb/launcher.pid"
  for _ in $(seq 1 120); do
    mariadb-admin --no-defaults --socket="$dir/mariadb/socket" -u root ping > /dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --no-defaults --socket="$dir/mariadb/socket" -u root -e "
    CREATE DATABASE kindred CHARACTER SET utf8mb4;
    CREATE USER 'kindred'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL ON *.* TO 'kindred'@'127.0.0.1';"
  local myversion
  myversion=$(mariadbd --version)

  cat > "$dir/env" <<ENV
export KINDRED_TEST_POSTGRESQL_URL='postgresql://kindred:$password@127.0.0.1:$pgport/kindred'
export KINDRED_TEST_MYSQL_URL='mysql://kindred:$password@127.0.0.1:$myport/kindred'
export KINDRED_TEST_DATABASE_VERSIONS='$pgversion; $myversion'
export KINDRED_TEST_POSTGRESQL_CONTROL='$dir/postgresql/control'
ENV
  echo "databases: $pgversion on 127.0.0.1:$pgport, $myversion on 127.0.0.1:$myport ($dir)" >&2
}

stop() {
  [ -d "$dir" ] || return 0
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -f "$dir/postgresql/data/postmaster.pid" ]; then
    as_user postgres "$pgbin/pg_ctl" -D "$dir/postgresql/data" -m fast -w stop > /dev/null || true
  fi
  if [ -f "$dir/mariadb/server.pid" ]; then
    local pid
    pid=$(cat "$dir/mariadb/server.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$dir"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

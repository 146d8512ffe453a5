#!/usr/bin/env bash
# The PostgreSQL server for the store contract suite, the replica e2e tests and the store
# benchmark (issue 16): installs Debian's postgresql when initdb is missing, keeps its own
# cluster in a private data dir on a private port, and only ever stops that cluster (a
# Postgres someone else runs, e.g. on 5432, is never touched). Tests create a database of
# their own per run on it, so suites and engineers sharing the server do not collide.
#
#   start     install if needed, create the cluster and the shellgate role on first use, start it
#   stop      stop our cluster (fast shutdown); nothing else
#   restart   stop and start our cluster (for the "Postgres restarted under the replicas" test)
#   env       print `export SHELLGATE_TEST_POSTGRES_URL=...` (and _CA_FILE) for `eval "$(... env)"`
#   status    say whether our cluster runs and where
#
# Environment: SHELLGATE_POSTGRES_DIR (data dir, log, password file; default
# /var/tmp/shellgate-postgres), SHELLGATE_POSTGRES_PORT (default 55432),
# POSTGRES_START_TIMEOUT_SECONDS (default 60).
#
# The shellgate role's password is generated once into $SHELLGATE_POSTGRES_DIR/password
# (0640, group postgres); `env` puts it in the URL, which the tests read from the environment
# and never print (the store redacts passwords from every message). The server also speaks
# TLS with a certificate for 127.0.0.1/localhost signed by a private CA made once in
# $SHELLGATE_POSTGRES_DIR/tls; `env` names that CA so tests can connect with verify-full.
set -euo pipefail

readonly PG_DIR=${SHELLGATE_POSTGRES_DIR:-/var/tmp/shellgate-postgres}
readonly DATA_DIR=$PG_DIR/data
readonly SOCKET_DIR=$PG_DIR/run
readonly LOG_FILE=$PG_DIR/postgres.log
readonly PASSWORD_FILE=$PG_DIR/password
readonly TLS_DIR=$PG_DIR/tls
readonly PORT=${SHELLGATE_POSTGRES_PORT:-55432}
readonly ROLE=shellgate
readonly START_TIMEOUT_SECONDS=${POSTGRES_START_TIMEOUT_SECONDS:-60}

say() { echo "postgres.sh: $*"; }
fail() {
  echo "postgres.sh: error: $*" >&2
  exit 1
}

# Postgres refuses to run as root; as root we run it as Debian's postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin_dir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

install_postgres() {
  bin_dir >/dev/null && return 0
  say "initdb not found; installing postgresql from Debian (without its default cluster)"
  # Debian's package would create and start a cluster on 5432; we only want the binaries.
  mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; then
    say "install failed; running apt-get update and trying again"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  fi
  bin_dir >/dev/null || fail "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
}

is_running() {
  [ -f "$DATA_DIR/postmaster.pid" ] && as_owner "$(bin_dir)/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

psql_admin() {
  as_owner "$(bin_dir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -d postgres "$@"
}

init_cluster() {
  [ -f "$DATA_DIR/PG_VERSION" ] && return 0
  say "creating a cluster in $DATA_DIR (port $PORT)"
  mkdir -p "$PG_DIR" "$SOCKET_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR" "$SOCKET_DIR"
  chmod 0750 "$PG_DIR"
  as_owner "$(bin_dir)/initdb" -D "$DATA_DIR" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  # Small and private: loopback only, our socket dir, enough connections for three gateway
  # replicas with their pools plus parallel test suites.
  cat >>"$DATA_DIR/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
max_connections = 200
shared_buffers = 64MB
fsync = on
EOF
}

# A private CA and a server certificate for the loopback names, made once; the server reads
# them on start and on reload.
ensure_tls() {
  [ -s "$TLS_DIR/server.pem" ] && return 0
  say "making a private CA and a server certificate in $TLS_DIR"
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=shellgate test postgres CA" \
    -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$TLS_DIR/san.ext"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" -CAcreateserial -days 3650 \
    -extfile "$TLS_DIR/san.ext" -out "$TLS_DIR/server.pem" 2>/dev/null
  # The CA key is not needed again: nothing else is ever signed with it.
  rm -f "$TLS_DIR/server.csr" "$TLS_DIR/san.ext" "$TLS_DIR/ca.key" "$TLS_DIR/ca.srl"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$TLS_DIR"
  chmod 0755 "$TLS_DIR"
  chmod 0600 "$TLS_DIR/server.key"
  chmod 0644 "$TLS_DIR/ca.pem" "$TLS_DIR/server.pem"
}

# TLS on (loopback clients may still connect without it); a running server reloads it.
ensure_tls_config() {
  grep -q "^ssl = on" "$DATA_DIR/postgresql.conf" && return 0
  printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" "$TLS_DIR/server.pem" "$TLS_DIR/server.key" >>"$DATA_DIR/postgresql.conf"
  if is_running; then as_owner "$(bin_dir)/pg_ctl" -D "$DATA_DIR" reload >/dev/null; fi
}

ensure_role() {
  if [ ! -s "$PASSWORD_FILE" ]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PASSWORD_FILE")
  fi
  [ "$(id -u)" = 0 ] && chgrp postgres "$PASSWORD_FILE"
  chmod 0640 "$PASSWORD_FILE"
  local password
  password=$(cat "$PASSWORD_FILE")
  # The password travels on stdin, never on a command line.
  psql_admin <<EOF
SELECT 'CREATE ROLE $ROLE LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
ALTER ROLE $ROLE PASSWORD '$password';
SELECT 'CREATE DATABASE $ROLE OWNER $ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$ROLE') \gexec
EOF
}

wait_until_ready() {
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until as_owner "$(bin_dir)/pg_isready" -q -h "$SOCKET_DIR" -p "$PORT"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "postgres did not accept connections within ${START_TIMEOUT_SECONDS} s; last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE" 2>/dev/null)"
    fi
    sleep 0.2
  done
}

start_server() {
  install_postgres
  init_cluster
  ensure_tls
  ensure_tls_config
  if is_running; then
    say "our postgres already runs (data $DATA_DIR, port $PORT)"
  else
    mkdir -p "$SOCKET_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$SOCKET_DIR"
    touch "$LOG_FILE"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$LOG_FILE"
    as_owner "$(bin_dir)/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t "$START_TIMEOUT_SECONDS" start >/dev/null ||
      fail "pg_ctl start failed; last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE" 2>/dev/null)"
    say "started postgres (data $DATA_DIR, port $PORT, log $LOG_FILE)"
  fi
  wait_until_ready
  ensure_role
}

stop_server() {
  if ! is_running; then
    say "our postgres is not running"
    return 0
  fi
  as_owner "$(bin_dir)/pg_ctl" -D "$DATA_DIR" -m fast -w -t 60 stop >/dev/null
  say "stopped postgres (data $DATA_DIR)"
}

print_env() {
  [ -s "$PASSWORD_FILE" ] || fail "no password file yet (run scripts/engines/postgres.sh start)"
  echo "export SHELLGATE_TEST_POSTGRES_URL=postgres://$ROLE:$(cat "$PASSWORD_FILE")@127.0.0.1:$PORT/$ROLE"
  echo "export SHELLGATE_TEST_POSTGRES_CA_FILE=$TLS_DIR/ca.pem"
}

status() {
  if is_running; then say "our postgres runs (data $DATA_DIR, port $PORT, log $LOG_FILE)"
  else
    say "our postgres is not running (run scripts/engines/postgres.sh start)"
    return 1
  fi
}

case "${1:-}" in
  start) start_server ;;
  stop) stop_server ;;
  restart)
    stop_server
    start_server
    ;;
  env) print_env ;;
  status) status ;;
  *)
    echo "usage: scripts/engines/postgres.sh start|stop|restart|env|status" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# pg-cluster.sh — a throwaway PostgreSQL cluster for tests and benchmarks.
#   pg-cluster.sh start DIR   initdb in DIR (as the postgres user when root), start it on a
#                             free loopback port, print the base URL postgres://postgres@127.0.0.1:PORT/
#   pg-cluster.sh replica DIR PRIMARY_DIR
#                             a streaming replica of the cluster started in PRIMARY_DIR: pg_basebackup -R
#                             over loopback into DIR, started (hot standby) on a free port; prints its URL
#   pg-cluster.sh stop DIR    stop it (a primary or a replica) and remove DIR
set -euo pipefail
cmd=${1:?start|replica|stop}; dir=${2:?DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$bindir/initdb" ]] || { echo "pg-cluster.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
own_dir() { mkdir -p "$1"; if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$1"; fi; }
# Long waits on purpose (-t 120): a loaded machine starts a cluster slowly; pg_ctl -w returns as
# soon as the server accepts connections (read-only ones, for a standby).
pg_start() {       # DIR PORT -> starts the cluster in DIR/data on PORT
  as_pg "$bindir/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 120 \
    -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB -c wal_level=replica -c max_wal_senders=10 -c hot_standby=on" start >/dev/null \
    || { cat "$1/server.log" >&2; exit 1; }
  echo "$2" >"$1/port"
  echo "postgres://postgres@127.0.0.1:$2/"
}

case "$cmd" in
start)
  own_dir "$dir"
  port=$(free_port)
  as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  pg_start "$dir" "$port"
  ;;
replica)
  primary=${3:?PRIMARY_DIR}
  own_dir "$dir"
  # initdb --auth=trust lets loopback replication connections in (pg_hba.conf); -R writes
  # standby.signal and primary_conninfo, -X stream takes the WAL of the backup along.
  as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$(cat "$primary/port")" -U postgres -D "$dir/data" -R -X stream \
    --checkpoint=fast >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
  pg_start "$dir" "$(free_port)"
  ;;
stop)
  if [[ -d "$dir/data" ]]; then
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*) echo "usage: pg-cluster.sh start|stop DIR | replica DIR PRIMARY_DIR" >&2; exit 2 ;;
esac

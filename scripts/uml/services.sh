#!/bin/bash
# Starts PostgreSQL and Mosquitto on 127.0.0.1 inside user-mode Linux for scripts/with-vcan.
# PostgreSQL's data lives on a tmpfs (/run), so nothing is written to the host's disk.
# Usage: services.sh start DIR   (writes DIR/services.env with DATABASE_URL and MQTT_URL)
set -euo pipefail
dir="$2"
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n1)"
[ -x "$pgbin/postgres" ] || { echo "with-vcan: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
command -v mosquitto > /dev/null || { echo "with-vcan: Mosquitto is not installed (apt-get install mosquitto)" >&2; exit 1; }

pgdata=/run/pgdata
mkdir -p "$pgdata" /run/postgresql
chown postgres: "$pgdata" /run/postgresql
runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" --auth=trust --username=postgres -E UTF8 > /run/initdb.log 2>&1 ||
  { cat /run/initdb.log >&2; exit 1; }
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -l /run/postgresql.log -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -c port=5432 -c unix_socket_directories=/run/postgresql -c fsync=off -c max_connections=200" > /dev/null ||
  { cat /run/postgresql.log >&2; exit 1; }

cat > /run/mosquitto.conf <<'CONF'
listener 1883 127.0.0.1
allow_anonymous true
persistence false
log_dest none
CONF
mosquitto -c /run/mosquitto.conf -d
for _ in $(seq 1 100); do
  if (echo > /dev/tcp/127.0.0.1/1883) 2> /dev/null; then break; fi
  sleep 0.1
done
(echo > /dev/tcp/127.0.0.1/1883) 2> /dev/null || { echo "with-vcan: Mosquitto did not start" >&2; exit 1; }

cat > "$dir/services.env" <<'ENV'
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
export MQTT_URL=mqtt://127.0.0.1:1883
ENV
echo "with-vcan: PostgreSQL and Mosquitto are up on 127.0.0.1 inside user-mode Linux" >&2

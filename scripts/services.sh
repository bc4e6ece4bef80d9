#!/usr/bin/env bash
# Starts the loopback services that the integration tests need (PostgreSQL, Redis,
# NATS) when they are not already answering, installing them from Debian's packages
# when they are missing. Exits non-zero, loudly, when one cannot be started.
set -euo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_up() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    up "$port" && return 0
    sleep 0.5
  done
  echo "services: $name did not come up on 127.0.0.1:$port" >&2
  return 1
}

apt_ready=
need_pkg() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ -z "$apt_ready" ]; then apt-get update -qq; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

if ! up 5432; then
  echo "services: starting PostgreSQL"
  need_pkg pg_ctlcluster postgresql
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  wait_up PostgreSQL 5432
  psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='test'" \
    | grep -q 1 || psql -h 127.0.0.1 -U postgres -c 'create database test'
fi

if ! up 6379; then
  echo "services: starting Redis"
  need_pkg redis-server redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_up Redis 6379
fi

if ! up 4222; then
  echo "services: starting NATS"
  need_pkg nats-server nats-server
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server)" -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_up NATS 4222
fi

echo "services: PostgreSQL, Redis and NATS answer on loopback"

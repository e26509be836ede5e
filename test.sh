#!/usr/bin/env bash
# Install everything the tests need, make sure PostgreSQL and Redis run, then run every test.
set -euo pipefail
cd "$(dirname "$0")"

apt_install() {
  command -v apt-get >/dev/null || return 0
  [ -n "${HOOKHUB_APT_UPDATED:-}" ] || { apt-get update -qq; export HOOKHUB_APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v pg_ctlcluster >/dev/null || apt_install postgresql
command -v redis-server >/dev/null || apt_install redis-server
# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
[ -x /usr/bin/chromium ] || apt_install chromium
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"

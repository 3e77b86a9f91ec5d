#!/usr/bin/env bash
# Makes sure the real services the tests talk to are answering on this machine:
# Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432. Starts them when they
# are not answering and installs them with apt-get when they are missing. The
# console's browser tests need Chromium at /usr/bin/chromium; it is installed too.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
	[ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
wait_for() { # wait_for NAME CMD...: up to 30 s
	local name=$1; shift
	for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
	echo "services: $name did not come up" >&2; return 1
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_up; then
	command -v redis-server >/dev/null || apt_install redis-server
	echo "services: starting redis-server on 127.0.0.1:6379"
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp >/dev/null
	wait_for redis redis_up
fi

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
if ! command -v pg_isready >/dev/null || ! pg_up; then
	command -v pg_ctlcluster >/dev/null || apt_install postgresql
	if ! pg_up; then
		echo "services: starting PostgreSQL on 127.0.0.1:5432"
		as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
		wait_for postgresql pg_up
	fi
fi
# The tests connect as postgres over TCP without a password and create a
# throwaway database each (internal/storage/postgres/pgtest). A fresh Debian
# cluster asks for a password there: let that user in from 127.0.0.1.
pg_trusts() { psql -w -h 127.0.0.1 -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1 </dev/null; }
if ! pg_trusts; then
	pg_version=$(ls /etc/postgresql | sort -V | tail -n1)
	hba=/etc/postgresql/$pg_version/main/pg_hba.conf
	echo "services: letting postgres connect from 127.0.0.1 without a password ($hba)"
	as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
	as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload
	wait_for "postgresql login" pg_trusts
fi

# The console tests drive a real headless Chromium.
[ -x /usr/bin/chromium ] || { echo "services: installing chromium"; apt_install chromium; }

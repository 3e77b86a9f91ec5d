#!/usr/bin/env bash
# make bench: build commentd and commentd-load, start commentd on SQLite + Redis
# and then on PostgreSQL + Redis (a throwaway database; skipped while the binary
# has no PostgreSQL store), run the same load against each and against the
# bare-Gin floors, and print one table plus each server's memory.
#
#   scripts/bench.sh                 both stores, the default load
#   scripts/bench.sh --million       also seed 1,000,000 comments and a 100k-token
#                                    model into SQLite through the store, then
#                                    measure memory idle and under the read loads
#   BENCH_ARGS="-repeat 5 -duration 5s" scripts/bench.sh   passed to commentd-load run
#
# Everything listens on 127.0.0.1 and every load is bounded in time and count.
set -euo pipefail
cd "$(dirname "$0")/.."

million=""
for a in "$@"; do
	case $a in
	--million) million=1 ;;
	*) echo "usage: scripts/bench.sh [--million]" >&2; exit 2 ;;
	esac
done

bash scripts/services.sh >&2
work=$(mktemp -d /tmp/commentd-bench.XXXXXX)
server_pid=""
pg_db=""
cleanup() {
	stop_server
	if [ -n "$pg_db" ]; then psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "bench: building" >&2
go build -o "$work/commentd" ./cmd/commentd
go build -o "$work/commentd-load" ./cmd/commentd-load

token="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# start_server DATABASE_URL: runs commentd on a free port; sets server_pid and addr.
start_server() {
	local log="$work/server.log"
	: >"$log"
	COMMENTD_ADDR=127.0.0.1:0 COMMENTD_DATABASE_URL="$1" \
		COMMENTD_REDIS_URL=redis://127.0.0.1:6379/0 COMMENTD_REDIS_KEY_PREFIX="commentd-bench:$$:$RANDOM:" \
		COMMENTD_TRUSTED_PROXIES=127.0.0.1/32 COMMENTD_ADMIN_TOKEN="$token" \
		COMMENTD_LOG_LEVEL="${BENCH_LOG_LEVEL:-info}" COMMENTD_LOG_FORMAT=json \
		"$work/commentd" serve >>"$log" 2>&1 &
	server_pid=$!
	addr=""
	for _ in $(seq 1 300); do
		addr=$(grep -o '"msg":"listening","addr":"[^"]*"' "$log" | head -n1 | sed 's/.*"addr":"\([^"]*\)"/\1/' || true)
		[ -n "$addr" ] && return 0
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: commentd on $1 did not start:" >&2
	tail -n 5 "$log" >&2
	server_pid=""
	return 1
}

stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status"; }

memory=()
header=true
# bench_store LABEL DATABASE_URL
bench_store() {
	start_server "$2" || return 1
	sleep 1 # let the first background loops run
	local idle
	idle=$(rss_mb)
	echo "bench: $1 on http://$addr" >&2
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
	"$work/commentd-load" run -target "http://$addr" -pid "$server_pid" -admin-token "$token" -services redis-server,postgres -label "$1" -post-goal "${BENCH_POST_GOAL:-0.40}" \
		-header="$header" -tsv ${BENCH_ARGS:-} >>"$work/table.tsv"
	header=false
	memory+=("$1: RSS idle ${idle} MB, after the load $(rss_mb) MB")
	stop_server
}

BENCH_POST_GOAL=0.40 bench_store sqlite "sqlite://$work/sqlite/commentd.db"

pg_db="commentd_bench_$$"
if psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $pg_db" >/dev/null 2>&1; then
	BENCH_POST_GOAL=0.25 bench_store postgres "postgres://postgres@127.0.0.1:5432/$pg_db?sslmode=disable" ||
		echo "bench: postgres skipped: this commentd does not run on PostgreSQL (see above)" >&2
else
	echo "bench: postgres skipped: cannot create a database on 127.0.0.1:5432" >&2
fi

if [ -n "$million" ]; then
	db="$work/million/commentd.db"
	echo "bench: seeding 1,000,000 comments and a 100,000-token model (several minutes)" >&2
	"$work/commentd-load" seed -database-url "sqlite://$db" -comments 1000000 -tokens 100000 >&2
	BENCH_ARGS="${BENCH_ARGS:-} -loads list,list304" bench_store sqlite-1M "sqlite://$db"
fi

echo
column -t -s "$(printf '\t')" "$work/table.tsv"
echo
printf '%s\n' "${memory[@]}"

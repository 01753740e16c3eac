#!/usr/bin/env bash
# scripts/devdb_test.sh — end-to-end test of scripts/devdb.sh.
#
# Copies scripts/ into a fresh temporary "checkout" (as root, mktemp's 0700 dir
# also exercises the "postgres cannot reach the repo" path) and runs devdb.sh
# there on a separate port (DEVDB_TEST_PORT, default 54359), so it does not
# disturb the project's own cluster.  Needs the PostgreSQL server binaries.
set -euo pipefail

SRC=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
PORT=${DEVDB_TEST_PORT:-54359}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/devdb-test.XXXXXX")
mkdir -p "$WORK/scripts"
cp "$SRC/devdb.sh" "$WORK/scripts/"
DEVDB=$WORK/scripts/devdb.sh
unset DATABASE_URL
export COGOV_PGPORT=$PORT

cleanup() {
    "$DEVDB" stop >/dev/null 2>&1 || true
    local target
    if [[ -L $WORK/.data/postgres ]]; then
        target=$(readlink "$WORK/.data/postgres")
        [[ $target == /var/tmp/cogov-pg-* ]] && rm -rf -- "$target"
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
now_ms() { date +%s%3N; }

PSQL=$(command -v psql || true)
[[ -n $PSQL ]] || PSQL=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
q() { "$PSQL" -X -w -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" </dev/null; }

# 1. fresh start, nothing but the URL on stdout
url=$("$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url (fresh)"; }
local_url="postgres://cogov@127.0.0.1:$PORT/cogov?sslmode=disable"
sys_url="postgres://cogov@127.0.0.1:5432/cogov?sslmode=disable"
[[ $url == "$local_url" || $url == "$sys_url" ]] || fail "unexpected URL: $url"
ok "url (fresh): $url"

# 2. second call reuses the server and is fast
t0=$(now_ms)
url2=$("$DEVDB" url </dev/null 2>/dev/null)
dt=$(($(now_ms) - t0))
[[ $url2 == "$url" ]] || fail "second url differs: $url2"
((dt < 1000)) || fail "second url took ${dt} ms"
ok "url (reuse) in ${dt} ms"

# 3. privileges of cogov
[[ $(q "$url" "select rolsuper, rolcreatedb, rolcreaterole, rolcanlogin from pg_roles where rolname = current_user") == "f|t|t|t" ]] ||
    fail "cogov role attributes"
[[ $(q "$url" "select pg_get_userbyid(datdba) from pg_database where datname = 'cogov'") == cogov ]] ||
    fail "cogov does not own database cogov"
q "$url" "create database devdb_test_x" >/dev/null
q "$url" "create role devdb_test_y" >/dev/null
base=${url%%\?*}
q "${base%/*}/devdb_test_x?sslmode=disable" "create extension btree_gist" >/dev/null
q "$url" "drop database devdb_test_x" >/dev/null
q "$url" "drop role devdb_test_y" >/dev/null
ok "create database/role, create extension btree_gist"

# 4. DATABASE_URL passes through untouched
[[ $(DATABASE_URL='postgres://x@example/y' "$DEVDB" url 2>/dev/null) == 'postgres://x@example/y' ]] ||
    fail "DATABASE_URL passthrough"
ok "DATABASE_URL passthrough"

if [[ $url == "$local_url" ]]; then
    # 5. stop, then concurrent starts of the stopped cluster
    "$DEVDB" stop 2>/dev/null
    ! q "$url" "select 1" >/dev/null 2>&1 || fail "still answering after stop"
    "$DEVDB" stop 2>/dev/null || fail "second stop"
    ok "stop (twice)"
    pids=()
    for i in 1 2 3; do
        "$DEVDB" url </dev/null >"$WORK/out.$i" 2>"$WORK/err.$i" &
        pids+=($!)
    done
    for i in 1 2 3; do
        wait "${pids[$((i - 1))]}" || { cat "$WORK/err.$i" >&2; fail "concurrent url $i"; }
        [[ $(cat "$WORK/out.$i") == "$url" ]] || fail "concurrent url $i printed $(cat "$WORK/out.$i")"
    done
    q "$url" "select 1" >/dev/null || fail "not answering after concurrent start"
    ok "concurrent url calls"
    "$DEVDB" stop 2>/dev/null
    ok "stop"
else
    ok "(server on 5432 in use; stop/concurrency checks skipped)"
fi
echo "PASS"

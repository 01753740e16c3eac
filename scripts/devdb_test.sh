#!/usr/bin/env bash
# scripts/devdb_test.sh — end-to-end test of scripts/devdb.sh.
#
# Copies scripts/ into a fresh temporary "checkout" (as root, mktemp's 0700 dir
# also exercises the "postgres cannot reach the repo" path) and runs devdb.sh
# there on a separate port (DEVDB_TEST_PORT, default 25359), so it does not
# disturb the project's own cluster: the ports it uses are PORT to PORT+2, and
# DEVDB_DEFAULT_PORT keeps devdb.sh away from 54329 even when COGOV_PGPORT is
# unset.  Needs the PostgreSQL server binaries.
set -euo pipefail

SRC=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
PORT=${DEVDB_TEST_PORT:-25359} # below Linux's ephemeral ports (32768-60999), which client sockets may hold
OTHER=$((PORT + 1)) # where a cluster must never end up
WORKS=()

# new_checkout: a fresh temporary checkout holding devdb.sh; sets WORK and DEVDB.
new_checkout() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/devdb-test.XXXXXX")
    WORKS+=("$WORK")
    mkdir -p "$WORK/scripts"
    cp "$SRC/devdb.sh" "$WORK/scripts/"
    DEVDB=$WORK/scripts/devdb.sh
}
new_checkout
FIRST=$WORK
unset DATABASE_URL
export COGOV_PGPORT=$PORT
export DEVDB_DEFAULT_PORT=$OTHER

cleanup() {
    local w target
    for w in ${WORKS[@]+"${WORKS[@]}"}; do
        env -u COGOV_PGPORT "$w/scripts/devdb.sh" stop >/dev/null 2>&1 || true
        if [[ -L $w/.data/postgres ]]; then
            target=$(readlink "$w/.data/postgres")
            [[ $target == /var/tmp/cogov-pg-* ]] && rm -rf -- "$target"
        fi
        rm -rf -- "$w"
    done
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
now_ms() { date +%s%3N; }

PSQL=$(command -v psql || true)
[[ -n $PSQL ]] || PSQL=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
q() { "$PSQL" -X -w -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" </dev/null; }
listening() { (exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# postmaster_pid: the pid of the running postmaster of the checkout in $1.
postmaster_pid() { sed -n 1p -- "$1/.data/postgres/postmaster.pid" 2>/dev/null; }

for p in "$PORT" "$OTHER" "$((PORT + 2))"; do
    ! listening "$p" || fail "port $p is in use; set DEVDB_TEST_PORT to a free range of three ports"
done

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

    # 6. The cluster keeps the port it was created with: asked for without
    # COGOV_PGPORT it is neither restarted nor moved to the default port.
    pid=$(postmaster_pid "$WORK")
    [[ -n $pid ]] || fail "no postmaster.pid"
    url3=$(env -u COGOV_PGPORT "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url without COGOV_PGPORT"; }
    [[ $url3 == "$url" ]] || fail "url without COGOV_PGPORT printed $url3, want $url"
    [[ $(postmaster_pid "$WORK") == "$pid" ]] || fail "url without COGOV_PGPORT restarted the cluster"
    ! listening "$OTHER" || fail "url without COGOV_PGPORT started a server on $OTHER"
    [[ $(cat "$WORK/.data/port") == "$PORT" ]] || fail ".data/port holds '$(cat "$WORK/.data/port" 2>/dev/null)', want $PORT"
    ok "port recorded in .data/port; reused without COGOV_PGPORT, no restart"

    # 7. COGOV_PGPORT naming another port: a note says it is ignored, the
    # cluster stays where it is.
    url3=$(COGOV_PGPORT=$((PORT + 2)) "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url with another COGOV_PGPORT"; }
    [[ $url3 == "$url" ]] || fail "url with another COGOV_PGPORT printed $url3, want $url"
    [[ $(postmaster_pid "$WORK") == "$pid" ]] || fail "url with another COGOV_PGPORT restarted the cluster"
    ! listening "$((PORT + 2))" || fail "url with another COGOV_PGPORT started a server on $((PORT + 2))"
    grep -q "COGOV_PGPORT=$((PORT + 2)) is ignored.*created on port $PORT" "$WORK/err" ||
        fail "no note about the ignored COGOV_PGPORT: $(cat "$WORK/err")"
    ok "another COGOV_PGPORT: noted and ignored"

    # 8. A cluster made before the port file was always written (made with
    # COGOV_PGPORT): its port is read from its postgresql.conf and recorded.
    rm -f -- "$WORK/.data/port"
    url3=$(env -u COGOV_PGPORT "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url without a port file"; }
    [[ $url3 == "$url" && $(postmaster_pid "$WORK") == "$pid" ]] || fail "without a port file: $url3, pid $(postmaster_pid "$WORK") (was $pid)"
    [[ $(cat "$WORK/.data/port" 2>/dev/null) == "$PORT" ]] || fail "the port file was not written again"
    echo "$OTHER" >"$WORK/.data/port" # left from an earlier cluster
    url3=$(env -u COGOV_PGPORT "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url with a stale port file"; }
    [[ $url3 == "$url" && $(postmaster_pid "$WORK") == "$pid" ]] || fail "with a stale port file: $url3, pid $(postmaster_pid "$WORK") (was $pid)"
    [[ $(cat "$WORK/.data/port" 2>/dev/null) == "$PORT" ]] || fail "the stale port file was not corrected"
    ok "a cluster without a port file, or with a stale one, keeps its port"

    # 9. Stopped, it starts again on its own port without COGOV_PGPORT.
    "$DEVDB" stop 2>/dev/null
    url3=$(env -u COGOV_PGPORT "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "restart without COGOV_PGPORT"; }
    [[ $url3 == "$url" ]] || fail "restart without COGOV_PGPORT printed $url3"
    q "$url" "select 1" >/dev/null || fail "not answering on $PORT after a start without COGOV_PGPORT"
    ! listening "$OTHER" || fail "a start without COGOV_PGPORT listens on $OTHER"
    ok "start without COGOV_PGPORT uses the recorded port"

    # 10. A cluster someone started on another port by hand is used there,
    # not restarted.
    "$DEVDB" stop 2>/dev/null
    data=$WORK/.data/postgres
    major=$(cat "$data/PG_VERSION")
    pgctl=
    for c in $(command -v pg_ctl || true) /usr/lib/postgresql/*/bin/pg_ctl; do
        [[ -x $c && $("$c" --version) == *" $major"[.\ ]* ]] && pgctl=$c && break
    done
    [[ -n $pgctl ]] || fail "no pg_ctl of PostgreSQL $major"
    as_owner=()
    [[ $EUID -eq 0 ]] && as_owner=(runuser -u postgres --)
    (cd / && ${as_owner[@]+"${as_owner[@]}"} "$pgctl" -D "$(readlink -f "$data")" -l "$(readlink -f "$data")/server.log" -w -o "-p $((PORT + 2))" start </dev/null >/dev/null 3>&- 9>&-) ||
        fail "could not start the cluster by hand on $((PORT + 2))"
    pid=$(postmaster_pid "$WORK")
    url3=$(env -u COGOV_PGPORT "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url of a cluster running on another port"; }
    [[ $url3 == "postgres://cogov@127.0.0.1:$((PORT + 2))/cogov?sslmode=disable" ]] || fail "a cluster running on $((PORT + 2)): url $url3"
    [[ $(postmaster_pid "$WORK") == "$pid" ]] || fail "a cluster running on $((PORT + 2)) was restarted"
    "$DEVDB" stop 2>/dev/null
    ! listening "$((PORT + 2))" || fail "stop left the cluster running on $((PORT + 2))"
    url3=$(env -u COGOV_PGPORT "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url after the cluster ran on another port"; }
    [[ $url3 == "$url" ]] || fail "started again, the cluster is not on its recorded port: $url3"
    ok "a cluster running on another port is used there; started again, it is on its own port"

    # 11. A second checkout without COGOV_PGPORT, whose first port is taken
    # by the first checkout's cluster, takes the next free port, records it
    # and keeps it.
    pid1=$(postmaster_pid "$FIRST")
    new_checkout
    url4=$(env -u COGOV_PGPORT DEVDB_DEFAULT_PORT="$PORT" "$DEVDB" url </dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; fail "url in a second checkout"; }
    [[ $url4 == "postgres://cogov@127.0.0.1:$OTHER/cogov?sslmode=disable" ]] || fail "second checkout: $url4"
    [[ $(cat "$WORK/.data/port") == "$OTHER" ]] || fail "second checkout recorded $(cat "$WORK/.data/port" 2>/dev/null)"
    pid2=$(postmaster_pid "$WORK")
    url5=$(COGOV_PGPORT=$PORT "$DEVDB" url </dev/null 2>/dev/null) || fail "second checkout, second call"
    [[ $url5 == "$url4" && $(postmaster_pid "$WORK") == "$pid2" ]] || fail "second checkout moved: $url5"
    [[ $(postmaster_pid "$FIRST") == "$pid1" ]] && q "$url" "select 1" >/dev/null || fail "first cluster disturbed"
    "$DEVDB" stop 2>/dev/null
    ok "second checkout on the next free port, recorded"
    WORK=$FIRST DEVDB=$FIRST/scripts/devdb.sh

    "$DEVDB" stop 2>/dev/null
    ok "stop"
else
    ok "(server on 5432 in use; stop/concurrency checks skipped)"
fi
echo "PASS"

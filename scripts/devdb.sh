#!/usr/bin/env bash
# scripts/devdb.sh — a PostgreSQL database for development and tests, with no
# manual set-up.
#
#   scripts/devdb.sh url     print a DATABASE_URL (only the URL goes to stdout;
#                            progress goes to stderr), starting a server first
#                            if necessary
#   scripts/devdb.sh stop    stop the project-local cluster (no-op if none)
#   scripts/devdb.sh status  say which server `url` would use (exit 1 if none)
#
# `url` resolution order:
#   0. $DATABASE_URL, if set and non-empty, is printed unchanged.
#   1. Fast paths (no lock taken): the project-local cluster if it is already
#      running and answering, else cogov@127.0.0.1:5432 if it already works.
#   2. A server already listening on /var/run/postgresql or 127.0.0.1:5432 that
#      lets us in as a superuser (as the current OS user, or as `postgres` via
#      peer auth when we are root).  Role and database `cogov` are created there,
#      and it is used only if cogov@127.0.0.1:5432 then connects without a
#      password.
#   3. A project-local cluster in <repo>/.data/postgres (initdb'd on first use)
#      on 127.0.0.1:PORT, trust auth, superuser `postgres`, server log in
#      <data dir>/server.log.  PORT is chosen when the cluster is created —
#      $COGOV_PGPORT, else 54329 or the next free port — and recorded in
#      <repo>/.data/port; from then on the cluster always uses that port.
#      COGOV_PGPORT given later with another port is ignored with a note (to
#      move the cluster: `scripts/devdb.sh stop`, `rm -rf .data/postgres`, and
#      run again with the new COGOV_PGPORT).  A running cluster is never
#      restarted or moved: it is used on the port it listens on.  When run as
#      root the cluster is run by the `postgres` OS user; if that user cannot
#      reach the repo (e.g. it is under /root), the data lives in
#      /var/tmp/cogov-pg-<hash> and .data/postgres is a symlink to it.
#   4. No server binaries: as root on Debian/Ubuntu, `apt-get install
#      postgresql`, then step 3; otherwise print the install command, exit 1.
#
# The database URL is postgres://cogov@127.0.0.1:PORT/cogov?sslmode=disable;
# role cogov is LOGIN NOSUPERUSER CREATEDB CREATEROLE and owns database cogov.
set -euo pipefail

# stdout is reserved for the URL: keep it on fd 3, send everything else to
# stderr.  Long-lived children (the postmaster) must not inherit fd 3 — or the
# lock fd 9 — otherwise `$(scripts/devdb.sh url)` would never see EOF and the
# lock would stay held; see run_detached/as_pg.
exec 3>&1 1>&2

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(dirname -- "$SCRIPT_DIR")
DATA_ROOT=$REPO/.data
PGLINK=$DATA_ROOT/postgres
LOCKFILE=$DATA_ROOT/devdb.lock
# The port of this checkout's cluster, recorded when it is created (see
# choose_port).  DEVDB_DEFAULT_PORT, for scripts/devdb_test.sh only, replaces
# 54329 as the first port a new cluster tries when COGOV_PGPORT is unset.
PORT_FILE=$DATA_ROOT/port
DEFAULT_PORT=${DEVDB_DEFAULT_PORT:-54329}
PORT=
APP_ROLE=cogov
APP_DB=cogov
SYS_SOCKET_DIR=/var/run/postgresql
SYS_PORT=5432
MARKER=.cogov-devdb-initialized

# Everything below uses absolute paths; a neutral cwd avoids "could not change
# directory" noise when commands run as the postgres user.
cd /

# Make our explicit connection strings the only thing that matters.
unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGOPTIONS PGTARGETSESSIONATTRS PGDATA
export PGCONNECT_TIMEOUT=2

IS_ROOT=0
[[ $EUID -eq 0 ]] && IS_ROOT=1

log() { printf 'devdb: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: scripts/devdb.sh url|stop|status
  url     print a DATABASE_URL (stdout), starting a local PostgreSQL if needed
  stop    stop the project-local cluster (no-op if it is not running)
  status  report which server would be used
environment: DATABASE_URL (used as-is if set), COGOV_PGPORT (the port of a new
  cluster, default 54329 or the next free port; a cluster keeps the port it was
  created with, recorded in .data/port)
EOF
}

app_url() { printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable' "$APP_ROLE" "$1" "$APP_DB"; }

# ---------------------------------------------------------------- helpers ---

# Prefer the real psql binary of the newest installed server over Debian's
# /usr/bin/psql Perl wrapper (noticeably faster per call).
find_psql() {
    local p
    p=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
    [[ -x $p ]] || p=$(command -v psql 2>/dev/null || true)
    printf '%s\n' "$p"
}
PSQL=$(find_psql)

# Run a command as the cluster owner: `postgres` when we are root (PostgreSQL
# refuses to run as root), ourselves otherwise.  fds 3 and 9 are closed so that
# daemons started from here do not hold our stdout pipe or the lock.
as_pg() {
    if [[ $IS_ROOT == 1 ]]; then
        runuser -u postgres -- "$@" 3>&- 9>&-
    else
        "$@" 3>&- 9>&-
    fi
}

# Does the URL accept a password-less login?  ($1 = URL without parameters
# other than sslmode.)
url_works() {
    [[ -n $PSQL ]] || return 1
    "$PSQL" -X -w -At -q -d "$1&connect_timeout=2" -c 'select 1' </dev/null >/dev/null 2>&1
}

# ADMIN_CMD holds a psql invocation (possibly via runuser) that connects as a
# superuser to the server being set up.
ADMIN_CMD=()

try_admin() {
    local out
    out=$("$@" -X -w -At -q -c "select current_setting('is_superuser')" </dev/null 2>/dev/null 3>&- 9>&-) || return 1
    [[ $out == on ]] || return 1
    ADMIN_CMD=("$@")
}

# Create role and database cogov idempotently via ADMIN_CMD.  Retried once in
# case a concurrent caller (another checkout sharing a server) raced us.
ensure_app_role_db() {
    local attempt
    for attempt in 1 2; do
        if "${ADMIN_CMD[@]}" -X -w -q -v ON_ERROR_STOP=1 3>&- 9>&- >/dev/null <<SQL
SELECT 'CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER CREATEDB CREATEROLE'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_ROLE')
\gexec
ALTER ROLE $APP_ROLE LOGIN NOSUPERUSER CREATEDB CREATEROLE;
SELECT 'CREATE DATABASE $APP_DB OWNER $APP_ROLE'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$APP_DB')
\gexec
ALTER DATABASE $APP_DB OWNER TO $APP_ROLE;
SQL
        then
            return 0
        fi
        [[ $attempt == 1 ]] && sleep 1
    done
    return 1
}

# Print "<version> <bindir>" of every installation that has initdb, pg_ctl and
# postgres.
list_installations() {
    local d v p seen=" "
    local cands=()
    p=$(command -v pg_ctl 2>/dev/null || true)
    [[ -n $p ]] && cands+=("$(dirname -- "$(readlink -f -- "$p")")")
    for d in /usr/lib/postgresql/*/bin; do
        [[ -d $d ]] && cands+=("$d")
    done
    for d in ${cands[@]+"${cands[@]}"}; do
        [[ $seen == *" $d "* ]] && continue
        seen+="$d "
        [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] || continue
        v=$("$d/pg_ctl" --version 2>/dev/null | sed -n 's/^pg_ctl (PostgreSQL) \([0-9][0-9.]*\).*/\1/p')
        [[ -n $v ]] && printf '%s %s\n' "$v" "$d"
    done
}

# find_bindir [MAJOR] — highest installed version, or the one matching MAJOR.
find_bindir() {
    local want=${1:-} v d best=
    while read -r v d; do
        if [[ -z $want || ${v%%.*} == "$want" ]]; then best=$d; fi
    done < <(list_installations | sort -V)
    [[ -n $best ]] || return 1
    printf '%s\n' "$best"
}

take_lock() {
    mkdir -p -- "$DATA_ROOT"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$LOCKFILE"
        flock -w 600 9 || die "timed out waiting for $LOCKFILE"
    else
        log "warning: flock not found; concurrent calls are not serialised"
    fi
}

ensure_postgres_user() {
    [[ $IS_ROOT == 1 ]] || return 0
    command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is required when running as root"
    id -u postgres >/dev/null 2>&1 && return 0
    log "creating system user postgres"
    if getent group postgres >/dev/null 2>&1; then
        useradd --system -g postgres -M -d /var/lib/postgresql -s /bin/sh postgres
    else
        useradd --system --user-group -M -d /var/lib/postgresql -s /bin/sh postgres
    fi
}

# Make DIR an empty directory owned by the cluster owner, mode 700.
make_pg_dir() {
    mkdir -p -- "$1" || return 1
    if [[ $IS_ROOT == 1 ]]; then
        chown postgres: -- "$1" 2>/dev/null || return 1
    fi
    chmod 700 -- "$1"
}

# Real path of the project's data directory (follows the .data/postgres
# symlink without needing the target to exist); empty if there is none.
existing_pgdata() {
    if [[ -L $PGLINK ]]; then
        readlink -- "$PGLINK"
    elif [[ -d $PGLINK ]]; then
        printf '%s\n' "$PGLINK"
    fi
}

valid_port() { [[ $1 =~ ^[1-9][0-9]{0,4}$ ]] && (($1 <= 65535)); }

# The data directory of an initialised cluster of this checkout; empty if none.
initialised_pgdata() {
    local dir
    dir=$(existing_pgdata)
    if [[ -n $dir && -f $dir/PG_VERSION && -f $dir/$MARKER ]]; then
        printf '%s\n' "$dir"
    fi
}

record_port() { # PORT
    mkdir -p -- "$DATA_ROOT"
    printf '%s\n' "$1" >"$PORT_FILE.$$" && mv -f -- "$PORT_FILE.$$" "$PORT_FILE"
}

# recorded_port: the port this checkout's cluster was created with.  init_cluster
# writes it twice: into .data/port, for people and for this script, and into
# the cluster's postgresql.conf, which goes wherever the cluster goes and so
# wins when the two disagree (a port file left from an earlier cluster, or
# none: clusters made with COGOV_PGPORT before the file was always written);
# the port file is then written again.  Fails when there is no cluster.
recorded_port() {
    local dir file= conf
    dir=$(initialised_pgdata)
    [[ -n $dir ]] || return 1
    [[ -s $PORT_FILE ]] && file=$(head -n 1 -- "$PORT_FILE" 2>/dev/null || true)
    conf=$(sed -n 's/^port = \([0-9][0-9]*\)[[:space:]]*$/\1/p' -- "$dir/postgresql.conf" 2>/dev/null | tail -n 1 || true)
    if valid_port "$conf"; then
        if [[ $file != "$conf" ]]; then
            [[ -z $file ]] || log "note: $PORT_FILE said $file, but the cluster was created on port $conf; recording $conf"
            record_port "$conf"
        fi
        printf '%s\n' "$conf"
    elif valid_port "$file"; then
        printf '%s\n' "$file"
    else
        return 1
    fi
}

# choose_port sets PORT: the recorded port of this checkout's cluster if it
# has one (COGOV_PGPORT cannot move it), else COGOV_PGPORT, else DEFAULT_PORT
# (init_cluster moves on to the next free port if need be).
choose_port() {
    local rec
    if [[ -n ${COGOV_PGPORT:-} ]] && ! valid_port "$COGOV_PGPORT"; then
        die "COGOV_PGPORT=$COGOV_PGPORT is not a port number"
    fi
    if rec=$(recorded_port); then
        PORT=$rec
        if [[ -n ${COGOV_PGPORT:-} && $COGOV_PGPORT != "$rec" ]]; then
            log "note: COGOV_PGPORT=$COGOV_PGPORT is ignored: this checkout's cluster was created on port $rec and keeps it (recorded in $PORT_FILE)."
            log "      To move it: scripts/devdb.sh stop; rm -rf $PGLINK (its data is lost); then run again with COGOV_PGPORT=$COGOV_PGPORT."
        fi
    else
        PORT=${COGOV_PGPORT:-$DEFAULT_PORT}
    fi
}

# running_port: the port the postmaster of DIR listens on (line 4 of
# postmaster.pid).
running_port() { # PGDATA
    sed -n 4p -- "$1/postmaster.pid" 2>/dev/null || true
}

# own_cluster_up: this checkout's cluster has a postmaster listening on PORT
# (line 4 of postmaster.pid), so a server on PORT is ours, not another
# checkout's.
own_cluster_up() {
    local dir
    dir=$(existing_pgdata)
    [[ -n $dir && -f $dir/postmaster.pid ]] && [[ $(sed -n 4p -- "$dir/postmaster.pid" 2>/dev/null) == "$PORT" ]]
}

# pg_ctl status: 0 = running, non-zero otherwise.
cluster_running() { # BINDIR PGDATA
    as_pg "$1/pg_ctl" -D "$2" status >/dev/null 2>&1
}

stop_cluster() { # BINDIR PGDATA
    if cluster_running "$1" "$2"; then
        log "stopping cluster in $2"
        as_pg "$1/pg_ctl" -D "$2" -m fast -w -t 60 stop >&2
    fi
}

# Decide where the data directory lives and make sure it exists.  Sets PGDATA_DIR.
prepare_data_dir() {
    local target hash
    if [[ -L $PGLINK ]]; then
        PGDATA_DIR=$(readlink -- "$PGLINK")
        [[ -d $PGDATA_DIR ]] || make_pg_dir "$PGDATA_DIR" || die "cannot create $PGDATA_DIR"
        return 0
    fi
    if [[ -d $PGLINK ]]; then
        PGDATA_DIR=$PGLINK
        if [[ $IS_ROOT == 1 ]] && ! as_pg test -w "$PGDATA_DIR"; then
            die "$PGDATA_DIR exists but user postgres cannot write to it; stop the cluster and rm -rf $PGLINK"
        fi
        return 0
    fi
    # Fresh: try inside the repo first.
    if [[ $IS_ROOT == 0 ]]; then
        make_pg_dir "$PGLINK" || die "cannot create $PGLINK"
        PGDATA_DIR=$PGLINK
        return 0
    fi
    if make_pg_dir "$PGLINK" && as_pg test -w "$PGLINK"; then
        PGDATA_DIR=$PGLINK
        return 0
    fi
    rmdir -- "$PGLINK" 2>/dev/null || true
    hash=$(printf '%s' "$REPO" | sha256sum | cut -c1-12)
    target=/var/tmp/cogov-pg-$hash
    log "user postgres cannot reach $REPO; keeping the data in $target (symlinked from $PGLINK)"
    if [[ -e $target ]]; then
        # Left over from an earlier .data that was deleted: start afresh.
        local old_bindir
        if [[ -f $target/PG_VERSION ]] && old_bindir=$(find_bindir "$(cat "$target/PG_VERSION")"); then
            stop_cluster "$old_bindir" "$target" || true
        fi
        log "removing stale $target"
        rm -rf -- "$target"
    fi
    make_pg_dir "$target" || die "cannot create $target"
    ln -s -- "$target" "$PGLINK"
    PGDATA_DIR=$target
}

pick_locale() {
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        echo C.UTF-8
    else
        echo C
    fi
}

port_in_use() { # PORT
    (exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

init_cluster() { # BINDIR PGDATA
    local bindir=$1 dir=$2
    log "initialising PostgreSQL $("$bindir/pg_ctl" --version | sed 's/^pg_ctl (PostgreSQL) //') cluster in $dir"
    if [[ -n $(ls -A -- "$dir" 2>/dev/null) ]]; then
        log "clearing incomplete data directory $dir"
        find "$dir" -mindepth 1 -delete
    fi
    local out
    if ! out=$(as_pg "$bindir/initdb" -D "$dir" -U postgres -A trust -E UTF8 \
        --locale="$(pick_locale)" 2>&1 </dev/null); then
        printf '%s\n' "$out" >&2
        die "initdb failed"
    fi
    if [[ -z ${COGOV_PGPORT:-} ]]; then
        while port_in_use "$PORT"; do
            log "port $PORT is taken; trying $((PORT + 1))"
            PORT=$((PORT + 1))
            ((PORT < DEFAULT_PORT + 100)) || die "no free port in $DEFAULT_PORT-$((DEFAULT_PORT + 99)); set COGOV_PGPORT"
        done
    fi
    # The cluster keeps this port for good, whoever asks for it later.
    record_port "$PORT"
    # Appending/truncating as root keeps the files owned by postgres.
    cat >>"$dir/postgresql.conf" <<EOF

# ---- added by scripts/devdb.sh ----
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
# A crash (or a killed test run) leaves hundreds of test databases; syncing
# them file by file on restart took minutes, syncfs takes seconds.
recovery_init_sync_method = syncfs
EOF
    cat >"$dir/pg_hba.conf" <<'EOF'
# Written by scripts/devdb.sh: development cluster, password-less.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   trust
local   replication  all                  trust
host    replication  all   127.0.0.1/32   trust
EOF
    as_pg touch "$dir/$MARKER"
}

start_cluster() { # BINDIR PGDATA
    local bindir=$1 dir=$2 logfile=$2/server.log port i
    if cluster_running "$bindir" "$dir"; then
        # A running cluster is used where it is: never restarted or moved.
        port=$(running_port "$dir")
        if valid_port "$port" && [[ $port != "$PORT" ]]; then
            log "note: the cluster in $dir is running on port $port, not its recorded port $PORT; using it there"
            PORT=$port
        fi
        for ((i = 0; i < 30; i++)); do
            if try_admin "$PSQL" -d "host=127.0.0.1 port=$PORT user=postgres dbname=postgres connect_timeout=2"; then
                return 0
            fi
            sleep 1
        done
        die "the cluster in $dir is running but does not answer on 127.0.0.1:$PORT (see $logfile); it is left as it is: stop it with scripts/devdb.sh stop"
    fi
    if port_in_use "$PORT"; then
        die "port $PORT, the port of the cluster in $dir, is taken by another server; free it, or move the cluster: rm -rf $PGLINK and run again with COGOV_PGPORT set to a free port"
    fi
    log "starting PostgreSQL on 127.0.0.1:$PORT (log: $logfile)"
    if ! as_pg "$bindir/pg_ctl" -D "$dir" -l "$logfile" -w -t 60 -o "-p $PORT" start </dev/null >&2; then
        log "pg_ctl start failed; last lines of $logfile:"
        tail -n 20 -- "$logfile" >&2 2>/dev/null || true
        die "could not start PostgreSQL (port $PORT in use? set COGOV_PGPORT to another port)"
    fi
}

install_postgres() {
    if [[ $IS_ROOT == 1 ]] && command -v apt-get >/dev/null 2>&1; then
        log "PostgreSQL server binaries not found; installing the postgresql package with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y postgresql </dev/null >&2 3>&- 9>&-; then
            apt-get update </dev/null >&2 3>&- 9>&- || true
            apt-get install -y postgresql </dev/null >&2 3>&- 9>&- || die "apt-get install postgresql failed"
        fi
        PSQL=$(find_psql)
        return 0
    fi
    log "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them with:"
    log "  sudo apt-get install -y postgresql"
    exit 1
}

# ------------------------------------------------------------- the steps ---

# (a) A server already running on the standard socket / port.
use_existing_server() {
    [[ -n $PSQL ]] || return 1
    local sock="host=$SYS_SOCKET_DIR port=$SYS_PORT dbname=postgres connect_timeout=2"
    local tcp="host=127.0.0.1 port=$SYS_PORT dbname=postgres connect_timeout=2"
    ADMIN_CMD=()
    try_admin "$PSQL" -d "$sock" ||
        try_admin "$PSQL" -d "$tcp" ||
        { [[ $IS_ROOT == 1 ]] && id -u postgres >/dev/null 2>&1 &&
            command -v runuser >/dev/null 2>&1 &&
            try_admin runuser -u postgres -- "$PSQL" -d "$sock"; } ||
        return 1
    log "found a PostgreSQL server on port $SYS_PORT that accepts us as superuser; ensuring role/database $APP_ROLE"
    if ! ensure_app_role_db; then
        log "could not create role/database $APP_ROLE there; using a project-local cluster"
        return 1
    fi
    if ! url_works "$(app_url "$SYS_PORT")"; then
        log "server on port $SYS_PORT wants a password for $APP_ROLE@127.0.0.1; using a project-local cluster"
        return 1
    fi
    URL=$(app_url "$SYS_PORT")
}

# (b)/(c) The project-local cluster.
use_local_cluster() {
    local bindir want=
    ensure_postgres_user
    prepare_data_dir
    if [[ -f $PGDATA_DIR/PG_VERSION && -f $PGDATA_DIR/$MARKER ]]; then
        want=$(cat "$PGDATA_DIR/PG_VERSION")
        bindir=$(find_bindir "$want") ||
            die "cluster in $PGDATA_DIR is PostgreSQL $want but those binaries are not installed (install them, or stop and rm -rf $PGLINK)"
    else
        if ! bindir=$(find_bindir); then
            install_postgres
            ensure_postgres_user
            bindir=$(find_bindir) || die "PostgreSQL server binaries still not found after installation"
        fi
        init_cluster "$bindir" "$PGDATA_DIR"
    fi
    [[ -n $PSQL ]] || PSQL=$bindir/psql
    [[ -x $PSQL ]] || die "psql not found"
    start_cluster "$bindir" "$PGDATA_DIR"
    ADMIN_CMD=("$PSQL" -d "host=127.0.0.1 port=$PORT user=postgres dbname=postgres connect_timeout=2")
    ensure_app_role_db || die "could not create role/database $APP_ROLE in the local cluster"
    URL=$(app_url "$PORT")
    url_works "$URL" || die "local cluster is running but $URL does not connect"
}

cmd_url() {
    if [[ -n ${DATABASE_URL:-} ]]; then
        printf '%s\n' "$DATABASE_URL" >&3
        return 0
    fi
    URL=$(app_url "$PORT")
    # Fast path: the project-local cluster is already up.
    if own_cluster_up && url_works "$URL"; then
        printf '%s\n' "$URL" >&3
        return 0
    fi
    # Fast path: an earlier call already set up cogov on the standard server.
    if url_works "$(app_url "$SYS_PORT")"; then
        printf '%s\n' "$(app_url "$SYS_PORT")" >&3
        return 0
    fi
    take_lock
    # Someone may have finished starting it while we waited for the lock.
    if own_cluster_up && url_works "$URL"; then
        printf '%s\n' "$URL" >&3
        return 0
    fi
    use_existing_server || use_local_cluster
    log "ready: $URL"
    printf '%s\n' "$URL" >&3
}

cmd_stop() {
    if [[ ! -e $PGLINK && ! -L $PGLINK ]]; then
        log "no project-local cluster"
        return 0
    fi
    take_lock
    local dir bindir
    dir=$(existing_pgdata)
    if [[ -z $dir || ! -f $dir/PG_VERSION ]]; then
        log "no project-local cluster"
        return 0
    fi
    if ! bindir=$(find_bindir "$(cat "$dir/PG_VERSION")"); then
        log "PostgreSQL $(cat "$dir/PG_VERSION") binaries not installed; nothing to stop"
        return 0
    fi
    if [[ $IS_ROOT == 1 ]] && ! id -u postgres >/dev/null 2>&1; then
        return 0
    fi
    if cluster_running "$bindir" "$dir"; then
        stop_cluster "$bindir" "$dir"
    else
        log "project-local cluster is not running"
    fi
}

cmd_status() {
    local url
    if [[ -n ${DATABASE_URL:-} ]]; then
        log "DATABASE_URL is set: $DATABASE_URL"
        return 0
    fi
    url=$(app_url "$PORT")
    if url_works "$url"; then
        log "project-local cluster is running: $url"
        return 0
    fi
    url=$(app_url "$SYS_PORT")
    if url_works "$url"; then
        log "server on port $SYS_PORT is usable: $url"
        return 0
    fi
    log "no database running; \`scripts/devdb.sh url\` will start one"
    return 1
}

choose_port
case ${1:-} in
url) cmd_url ;;
stop) cmd_stop ;;
status) cmd_status ;;
-h | --help | help) usage ;;
*)
    usage
    exit 2
    ;;
esac

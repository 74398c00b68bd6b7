# tests/integration/lib.sh: shared helpers for integration tests.
#
# A test sources this file, starts real processes on 127.0.0.1 with
# hk_start, and whatever happens (pass, failure, signal) every process it
# started is stopped by the EXIT trap. Exit status: 0 pass, 1 fail, 77 skip.
#
#   . "$top_srcdir/tests/integration/lib.sh"
#   hk_init mytest
#   port=$(hk_free_port)
#   hk_start tsa "$top_builddir/devtsa" -p "$port" ...
#   hk_wait_port "$port"
#   ... checks with hk_assert / hk_fail ...
#   hk_pass

set -u

: "${top_srcdir:?top_srcdir must be set (make check sets it)}"
: "${top_builddir:?top_builddir must be set (make check sets it)}"
: "${OPENSSL:=openssl}"
export OPENSSL

HK_PIDS=""
HK_NAMES=""
HK_T=""
HK_TEST=""

hk_log() {
	printf '%s: %s\n' "$HK_TEST" "$*"
}

hk_stop_all() {
	local pid
	for pid in $HK_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $HK_PIDS; do
		# Give each process 5 s to exit cleanly, then kill it.
		local i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	HK_PIDS=""
}

hk_on_exit() {
	local rc=$?
	hk_stop_all
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "$HK_T" ]; then
		# Show the logs of what ran, to explain the failure.
		local f
		for f in "$HK_T"/*.log; do
			[ -f "$f" ] || continue
			echo "----- $f (last 30 lines)"
			tail -n 30 "$f"
		done
		echo "$HK_TEST: state kept in $HK_T"
	elif [ -n "$HK_T" ] && [ -z "${HK_KEEP:-}" ]; then
		rm -rf "$HK_T"
	fi
	exit $rc
}

# hk_init NAME: a fresh work folder in $HK_T and the cleanup trap.
hk_init() {
	HK_TEST=$1
	mkdir -p "$top_builddir/tests/tmp"
	HK_T=$(mktemp -d "$top_builddir/tests/tmp/$1.XXXXXX")
	trap hk_on_exit EXIT
	trap 'exit 1' INT TERM HUP
}

hk_fail() {
	hk_log "FAIL: $*"
	exit 1
}

hk_skip() {
	hk_log "SKIP: $*"
	exit 77
}

hk_pass() {
	hk_log "PASS"
	exit 0
}

# hk_assert DESCRIPTION COMMAND...: run the command, fail the test if it fails.
hk_assert() {
	local what=$1
	shift
	if "$@"; then
		hk_log "ok: $what"
	else
		hk_fail "$what"
	fi
}

# hk_port_open PORT: true when something listens on 127.0.0.1:PORT.
hk_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# hk_free_port: print a TCP port on 127.0.0.1 that nothing listens on.
hk_free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$(( (RANDOM * 32768 + RANDOM) % 30000 + 20000 ))
		if ! hk_port_open "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# hk_start NAME COMMAND...: start a process in the background, output to
# $HK_T/NAME.log; it is stopped at exit.
hk_start() {
	local name=$1
	shift
	"$@" >"$HK_T/$name.log" 2>&1 &
	HK_PIDS="$HK_PIDS $!"
	HK_NAMES="$HK_NAMES $name:$!"
	hk_log "started $name (pid $!)"
}

# hk_pid NAME: the pid hk_start gave NAME.
hk_pid() {
	local e
	for e in $HK_NAMES; do
		[ "${e%%:*}" = "$1" ] && echo "${e#*:}"
	done
}

# hk_wait_port PORT [SECONDS]: wait until 127.0.0.1:PORT accepts.
hk_wait_port() {
	local i=0 max=$(( ${2:-15} * 10 ))
	while ! hk_port_open "$1"; do
		i=$((i + 1))
		[ $i -ge $max ] && hk_fail "nothing listens on 127.0.0.1:$1 after ${2:-15}s"
		sleep 0.1
	done
}

# hk_wait_http URL [SECONDS]: wait until URL answers 200.
hk_wait_http() {
	local i=0 max=$(( ${2:-15} * 10 ))
	while [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" != 200 ]; do
		i=$((i + 1))
		[ $i -ge $max ] && hk_fail "$1 did not answer 200 after ${2:-15}s"
		sleep 0.1
	done
}

# hk_pki DIR [mkpki options]: a dev PKI in DIR (see certs/mkpki.sh). Making
# one costs seconds of RSA key generation, so one PKI per option set is made
# once per build folder (under a lock, as tests run in parallel) and copied.
hk_pki() {
	local dir=$1
	shift
	local key cache
	key=$(printf '%s' "$*" | tr -c 'A-Za-z0-9' '_')
	cache="$top_builddir/tests/pki-cache/pki$key"
	mkdir -p "$top_builddir/tests/pki-cache"
	(
		flock 9
		if [ ! -f "$cache/.complete" ]; then
			rm -rf "$cache"
			"$top_srcdir/certs/mkpki.sh" --quiet "$@" "$cache" \
			    >"$HK_T/mkpki.log" 2>&1 || exit 1
			touch "$cache/.complete"
		fi
	) 9>"$top_builddir/tests/pki-cache/lock" ||
	    hk_fail "mkpki.sh failed (see $HK_T/mkpki.log)"
	mkdir -p "$(dirname "$dir")"
	cp -a "$cache" "$dir" || hk_fail "cannot copy the PKI to $dir"
	rm -f "$dir/.complete"
}

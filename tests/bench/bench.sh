#!/usr/bin/env bash
# tests/bench/bench.sh: make bench. Measures, in one run on 127.0.0.1, the
# SOAP path through two security servers against the same provider behind
# two plain TLS reverse proxies (DESIGN.md section 8):
#
#   direct    wrk -> hukumati-agency (the civil register, getPerson)
#   nginx     wrk -> nginx (HTTP) -> mutual TLS -> nginx -> provider
#   ss        wrk -> ss-mtit client proxy -> ss-moi server proxy -> provider
#
# Each path gets a warm-up, a throughput run (64 connections) and a
# latency run (one connection, so that latency is the path's own and not
# queueing), with the same 1 KB X-Road SOAP getPerson request
# (tests/bench/getperson.lua checks every answer is a getPersonResponse
# and no fault). It prints the throughputs, the ratio ss/nginx, median and
# p99 latencies, the median latency each path adds to the provider's, and
# each security server's idle RSS and start-to-healthy time.
#
# Exit status: 0 when every path ran (whether or not the targets are met:
# this is a measurement), 1 when something did not start or a path
# answered nothing good. Everything started is stopped on exit.
#
# Environment (defaults in brackets):
#   HK_BENCH_DURATION      measured seconds per path [20]
#   HK_BENCH_LATENCY_DURATION seconds of the one-connection latency run
#                          per path, 0 to skip it [10]
#   HK_BENCH_WARMUP        warm-up seconds per path [5]
#   HK_BENCH_CONNECTIONS   concurrent connections [64]
#   HK_BENCH_THREADS       wrk threads [2]
#   HK_BENCH_NGINX_WORKERS worker_processes of each nginx [1: like one
#                          securityserverd event loop]
#   HK_BENCH_PATHS         paths to measure [direct nginx ss]
#   HK_KEEP                keep the work folder (logs, configs)
#
# Run by make bench (sets top_srcdir and top_builddir), or by hand:
#   top_srcdir=/work/main top_builddir=/tmp/build tests/bench/bench.sh
. "$top_srcdir/tests/integration/lib.sh"

DURATION=${HK_BENCH_DURATION:-20}
LAT_DURATION=${HK_BENCH_LATENCY_DURATION:-10}
WARMUP=${HK_BENCH_WARMUP:-5}
CONNS=${HK_BENCH_CONNECTIONS:-64}
THREADS=${HK_BENCH_THREADS:-2}
NGINX_WORKERS=${HK_BENCH_NGINX_WORKERS:-1}
PATHS=${HK_BENCH_PATHS:-direct nginx ss}
BENCH=$top_srcdir/tests/bench
# The cipher list the security servers use between themselves
# (TLSCTX_SS_CIPHERS in securityserver/lib/tlsctx.h).
CIPHERS="ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA256:ECDHE-ECDSA-AES256-SHA384"

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

# --- what the bench needs (checked before anything starts)
# nginx lives in /usr/sbin, which a user's PATH may leave out.
NGINX=$(PATH=$PATH:/usr/sbin:/sbin command -v nginx)
if ! command -v wrk >/dev/null 2>&1 || [ -z "$NGINX" ]; then
	die "make bench needs wrk and nginx: apt-get install wrk nginx-light"
fi
command -v curl >/dev/null 2>&1 || die "curl not found: apt-get install curl"
for n in $DURATION $LAT_DURATION $WARMUP $CONNS $THREADS $NGINX_WORKERS; do
	case $n in
	'' | *[!0-9]*) die "HK_BENCH_* settings must be whole numbers" ;;
	esac
done
[ "$CONNS" -ge "$THREADS" ] || die "HK_BENCH_CONNECTIONS < HK_BENCH_THREADS"
[ "$DURATION" -ge 1 ] || die "HK_BENCH_DURATION must be at least 1"
want() {
	case " $PATHS " in *" $1 "*) return 0 ;; esac
	return 1
}
AGENCY=$top_builddir/hukumati-agency
[ -x "$AGENCY" ] || die "$AGENCY not built (run make first)"

hk_init bench
T=$HK_T

# ms_now: milliseconds since the epoch.
ms_now() {
	local ns
	ns=$(date +%s%N)
	echo $((ns / 1000000))
}

# take_port VAR: VAR = a free port on 127.0.0.1 this run has not taken yet.
TAKEN=""
take_port() {
	local p i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$(hk_free_port) || break
		case " $TAKEN " in *" $p "*) continue ;; esac
		TAKEN="$TAKEN $p"
		printf -v "$1" '%s' "$p"
		return 0
	done
	die "no free port"
}

# rss_kb PID: resident set size in kB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# --- the dev PKI (made once per build folder, tests/integration/lib.sh)
# and, for the security servers, the demo federation of DESIGN.md section 3
# as conf/demo/federation.sh registers it (./quickstart demo and the
# integration tests use the same script) with the central server on a free
# port. federation.sh fixes the other ports (the servers', the provider's
# 8210, OCSP 8092, TSA 8091): they must be free, i.e. no demo running.
HK_TOP=$top_srcdir
HK_BUILD=$top_builddir
HK_STATE=$T/fed
PKI=$HK_STATE/pki
mkdir -p "$HK_STATE"
hk_pki "$PKI"
# The servers of the measured path.
SS_SERVERS="ss-mtit ss-moi"
take_port PROVIDER_PORT
if want ss; then
	SSD=$top_builddir/securityserverd
	for b in securityserverd securityserverctl centralserver devocsp devtsa; do
		[ -x "$top_builddir/$b" ] || die "$top_builddir/$b not built (make $b)"
	done
	take_port HK_CENTRAL_PORT
	. "$top_srcdir/conf/demo/federation.sh"
	PROVIDER_PORT=8210
	used=""
	for port in 8091 8092 $PROVIDER_PORT $(awk -v l="$SS_SERVERS" '
	    BEGIN { n = split(l, a, " "); for (i = 1; i <= n; i++) w[a[i]] = 1 }
	    w[$1] { print $3, $4, $5, $6 }' <<<"$HK_FED_SERVERS"); do
		hk_port_open "$port" && used="$used $port"
	done
	[ -z "$used" ] || die "ports in use on 127.0.0.1:$used (is ./quickstart demo running?)"
	fed_setup >"$T/fed_setup.log" 2>&1 ||
	    hk_fail "conf/demo/federation.sh: fed_setup failed: $(tail -5 "$T/fed_setup.log")"
	export top_builddir
	hk_start ocsp "$top_srcdir/certs/ocsp-responder.sh" "$PKI" 8092
	mkdir -p "$HK_STATE/devtsa"
	# -d: in the foreground (without it devtsa daemonises).
	hk_start devtsa "$top_builddir/devtsa" -d -p 8091 -k "$PKI/tsa/tsa.key" \
	    -c "$PKI/tsa/tsa.pem" -C "$PKI/ca-chain.pem" -s "$HK_STATE/devtsa/serial"
	hk_start central "$top_builddir/centralserver" \
	    -c "$HK_STATE/central/centralserver.ini" serve
	hk_wait_port 8092
	hk_wait_http http://127.0.0.1:8091/health
	hk_wait_http "http://127.0.0.1:$HK_CENTRAL_PORT/health"
fi

# --- the 1 KB request body: an X-Road SOAP 4.0 getPerson (the demo person
# of README.md), padded to 1024 bytes in xrd:issue.
make_body() {
	local out=$1 pad=$2
	cat >"$out" <<EOF
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"
xmlns:id="http://x-road.eu/xsd/identifiers">
<SOAP-ENV:Header>
<xrd:client id:objectType="SUBSYSTEM"><id:xRoadInstance>PS</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>MTIT</id:memberCode><id:subsystemCode>SSO</id:subsystemCode></xrd:client>
<xrd:service id:objectType="SERVICE"><id:xRoadInstance>PS</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>MOI</id:memberCode><id:subsystemCode>CIVIL-REGISTER</id:subsystemCode><id:serviceCode>getPerson</id:serviceCode><id:serviceVersion>v1</id:serviceVersion></xrd:service>
<xrd:id>7e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d</xrd:id>
<xrd:userId>PS400000014</xrd:userId>
<xrd:issue>bench $pad</xrd:issue>
<xrd:protocolVersion>4.0</xrd:protocolVersion>
</SOAP-ENV:Header>
<SOAP-ENV:Body>
<getPerson xmlns="http://moi.gov.ps/civil-register"><nationalId>400000014</nationalId></getPerson>
</SOAP-ENV:Body>
</SOAP-ENV:Envelope>
EOF
}
BODY=$T/getperson.xml
make_body "$BODY" ""
size=$(wc -c <"$BODY")
[ "$size" -le 1024 ] || die "request body is $size bytes, more than 1 KB"
make_body "$BODY" "$(printf '%*s' $((1024 - size)) '' | tr ' ' x)"
size=$(wc -c <"$BODY")
[ "$size" -eq 1024 ] || die "request body is $size bytes, not 1024"

# post URL OUT: one request with curl; true when it is a getPersonResponse.
post() {
	local code
	code=$(curl -s -m 30 -o "$2" -w '%{http_code}' \
	    -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: ""' \
	    --data-binary @"$BODY" "$1") || return 1
	[ "$code" = 200 ] && grep -q getPersonResponse "$2" && ! grep -q 'Fault>' "$2"
}

# --- the provider: the MOI civil register (hukumati-agency), logging
# warnings only so that it does not write a line per request.
SRC=$top_srcdir/hukumati-services/agency
cat >"$T/agency.ini" <<EOF
[agency]
module = civil-register
subsystem = PS/GOV/MOI/CIVIL-REGISTER
data-dir = $T/agency
seed-count = 200
wsdl = $SRC/wsdl/civil-register.wsdl
openapi = $SRC/openapi/civil-register.json
[http]
address = 127.0.0.1
port = $PROVIDER_PORT
[log]
level = warn
EOF
PROVIDER=http://127.0.0.1:$PROVIDER_PORT
hk_start agency "$AGENCY" -c "$T/agency.ini"
hk_wait_http "$PROVIDER/health"
post "$PROVIDER/soap" "$T/direct.xml" ||
    hk_fail "the provider does not answer getPerson: $(head -c 400 "$T/direct.xml")"
hk_log "provider on $PROVIDER/soap"

# --- two nginx reverse proxies with mutual TLS between them
# nginx_conf TEMPLATE PREFIX: TEMPLATE with its placeholders filled in,
# into PREFIX/nginx.conf.
nginx_conf() {
	local user=""
	mkdir -p "$2/tmp"
	# A master running as root would hand its workers to nobody.
	[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
	sed -e "s|@USER@|$user|" -e "s|@WORKERS@|$NGINX_WORKERS|" \
	    -e "s|@PREFIX@|$2|g" -e "s|@PKI@|$PKI|g" \
	    -e "s|@FRONT_PORT@|$FRONT_PORT|" -e "s|@BACK_PORT@|$BACK_PORT|g" \
	    -e "s|@PROVIDER_PORT@|$PROVIDER_PORT|" \
	    -e "s|@KEEPALIVE@|$((CONNS * 2))|" -e "s|@CIPHERS@|$CIPHERS|" \
	    "$1" >"$2/nginx.conf"
	grep -q '@[A-Z_]*@' "$2/nginx.conf" && die "unfilled name in $2/nginx.conf"
	"$NGINX" -t -q -p "$2" -e "$2/error.log" -c "$2/nginx.conf" \
	    >"$2/check.log" 2>&1 ||
	    die "nginx rejects $2/nginx.conf: $(cat "$2/check.log")"
}

if want nginx; then
	take_port FRONT_PORT
	take_port BACK_PORT
	for n in back front; do
		nginx_conf "$BENCH/nginx-$n.conf.in" "$T/nginx-$n"
		hk_start "nginx-$n" "$NGINX" -p "$T/nginx-$n" \
		    -e "$T/nginx-$n/error.log" -c "$T/nginx-$n/nginx.conf" \
		    -g 'daemon off;'
	done
	hk_wait_port "$BACK_PORT"
	hk_wait_port "$FRONT_PORT"
	NGINX_URL=http://127.0.0.1:$FRONT_PORT/soap
	post "$NGINX_URL" "$T/nginx.xml" ||
	    hk_fail "nginx path: no getPersonResponse: $(head -c 400 "$T/nginx.xml")"
	hk_log "nginx path on $NGINX_URL (TLS on 127.0.0.1:$BACK_PORT)"
fi

# --- the security servers
SS_URL=""
SS_NAMES=""
if want ss; then
	hk_log "security servers: ${SS_SERVERS// /, } (conf/demo/federation.sh)"
	while read -r srv owner cp sp op ap; do
		case " $SS_SERVERS " in *" $srv "*) ;; *) continue ;; esac
		SS_NAMES="$SS_NAMES $srv"
		[ "$srv" = ss-mtit ] && SS_URL=http://127.0.0.1:$cp/
		conf=$HK_STATE/$srv/securityserverd.ini
		# Warnings only, as nginx runs without an access log.
		sed -i 's/^log-level = .*/log-level = warn/' "$conf"
		"$SSD" -n -c "$conf" >"$T/$srv-n.log" 2>&1 ||
		    hk_fail "securityserverd -n -c $conf: $(cat "$T/$srv-n.log")"
		# Start to healthy: from the exec to the first 200 of /health.
		t0=$(ms_now)
		hk_start "$srv" "$SSD" -c "$conf"
		while [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:$ap/health" 2>/dev/null)" != 200 ]; do
			kill -0 "$(hk_pid "$srv")" 2>/dev/null ||
			    hk_fail "$srv exited during start"
			[ $(($(ms_now) - t0)) -lt 30000 ] ||
			    hk_fail "$srv not healthy after 30 s: $(curl -s -m 2 \
			    "http://127.0.0.1:$ap/health")"
			sleep 0.01
		done
		eval "HEALTHY_MS_${srv//-/_}=$(($(ms_now) - t0))"
		v=HEALTHY_MS_${srv//-/_}
		hk_log "$srv healthy after ${!v} ms"
	done <<<"$HK_FED_SERVERS"
	[ -n "$SS_URL" ] || hk_fail "federation.sh names no ss-mtit"
	# Idle memory: healthy, before any message.
	for srv in $SS_NAMES; do
		eval "RSS_IDLE_${srv//-/_}=$(rss_kb "$(hk_pid "$srv")")"
		v=RSS_IDLE_${srv//-/_}
		hk_log "$srv idle RSS ${!v} kB"
	done
	post "$SS_URL" "$T/ss.xml" ||
	    hk_fail "security server path: no getPersonResponse: $(head -c 600 "$T/ss.xml")"
	hk_log "security server path on $SS_URL"
fi

# --- load
# wrk_run OUT CONNS THREADS SECONDS URL: one wrk run into $T/OUT.wrk.
wrk_run() {
	HK_BENCH_BODY=$BODY wrk -t "$3" -c "$2" -d "${4}s" --timeout 10s \
	    -s "$BENCH/getperson.lua" "$5" >"$T/$1.wrk" 2>&1 ||
	    hk_fail "$1: wrk failed: $(cat "$T/$1.wrk")"
	grep -q '^HKBENCH ' "$T/$1.wrk" ||
	    hk_fail "$1: no figures from wrk: $(cat "$T/$1.wrk")"
}

# measure NAME URL: warm-up, the throughput run ($T/NAME.wrk), then the
# latency run with one connection ($T/NAME-1.wrk).
measure() {
	local name=$1 url=$2
	if [ "$WARMUP" -gt 0 ]; then
		hk_log "$name: warm-up ${WARMUP}s"
		wrk_run "$name-warmup" "$CONNS" "$THREADS" "$WARMUP" "$url"
	fi
	hk_log "$name: $CONNS connections, ${DURATION}s"
	wrk_run "$name" "$CONNS" "$THREADS" "$DURATION" "$url"
	if [ "$LAT_DURATION" -gt 0 ]; then
		hk_log "$name: 1 connection, ${LAT_DURATION}s"
		wrk_run "$name-1" 1 1 "$LAT_DURATION" "$url"
	fi
}

# field RUN KEY: a value of the HKBENCH line of a run.
field() {
	sed -n 's/^HKBENCH .*[ ]'"$2"'=\([^ ]*\).*/\1/p' "$T/$1.wrk"
}

RAN=""
for p in $PATHS; do
	case $p in
	direct) measure direct "$PROVIDER/soap" ;;
	nginx) measure nginx "$NGINX_URL" ;;
	ss) measure ss "$SS_URL" ;;
	*) hk_fail "unknown path '$p' in HK_BENCH_PATHS" ;;
	esac
	RAN="$RAN $p"
done

# --- report
label() {
	case $1 in
	direct) echo "provider directly" ;;
	nginx) echo "nginx -> TLS -> nginx" ;;
	ss) echo "ss-mtit -> ss-moi" ;;
	esac
}
ms() {
	awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'
}
# errors RUN: failed requests of a run (bad answers and socket errors).
errors() {
	echo $(( $(field "$1" bad) + $(field "$1" err_connect) + \
	    $(field "$1" err_read) + $(field "$1" err_write) + \
	    $(field "$1" err_timeout) ))
}
# row RUN LABEL: one line of a table.
row() {
	printf '%-24s %10s %9s %9s %9s %8s\n' "$2" "$(field "$1" good_rps)" \
	    "$(ms "$(field "$1" p50_us)")" "$(ms "$(field "$1" p90_us)")" \
	    "$(ms "$(field "$1" p99_us)")" "$(errors "$1")"
}

failed=0
echo
echo "make bench: $(nproc) CPUs, $(uname -sr); 1 KB SOAP getPerson;" \
    "wrk -t$THREADS -c$CONNS -d${DURATION}s after ${WARMUP}s warm-up;" \
    "nginx worker_processes $NGINX_WORKERS"
printf '%-24s %10s %9s %9s %9s %8s\n' "throughput ($CONNS conn.)" \
    'req/s' 'p50 ms' 'p90 ms' 'p99 ms' errors
for p in $RAN; do
	row "$p" "$(label "$p")"
done
if [ "$LAT_DURATION" -gt 0 ]; then
	printf '%-24s %10s %9s %9s %9s %8s\n' "latency (1 conn.)" \
	    'req/s' 'p50 ms' 'p90 ms' 'p99 ms' errors
	for p in $RAN; do
		row "$p-1" "$(label "$p")"
	done
fi
for r in $RAN; do
	for p in $r $r-1; do
		[ -f "$T/$p.wrk" ] || continue
		n=$(errors "$p")
		[ "$n" -eq 0 ] ||
		    echo "warning: $p: $n failed requests; first bad answer:" \
		    "$(sed -n 's/^HKBENCH-SAMPLE //p' "$T/$p.wrk" | head -c 300)"
		[ "$(field "$p" good)" -gt 0 ] || failed=1
	done
done
if want ss && want nginx; then
	awk -v s="$(field ss good_rps)" -v n="$(field nginx good_rps)" 'BEGIN {
		printf "ratio security servers / nginx: %.3f (target >= 0.6)\n",
		    (n > 0 ? s / n : 0) }'
fi
if want direct && [ "$LAT_DURATION" -gt 0 ]; then
	for p in nginx ss; do
		want "$p" || continue
		awk -v a="$(field "$p-1" p50_us)" -v d="$(field direct-1 p50_us)" \
		    -v l="$(label "$p")" -v t="$p" 'BEGIN {
			printf "median added latency (1 conn.), %s: %.2f ms%s\n",
			    l, (a - d) / 1000, t == "ss" ? " (target < 1 ms)" : "" }'
	done
fi
for s in $SS_NAMES; do
	v=RSS_IDLE_${s//-/_}
	h=HEALTHY_MS_${s//-/_}
	printf '%s: idle RSS %.1f MB (target < 30), after load %.1f MB;' \
	    "$s" "$(awk -v k="${!v}" 'BEGIN { print k / 1024 }')" \
	    "$(awk -v k="$(rss_kb "$(hk_pid "$s")")" 'BEGIN { print k / 1024 }')"
	printf ' start to healthy %s ms (target < 1000)\n' "${!h}"
done
[ $failed -eq 0 ] || hk_fail "a path answered no request correctly"
exit 0

# tests/integration/fed.sh: building blocks of a test federation, shared by
# the integration tests that run real security servers (after lib.sh):
#
#   fed_init                 binaries, schemas, instance PS, the dev PKI in $P
#   take VAR [sp]            a free port into VAR (sp: port + 77 free too,
#                            the peer OCSP port convention)
#   fed_central_conf EXPIRE  write $C/centralserver.ini; then `cs ARGS`
#   fed_ss_conf NAME OWNER CP SP ADMIN [MEMBER...]
#                            write $HK_T/NAME/securityserverd.ini
#   ctl NAME ARGS            securityserverctl on NAME's config
#   prefill_ocsp NAME CERT...  OCSP responses into NAME's cache before start

fed_init() {
	SSD=$top_builddir/securityserverd
	CTL=$top_builddir/securityserverctl
	CS=$top_builddir/centralserver
	AGENCY=$top_builddir/hukumati-agency
	export DEVOCSP=$top_builddir/devocsp
	SCHEMAS=$top_srcdir/securityserver/schemas
	I=PS
	# Ports below the kernel's ephemeral range, so that no outgoing
	# connection of a busy test takes one before its server binds it.
	EPHEMERAL=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range \
	    2>/dev/null || echo 32768)
	USED=" "
	P=$HK_T/pki
	hk_pki "$P"
	C=$HK_T/central
}

# take VAR [sp]: each port handed out once (eval, not $(...): a subshell
# would lose USED).
take() {
	local p i
	for i in $(seq 1 200); do
		p=$(hk_free_port) || hk_fail "no free port"
		[ $((p + 77)) -lt "$EPHEMERAL" ] || continue
		case $USED in *" $p "*) continue ;; esac
		if [ "${2:-}" = sp ]; then
			case $USED in *" $((p + 77)) "*) continue ;; esac
			hk_port_open $((p + 77)) && continue
			USED="$USED$((p + 77)) "
		fi
		USED="$USED$p "
		eval "$1=$p"
		return 0
	done
	hk_fail "no free port"
}

fed_central_conf() {
	mkdir -p "$C"
	cat >"$C/centralserver.ini" <<EOC
[server]
instance = $I
state-dir = $C
port = $CS_PORT
public-url = http://127.0.0.1:$CS_PORT
conf-sign-key = $P/central/confsign.key
conf-sign-cert = $P/central/confsign.pem
schema-dir = $SCHEMAS
expire-interval = $1
generation-interval = 2
[management]
provider = $I/GOV/MTIT
EOC
}

cs() {
	"$CS" -c "$C/centralserver.ini" "$@" >>"$HK_T/cs-cli.log" 2>&1 ||
	    hk_fail "centralserver $*: $(tail -3 "$HK_T/cs-cli.log")"
}

# fed_ss_conf NAME OWNER CP SP ADMIN [MEMBER...]: the members whose signing
# keys the server holds (none given: the caller adds its own sections).
fed_ss_conf() {
	local name=$1 owner=$2 cp=$3 sp=$4 ad=$5 m
	shift 5
	mkdir -p "$HK_T/$name"
	chmod 700 "$HK_T/$name"
	{
		cat <<EOC
[server]
server-id = $I/GOV/$owner/$name
state-dir = $HK_T/$name
log-level = debug
schema-dir = $SCHEMAS
[client-proxy]
port = $cp
connect-timeout = 5
request-timeout = 20
[server-proxy]
port = $sp
ocsp-port = $((sp + 77))
default-service-timeout = 10
[admin]
port = $ad
[globalconf]
anchor = $C/anchor.xml
update-interval = 5
[tls]
auth-key = $P/auth/$name.key
auth-cert = $P/auth/$name.pem
auth-chain = $P/ca/ca.pem
EOC
		for m in "$@"; do
			printf '[member %s/GOV/%s]\nsign-key = %s\nsign-cert = %s\nsign-chain = %s\n' \
			    "$I" "$m" "$P/sign/GOV_$m.key" "$P/sign/GOV_$m.pem" \
			    "$P/ca/ca.pem"
		done
	} >"$HK_T/$name/securityserverd.ini"
}

ctl() {
	local name=$1
	shift
	"$CTL" -c "$HK_T/$name/securityserverd.ini" "$@" >>"$HK_T/ctl.log" 2>&1 ||
	    hk_fail "securityserverctl $name $*: $(tail -3 "$HK_T/ctl.log")"
}

# The servers start with fresh OCSP responses for their own certificates.
prefill_ocsp() {
	local dir=$HK_T/$1/ocsp cert sha1
	shift
	mkdir -p "$dir"
	chmod 700 "$dir"
	for cert in "$@"; do
		sha1=$("$OPENSSL" x509 -in "$cert" -outform DER |
		    "$OPENSSL" dgst -sha1 -r | cut -d' ' -f1)
		"$OPENSSL" ocsp -issuer "$P/ca/ca.pem" -cert "$cert" \
		    -url "http://127.0.0.1:$OCSP_PORT" -no_nonce -noverify \
		    -respout "$dir/$sha1.der" >/dev/null 2>&1 ||
		    hk_fail "OCSP for $cert"
	done
}

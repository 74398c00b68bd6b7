#!/usr/bin/env bash
# certs/mkpki.sh: make the Hukumati dev PKI (layout: see usage below).
#
#   mkpki.sh [--quiet] [--key-type rsa|ec] [--ocsp-url URL]
#            [--members FILE] DIR
#
# Fills DIR with a root CA, an issuing (intermediate) CA whose openssl ca
# database the OCSP responder reads, the OCSP, TSA and configuration
# signing certificates, an auth (TLS) certificate for each security server,
# a signing certificate for each member of members.conf, and the test
# variants (revoked, expired, issued by an unknown CA). Keys are PEM, mode
# 0600; certificates PEM.
#
# Idempotent: what already exists in DIR is kept, what is missing is made,
# so a second run changes nothing and an interrupted run is finished. The
# key type and OCSP URL of the first run are recorded in DIR/mkpki.settings
# and win over later command lines (a warning says so).
#
# The openssl configuration and members.conf are found next to this script
# (templates/ca.cnf, members.conf), in the source tree as once installed.
set -euo pipefail

HK_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPENSSL=${OPENSSL:-openssl}
CNF=$HK_HERE/templates/ca.cnf
MEMBERS=$HK_HERE/members.conf
QUIET=0
KEY_TYPE=""
OCSP_URL=""

# Security servers and their owners: SERVER CLASS CODE (DESIGN.md, 3).
SERVERS=(
	"ss-mtit GOV MTIT"
	"ss-moi GOV MOI"
	"ss-mof GOV MOF"
	"ss-agencies GOV MTIT"
)
ROOT_DAYS=7300
CA_DAYS=3650
LEAF_DAYS=730
# The expired test certificate's validity, wholly in the past.
EXPIRED_START=20200101000000Z
EXPIRED_END=20210101000000Z

usage() {
	cat <<'EOF'
usage: mkpki.sh [--quiet] [--key-type rsa|ec] [--ocsp-url URL] [--members FILE] DIR

  --quiet          print only errors
  --key-type T     rsa (default, RSA 2048) or ec (member signing keys ECDSA P-256)
  --ocsp-url URL   OCSP URL put in leaf certificates (default http://127.0.0.1:8092)
  --members FILE   member list (default: members.conf next to this script)

Layout of DIR:
  root/ca.{key,pem}            root CA
  ca/ca.{key,pem}, index.txt   issuing CA and its openssl ca database
  ca-chain.pem                 issuing CA + root
  ocsp/ocsp.{key,pem}          OCSP responder (OCSPSigning)
  tsa/tsa.{key,pem}            TSA (timeStamping, critical)
  central/confsign.{key,pem}   configuration signing
  auth/<server>.{key,pem}      security server auth (TLS) certificates
  sign/<CLASS>_<CODE>.{key,pem} member signing certificates
  test/revoked-sign.*, revoked-auth.*, expired-sign.*,
  test/unknown-ca/ca.*, test/unknown-sign.*, test/unknown-auth.*
EOF
}

die() {
	printf 'mkpki: %s\n' "$*" >&2
	exit 1
}

warn() {
	printf 'mkpki: warning: %s\n' "$*" >&2
}

say() {
	[ "$QUIET" -eq 1 ] || printf 'mkpki: %s\n' "$*"
}

while [ $# -gt 0 ]; do
	case $1 in
	--quiet|-q) QUIET=1; shift ;;
	--key-type) [ $# -ge 2 ] || die "--key-type needs a value"
		KEY_TYPE=$2; shift 2 ;;
	--key-type=*) KEY_TYPE=${1#*=}; shift ;;
	--ocsp-url) [ $# -ge 2 ] || die "--ocsp-url needs a value"
		OCSP_URL=$2; shift 2 ;;
	--ocsp-url=*) OCSP_URL=${1#*=}; shift ;;
	--members) [ $# -ge 2 ] || die "--members needs a value"
		MEMBERS=$2; shift 2 ;;
	--members=*) MEMBERS=${1#*=}; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage >&2; die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { usage >&2; exit 2; }
case $KEY_TYPE in
""|rsa|ec) ;;
*) die "--key-type must be rsa or ec" ;;
esac
case $OCSP_URL in
""|http://*|https://*) ;;
*) die "--ocsp-url must be an http:// or https:// URL" ;;
esac
case $OCSP_URL in
*[!A-Za-z0-9:/._~%?=\&@+\[\]-]*) die "--ocsp-url has unexpected characters" ;;
esac
[ -r "$CNF" ] || die "missing $CNF"
[ -r "$MEMBERS" ] || die "missing $MEMBERS"
command -v "$OPENSSL" >/dev/null 2>&1 || die "the openssl command ($OPENSSL) was not found"

# One "CLASS CODE" per line of the member list, checked.
members() {
	local class code rest
	while read -r class code rest; do
		case $class in
		""|"#"*) continue ;;
		esac
		case "$class$code" in
		*[!A-Za-z0-9_.-]*) die "$MEMBERS: bad member '$class $code'" ;;
		esac
		[ -n "$code" ] || die "$MEMBERS: member '$class' has no code"
		printf '%s %s\n' "$class" "$code"
	done <"$MEMBERS"
}

member_list=$(members)
[ -n "$member_list" ] || die "$MEMBERS lists no member"

umask 022
mkdir -p "$1"
PKI=$(cd "$1" && pwd)

# Settings recorded by the first run win, so that a resumed or repeated run
# makes a consistent PKI.
SETTINGS=$PKI/mkpki.settings
if [ -f "$SETTINGS" ]; then
	old_type=$(sed -n 's/^key_type=//p' "$SETTINGS")
	old_url=$(sed -n 's/^ocsp_url=//p' "$SETTINGS")
	[ -n "$KEY_TYPE" ] && [ "$KEY_TYPE" != "$old_type" ] &&
	    warn "$PKI was made with --key-type $old_type; keeping that"
	[ -n "$OCSP_URL" ] && [ "$OCSP_URL" != "$old_url" ] &&
	    warn "$PKI was made with --ocsp-url $old_url; keeping that"
	KEY_TYPE=$old_type
	OCSP_URL=$old_url
else
	: "${KEY_TYPE:=rsa}"
	: "${OCSP_URL:=http://127.0.0.1:8092}"
	printf 'key_type=%s\nocsp_url=%s\n' "$KEY_TYPE" "$OCSP_URL" >"$SETTINGS.tmp"
	mv "$SETTINGS.tmp" "$SETTINGS"
fi
case $KEY_TYPE in
rsa|ec) ;;
*) die "$SETTINGS: bad key_type" ;;
esac
export HK_PKI=$PKI HK_OCSP_URL=$OCSP_URL

WORK=$(umask 077 && mktemp -d "$PKI/.mkpki.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# run COMMAND...: run quietly; on failure show its output and stop.
run() {
	if ! "$@" >"$WORK/out" 2>&1; then
		cat "$WORK/out" >&2
		die "failed: $*"
	fi
}

# genkey rsa|ec FILE: a new private key, mode 0600 from the start (the
# output of openssl goes to FILE.log).
genkey() {
	local kt=$1 out=$2
	set -- -algorithm RSA -pkeyopt rsa_keygen_bits:2048
	[ "$kt" = ec ] && set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -pkeyopt ec_param_enc:named_curve
	(umask 077 && exec "$OPENSSL" genpkey "$@" -out "$out") >"$out.log" 2>&1
}

# have BASE: BASE.key and BASE.pem both exist.
have() {
	[ -s "$1.key" ] && [ -s "$1.pem" ]
}

# cadb DIR: an empty openssl ca database whose serials start at a random
# 128-bit number.
cadb() {
	mkdir -p "$1/newcerts"
	[ -f "$1/index.txt" ] || : >"$1/index.txt"
	if [ ! -s "$1/serial" ]; then
		"$OPENSSL" rand -hex 16 >"$1/serial.tmp" || die "openssl rand failed"
		mv "$1/serial.tmp" "$1/serial"
	fi
}

# cadb_reset DIR: empty the database of the CA in DIR.
cadb_reset() {
	[ -s "$1/index.txt" ] || return 0
	: >"$1/index.txt"
	rm -f "$1/index.txt.old" "$1/index.txt.attr" "$1/index.txt.attr.old"
	rm -f "$1"/newcerts/*.pem
}

# revoke BASE WHAT: make sure BASE.pem is revoked in the issuing CA's index.
revoke() {
	local serial
	serial=$("$OPENSSL" x509 -in "$1.pem" -noout -serial) ||
	    die "cannot read $1.pem"
	serial=${serial#serial=}
	if awk -F '\t' -v s="$serial" \
	    'toupper($4) == toupper(s) && $1 == "R" { f = 1 } END { exit !f }' \
	    "$PKI/ca/index.txt"; then
		say "$2: revoked already"
		return 0
	fi
	run "$OPENSSL" ca -config "$CNF" -name ca_issuing -batch \
	    -revoke "$1.pem" -crl_reason keyCompromise
	say "$2: revoked"
}

# --- the plan --------------------------------------------------------------
# One certificate a line: ISSUER|PROFILE|KEYTYPE|BASE|SUBJECT|WHAT|CA OPTIONS
# ISSUER "self" is a self-signed root; otherwise the openssl ca section.
# Issuers come before what they issue.
PLAN=(
	"self|v3_root|rsa|root/ca|/C=PS/O=Hukumati/CN=Hukumati Dev Root CA|root CA|"
	"ca_root|v3_intermediate|rsa|ca/ca|/C=PS/O=Hukumati/CN=Hukumati Dev Issuing CA|issuing CA|-days $CA_DAYS"
	"ca_issuing|v3_ocsp|rsa|ocsp/ocsp|/C=PS/O=Hukumati/CN=Hukumati Dev OCSP Responder|OCSP responder|-days $LEAF_DAYS"
	"ca_issuing|v3_tsa|rsa|tsa/tsa|/C=PS/O=Hukumati/CN=Hukumati Dev TSA|TSA|-days $LEAF_DAYS"
	"ca_issuing|v3_confsign|rsa|central/confsign|/C=PS/O=Hukumati/CN=Hukumati Central Server|configuration signing|-days $LEAF_DAYS"
)
for s in "${SERVERS[@]}"; do
	read -r server class code <<<"$s"
	PLAN+=("ca_issuing|v3_auth|rsa|auth/$server|/C=PS/O=$class/OU=$code/CN=$server|auth $server|-days $LEAF_DAYS")
done
while read -r class code; do
	PLAN+=("ca_issuing|v3_sign|$KEY_TYPE|sign/${class}_$code|/C=PS/O=$class/CN=$code|sign $class/$code|-days $LEAF_DAYS")
done <<<"$member_list"
PLAN+=(
	"ca_issuing|v3_sign|$KEY_TYPE|test/revoked-sign|/C=PS/O=GOV/CN=REVOKED|test revoked-sign|-days $LEAF_DAYS"
	"ca_issuing|v3_auth|rsa|test/revoked-auth|/C=PS/O=GOV/OU=REVOKED/CN=ss-revoked|test revoked-auth|-days $LEAF_DAYS"
	"ca_issuing|v3_sign|$KEY_TYPE|test/expired-sign|/C=PS/O=GOV/CN=EXPIRED|test expired-sign|-startdate $EXPIRED_START -enddate $EXPIRED_END"
	"self|v3_root|rsa|test/unknown-ca/ca|/C=PS/O=Unknown/CN=Unknown Test Root CA|test unknown CA|"
	"ca_unknown|v3_sign|$KEY_TYPE|test/unknown-sign|/C=PS/O=GOV/CN=UNKNOWN|test unknown-sign|-days $LEAF_DAYS"
	"ca_unknown|v3_auth|rsa|test/unknown-auth|/C=PS/O=GOV/OU=UNKNOWN/CN=ss-unknown|test unknown-auth|-days $LEAF_DAYS"
)

# --- keys, made in parallel (RSA key generation is most of the time) --------
NJOBS=$(nproc 2>/dev/null || echo 2)
mkdir -p "$WORK/keys"
n=0
for e in "${PLAN[@]}"; do
	IFS='|' read -r issuer profile kt base subj what opts <<<"$e"
	if ! have "$PKI/$base"; then
		while [ "$(jobs -rp | wc -l)" -ge "$NJOBS" ]; do
			wait -n || true
		done
		genkey "$kt" "$WORK/keys/$n.key" &
	fi
	n=$((n + 1))
done
wait || true

# --- certificates, in order ------------------------------------------------
cadb "$PKI/root"
cadb "$PKI/ca"
cadb "$PKI/test/unknown-ca"
# A CA made anew (its old one was incomplete) reissues all it issued.
declare -A FRESH=()
n=0
for e in "${PLAN[@]}"; do
	IFS='|' read -r issuer profile kt base subj what opts <<<"$e"
	key=$WORK/keys/$n.key
	n=$((n + 1))
	if have "$PKI/$base" && [ -z "${FRESH[$issuer]:-}" ]; then
		say "$what: kept"
		continue
	fi
	[ -s "$key" ] || genkey "$kt" "$key" || true
	if [ ! -s "$key" ]; then
		cat "$key.log" >&2 2>/dev/null || true
		die "$what: key generation failed"
	fi
	mkdir -p "$(dirname "$PKI/$base")"
	if [ "$issuer" = self ]; then
		run "$OPENSSL" req -config "$CNF" -new -x509 -sha256 -key "$key" \
		    -subj "$subj" -days "$ROOT_DAYS" -extensions "$profile" \
		    -out "$WORK/cert"
	else
		run "$OPENSSL" req -config "$CNF" -new -key "$key" -subj "$subj" \
		    -out "$WORK/csr"
		# shellcheck disable=SC2086 # opts holds separate words
		run "$OPENSSL" ca -config "$CNF" -name "$issuer" -batch -notext \
		    -extensions "$profile" -in "$WORK/csr" -out "$WORK/cert" $opts
	fi
	mv "$key" "$PKI/$base.key"
	mv "$WORK/cert" "$PKI/$base.pem"
	say "$what: created"
	# A new CA starts an empty database (old entries were another key's).
	case $base in
	root/ca) FRESH[ca_root]=1; cadb_reset "$PKI/root" ;;
	ca/ca) FRESH[ca_issuing]=1; cadb_reset "$PKI/ca" ;;
	test/unknown-ca/ca) FRESH[ca_unknown]=1; cadb_reset "$PKI/test/unknown-ca" ;;
	esac
done

cat "$PKI/ca/ca.pem" "$PKI/root/ca.pem" >"$WORK/chain"
if cmp -s "$WORK/chain" "$PKI/ca-chain.pem"; then
	say "ca-chain.pem: kept"
else
	mv "$WORK/chain" "$PKI/ca-chain.pem"
	say "ca-chain.pem: written"
fi

revoke "$PKI/test/revoked-sign" "test revoked-sign"
revoke "$PKI/test/revoked-auth" "test revoked-auth"

say "done: $PKI"

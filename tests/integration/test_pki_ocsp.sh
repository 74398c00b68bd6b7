#!/usr/bin/env bash
# test_pki_ocsp.sh: the dev PKI (certs/mkpki.sh) has the layout, profiles
# and test variants of PKI.md, a second run changes nothing, an incomplete
# PKI is finished; the OCSP responder (certs/ocsp-responder.sh, devocsp)
# listens on 127.0.0.1 only and answers good / revoked / unknown with
# signed responses that carry nextUpdate.
. "$top_srcdir/tests/integration/lib.sh"
hk_init pki_ocsp

P=$HK_T/pki
CNF=$top_srcdir/certs/templates/ca.cnf
MKPKI=$top_srcdir/certs/mkpki.sh
SERVERS="ss-mtit ss-moi ss-mof ss-agencies"
MEMBERS=$(awk '$1 !~ /^#/ && NF >= 2 { print $1 "_" $2 }' \
    "$top_srcdir/certs/members.conf")
[ -n "$MEMBERS" ] || hk_fail "no member in certs/members.conf"

start=$(date +%s)
hk_pki "$P"
hk_log "mkpki.sh took $(( $(date +%s) - start ))s"

# --- layout -----------------------------------------------------------------
leaves="ocsp/ocsp tsa/tsa central/confsign"
for s in $SERVERS; do leaves="$leaves auth/$s"; done
for m in $MEMBERS; do leaves="$leaves sign/$m"; done
tests="test/revoked-sign test/revoked-auth test/expired-sign"
unknown="test/unknown-sign test/unknown-auth"
for b in root/ca ca/ca $leaves $tests test/unknown-ca/ca $unknown; do
	[ -s "$P/$b.key" ] && [ -s "$P/$b.pem" ] || hk_fail "missing $b.{key,pem}"
done
for f in ca-chain.pem ca/index.txt ca/serial; do
	[ -s "$P/$f" ] || hk_fail "missing $f"
done
hk_log "ok: layout of PKI.md"

# --- private keys: 0600, never readable by others ---------------------------
nkeys=0
while IFS= read -r k; do
	mode=$(stat -c %a "$k")
	[ "$mode" = 600 ] || hk_fail "$k has mode $mode, not 600"
	nkeys=$((nkeys + 1))
done < <(find "$P" -name '*.key')
[ "$nkeys" -eq $(( 2 + $(echo $leaves $tests $unknown | wc -w) + 1 )) ] ||
    hk_fail "unexpected number of keys: $nkeys"
hk_log "ok: $nkeys keys, all mode 0600"

# --- chains -----------------------------------------------------------------
# verify FILE [openssl verify options]: FILE chains to the root through
# the issuing CA.
verify() {
	local f=$1
	shift
	"$OPENSSL" verify -x509_strict -CAfile "$P/root/ca.pem" \
	    -untrusted "$P/ca/ca.pem" "$@" "$P/$f.pem" >"$HK_T/verify.out" 2>&1
}
hk_assert "issuing CA chains to the root" verify ca/ca
for b in $leaves $tests; do
	case $b in
	test/expired-sign) continue ;;
	esac
	verify "$b" || { cat "$HK_T/verify.out"; hk_fail "$b does not verify"; }
	"$OPENSSL" verify -CAfile "$P/ca-chain.pem" "$P/$b.pem" >/dev/null 2>&1 ||
	    hk_fail "$b does not verify against ca-chain.pem"
done
hk_log "ok: every leaf verifies against the chain"
for b in $SERVERS; do
	verify "auth/$b" -purpose sslserver || hk_fail "auth/$b: not a TLS server cert"
	verify "auth/$b" -purpose sslclient || hk_fail "auth/$b: not a TLS client cert"
done
hk_assert "ocsp cert is an OCSP helper" verify ocsp/ocsp -purpose ocsphelper
hk_assert "tsa cert is a timestamp signer" verify tsa/tsa -purpose timestampsign
if verify test/expired-sign; then
	hk_fail "the expired cert verifies"
fi
grep -q 'certificate has expired' "$HK_T/verify.out" ||
    hk_fail "expired-sign fails for another reason: $(cat "$HK_T/verify.out")"
hk_log "ok: expired-sign fails as expired"
for b in $unknown; do
	if verify "$b" || "$OPENSSL" verify -CAfile "$P/ca-chain.pem" \
	    "$P/$b.pem" >/dev/null 2>&1; then
		hk_fail "$b (unknown CA) verifies against the dev chain"
	fi
	"$OPENSSL" verify -CAfile "$P/test/unknown-ca/ca.pem" "$P/$b.pem" \
	    >/dev/null 2>&1 || hk_fail "$b does not verify against its own CA"
done
hk_log "ok: unknown-CA leaves fail against the dev chain"

# --- profiles ---------------------------------------------------------------
# text FILE: the certificate as text.
text() {
	"$OPENSSL" x509 -in "$P/$1.pem" -noout -text
}
subject() {
	"$OPENSSL" x509 -in "$P/$1.pem" -noout -subject -nameopt RFC2253
}
# ext FILE EXTENSION: the named extension as text (header line included).
ext() {
	"$OPENSSL" x509 -in "$P/$1.pem" -noout -ext "$2" 2>/dev/null
}
[ "$(subject root/ca)" = "subject=CN=Hukumati Dev Root CA,O=Hukumati,C=PS" ] ||
    hk_fail "root subject: $(subject root/ca)"
[ "$(subject ca/ca)" = "subject=CN=Hukumati Dev Issuing CA,O=Hukumati,C=PS" ] ||
    hk_fail "issuing CA subject: $(subject ca/ca)"
[ "$(subject auth/ss-mtit)" = "subject=CN=ss-mtit,OU=MTIT,O=GOV,C=PS" ] ||
    hk_fail "auth subject: $(subject auth/ss-mtit)"
[ "$(subject auth/ss-agencies)" = "subject=CN=ss-agencies,OU=MTIT,O=GOV,C=PS" ] ||
    hk_fail "auth subject: $(subject auth/ss-agencies)"
[ "$(subject sign/GOV_MOI)" = "subject=CN=MOI,O=GOV,C=PS" ] ||
    hk_fail "sign subject: $(subject sign/GOV_MOI)"
[ "$(subject test/revoked-auth)" = "subject=CN=ss-revoked,OU=REVOKED,O=GOV,C=PS" ] ||
    hk_fail "revoked-auth subject: $(subject test/revoked-auth)"

ext tsa/tsa extendedKeyUsage >"$HK_T/x"
grep -q 'Extended Key Usage: critical' "$HK_T/x" || hk_fail "tsa EKU is not critical"
[ "$(sed -n 2p "$HK_T/x" | tr -d ' ')" = "TimeStamping" ] ||
    hk_fail "tsa EKU is not timeStamping alone: $(cat "$HK_T/x")"
ext ocsp/ocsp extendedKeyUsage | grep -q 'OCSP Signing' || hk_fail "ocsp EKU"
text ocsp/ocsp | grep -q 'OCSP No Check' || hk_fail "ocsp cert lacks noCheck"
for s in $SERVERS; do
	ext "auth/$s" subjectAltName | grep -q 'DNS:localhost, IP Address:127.0.0.1' ||
	    hk_fail "auth/$s SAN"
	ext "auth/$s" extendedKeyUsage |
	    grep -q 'TLS Web Server Authentication, TLS Web Client Authentication' ||
	    hk_fail "auth/$s EKU"
done
for m in $MEMBERS; do
	ext "sign/$m" keyUsage | grep -q 'Non Repudiation' || hk_fail "sign/$m keyUsage"
done
for b in $leaves; do
	case $b in
	ocsp/ocsp) continue ;;
	esac
	ext "$b" authorityInfoAccess | grep -q 'OCSP - URI:http://127.0.0.1:8092' ||
	    hk_fail "$b lacks the AIA OCSP URL"
done
ext ca/ca basicConstraints | grep -q 'CA:TRUE, pathlen:0' || hk_fail "issuing CA basicConstraints"
"$OPENSSL" pkey -in "$P/sign/GOV_MOI.key" -noout -text 2>/dev/null |
    grep -q 'Private-Key: (2048 bit' || hk_fail "default sign key is not RSA 2048"
hk_log "ok: subjects, key usages, EKUs, SAN, AIA"

# --- the CA database ----------------------------------------------------------
# serial FILE: the serial number in hex.
serial() {
	"$OPENSSL" x509 -in "$P/$1.pem" -noout -serial | sed 's/^serial=//'
}
# dbtype FILE: the type (V, R, E) of FILE's entry in ca/index.txt.
dbtype() {
	awk -F '\t' -v s="$(serial "$1")" 'toupper($4) == toupper(s) { print $1 }' \
	    "$P/ca/index.txt"
}
[ "$(dbtype test/revoked-sign)" = R ] || hk_fail "revoked-sign is not revoked in the index"
[ "$(dbtype test/revoked-auth)" = R ] || hk_fail "revoked-auth is not revoked in the index"
[ "$(dbtype sign/GOV_MOI)" = V ] || hk_fail "GOV_MOI is not valid in the index"
[ "$(serial sign/GOV_MOI)" != "$(serial sign/GOV_MOF)" ] || hk_fail "serials repeat"
hk_log "ok: revoked certs are revoked in ca/index.txt"

# --- idempotence --------------------------------------------------------------
sums() {
	(cd "$P" && find . -type f | LC_ALL=C sort | xargs sha256sum)
}
sums >"$HK_T/sums1"
"$MKPKI" "$P" >"$HK_T/mkpki2.log" 2>&1 || hk_fail "second mkpki.sh run failed"
sums >"$HK_T/sums2"
cmp -s "$HK_T/sums1" "$HK_T/sums2" ||
    hk_fail "second run changed files: $(diff "$HK_T/sums1" "$HK_T/sums2" | head)"
grep -q 'created' "$HK_T/mkpki2.log" && hk_fail "second run created something"
hk_log "ok: a second run changes nothing"

# An interrupted run: a missing certificate is made, nothing else changes.
rm "$P/sign/GOV_MOI.pem"
"$MKPKI" --quiet "$P" >"$HK_T/mkpki3.log" 2>&1 || hk_fail "resuming mkpki.sh failed"
[ ! -s "$HK_T/mkpki3.log" ] || hk_fail "--quiet printed: $(cat "$HK_T/mkpki3.log")"
verify sign/GOV_MOI || hk_fail "the remade GOV_MOI cert does not verify"
"$OPENSSL" x509 -in "$P/sign/GOV_MOI.pem" -noout -pubkey >"$HK_T/pub1"
"$OPENSSL" pkey -in "$P/sign/GOV_MOI.key" -pubout >"$HK_T/pub2"
cmp -s "$HK_T/pub1" "$HK_T/pub2" || hk_fail "remade GOV_MOI cert and key do not match"
sums >"$HK_T/sums3"
[ "$(diff "$HK_T/sums2" "$HK_T/sums3" | grep -c '^>')" -le 8 ] ||
    hk_fail "resuming changed too much: $(diff "$HK_T/sums2" "$HK_T/sums3")"
diff "$HK_T/sums2" "$HK_T/sums3" | grep '^>' | grep -q -v -e ' ./ca/' \
    -e ' ./sign/GOV_MOI\.' && hk_fail "resuming touched other files"
hk_log "ok: an incomplete PKI is finished"

# --- ECDSA member keys ----------------------------------------------------------
hk_pki "$HK_T/pki-ec" --key-type ec --ocsp-url http://127.0.0.1:18092
for b in sign/GOV_MTIT test/revoked-sign test/unknown-sign; do
	"$OPENSSL" pkey -in "$HK_T/pki-ec/$b.key" -noout -text 2>/dev/null |
	    grep -q 'ASN1 OID: prime256v1' || hk_fail "--key-type ec: $b is not P-256"
done
"$OPENSSL" pkey -in "$HK_T/pki-ec/auth/ss-mtit.key" -noout -text 2>/dev/null |
    grep -q 'Private-Key: (2048 bit' || hk_fail "--key-type ec: auth key should stay RSA"
"$OPENSSL" verify -CAfile "$HK_T/pki-ec/ca-chain.pem" "$HK_T/pki-ec/sign/GOV_MTIT.pem" \
    >/dev/null 2>&1 || hk_fail "--key-type ec: sign cert does not verify"
"$OPENSSL" x509 -in "$HK_T/pki-ec/sign/GOV_MTIT.pem" -noout -ext authorityInfoAccess |
    grep -q 'URI:http://127.0.0.1:18092' || hk_fail "--ocsp-url not used"
hk_log "ok: --key-type ec gives P-256 signing keys, --ocsp-url is used"

# --- the OCSP responder -----------------------------------------------------------
DEVOCSP=$top_builddir/devocsp
export DEVOCSP
[ -x "$DEVOCSP" ] || hk_fail "$DEVOCSP was not built"
port=$(hk_free_port) || hk_fail "no free port"
hk_start ocsp "$top_srcdir/certs/ocsp-responder.sh" "$P" "$port" -d -n 30
hk_wait_port "$port"
URL=http://127.0.0.1:$port

if command -v ss >/dev/null 2>&1; then
	ss -Hltn "sport = :$port" >"$HK_T/ss.out"
	[ -s "$HK_T/ss.out" ] || hk_fail "ss does not show the listener"
	awk '{ print $4 }' "$HK_T/ss.out" | grep -v -q "^127\.0\.0\.1:$port\$" &&
	    hk_fail "the responder listens beyond 127.0.0.1: $(cat "$HK_T/ss.out")"
	hk_log "ok: listening on 127.0.0.1:$port only"
fi

# ocsp FILE [ISSUER [options]]: query the status of FILE into $HK_T/ocsp.out.
ocsp() {
	local f=$1 issuer=${2:-ca/ca}
	shift
	[ $# -gt 0 ] && shift
	"$OPENSSL" ocsp -issuer "$P/$issuer.pem" -cert "$P/$f.pem" -url "$URL" \
	    -CAfile "$P/ca-chain.pem" -resp_text "$@" >"$HK_T/ocsp.out" \
	    2>"$HK_T/ocsp.err"
}
# status FILE WANT: FILE's status is WANT in a verified response.
status() {
	ocsp "$1" || hk_fail "openssl ocsp for $1 failed: $(cat "$HK_T/ocsp.err")"
	grep -q '^Response verify OK' "$HK_T/ocsp.err" ||
	    hk_fail "response for $1 does not verify: $(cat "$HK_T/ocsp.err")"
	grep -q "^$P/$1.pem: $2\$" "$HK_T/ocsp.out" ||
	    hk_fail "$1 is not $2: $(grep "$P/$1.pem:" "$HK_T/ocsp.out")"
	grep -q 'Next Update:' "$HK_T/ocsp.out" || hk_fail "no nextUpdate for $1"
	grep -q 'OCSP Nonce' "$HK_T/ocsp.out" || hk_fail "no nonce for $1"
	hk_log "ok: $1 is $2"
}
status sign/GOV_MOI good
status auth/ss-mtit good
status tsa/tsa good
status test/revoked-sign revoked
grep -q 'Reason: keyCompromise' "$HK_T/ocsp.out" || hk_fail "no revocation reason"
status test/revoked-auth revoked

# nextUpdate is -n minutes after thisUpdate.
this=$(date -d "$(sed -n 's/^[[:space:]]*This Update: //p' "$HK_T/ocsp.out" | head -1)" +%s)
next=$(date -d "$(sed -n 's/^[[:space:]]*Next Update: //p' "$HK_T/ocsp.out" | head -1)" +%s)
[ $((next - this)) -eq 1800 ] || hk_fail "nextUpdate - thisUpdate = $((next - this))s, not 1800"

# The response signature really is checked: against another root it fails.
"$OPENSSL" ocsp -issuer "$P/ca/ca.pem" -cert "$P/sign/GOV_MOI.pem" -url "$URL" \
    -CAfile "$P/test/unknown-ca/ca.pem" >"$HK_T/ocsp.out" 2>"$HK_T/ocsp.err"
grep -q 'Response verify OK' "$HK_T/ocsp.err" "$HK_T/ocsp.out" &&
    hk_fail "the response verifies against an unrelated root"
hk_log "ok: the response does not verify against an unrelated root"

# A cert of another CA is unknown, never good.
ocsp test/unknown-sign test/unknown-ca/ca -noverify
grep -q "^$P/test/unknown-sign.pem: unknown\$" "$HK_T/ocsp.out" ||
    hk_fail "unknown-CA cert: $(cat "$HK_T/ocsp.out")"
hk_log "ok: a cert of an unknown CA is unknown"

# A revocation made while the responder runs is answered at once.
HK_PKI=$P HK_OCSP_URL=http://127.0.0.1:8092 "$OPENSSL" ca -config "$CNF" \
    -name ca_issuing -batch -revoke "$P/sign/GOV_MOH.pem" \
    -crl_reason superseded >"$HK_T/revoke.out" 2>&1 ||
    hk_fail "openssl ca -revoke: $(cat "$HK_T/revoke.out")"
status sign/GOV_MOH revoked
grep -q 'Reason: superseded' "$HK_T/ocsp.out" || hk_fail "reason is not superseded"

# GET (RFC 6960 A.1) answers as POST does.
"$OPENSSL" ocsp -issuer "$P/ca/ca.pem" -cert "$P/sign/GOV_MOF.pem" \
    -reqout "$HK_T/req.der" >/dev/null 2>&1 || hk_fail "cannot make a request"
if command -v curl >/dev/null 2>&1; then
	b64=$(base64 -w0 "$HK_T/req.der" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
	code=$(curl -s -o "$HK_T/resp.der" -w '%{http_code} %{content_type}' "$URL/$b64")
	[ "$code" = "200 application/ocsp-response" ] || hk_fail "GET answered $code"
	"$OPENSSL" ocsp -respin "$HK_T/resp.der" -issuer "$P/ca/ca.pem" \
	    -cert "$P/sign/GOV_MOF.pem" -CAfile "$P/ca-chain.pem" -no_nonce \
	    >"$HK_T/ocsp.out" 2>"$HK_T/ocsp.err"
	grep -q '^Response verify OK' "$HK_T/ocsp.err" ||
	    hk_fail "GET: response does not verify: $(cat "$HK_T/ocsp.err")"
	grep -q "^$P/sign/GOV_MOF.pem: good\$" "$HK_T/ocsp.out" ||
	    hk_fail "GET: $(cat "$HK_T/ocsp.out")"
	hk_log "ok: GET request"

	# Garbage gets malformedRequest; an oversized body is refused.
	printf 'not an OCSP request' | curl -s -o "$HK_T/resp.der" \
	    -H 'Content-Type: application/ocsp-request' --data-binary @- "$URL/"
	"$OPENSSL" ocsp -respin "$HK_T/resp.der" -resp_text -noverify 2>&1 |
	    grep -qi 'malformedrequest' || hk_fail "garbage is not malformedRequest"
	head -c 200000 /dev/zero >"$HK_T/big"
	code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$HK_T/big" "$URL/")
	[ "$code" = 413 ] || hk_fail "a 200 kB body answered $code"
	hk_log "ok: malformed and oversized requests"
fi

# Still alive after all that.
status sign/GOV_MOI good
kill -0 "$(hk_pid ocsp)" 2>/dev/null || hk_fail "the responder died"
hk_pass

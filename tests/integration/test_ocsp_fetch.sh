#!/usr/bin/env bash
# test_ocsp_fetch.sh: ocsp.c and certcheck.c against the real dev OCSP
# responder (certs/ocsp-responder.sh over a fresh dev PKI): fetch without
# a nonce, verify good / revoked / unauthorized, chain checks with OCSP,
# the persisted cache surviving a restart with the responder gone.
. "$top_srcdir/tests/integration/lib.sh"
hk_init ocsp_fetch

D=$top_builddir/tests/integration/ocsp_fetch
[ -x "$D" ] || hk_fail "$D was not built"
DEVOCSP=$top_builddir/devocsp
export DEVOCSP
[ -x "$DEVOCSP" ] || hk_fail "$DEVOCSP was not built"

P=$HK_T/pki
hk_pki "$P"
port=$(hk_free_port) || hk_fail "no free port"
hk_start ocsp "$top_srcdir/certs/ocsp-responder.sh" "$P" "$port" -n 30
hk_wait_port "$port"
URL=http://127.0.0.1:$port/
CA=$P/ca/ca.pem

# expect WANT CMD...: CMD prints WANT on stdout.
expect() {
	local want=$1 got
	shift
	got=$("$D" "$@" 2>"$HK_T/drv.err")
	[ "$got" = "$want" ] ||
	    hk_fail "$*: got '$got', want '$want' ($(cat "$HK_T/drv.err"))"
	hk_log "ok: $1 ${2##*/}: $want"
}

expect good verify "$P/sign/GOV_MOI.pem" "$CA" "$URL"
expect good verify "$P/auth/ss-mtit.pem" "$CA" "$URL"
expect revoked verify "$P/test/revoked-sign.pem" "$CA" "$URL"
grep -q 'Certificate has been revoked' "$HK_T/drv.err" ||
    hk_fail "no revocation message: $(cat "$HK_T/drv.err")"
# The dev responder is not authorised by the unknown CA.
expect "unauthorized responder" verify "$P/test/unknown-sign.pem" \
    "$P/test/unknown-ca/ca.pem" "$URL"
grep -q 'OCSP responder is not authorized for given CA' "$HK_T/drv.err" ||
    hk_fail "message: $(cat "$HK_T/drv.err")"

# Chains, with the issuing CA as the approved CA.
expect ok chain "$P/sign/GOV_MOI.pem" "$CA" "$URL" "$CA" sign
expect ok chain "$P/auth/ss-moi.pem" "$CA" "$URL" "$CA" auth
expect "certificate revoked" chain "$P/test/revoked-auth.pem" "$CA" "$URL" \
    "$CA" auth
expect "certificate expired" chain "$P/test/expired-sign.pem" "$CA" "$URL" \
    "$CA" sign
expect "wrong certificate purpose" chain "$P/sign/GOV_MOI.pem" "$CA" "$URL" \
    "$CA" auth
expect "untrusted CA" chain "$P/test/unknown-auth.pem" \
    "$P/test/unknown-ca/ca.pem" "$URL" "$CA" auth

# The cache: refresh, persist, and a restart finds it with no responder.
C=$HK_T/ocsp-cache
"$D" cache "$C" "$P/auth/ss-mtit.pem" "$CA" "$URL" >"$HK_T/cache.out" \
    2>"$HK_T/drv.err" || hk_fail "cache refresh: $(cat "$HK_T/drv.err")"
grep -q '^refreshed$' "$HK_T/cache.out" || hk_fail "$(cat "$HK_T/cache.out")"
grep -q '^multipart/related; charset=UTF-8; boundary=' "$HK_T/cache.out" ||
    hk_fail "download body: $(cat "$HK_T/cache.out")"
sha1=$("$OPENSSL" x509 -in "$P/auth/ss-mtit.pem" -outform DER |
    "$OPENSSL" dgst -sha1 -r | cut -d' ' -f1)
[ -s "$C/$sha1.der" ] || hk_fail "no $C/$sha1.der"
"$OPENSSL" ocsp -respin "$C/$sha1.der" -issuer "$CA" \
    -cert "$P/auth/ss-mtit.pem" -CAfile "$P/ca-chain.pem" -no_nonce \
    >"$HK_T/ocsp.out" 2>&1 || hk_fail "openssl ocsp: $(cat "$HK_T/ocsp.out")"
grep -q "ss-mtit.pem: good" "$HK_T/ocsp.out" ||
    hk_fail "persisted response: $(cat "$HK_T/ocsp.out")"
hk_log "ok: persisted response verifies with openssl ocsp"
kill "$(hk_pid ocsp)"
while hk_port_open "$port"; do sleep 0.1; done
expect cached cached "$C" "$P/auth/ss-mtit.pem" "$CA"
expect missing cached "$C" "$P/auth/ss-moi.pem" "$CA"
expect "fetch failed" verify "$P/sign/GOV_MOI.pem" "$CA" "$URL"
hk_pass

#!/usr/bin/env bash
# test_devtsa.sh: devtsa end to end with the openssl and curl clients:
# stamp, verify against the dev PKI, serials across a restart, rejections,
# HTTP errors.
. "$top_srcdir/tests/integration/lib.sh"
hk_init devtsa

command -v curl >/dev/null 2>&1 || hk_skip "curl not found"
DEVTSA=$top_builddir/devtsa
[ -x "$DEVTSA" ] || hk_fail "$DEVTSA not built"

# A root -> issuing CA -> TSA chain in mkpki.sh's layout, for a tree that
# does not have certs/mkpki.sh.
own_pki() {
	local d=$1 ext=$1/ext.cnf
	mkdir -p "$d/root" "$d/ca" "$d/tsa"
	cat >"$ext" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[tsa]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
	"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$d/root/ca.key" -out "$d/root/ca.pem" -days 30 \
	    -subj "/CN=Test Root CA" -config "$ext" -extensions ca \
	    2>/dev/null || return 1
	"$OPENSSL" req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/ca/ca.key" -out "$d/ca/ca.csr" -subj "/CN=Test CA" \
	    -config "$ext" 2>/dev/null || return 1
	"$OPENSSL" x509 -req -in "$d/ca/ca.csr" -CA "$d/root/ca.pem" \
	    -CAkey "$d/root/ca.key" -set_serial 2 -days 30 -out "$d/ca/ca.pem" \
	    -extensions ca -extfile "$ext" 2>/dev/null || return 1
	"$OPENSSL" req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/tsa/tsa.key" -out "$d/tsa/tsa.csr" -subj "/CN=Test TSA" \
	    -config "$ext" 2>/dev/null || return 1
	"$OPENSSL" x509 -req -in "$d/tsa/tsa.csr" -CA "$d/ca/ca.pem" \
	    -CAkey "$d/ca/ca.key" -set_serial 3 -days 30 -out "$d/tsa/tsa.pem" \
	    -extensions tsa -extfile "$ext" 2>/dev/null || return 1
	cat "$d/ca/ca.pem" "$d/root/ca.pem" >"$d/ca-chain.pem"
	chmod 600 "$d"/*/*.key
}

P=$HK_T/pki
if [ -x "$top_srcdir/certs/mkpki.sh" ]; then
	hk_pki "$P"
else
	hk_log "certs/mkpki.sh missing: using a throwaway PKI"
	own_pki "$P" || hk_fail "cannot make a throwaway PKI"
fi
ROOT=$P/root/ca.pem
cat "$P/ca/ca.pem" "$P/tsa/tsa.pem" >"$HK_T/untrusted.pem"
mkdir -p "$HK_T/state"
SERIAL=$HK_T/state/devtsa.serial
TSA_ARGS=(-k "$P/tsa/tsa.key" -c "$P/tsa/tsa.pem" -C "$P/ca-chain.pem"
    -s "$SERIAL")

# --- configuration check
out=$("$DEVTSA" -n "${TSA_ARGS[@]}" 2>&1)
[ "$out" = "configuration OK" ] || hk_fail "-n: $out"
hk_log "ok: -n prints configuration OK"
[ ! -e "$SERIAL" ] || hk_fail "-n created the serial file"
if "$DEVTSA" -n -k "$P/root/ca.key" -c "$P/root/ca.pem" -s "$SERIAL" \
    >"$HK_T/n-bad.out" 2>&1; then
	hk_fail "-n accepted a certificate without timeStamping"
fi
grep -q timeStamping "$HK_T/n-bad.out" ||
    hk_fail "-n did not say why: $(cat "$HK_T/n-bad.out")"
hk_log "ok: -n refuses a CA certificate as TSA certificate"
if "$DEVTSA" -n -k "$P/root/ca.key" -c "$P/tsa/tsa.pem" -s "$SERIAL" \
    >/dev/null 2>&1; then
	hk_fail "-n accepted a key that is not the certificate's"
fi
hk_log "ok: -n refuses a key that does not match"
grep -q "PRIVATE KEY" "$HK_T/n-bad.out" && hk_fail "key material in output"

# --- start
port=$(hk_free_port) || hk_fail "no free port"
URL=http://127.0.0.1:$port/
hk_start devtsa "$DEVTSA" -d -p "$port" "${TSA_ARGS[@]}"
hk_wait_http "${URL}health"
[ "$(curl -s "${URL}health")" = ok ] || hk_fail "GET /health is not ok"
hk_log "ok: GET /health"

DATA=$HK_T/data.txt
printf 'Hukumati devtsa integration test %s\n' "$$" >"$DATA"

# stamp FILE OUT [openssl ts -query options]: query devtsa, reply in OUT.
stamp() {
	local data=$1 out=$2
	shift 2
	"$OPENSSL" ts -query -data "$data" "$@" -out "$out.tsq" 2>/dev/null ||
	    hk_fail "openssl ts -query failed"
	curl -s --data-binary @"$out.tsq" \
	    -H 'Content-Type: application/timestamp-query' "$URL" >"$out" ||
	    hk_fail "curl to $URL failed"
}

# serial_of REPLY: the token's serial number, in decimal.
serial_of() {
	local s
	s=$("$OPENSSL" ts -reply -in "$1" -text 2>/dev/null |
	    sed -n 's/^Serial number: 0x//p')
	[ -n "$s" ] || return 1
	echo $((16#$s))
}

# --- the issue's check, literally
"$OPENSSL" ts -query -data "$DATA" -sha512 -cert 2>/dev/null |
    curl -s --data-binary @- -H 'Content-Type: application/timestamp-query' \
    "$URL" >"$HK_T/reply.tsr"
hk_assert "openssl ts -verify accepts the token" \
    "$OPENSSL" ts -verify -data "$DATA" -in "$HK_T/reply.tsr" \
    -CAfile "$ROOT" -untrusted "$HK_T/untrusted.pem"
"$OPENSSL" ts -reply -in "$HK_T/reply.tsr" -text >"$HK_T/reply.txt" 2>&1
grep -q '^Status: Granted' "$HK_T/reply.txt" || hk_fail "not granted"
grep -q '^Policy OID: 2.25.114864060897292012341942570827333534452$' \
    "$HK_T/reply.txt" || hk_fail "not the default policy"
grep -q '^Accuracy: 0x01 seconds' "$HK_T/reply.txt" || hk_fail "accuracy"
grep -q '^Ordering: no' "$HK_T/reply.txt" || hk_fail "ordering"
hk_log "ok: granted, default policy, accuracy 1 s, ordering no"

# Against the query itself: imprint, nonce, policy. Another file fails.
stamp "$DATA" "$HK_T/r1.tsr" -sha512 -cert
hk_assert "token verifies against its query (nonce echoed)" \
    "$OPENSSL" ts -verify -queryfile "$HK_T/r1.tsr.tsq" -in "$HK_T/r1.tsr" \
    -CAfile "$ROOT" -untrusted "$HK_T/untrusted.pem"
qn=$("$OPENSSL" ts -query -in "$HK_T/r1.tsr.tsq" -text | sed -n 's/^Nonce: //p')
rn=$("$OPENSSL" ts -reply -in "$HK_T/r1.tsr" -text | sed -n 's/^Nonce: //p')
[ -n "$qn" ] && [ "$qn" = "$rn" ] || hk_fail "nonce $qn came back as $rn"
hk_log "ok: nonce $qn echoed"
echo other >"$HK_T/other.txt"
if "$OPENSSL" ts -verify -data "$HK_T/other.txt" -in "$HK_T/r1.tsr" \
    -CAfile "$ROOT" -untrusted "$HK_T/untrusted.pem" >/dev/null 2>&1; then
	hk_fail "token verified for other data"
fi
hk_log "ok: token does not verify for other data"

# Without -cert the token carries no certificate, and verifies with them.
stamp "$DATA" "$HK_T/nocert.tsr" -sha256
hk_assert "SHA-256 token without certReq verifies with -untrusted" \
    "$OPENSSL" ts -verify -data "$DATA" -in "$HK_T/nocert.tsr" \
    -CAfile "$ROOT" -untrusted "$HK_T/untrusted.pem"
stamp "$DATA" "$HK_T/sha384.tsr" -sha384 -cert
hk_assert "SHA-384 token verifies" \
    "$OPENSSL" ts -verify -data "$DATA" -in "$HK_T/sha384.tsr" \
    -CAfile "$ROOT" -untrusted "$HK_T/untrusted.pem"

# --- rejections: a TS error status, not an HTTP error
stamp "$DATA" "$HK_T/sha1.tsr" -sha1 -cert
"$OPENSSL" ts -reply -in "$HK_T/sha1.tsr" -text >"$HK_T/sha1.txt" 2>&1
grep -q '^Status: Rejected' "$HK_T/sha1.txt" || hk_fail "SHA-1 not rejected"
grep -qi 'unsupported Algorithm' "$HK_T/sha1.txt" ||
    hk_fail "SHA-1 rejected without badAlg: $(cat "$HK_T/sha1.txt")"
hk_log "ok: SHA-1 query rejected with badAlg"

head -c 300 /dev/urandom >"$HK_T/garbage"
code=$(curl -s -o "$HK_T/garbage.tsr" -w '%{http_code}' \
    --data-binary @"$HK_T/garbage" \
    -H 'Content-Type: application/timestamp-query' "$URL")
[ "$code" = 200 ] || hk_fail "garbage got HTTP $code"
"$OPENSSL" ts -reply -in "$HK_T/garbage.tsr" -text >"$HK_T/garbage.txt" 2>&1
grep -q '^Status: Rejected' "$HK_T/garbage.txt" ||
    hk_fail "garbage not rejected: $(cat "$HK_T/garbage.txt")"
grep -q 'wrong format' "$HK_T/garbage.txt" || hk_fail "garbage: no badDataFormat"
hk_log "ok: garbage rejected with badDataFormat"

# --- HTTP errors
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
[ "$code" = 405 ] || hk_fail "GET / got $code, not 405"
hk_log "ok: GET / is 405"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$HK_T/r1.tsr.tsq" \
    -H 'Content-Type: application/octet-stream' "$URL")
[ "$code" = 415 ] || hk_fail "wrong content type got $code, not 415"
hk_log "ok: wrong Content-Type is 415"
head -c 70000 /dev/zero >"$HK_T/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$HK_T/big" \
    -H 'Content-Type: application/timestamp-query' "$URL")
[ "$code" = 413 ] || hk_fail "70000-byte body got $code, not 413"
hk_log "ok: oversized body is 413"
grep -q "PRIVATE KEY" "$HK_T/devtsa.log" && hk_fail "key material in the log"

# --- serials increase, also across a restart
s1=$(serial_of "$HK_T/reply.tsr") || hk_fail "no serial in reply"
s2=$(serial_of "$HK_T/sha384.tsr") || hk_fail "no serial in reply"
[ "$s2" -gt "$s1" ] || hk_fail "serial $s2 after $s1"
hk_stop_all
grep -q 'stopped' "$HK_T/devtsa.log" || hk_fail "devtsa did not stop cleanly"
hk_start devtsa2 "$DEVTSA" -d -p "$port" "${TSA_ARGS[@]}"
hk_wait_http "${URL}health"
stamp "$DATA" "$HK_T/after.tsr" -sha512 -cert
hk_assert "token after restart verifies" \
    "$OPENSSL" ts -verify -data "$DATA" -in "$HK_T/after.tsr" \
    -CAfile "$ROOT" -untrusted "$HK_T/untrusted.pem"
s3=$(serial_of "$HK_T/after.tsr") || hk_fail "no serial after restart"
[ "$s3" -gt "$s2" ] || hk_fail "serial $s3 after restart, was $s2"
hk_log "ok: serials $s1 < $s2 < $s3 (across a restart)"

# A second devtsa on the same serial file is refused.
port2=$(hk_free_port) || hk_fail "no free port"
if "$DEVTSA" -d -p "$port2" "${TSA_ARGS[@]}" >"$HK_T/second.log" 2>&1; then
	hk_fail "a second devtsa ran on the same serial file"
fi
grep -q 'in use' "$HK_T/second.log" || hk_fail "second devtsa: $(cat "$HK_T/second.log")"
hk_log "ok: a second devtsa on the same serial file is refused"
hk_stop_all

# --- port 0: the kernel's port is logged
hk_start devtsa0 "$DEVTSA" -d -p 0 "${TSA_ARGS[@]}"
p0=""
for i in $(seq 1 50); do
	p0=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' \
	    "$HK_T/devtsa0.log")
	[ -n "$p0" ] && break
	sleep 0.1
done
[ -n "$p0" ] && [ "$p0" != 0 ] || hk_fail "no port logged for -p 0"
URL=http://127.0.0.1:$p0/
hk_wait_http "${URL}health"
stamp "$DATA" "$HK_T/p0.tsr" -sha512 -cert
s4=$(serial_of "$HK_T/p0.tsr") || hk_fail "no serial on port 0"
[ "$s4" -gt "$s3" ] || hk_fail "serial $s4 after $s3"
hk_log "ok: -p 0 listened on $p0, serial $s4"

hk_pass

#!/usr/bin/env bash
# test_exchange.sh: the X-Road message path end to end with real processes
# on 127.0.0.1: a dev PKI, the dev OCSP responder, the central server
# publishing global configuration, three security servers (consumer
# ss-mtit, provider ss-moi, ss-revoked with a revoked auth cert) and the
# MOI civil register (hukumati-agency).
#
#   SOAP getPerson and REST GET through both servers (the response valid
#   against xroad.xsd, header copied, requestHash / X-Road-Request-Hash),
#   40 concurrent requests (a second, dead server of the provider tried
#   first now and then), SOAP with attachments both ways (a Python
#   provider stub), securityServer / X-Road-Security-Server, listClients
#   (XML and JSON), the provider metaservices (SOAP listMethods,
#   allowedMethods, getWsdl; REST listMethods, allowedMethods, getOpenAPI);
#   and the exact fault of: GET instead of POST, malformed SOAP, unknown
#   member on either side, an HTTPS-only client over HTTP, a peer whose
#   auth cert is not the one registered for it, unknown service, access
#   denied (SOAP and REST method/path), disabled service, wrong service
#   type, provider down, service timeout; between servers (ss_peer, a
#   test-only "rogue" security server that signs and then spoils): a body
#   changed after signing, a changed signature value, a signature by
#   another member or an unknown CA or without OCSP, a revoked, unknown-CA
#   or unregistered auth cert, a client the peer does not host, a
#   securityServer naming another server; a consumer without a good OCSP
#   response of its own, the provider's server down, and an expired
#   global configuration.
. "$top_srcdir/tests/integration/lib.sh"
hk_init exchange

command -v curl >/dev/null 2>&1 || hk_skip "curl not found"
command -v xmllint >/dev/null 2>&1 || hk_skip "xmllint not found"
command -v jq >/dev/null 2>&1 || hk_skip "jq not found"
. "$top_srcdir/tests/integration/fed.sh"
fed_init
PEER=$top_builddir/tests/integration/ss_peer
for b in "$SSD" "$CTL" "$CS" "$AGENCY" "$PEER" "$DEVOCSP"; do
	[ -x "$b" ] || hk_fail "$b was not built"
done

for v in OCSP_PORT CS_PORT AG_PORT C_CP C_AD P_CP P_AD R_CP R_AD DEAD SLOW \
    ECHO; do
	take "$v"
done
for v in C_SP P_SP R_SP; do
	take "$v" sp
done
CPURL=http://127.0.0.1:$C_CP

hk_start ocsp "$top_srcdir/certs/ocsp-responder.sh" "$P" "$OCSP_PORT" -n 60
hk_wait_port "$OCSP_PORT"

# --- central server: the federation of this test -------------------------
fed_central_conf 20
cs init
cs member-class add GOV "Government"
for m in MTIT MOI REVOKED; do
	cs member add GOV "$m" "Member $m"
done
cs subsystem add GOV/MTIT SSO
cs subsystem add GOV/MTIT PORTAL
cs subsystem add GOV/MTIT HTTPSONLY
cs subsystem add GOV/MTIT PINNED
cs subsystem add GOV/MOI CIVIL-REGISTER
cs subsystem add GOV/MOI ARCHIVE
cs subsystem add GOV/MOI IMPOSTOR
cs subsystem add GOV/REVOKED APP
cs server add GOV/MTIT ss-mtit --address "127.0.0.1:$C_SP" \
    --auth-cert "$P/auth/ss-mtit.pem"
cs server add GOV/MOI ss-moi --address "127.0.0.1:$P_SP" \
    --auth-cert "$P/auth/ss-moi.pem"
cs server add GOV/REVOKED ss-revoked --address "127.0.0.1:$R_SP" \
    --auth-cert "$P/test/revoked-auth.pem"
cs server client-add "$I/GOV/MTIT/ss-mtit" "$I/GOV/MTIT/SSO"
cs server client-add "$I/GOV/MTIT/ss-mtit" "$I/GOV/MTIT/PORTAL"
cs server client-add "$I/GOV/MTIT/ss-mtit" "$I/GOV/MTIT/HTTPSONLY"
cs server client-add "$I/GOV/MTIT/ss-mtit" "$I/GOV/MTIT/PINNED"
cs server client-add "$I/GOV/MOI/ss-moi" "$I/GOV/MOI/CIVIL-REGISTER"
cs server client-add "$I/GOV/MOI/ss-moi" "$I/GOV/MOI/ARCHIVE"
# A server registered with another auth cert, at ss-moi's address: the
# client proxy must notice it talks to the wrong server.
cs server add GOV/MOI ss-impostor --address "127.0.0.1:$P_SP" \
    --auth-cert "$P/auth/ss-agencies.pem"
cs server client-add "$I/GOV/MOI/ss-impostor" "$I/GOV/MOI/IMPOSTOR"
# A second server for the civil register that is never up: the client
# proxy must go on to ss-moi when it cannot connect.
cs server add GOV/MOI ss-moi-2 --address "127.0.0.1:$DEAD"
cs server client-add "$I/GOV/MOI/ss-moi-2" "$I/GOV/MOI/CIVIL-REGISTER"
cs server client-add "$I/GOV/REVOKED/ss-revoked" "$I/GOV/REVOKED/APP"
# The issuing CA is the approved CA (its leaves' OCSP is all there is).
cs ca add "Hukumati Dev CA" "$P/ca/ca.pem" \
    --ocsp-url "http://127.0.0.1:$OCSP_PORT" --ocsp-cert "$P/ocsp/ocsp.pem"
cs anchor "$C/anchor.xml"
hk_start central "$CS" -c "$C/centralserver.ini" serve
hk_wait_http "http://127.0.0.1:$CS_PORT/health"

# --- the two security servers --------------------------------------------
fed_ss_conf ss-mtit MTIT "$C_CP" "$C_SP" "$C_AD" MTIT
fed_ss_conf ss-moi MOI "$P_CP" "$P_SP" "$P_AD" MOI
# The consumer also listens on HTTPS for information systems.
C_HTTPS=$(hk_free_port)
sed -i "s|^\[client-proxy\]\$|[client-proxy]\nhttps-port = $C_HTTPS|" \
    "$HK_T/ss-mtit/securityserverd.ini"
# A consumer whose auth cert is revoked (test/revoked-*).
fed_ss_conf ss-revoked REVOKED "$R_CP" "$R_SP" "$R_AD"
sed -i -e "s|$P/auth/ss-revoked|$P/test/revoked-auth|" \
    "$HK_T/ss-revoked/securityserverd.ini"
printf '[member %s/GOV/REVOKED]\nsign-key = %s\nsign-cert = %s\n' "$I" \
    "$P/test/revoked-sign.key" "$P/test/revoked-sign.pem" \
    >>"$HK_T/ss-revoked/securityserverd.ini"
ctl ss-mtit client add "$I/GOV/MTIT/SSO"
ctl ss-mtit client add "$I/GOV/MTIT/PORTAL"
ctl ss-mtit client add "$I/GOV/MTIT/HTTPSONLY" --is-auth SSLNOAUTH
# An SSLAUTH client whose IS certificate (self-signed) is pinned, and a
# second certificate nobody registered.
for n in is is-other; do
	"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/CN=$n" -days 2 -keyout "$HK_T/$n.key" -out "$HK_T/$n.pem" \
	    >/dev/null 2>&1 || hk_fail "cannot make the IS certificate $n"
done
ctl ss-mtit client add "$I/GOV/MTIT/PINNED" --is-auth SSLAUTH
ctl ss-mtit client cert-add "$I/GOV/MTIT/PINNED" "$HK_T/is.pem"
ctl ss-moi client add "$I/GOV/MOI/CIVIL-REGISTER"
ctl ss-revoked client add "$I/GOV/REVOKED/APP"
ctl ss-moi service add "$I/GOV/MOI/CIVIL-REGISTER/getPerson/v1" \
    --url "http://127.0.0.1:$AG_PORT/soap" --timeout 10 \
    --description "http://127.0.0.1:$AG_PORT/wsdl"
ctl ss-moi service add "$I/GOV/MOI/CIVIL-REGISTER/persons" --rest \
    --url "http://127.0.0.1:$AG_PORT/rest" \
    --description "http://127.0.0.1:$AG_PORT/openapi"
ctl ss-moi service add "$I/GOV/MOI/CIVIL-REGISTER/listArchive" \
    --url "http://127.0.0.1:$AG_PORT/soap"
ctl ss-moi service add "$I/GOV/MOI/CIVIL-REGISTER/getDead" \
    --url "http://127.0.0.1:$DEAD/soap"
ctl ss-moi service add "$I/GOV/MOI/CIVIL-REGISTER/getSlow" \
    --url "http://127.0.0.1:$SLOW/soap" --timeout 1
ctl ss-moi service add "$I/GOV/MOI/CIVIL-REGISTER/echo" \
    --url "http://127.0.0.1:$ECHO/"
for s in getPerson listArchive getDead getSlow echo; do
	ctl ss-moi acl grant "$I/GOV/MOI/CIVIL-REGISTER/$s" \
	    "SUBSYSTEM:$I/GOV/MTIT/SSO"
done
ctl ss-moi acl grant "$I/GOV/MOI/CIVIL-REGISTER/persons" \
    "SUBSYSTEM:$I/GOV/MTIT/SSO" --method GET --path '/persons/**'
ctl ss-moi service disable "$I/GOV/MOI/CIVIL-REGISTER/listArchive" \
    --notice "closed for maintenance"

# Our certs' OCSP responses, fetched ahead into each server's cache (the
# certs name the demo responder on port 8092; this test's runs elsewhere).
prefill_ocsp ss-mtit "$P/auth/ss-mtit.pem" "$P/sign/GOV_MTIT.pem"
prefill_ocsp ss-moi "$P/auth/ss-moi.pem" "$P/sign/GOV_MOI.pem"

prefill_ocsp ss-revoked "$P/test/revoked-auth.pem" "$P/test/revoked-sign.pem"

hk_start ss-mtit "$SSD" -c "$HK_T/ss-mtit/securityserverd.ini"
hk_start ss-moi "$SSD" -c "$HK_T/ss-moi/securityserverd.ini"
hk_start ss-revoked "$SSD" -c "$HK_T/ss-revoked/securityserverd.ini"

# --- the provider IS -----------------------------------------------------
cat >"$HK_T/agency.ini" <<EOF
[agency]
module = civil-register
subsystem = $I/GOV/MOI/CIVIL-REGISTER
data-dir = $HK_T/agency
seed-count = 10
wsdl = $top_srcdir/hukumati-services/agency/wsdl/civil-register.wsdl
openapi = $top_srcdir/hukumati-services/agency/openapi/civil-register.json
[http]
port = $AG_PORT
EOF
hk_start agency "$AGENCY" -c "$HK_T/agency.ini"
hk_wait_http "http://127.0.0.1:$AG_PORT/health"
hk_wait_http "http://127.0.0.1:$C_AD/health" 30
hk_wait_http "http://127.0.0.1:$P_AD/health" 30
hk_log "ok: central server, OCSP, agency and both security servers up"

# --- helpers -------------------------------------------------------------
# soap_req FILE CLIENT-SUBSYSTEM SERVICE-CODE [ID [EXTRA-HEADER]]
soap_req() {
	cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"
    xmlns:id="http://x-road.eu/xsd/identifiers"
    xmlns:cr="http://moi.gov.ps/civil-register">
  <SOAP-ENV:Header>
    <xrd:client id:objectType="SUBSYSTEM">
      <id:xRoadInstance>$I</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>${2%/*}</id:memberCode><id:subsystemCode>${2#*/}</id:subsystemCode>
    </xrd:client>
    <xrd:service id:objectType="SERVICE">
      <id:xRoadInstance>$I</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>MOI</id:memberCode><id:subsystemCode>${5:-CIVIL-REGISTER}</id:subsystemCode>
      <id:serviceCode>$3</id:serviceCode><id:serviceVersion>v1</id:serviceVersion>
    </xrd:service>
    <xrd:id>${4:-test-1}</xrd:id>
    <xrd:userId>PS400000014</xrd:userId>
    <xrd:issue>case 7</xrd:issue>
    <xrd:protocolVersion>4.0</xrd:protocolVersion>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <cr:$3><cr:nationalId>400000014</cr:nationalId></cr:$3>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
EOF
}

# post IN OUT: POST a SOAP request to the consumer's client proxy.
post() {
	curl -s -o "$2" -w '%{http_code}' -H 'Content-Type: text/xml; charset=UTF-8' \
	    --data-binary "@$1" "$CPURL/"
}

xp() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}

# fault FILE: the faultcode in FILE.
fault() {
	xp "$1" 'string(//*[local-name()="Fault"]/faultcode)'
}

# expect_fault NAME FILE CODE: FILE is a SOAP fault with exactly CODE, a
# detail id, and the id is in a security server's log.
expect_fault() {
	local got detail
	got=$(fault "$2")
	[ "$got" = "$3" ] || hk_fail "$1: faultcode '$got', want '$3': $(head -c 600 "$2")"
	detail=$(xp "$2" 'string(//*[local-name()="faultDetail"])')
	[ -n "$detail" ] || hk_fail "$1: no faultDetail"
	grep -q "$detail" "$HK_T"/ss-*.log ||
	    hk_fail "$1: detail $detail not logged"
	hk_log "ok: $1: $3"
}

# --- SOAP getPerson through both servers ---------------------------------
soap_req "$HK_T/req.xml" MTIT/SSO getPerson soap-1
code=$(post "$HK_T/req.xml" "$HK_T/resp.xml")
[ "$code" = 200 ] || hk_fail "getPerson: HTTP $code: $(cat "$HK_T/resp.xml")"
[ -z "$(fault "$HK_T/resp.xml")" ] || hk_fail "getPerson: $(cat "$HK_T/resp.xml")"
[ "$(xp "$HK_T/resp.xml" 'string(//*[local-name()="getPersonResponse"]/*[local-name()="found"])')" = true ] ||
    hk_fail "getPerson: not found: $(cat "$HK_T/resp.xml")"
xmllint --noout --nonet --schema "$top_srcdir/tests/data/xsd/soap-xroad.xsd" \
    "$HK_T/resp.xml" >"$HK_T/valid.out" 2>&1 ||
    hk_fail "response invalid against xroad.xsd: $(cat "$HK_T/valid.out")"
for f in id userId issue protocolVersion; do
	[ "$(xp "$HK_T/resp.xml" "string(//*[local-name()='Header']/*[local-name()='$f'])")" = \
	    "$(xp "$HK_T/req.xml" "string(//*[local-name()='Header']/*[local-name()='$f'])")" ] ||
	    hk_fail "header field $f not copied"
done
want=$("$OPENSSL" dgst -sha512 -binary "$HK_T/req.xml" | base64 -w0)
got=$(xp "$HK_T/resp.xml" 'string(//*[local-name()="requestHash"])' | tr -d ' \n')
[ "$got" = "$want" ] || hk_fail "requestHash '$got', want '$want'"
[ "$(xp "$HK_T/resp.xml" 'string(//*[local-name()="requestHash"]/@algorithmId)')" = \
    http://www.w3.org/2001/04/xmlenc#sha512 ] || hk_fail "requestHash algorithmId"
hk_log "ok: SOAP getPerson through both servers: valid against xroad.xsd, header copied, requestHash = SHA-512 of the request"

# A second call reuses the pooled connection and the peer's OCSP response.
soap_req "$HK_T/req2.xml" MTIT/SSO getPerson soap-2
code=$(post "$HK_T/req2.xml" "$HK_T/resp2.xml")
[ "$code" = 200 ] && [ -z "$(fault "$HK_T/resp2.xml")" ] ||
    hk_fail "second getPerson: $(cat "$HK_T/resp2.xml")"
n=$(grep -c 'fetching http://127.0.0.1:'$((P_SP + 77)) "$HK_T/ss-mtit.log")
[ "$n" = 1 ] || hk_fail "peer OCSP fetched $n times, want 1"
hk_log "ok: second call: no second OCSP download of the peer's auth cert"

# Many at once: batch signing, pooled connections, no mix-up of answers.
seq 1 40 | xargs -P 20 -I{} sh -c '
	sed "s/<xrd:id>soap-1</<xrd:id>burst-{}</" "$1/req.xml" >"$1/b{}.xml"
	curl -s -H "Content-Type: text/xml" --data-binary "@$1/b{}.xml" \
	    "$2/" >"$1/b{}.out"' sh "$HK_T" "$CPURL"
for i in $(seq 1 40); do
	[ "$(xp "$HK_T/b$i.out" 'string(//*[local-name()="Header"]/*[local-name()="id"])')" = "burst-$i" ] &&
	    [ "$(xp "$HK_T/b$i.out" 'string(//*[local-name()="found"])')" = true ] ||
	    hk_fail "burst request $i: $(head -c 400 "$HK_T/b$i.out")"
done
hk_log "ok: 40 requests, 20 at a time, each got its own answer"
grep -q "Could not connect to $I/GOV/MOI/ss-moi-2" "$HK_T/ss-mtit.log" ||
    hk_fail "the dead second server was never tried"
n=$(grep -c "Could not connect to $I/GOV/MOI/ss-moi-2" "$HK_T/ss-mtit.log")
for i in 1 2 3 4 5 6 7 8; do
	post "$HK_T/req.xml" "$HK_T/f.xml" >/dev/null
	[ -z "$(fault "$HK_T/f.xml")" ] || hk_fail "after the burst: $(cat "$HK_T/f.xml")"
done
[ "$(grep -c "Could not connect to $I/GOV/MOI/ss-moi-2" "$HK_T/ss-mtit.log")" = "$n" ] ||
    hk_fail "the dead server is still tried first"
hk_log "ok: the provider's other (dead) server tried, then ss-moi; then left for last"

# --- REST GET through both servers ---------------------------------------
curl -s -D "$HK_T/rest.h" -o "$HK_T/rest.json" -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    -H 'X-Road-Id: rest-1' \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000014?lang=en" ||
    hk_fail "REST GET"
head -1 "$HK_T/rest.h" | grep -q ' 200' || hk_fail "REST: $(cat "$HK_T/rest.h" "$HK_T/rest.json")"
[ "$(jq -r .nationalId "$HK_T/rest.json" 2>/dev/null)" = 400000014 ] ||
    hk_fail "REST body: $(cat "$HK_T/rest.json")"
hdr() {
	grep -i "^$1:" "$HK_T/rest.h" | head -1 | cut -d: -f2- | tr -d ' \r'
}
[ "$(hdr x-road-id)" = rest-1 ] || hk_fail "X-Road-Id: $(cat "$HK_T/rest.h")"
[ "$(hdr x-road-client)" = "$I/GOV/MTIT/SSO" ] || hk_fail "X-Road-Client"
[ "$(hdr x-road-service)" = "$I/GOV/MOI/CIVIL-REGISTER/persons" ] ||
    hk_fail "X-Road-Service: $(hdr x-road-service)"
[ -n "$(hdr x-road-request-hash)" ] || hk_fail "no X-Road-Request-Hash"
[ -n "$(hdr x-road-request-id)" ] || hk_fail "no X-Road-Request-Id"
grep -qi '^content-type: application/json' "$HK_T/rest.h" || hk_fail "REST content type"
hk_log "ok: REST GET through both servers with the X-Road response headers"

# A provider error (404 of the agency) is passed on as it is.
code=$(curl -s -D "$HK_T/r404.h" -o "$HK_T/r404.json" -w '%{http_code}' \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000022x")
[ "$code" = 400 ] || [ "$code" = 404 ] || hk_fail "provider error: HTTP $code"
grep -qi '^x-road-error' "$HK_T/r404.h" && hk_fail "provider error marked as X-Road error"
hk_log "ok: the provider's own error is passed on without X-Road-Error"

# --- listClients ---------------------------------------------------------
curl -s -o "$HK_T/clients.xml" "$CPURL/listClients" || hk_fail "listClients"
[ "$(xp "$HK_T/clients.xml" 'count(//*[local-name()="member"])')" = 11 ] ||
    hk_fail "listClients XML: $(cat "$HK_T/clients.xml")"
curl -s -H 'Accept: application/json' -o "$HK_T/clients.json" "$CPURL/listClients"
[ "$(jq '[.member[] | select(.id.subsystem_code == "CIVIL-REGISTER")] | length' "$HK_T/clients.json")" = 1 ] ||
    hk_fail "listClients JSON: $(cat "$HK_T/clients.json")"
hk_log "ok: listClients (XML and JSON)"

# --- SOAP with attachments, both ways (a Python provider stub) -----------
if command -v python3 >/dev/null 2>&1; then
	mkdir -p "$HK_T/echo"
	hk_start echo python3 "$top_srcdir/tests/integration/echo_provider.py" \
	    "$ECHO" "$HK_T/echo"
	hk_wait_port "$ECHO"
	soap_req "$HK_T/e.xml" MTIT/SSO echo att-1
	head -c 3000 /dev/urandom >"$HK_T/bin"
	{
		printf -- '--MIMEB\r\nContent-Type: text/xml; charset=UTF-8\r\n'
		printf 'Content-Transfer-Encoding: 8bit\r\n\r\n'
		cat "$HK_T/e.xml"
		printf '\r\n--MIMEB\r\nContent-Type: text/plain\r\n'
		printf 'Content-ID: <a1@test>\r\n\r\nhello attachment'
		printf '\r\n--MIMEB\r\nContent-Type: application/octet-stream\r\n'
		printf 'Content-ID: <bin@test>\r\n\r\n'
		cat "$HK_T/bin"
		printf '\r\n--MIMEB--\r\n'
	} >"$HK_T/e.mime"
	curl -s -D "$HK_T/e.h" -o "$HK_T/e.out" \
	    -H 'Content-Type: multipart/related; type="text/xml"; boundary=MIMEB' \
	    --data-binary "@$HK_T/e.mime" "$CPURL/" || hk_fail "attachments"
	[ "$(cat "$HK_T/echo/att-0" 2>/dev/null)" = "hello attachment" ] &&
	    cmp -s "$HK_T/bin" "$HK_T/echo/att-1" ||
	    hk_fail "attachments did not reach the provider: $(head -c 600 "$HK_T/e.out")"
	python3 - "$HK_T/e.h" "$HK_T/e.out" "$HK_T/bin" <<'EOF' ||
import email, email.policy, sys
ct = [l.split(":", 1)[1].strip() for l in open(sys.argv[1])
      if l.lower().startswith("content-type:")][-1]
m = email.message_from_bytes(b"Content-Type: " + ct.encode() + b"\r\n\r\n" +
                             open(sys.argv[2], "rb").read(),
                             policy=email.policy.HTTP)
p = list(m.iter_parts())
assert m.get_content_type() == "multipart/related", ct
assert b"<cr:count>2</cr:count>" in p[0].get_payload(decode=True)
assert b"requestHash" in p[0].get_payload(decode=True)
assert p[1].get_payload(decode=True) == b"hello attachment"
assert p[1]["Content-ID"] == "<a1@test>"
assert p[2].get_payload(decode=True) == open(sys.argv[3], "rb").read()
EOF
	    hk_fail "attachments did not come back: $(head -c 600 "$HK_T/e.out")"
	hk_log "ok: SOAP with attachments to the provider and back, bytes intact"
else
	hk_log "skipped: attachments (no python3 for the provider stub)"
fi

# --- provider metaservices, answered by the provider's server proxy -----
# meta_req FILE CLIENT-SUBSYSTEM SERVICE-CODE BODY-XML
meta_req() {
	cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"
    xmlns:id="http://x-road.eu/xsd/identifiers">
  <SOAP-ENV:Header>
    <xrd:client id:objectType="SUBSYSTEM">
      <id:xRoadInstance>$I</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>${2%/*}</id:memberCode><id:subsystemCode>${2#*/}</id:subsystemCode>
    </xrd:client>
    <xrd:service id:objectType="SERVICE">
      <id:xRoadInstance>$I</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>MOI</id:memberCode><id:subsystemCode>CIVIL-REGISTER</id:subsystemCode>
      <id:serviceCode>$3</id:serviceCode>
    </xrd:service>
    <xrd:id>meta-$3</xrd:id>
    <xrd:protocolVersion>4.0</xrd:protocolVersion>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>$4</SOAP-ENV:Body>
</SOAP-ENV:Envelope>
EOF
}
# codes FILE: the serviceCodes of a method list, sorted, each + " ".
codes() {
	local n i
	n=$(xp "$1" 'count(//*[local-name()="Body"]//*[local-name()="service"])')
	for i in $(seq 1 "${n:-0}"); do
		printf '%s\n' "$(xp "$1" "string((//*[local-name()='Body']//*[local-name()='service'])[$i]/*[local-name()='serviceCode'])")"
	done | sort | tr '\n' ' '
}
meta_req "$HK_T/m.xml" MTIT/SSO listMethods '<xrd:listMethods/>'
post "$HK_T/m.xml" "$HK_T/mr.xml" >/dev/null
[ "$(codes "$HK_T/mr.xml")" = "echo getDead getPerson getSlow listArchive " ] ||
    hk_fail "listMethods: $(cat "$HK_T/mr.xml")"
xmllint --noout --nonet --schema "$top_srcdir/tests/data/xsd/soap-xroad.xsd" \
    "$HK_T/mr.xml" >"$HK_T/valid.out" 2>&1 ||
    hk_fail "listMethods response invalid: $(cat "$HK_T/valid.out")"
[ -n "$(xp "$HK_T/mr.xml" 'string(//*[local-name()="requestHash"])')" ] ||
    hk_fail "listMethods: no requestHash"
meta_req "$HK_T/m.xml" MTIT/PORTAL allowedMethods '<xrd:allowedMethods/>'
post "$HK_T/m.xml" "$HK_T/mr.xml" >/dev/null
[ -z "$(fault "$HK_T/mr.xml")" ] && [ -z "$(codes "$HK_T/mr.xml")" ] ||
    hk_fail "allowedMethods for PORTAL: $(cat "$HK_T/mr.xml")"
meta_req "$HK_T/m.xml" MTIT/SSO allowedMethods '<xrd:allowedMethods/>'
post "$HK_T/m.xml" "$HK_T/mr.xml" >/dev/null
[ "$(codes "$HK_T/mr.xml")" = "echo getDead getPerson getSlow listArchive " ] ||
    hk_fail "allowedMethods for SSO: $(cat "$HK_T/mr.xml")"
hk_log "ok: listMethods, allowedMethods (SOAP)"
meta_req "$HK_T/m.xml" MTIT/SSO getWsdl \
    '<xrd:getWsdl><xrd:serviceCode>getPerson</xrd:serviceCode><xrd:serviceVersion>v1</xrd:serviceVersion></xrd:getWsdl>'
curl -s -D "$HK_T/w.h" -o "$HK_T/w.mime" -H 'Content-Type: text/xml' \
    --data-binary "@$HK_T/m.xml" "$CPURL/" || hk_fail "getWsdl"
grep -qi '^content-type: multipart/related' "$HK_T/w.h" ||
    hk_fail "getWsdl not multipart: $(cat "$HK_T/w.h" "$HK_T/w.mime")"
grep -aq 'getWsdlResponse' "$HK_T/w.mime" &&
    grep -aq 'location="http://example.org/xroad-endpoint"' "$HK_T/w.mime" &&
    grep -aq 'wsdl:definitions\|<definitions' "$HK_T/w.mime" &&
    ! grep -aq "127.0.0.1:$AG_PORT/soap" "$HK_T/w.mime" ||
    hk_fail "getWsdl: $(head -c 2000 "$HK_T/w.mime")"
meta_req "$HK_T/m.xml" MTIT/PORTAL getWsdl \
    '<xrd:getWsdl><xrd:serviceCode>getPerson</xrd:serviceCode></xrd:getWsdl>'
post "$HK_T/m.xml" "$HK_T/f.xml" >/dev/null
expect_fault "getWsdl without access" "$HK_T/f.xml" Server.ServerProxy.AccessDenied
hk_log "ok: getWsdl: the WSDL as an attachment, endpoint rewritten"
curl -s -o "$HK_T/rl.json" -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/listMethods"
[ "$(jq -r '.service[0].service_code + " " + .service[0].service_type + " " + .service[0].endpoint_list[0].path' "$HK_T/rl.json")" = \
    "persons OPENAPI **" ] || hk_fail "REST listMethods: $(cat "$HK_T/rl.json")"
[ "$(jq '.service | length' "$HK_T/rl.json")" = 1 ] || hk_fail "REST listMethods count"
curl -s -o "$HK_T/rl.json" -H "X-Road-Client: $I/GOV/MTIT/PORTAL" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/allowedMethods"
[ "$(jq '.service | length' "$HK_T/rl.json")" = 0 ] ||
    hk_fail "REST allowedMethods for PORTAL: $(cat "$HK_T/rl.json")"
curl -s -o "$HK_T/oa.json" -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/getOpenAPI?serviceCode=persons"
jq -e '.openapi' "$HK_T/oa.json" >/dev/null ||
    hk_fail "getOpenAPI: $(head -c 500 "$HK_T/oa.json")"
hk_log "ok: REST listMethods, allowedMethods, getOpenAPI"

# --- faults --------------------------------------------------------------
curl -s -o "$HK_T/f.xml" "$CPURL/"
expect_fault "GET" "$HK_T/f.xml" Client.InvalidHttpMethod
printf '<a>' >"$HK_T/bad.xml"
post "$HK_T/bad.xml" "$HK_T/f.xml" >/dev/null
expect_fault "malformed SOAP" "$HK_T/f.xml" Client.InvalidSoap
soap_req "$HK_T/r.xml" MTIT/NOTHERE getPerson
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "client not registered here" "$HK_T/f.xml" Server.ClientProxy.UnknownMember
soap_req "$HK_T/r.xml" MTIT/SSO getPerson x NOSUCH
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "provider nowhere" "$HK_T/f.xml" Server.ClientProxy.UnknownMember
soap_req "$HK_T/r.xml" MTIT/SSO getPerson x ARCHIVE
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "provider not registered on its server" "$HK_T/f.xml" Server.ServerProxy.UnknownMember
soap_req "$HK_T/r.xml" MTIT/HTTPSONLY getPerson
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "HTTPS-only client over HTTP" "$HK_T/f.xml" \
    Server.ClientProxy.SslAuthenticationFailed
# The HTTPS port: NOSSL clients may use it too; SSLNOAUTH passes the
# connection check there (then the provider's access rights decide);
# SSLAUTH needs the pinned certificate.
posts() {
	local f=$1 out=$2
	shift 2
	curl -s -k -o "$out" -w '%{http_code}' "$@" \
	    -H 'Content-Type: text/xml; charset=UTF-8' \
	    --data-binary "@$f" "https://127.0.0.1:$C_HTTPS/"
}
soap_req "$HK_T/r.xml" MTIT/SSO getPerson https-1
code=$(posts "$HK_T/r.xml" "$HK_T/rs.xml")
[ "$code" = 200 ] && [ -z "$(fault "$HK_T/rs.xml")" ] ||
    hk_fail "getPerson over the HTTPS port: $(head -c 600 "$HK_T/rs.xml")"
hk_log "ok: getPerson over the client proxy's HTTPS port"
soap_req "$HK_T/r.xml" MTIT/HTTPSONLY getPerson https-2
posts "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "SSLNOAUTH client over HTTPS passes the connection check" \
    "$HK_T/f.xml" Server.ServerProxy.AccessDenied
soap_req "$HK_T/r.xml" MTIT/PINNED getPerson https-3
posts "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "SSLAUTH client without a certificate" "$HK_T/f.xml" \
    Server.ClientProxy.SslAuthenticationFailed
posts "$HK_T/r.xml" "$HK_T/f.xml" --cert "$HK_T/is-other.pem" \
    --key "$HK_T/is-other.key" >/dev/null
expect_fault "SSLAUTH client with an unregistered certificate" \
    "$HK_T/f.xml" Server.ClientProxy.SslAuthenticationFailed
posts "$HK_T/r.xml" "$HK_T/f.xml" --cert "$HK_T/is.pem" \
    --key "$HK_T/is.key" >/dev/null
expect_fault "SSLAUTH client with its pinned certificate passes" \
    "$HK_T/f.xml" Server.ServerProxy.AccessDenied
# ss_header FILE SERVER-OWNER SERVER-CODE: name a security server in FILE.
ss_header() {
	sed -i "s|</xrd:service>|</xrd:service><xrd:securityServer id:objectType=\"SERVER\"><id:xRoadInstance>$I</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>$2</id:memberCode><id:serverCode>$3</id:serverCode></xrd:securityServer>|" "$1"
}
soap_req "$HK_T/r.xml" MTIT/SSO getPerson ss-1
ss_header "$HK_T/r.xml" MOI ss-moi
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
[ "$(xp "$HK_T/f.xml" 'string(//*[local-name()="found"])')" = true ] ||
    hk_fail "securityServer ss-moi: $(cat "$HK_T/f.xml")"
grep -q '<xrd:securityServer' "$HK_T/f.xml" || hk_fail "securityServer not copied"
hk_log "ok: the provider's server named in securityServer"
soap_req "$HK_T/r.xml" MTIT/SSO getPerson ss-2
ss_header "$HK_T/r.xml" MTIT ss-mtit
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "securityServer not serving the provider" "$HK_T/f.xml" \
    Server.ClientProxy.InvalidSecurityServer
soap_req "$HK_T/r.xml" MTIT/SSO getPerson x IMPOSTOR
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "peer's auth cert not the one registered for it" "$HK_T/f.xml" \
    Server.ClientProxy.SslAuthenticationFailed
grep -q "not registered for security server $I/GOV/MOI/ss-impostor" \
    "$HK_T/f.xml" || hk_fail "impostor: $(cat "$HK_T/f.xml")"
soap_req "$HK_T/r.xml" MTIT/SSO noSuchService
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "unknown service" "$HK_T/f.xml" Server.ServerProxy.UnknownService
soap_req "$HK_T/r.xml" MTIT/PORTAL getPerson
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "access denied" "$HK_T/f.xml" Server.ServerProxy.AccessDenied
soap_req "$HK_T/r.xml" MTIT/SSO listArchive
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "disabled service" "$HK_T/f.xml" Server.ServerProxy.ServiceDisabled
grep -q "closed for maintenance" "$HK_T/f.xml" || hk_fail "no disabled notice"
soap_req "$HK_T/r.xml" MTIT/SSO getDead
post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
expect_fault "provider IS unreachable" "$HK_T/f.xml" Server.ServerProxy.NetworkError

# REST: access by method and path; errors as JSON with X-Road-Error.
rest_fault() {
	local name=$1 want=$2 code
	shift 2
	code=$(curl -s -D "$HK_T/rf.h" -o "$HK_T/rf.json" -w '%{http_code}' "$@")
	[ "$(jq -r .type "$HK_T/rf.json" 2>/dev/null)" = "$want" ] ||
	    hk_fail "$name: $(cat "$HK_T/rf.h" "$HK_T/rf.json")"
	grep -qi "^x-road-error: $want" "$HK_T/rf.h" || hk_fail "$name: X-Road-Error"
	[ -n "$(jq -r .detail "$HK_T/rf.json")" ] || hk_fail "$name: no detail"
	case $want in
	Client.*) [ "$code" = 400 ] || hk_fail "$name: HTTP $code, want 400" ;;
	*) [ "$code" = 500 ] || hk_fail "$name: HTTP $code, want 500" ;;
	esac
	hk_log "ok: REST $name: $want"
}
rest_fault "POST not allowed" Server.ServerProxy.AccessDenied -X POST \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" --data '{}' \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000014"
rest_fault "path outside the grant" Server.ServerProxy.AccessDenied \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/other/1"
code=$(curl -s -o "$HK_T/rss.json" -w '%{http_code}' \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    -H "X-Road-Security-Server: $I/GOV/MOI/ss-moi" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000014")
[ "$code" = 200 ] || hk_fail "X-Road-Security-Server ss-moi: $code $(cat "$HK_T/rss.json")"
rest_fault "X-Road-Security-Server not serving the provider" \
    Server.ClientProxy.InvalidSecurityServer \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    -H "X-Road-Security-Server: $I/GOV/MTIT/ss-mtit" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000014"
rest_fault "no X-Road-Client" Client.BadRequest \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000014"
rest_fault "SOAP service called as REST" Server.ServerProxy.ServiceType \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/getPerson"
rest_fault "getOpenAPI without access" Server.ServerProxy.AccessDenied \
    -H "X-Road-Client: $I/GOV/MTIT/PORTAL" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/getOpenAPI?serviceCode=persons"
rest_fault "getOpenAPI of no service" Client.BadRequest \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/getOpenAPI"

# --- between security servers: a rogue peer (tests/integration/ss_peer) ---
# ocsp_of CERT OUT: a fresh OCSP response for CERT.
ocsp_of() {
	"$OPENSSL" ocsp -issuer "$P/ca/ca.pem" -cert "$1" -no_nonce -noverify \
	    -url "http://127.0.0.1:$OCSP_PORT" -respout "$2" >/dev/null 2>&1 ||
	    hk_fail "OCSP for $1"
}
ocsp_of "$P/auth/ss-mtit.pem" "$HK_T/o-auth.der"
ocsp_of "$P/sign/GOV_MTIT.pem" "$HK_T/o-sign.der"
ocsp_of "$P/sign/GOV_MOI.pem" "$HK_T/o-moisign.der"
ocsp_of "$P/test/revoked-auth.pem" "$HK_T/o-revauth.der"
ocsp_of "$P/test/revoked-sign.pem" "$HK_T/o-revsign.der"
# peer NAME OUT ss_peer-ARGS...: ss_peer against the provider's server proxy.
peer() {
	local name=$1 out=$2
	shift 2
	"$PEER" -u "https://127.0.0.1:$P_SP/" -c "$P/ca/ca.pem" "$@" \
	    >"$out" 2>"$HK_T/peer.err"
}
AUTH_OK="-a $P/auth/ss-mtit.pem -k $P/auth/ss-mtit.key -o $HK_T/o-auth.der"
SIGN_OK="-s $P/sign/GOV_MTIT.pem -K $P/sign/GOV_MTIT.key -O $HK_T/o-sign.der"
soap_req "$HK_T/pr.xml" MTIT/SSO getPerson rogue-1

# The tool itself is right: all pieces genuine, the provider answers.
peer genuine "$HK_T/pf.xml" $AUTH_OK $SIGN_OK "$HK_T/pr.xml" ||
    hk_fail "ss_peer: $(cat "$HK_T/peer.err")"
# (the answer is the signed transport message: multipart, a signature)
grep -aq 'found>true<' "$HK_T/pf.xml" &&
    grep -aq '^Content-Type: signature/bdoc-1.0/ts' "$HK_T/pf.xml" ||
    hk_fail "genuine rogue request refused: $(cat "$HK_T/pf.xml")"
hk_log "ok: a genuine request from the test peer is answered"

peer tampered "$HK_T/pf.xml" $AUTH_OK $SIGN_OK -t body "$HK_T/pr.xml"
expect_fault "body changed after signing" "$HK_T/pf.xml" \
    Server.ServerProxy.InvalidReference
peer sigvalue "$HK_T/pf.xml" $AUTH_OK $SIGN_OK -t signature "$HK_T/pr.xml"
expect_fault "signature value changed" "$HK_T/pf.xml" \
    Server.ServerProxy.InvalidSignatureValue
peer forged "$HK_T/pf.xml" $AUTH_OK -s "$P/sign/GOV_MOI.pem" \
    -K "$P/sign/GOV_MOI.key" -O "$HK_T/o-moisign.der" "$HK_T/pr.xml"
expect_fault "signed by another member" "$HK_T/pf.xml" \
    Server.ServerProxy.IncorrectCertificate
peer unknownca "$HK_T/pf.xml" $AUTH_OK -s "$P/test/unknown-sign.pem" \
    -K "$P/test/unknown-sign.key" "$HK_T/pr.xml"
expect_fault "signing cert of an unknown CA" "$HK_T/pf.xml" \
    Server.ServerProxy.InvalidCertPath
peer signnoocsp "$HK_T/pf.xml" $AUTH_OK -s "$P/sign/GOV_MTIT.pem" \
    -K "$P/sign/GOV_MTIT.key" "$HK_T/pr.xml"
expect_fault "signature without OCSP" "$HK_T/pf.xml" \
    Server.ServerProxy.CertValidation
peer authnoocsp "$HK_T/pf.xml" -a "$P/auth/ss-mtit.pem" \
    -k "$P/auth/ss-mtit.key" $SIGN_OK "$HK_T/pr.xml"
expect_fault "auth cert without OCSP" "$HK_T/pf.xml" \
    Server.ServerProxy.SslAuthenticationFailed
soap_req "$HK_T/prr.xml" REVOKED/APP getPerson rogue-2
peer revoked "$HK_T/pf.xml" -a "$P/test/revoked-auth.pem" \
    -k "$P/test/revoked-auth.key" -o "$HK_T/o-revauth.der" \
    -s "$P/test/revoked-sign.pem" -K "$P/test/revoked-sign.key" \
    -O "$HK_T/o-revsign.der" "$HK_T/prr.xml"
expect_fault "revoked auth cert" "$HK_T/pf.xml" \
    Server.ServerProxy.SslAuthenticationFailed
grep -qi revoked "$HK_T/pf.xml" || hk_fail "revocation not named: $(cat "$HK_T/pf.xml")"
cp "$HK_T/pr.xml" "$HK_T/prs.xml"
ss_header "$HK_T/prs.xml" MTIT ss-mtit
peer otherss "$HK_T/pf.xml" $AUTH_OK $SIGN_OK "$HK_T/prs.xml"
expect_fault "securityServer names another server" "$HK_T/pf.xml" \
    Server.ServerProxy.InvalidSecurityServer
peer nothosted "$HK_T/pf.xml" $AUTH_OK $SIGN_OK "$HK_T/prr.xml"
expect_fault "client not hosted by the peer" "$HK_T/pf.xml" \
    Server.ServerProxy.SslAuthenticationFailed
# tls_refused SUBJECT-CN WHY: the server proxy refused it in the handshake.
tls_refused() {
	grep -q "peer certificate .*CN=$1 rejected" "$HK_T/ss-moi.log" &&
	    grep -q "TLS client refused: $2" "$HK_T/ss-moi.log"
}
if peer mof "$HK_T/pf.xml" -a "$P/auth/ss-mof.pem" -k "$P/auth/ss-mof.key" \
    $SIGN_OK "$HK_T/pr.xml"; then
	hk_fail "unregistered auth cert: TLS accepted: $(cat "$HK_T/pf.xml")"
fi
tls_refused ss-mof "its certificate is not registered" ||
    hk_fail "unregistered auth cert: $(tail -3 "$HK_T/ss-moi.log")"
if peer unknown "$HK_T/pf.xml" -a "$P/test/unknown-auth.pem" \
    -k "$P/test/unknown-auth.key" $SIGN_OK "$HK_T/pr.xml"; then
	hk_fail "auth cert of an unknown CA: TLS accepted: $(cat "$HK_T/pf.xml")"
fi
grep -q "TLS client refused: .*unable to get local issuer\|TLS client refused: .*untrusted\|TLS client refused: .*issuer" \
    "$HK_T/ss-moi.log" || hk_fail "unknown CA: $(tail -3 "$HK_T/ss-moi.log")"
hk_log "ok: TLS refused for an unregistered auth cert and one of an unknown CA"

# --- a consumer that cannot prove its auth cert is valid -----------------
hk_wait_port "$R_CP"
soap_req "$HK_T/r.xml" REVOKED/APP getPerson
code=$(curl -s -o "$HK_T/f.xml" -w '%{http_code}' -H 'Content-Type: text/xml' \
    --data-binary "@$HK_T/r.xml" "http://127.0.0.1:$R_CP/")
expect_fault "revoked consumer (no good OCSP of its own)" "$HK_T/f.xml" \
    Server.ClientProxy.CertValidation

# --- slow, then gone providers -------------------------------------------
if command -v python3 >/dev/null 2>&1; then
	hk_start slow python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SLOW)); s.listen(8); c = []
while True: c.append(s.accept()[0])"
	hk_wait_port "$SLOW"
	soap_req "$HK_T/r.xml" MTIT/SSO getSlow
	post "$HK_T/r.xml" "$HK_T/f.xml" >/dev/null
	expect_fault "service timeout (1 s)" "$HK_T/f.xml" \
	    Server.ServerProxy.ServiceFailed.IOError
else
	hk_log "skipped: service timeout (no python3 for a silent listener)"
fi
kill "$(hk_pid agency)"
while hk_port_open "$AG_PORT"; do sleep 0.1; done
post "$HK_T/req.xml" "$HK_T/f.xml" >/dev/null
expect_fault "provider IS down" "$HK_T/f.xml" Server.ServerProxy.NetworkError
rest_fault "provider IS down" Server.ServerProxy.NetworkError \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000014"
kill "$(hk_pid ss-moi)"
while hk_port_open "$P_SP"; do sleep 0.1; done
post "$HK_T/req.xml" "$HK_T/f.xml" >/dev/null
expect_fault "provider's security server down" "$HK_T/f.xml" \
    Server.ClientProxy.NetworkError

# --- global configuration expires (20 s) without the central server ------
kill "$(hk_pid central)"
i=0
while :; do
	post "$HK_T/req.xml" "$HK_T/f.xml" >/dev/null
	[ "$(fault "$HK_T/f.xml")" = Server.ClientProxy.OutdatedGlobalConf ] &&
	    break
	i=$((i + 1))
	[ $i -lt 60 ] || hk_fail "global configuration never expired: $(fault "$HK_T/f.xml")"
	sleep 1
done
expect_fault "expired global configuration" "$HK_T/f.xml" \
    Server.ClientProxy.OutdatedGlobalConf
rest_fault "expired global configuration" Server.ClientProxy.OutdatedGlobalConf \
    -H "X-Road-Client: $I/GOV/MTIT/SSO" \
    "$CPURL/r1/$I/GOV/MOI/CIVIL-REGISTER/persons/persons/400000014"

hk_pass

#!/usr/bin/env bash
# test_evidence.sh: the message log's evidence on the admin port. A dev
# PKI, the dev OCSP responder, devtsa (approved in global conf, stamping
# every second), the central server, the MOI civil register and two
# security servers (consumer ss-mtit, provider ss-moi). One SOAP getPerson
# through both; once its records are timestamped, GET /asic on the
# consumer's admin port gives the request and response containers and
# GET /verificationconf the global conf snapshot; msglog-verify says OK
# for both containers and FAIL (naming the container) after one byte of
# message.xml is changed. Bad /asic queries: 400; unknown exchange: 404.
# The archiver (archive-interval 10 s) writes the stamped records into an
# archive in state-dir/archive that msglog-verify archive accepts; the
# provider (keep-records-for 0) then removes its archived records from the
# log (/asic: 404) and goes on logging the next exchange.
. "$top_srcdir/tests/integration/lib.sh"
hk_init evidence

command -v curl >/dev/null 2>&1 || hk_skip "curl not found"
command -v unzip >/dev/null 2>&1 || hk_skip "unzip not found"
command -v zip >/dev/null 2>&1 || hk_skip "zip not found"
. "$top_srcdir/tests/integration/fed.sh"
fed_init
MV=$top_builddir/msglog-verify
TSA=$top_builddir/devtsa
for b in "$SSD" "$CTL" "$CS" "$AGENCY" "$MV" "$TSA" "$DEVOCSP"; do
	[ -x "$b" ] || hk_fail "$b was not built"
done
for v in OCSP_PORT CS_PORT AG_PORT TSA_PORT C_CP C_AD P_CP P_AD; do
	take "$v"
done
take C_SP sp
take P_SP sp

hk_start ocsp "$top_srcdir/certs/ocsp-responder.sh" "$P" "$OCSP_PORT" -n 60
hk_wait_port "$OCSP_PORT"
hk_start devtsa "$TSA" -d -p "$TSA_PORT" -k "$P/tsa/tsa.key" \
    -c "$P/tsa/tsa.pem" -C "$P/ca-chain.pem" -s "$HK_T/devtsa.serial"
hk_wait_http "http://127.0.0.1:$TSA_PORT/health"

fed_central_conf 60
cs init
cs member-class add GOV "Government"
cs member add GOV MTIT "Member MTIT"
cs member add GOV MOI "Member MOI"
cs subsystem add GOV/MTIT SSO
cs subsystem add GOV/MOI CIVIL-REGISTER
cs server add GOV/MTIT ss-mtit --address "127.0.0.1:$C_SP" \
    --auth-cert "$P/auth/ss-mtit.pem"
cs server add GOV/MOI ss-moi --address "127.0.0.1:$P_SP" \
    --auth-cert "$P/auth/ss-moi.pem"
cs server client-add "$I/GOV/MTIT/ss-mtit" "$I/GOV/MTIT/SSO"
cs server client-add "$I/GOV/MOI/ss-moi" "$I/GOV/MOI/CIVIL-REGISTER"
cs ca add "Hukumati Dev CA" "$P/ca/ca.pem" \
    --ocsp-url "http://127.0.0.1:$OCSP_PORT" --ocsp-cert "$P/ocsp/ocsp.pem"
cs tsa add "Dev TSA" "http://127.0.0.1:$TSA_PORT/" "$P/tsa/tsa.pem"
cs set timestamping-interval 1
cs anchor "$C/anchor.xml"
hk_start central "$CS" -c "$C/centralserver.ini" serve
hk_wait_http "http://127.0.0.1:$CS_PORT/health"

fed_ss_conf ss-mtit MTIT "$C_CP" "$C_SP" "$C_AD" MTIT
fed_ss_conf ss-moi MOI "$P_CP" "$P_SP" "$P_AD" MOI
printf '[message-log]\narchive-interval = 10\n' | tee -a \
    "$HK_T/ss-mtit/securityserverd.ini" >>"$HK_T/ss-moi/securityserverd.ini"
# The provider removes archived records at once.
sed -i 's|^archive-interval = 10$|archive-interval = 10\nkeep-records-for = 0|' \
    "$HK_T/ss-moi/securityserverd.ini"
ctl ss-mtit client add "$I/GOV/MTIT/SSO"
ctl ss-moi client add "$I/GOV/MOI/CIVIL-REGISTER"
ctl ss-moi service add "$I/GOV/MOI/CIVIL-REGISTER/getPerson/v1" \
    --url "http://127.0.0.1:$AG_PORT/soap" --timeout 10
ctl ss-moi acl grant "$I/GOV/MOI/CIVIL-REGISTER/getPerson" \
    "SUBSYSTEM:$I/GOV/MTIT/SSO"

prefill_ocsp ss-mtit "$P/auth/ss-mtit.pem" "$P/sign/GOV_MTIT.pem"
prefill_ocsp ss-moi "$P/auth/ss-moi.pem" "$P/sign/GOV_MOI.pem"
hk_start ss-mtit "$SSD" -c "$HK_T/ss-mtit/securityserverd.ini"
hk_start ss-moi "$SSD" -c "$HK_T/ss-moi/securityserverd.ini"

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
hk_log "ok: PKI, OCSP, TSA, central server, agency and both servers up"

QID="evidence-$$"
cat >"$HK_T/req.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"
    xmlns:id="http://x-road.eu/xsd/identifiers"
    xmlns:cr="http://moi.gov.ps/civil-register">
  <SOAP-ENV:Header>
    <xrd:client id:objectType="SUBSYSTEM">
      <id:xRoadInstance>$I</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>MTIT</id:memberCode><id:subsystemCode>SSO</id:subsystemCode>
    </xrd:client>
    <xrd:service id:objectType="SERVICE">
      <id:xRoadInstance>$I</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>MOI</id:memberCode><id:subsystemCode>CIVIL-REGISTER</id:subsystemCode>
      <id:serviceCode>getPerson</id:serviceCode><id:serviceVersion>v1</id:serviceVersion>
    </xrd:service>
    <xrd:id>$QID</xrd:id>
    <xrd:userId>PS400000014</xrd:userId>
    <xrd:protocolVersion>4.0</xrd:protocolVersion>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <cr:getPerson><cr:nationalId>400000014</cr:nationalId></cr:getPerson>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
EOF
code=$(curl -s -o "$HK_T/resp.xml" -w '%{http_code}' \
    -H 'Content-Type: text/xml; charset=UTF-8' \
    --data-binary "@$HK_T/req.xml" "http://127.0.0.1:$C_CP/")
[ "$code" = 200 ] || hk_fail "getPerson: HTTP $code: $(head -c 600 "$HK_T/resp.xml")"
grep -q Fault "$HK_T/resp.xml" && hk_fail "getPerson: $(head -c 600 "$HK_T/resp.xml")"
hk_log "ok: getPerson through both servers"

AD=http://127.0.0.1:$C_AD
ASIC="$AD/asic?queryId=$QID&xRoadInstance=$I&memberClass=GOV&memberCode=MTIT&subsystemCode=SSO"

# --- bad and unknown queries
code=$(curl -s -o "$HK_T/e.json" -w '%{http_code}' "$AD/asic?queryId=$QID")
[ "$code" = 400 ] || hk_fail "/asic without the client: HTTP $code"
code=$(curl -s -o "$HK_T/e.json" -w '%{http_code}' \
    "$AD/asic?queryId=nope-$$&xRoadInstance=$I&memberClass=GOV&memberCode=MTIT&subsystemCode=SSO")
[ "$code" = 404 ] || hk_fail "/asic of an unknown exchange: HTTP $code"
grep -q '"type"' "$HK_T/e.json" || hk_fail "/asic 404 is not JSON: $(cat "$HK_T/e.json")"
code=$(curl -s -o "$HK_T/e.json" -w '%{http_code}' \
    "$AD/asic?queryId=$QID&xRoadInstance=$I&memberClass=GOV&memberCode=MTIT&subsystemCode=PORTAL")
[ "$code" = 404 ] || hk_fail "/asic for another client: HTTP $code"
hk_log "ok: /asic answers 400 without the client and 404 for none"

# --- wait until both containers carry a timestamp
stamped=0
for i in $(seq 1 150); do
	rm -rf "$HK_T/asic" && mkdir -p "$HK_T/asic"
	code=$(curl -s -o "$HK_T/asic.zip" -w '%{http_code}' "$ASIC")
	if [ "$code" = 200 ] &&
	    (cd "$HK_T/asic" && unzip -q "$HK_T/asic.zip") 2>/dev/null; then
		n=0
		for f in "$HK_T"/asic/*.asice; do
			[ -f "$f" ] || continue
			unzip -l "$f" | grep -q 'META-INF/timestamp.tst' &&
			    n=$((n + 1))
		done
		if [ "$n" -eq 2 ]; then
			stamped=1
			break
		fi
	fi
	sleep 1
done
[ "$stamped" = 1 ] || hk_fail "no 2 timestamped containers from /asic: HTTP $code; $(ls "$HK_T/asic")"
ls "$HK_T/asic" | grep -q -- '-request-.*\.asice$' || hk_fail "no request container"
ls "$HK_T/asic" | grep -q -- '-response-.*\.asice$' || hk_fail "no response container"
hk_log "ok: /asic gives the timestamped request and response containers"

code=$(curl -s -o "$HK_T/vc.zip" -w '%{http_code}' "$AD/verificationconf")
[ "$code" = 200 ] || hk_fail "/verificationconf: HTTP $code"
unzip -l "$HK_T/vc.zip" | grep -q shared-params.xml ||
    hk_fail "/verificationconf has no shared-params.xml"
hk_log "ok: /verificationconf"

# --- verify offline
"$MV" -c "$HK_T/vc.zip" -s "$SCHEMAS" container "$HK_T"/asic/*.asice \
    >"$HK_T/mv-ok.out" 2>&1 || hk_fail "msglog-verify: $(cat "$HK_T/mv-ok.out")"
grep -q "^FAIL" "$HK_T/mv-ok.out" && hk_fail "msglog-verify FAIL: $(cat "$HK_T/mv-ok.out")"
req=$(ls "$HK_T"/asic/*-request-*.asice | head -1)
resp=$(ls "$HK_T"/asic/*-response-*.asice | head -1)
"$MV" -c "$HK_T/vc.zip" -s "$SCHEMAS" pair "$req" "$resp" \
    >"$HK_T/mv-pair.out" 2>&1 || hk_fail "msglog-verify pair: $(cat "$HK_T/mv-pair.out")"
hk_log "ok: msglog-verify accepts both containers and the pair"

# --- one byte of message.xml changed
mkdir -p "$HK_T/bad"
cp "$req" "$HK_T/bad/tampered.asice"
(cd "$HK_T/bad" && unzip -q -o tampered.asice message.xml &&
    sed -i '0,/400000014/s//400000015/' message.xml &&
    zip -q tampered.asice message.xml) || hk_fail "cannot change message.xml"
if "$MV" -c "$HK_T/vc.zip" -s "$SCHEMAS" container "$HK_T/bad/tampered.asice" \
    >"$HK_T/mv-bad.out" 2>&1; then
	hk_fail "msglog-verify accepted a changed message.xml: $(cat "$HK_T/mv-bad.out")"
fi
grep "^FAIL" "$HK_T/mv-bad.out" | grep -q tampered.asice ||
    hk_fail "the FAIL does not name the container: $(cat "$HK_T/mv-bad.out")"
hk_log "ok: msglog-verify FAILs a changed message.xml, naming the container"

# --- archives
ARCH=$HK_T/ss-mtit/archive
for i in $(seq 1 40); do
	ls "$ARCH"/*.zip >/dev/null 2>&1 && break
	sleep 1
done
ls "$ARCH"/*.zip >/dev/null 2>&1 || hk_fail "no archive in $ARCH"
"$MV" -c "$HK_T/vc.zip" -s "$SCHEMAS" archive "$ARCH" >"$HK_T/mv-arch.out" 2>&1 ||
    hk_fail "msglog-verify archive: $(cat "$HK_T/mv-arch.out")"
grep -q "^FAIL" "$HK_T/mv-arch.out" && hk_fail "msglog-verify archive: $(cat "$HK_T/mv-arch.out")"
n=$(unzip -l "$ARCH"/*.zip | grep -c '\.asice$')
[ "$n" -ge 2 ] || hk_fail "the archive holds $n containers, not 2"
hk_log "ok: the archiver wrote an archive msglog-verify accepts ($n containers)"

PASIC="http://127.0.0.1:$P_AD/asic?queryId=$QID&xRoadInstance=$I&memberClass=GOV&memberCode=MTIT&subsystemCode=SSO"
for i in $(seq 1 40); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$PASIC")
	[ "$code" = 404 ] && break
	sleep 1
done
[ "$code" = 404 ] || hk_fail "the provider still has the records (HTTP $code)"
ls "$HK_T"/ss-moi/archive/*.zip >/dev/null 2>&1 ||
    hk_fail "the provider removed records it did not archive"
"$MV" -c "$HK_T/vc.zip" -s "$SCHEMAS" archive "$HK_T/ss-moi/archive" \
    >"$HK_T/mv-parch.out" 2>&1 ||
    hk_fail "msglog-verify archive (provider): $(cat "$HK_T/mv-parch.out")"
sed -i "s|<xrd:id>$QID</xrd:id>|<xrd:id>$QID-2</xrd:id>|" "$HK_T/req.xml"
code=$(curl -s -o "$HK_T/resp2.xml" -w '%{http_code}' \
    -H 'Content-Type: text/xml; charset=UTF-8' \
    --data-binary "@$HK_T/req.xml" "http://127.0.0.1:$C_CP/")
[ "$code" = 200 ] || hk_fail "getPerson after cleaning: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "${PASIC/$QID/$QID-2}")
[ "$code" = 200 ] || hk_fail "/asic of the next exchange on the provider: HTTP $code"
hk_log "ok: archived records removed after keep-records-for; logging goes on"

hk_pass

#!/usr/bin/env bash
# test_agency.sh: hukumati-agency (the MOI civil register) end to end with
# curl, xmllint and jq: config check, SOAP getPerson (Arabic names intact,
# header echoed, response valid against the WSDL's schema), unknown ID,
# faults for malformed XML and DOCTYPE, REST persons, the WSDL (X-Road
# rules) and OpenAPI descriptions, health, restart keeps the data.
. "$top_srcdir/tests/integration/lib.sh"
hk_init agency

command -v curl >/dev/null 2>&1 || hk_skip "curl not found"
command -v xmllint >/dev/null 2>&1 || hk_skip "xmllint not found"
command -v jq >/dev/null 2>&1 || hk_skip "jq not found"
AGENCY=$top_builddir/hukumati-agency
[ -x "$AGENCY" ] || hk_fail "$AGENCY not built"
SRC=$top_srcdir/hukumati-services/agency
NS=http://moi.gov.ps/civil-register

port=$(hk_free_port) || hk_fail "no free port"
URL=http://127.0.0.1:$port
CONF=$HK_T/agency-moi.ini
cat >"$CONF" <<EOF
[agency]
module = civil-register
subsystem = PS/GOV/MOI/CIVIL-REGISTER
data-dir = $HK_T/data
seed-count = 100
wsdl = $SRC/wsdl/civil-register.wsdl
openapi = $SRC/openapi/civil-register.json
[http]
port = $port
max-body = 16K
EOF

# xp FILE XPATH: the value of an XPath expression (xmllint has no
# namespace bindings on the command line: use local-name()).
xp() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}

# --- configuration check
out=$("$AGENCY" -n -c "$CONF" 2>&1)
[ "$out" = "configuration OK" ] || hk_fail "-n: $out"
[ ! -e "$HK_T/data" ] || hk_fail "-n created the data folder"
hk_log "ok: -n prints configuration OK and writes nothing"
sed 's/^module = .*/module = parking/' "$CONF" >"$HK_T/bad.ini"
if "$AGENCY" -n -c "$HK_T/bad.ini" >"$HK_T/bad.out" 2>&1; then
	hk_fail "-n accepted an unknown module"
fi
grep -q "unknown module 'parking'" "$HK_T/bad.out" ||
    hk_fail "-n did not say why: $(cat "$HK_T/bad.out")"
sed 's/^port = .*/port = 70000/' "$CONF" >"$HK_T/bad.ini"
"$AGENCY" -n -c "$HK_T/bad.ini" >/dev/null 2>&1 &&
    hk_fail "-n accepted port 70000"
hk_log "ok: -n refuses a bad module and a bad port"

# --- start
hk_start agency "$AGENCY" -c "$CONF"
hk_wait_http "$URL/health"
[ "$(curl -s "$URL/health" | jq -r .status)" = ok ] || hk_fail "health"
hk_log "ok: GET /health"
grep -q "seeded 6 demo and 100 synthetic persons" "$HK_T/agency.log" ||
    hk_fail "no seeding in the log"

# soap_req FILE ID [SERVICE-MEMBER]: a getPerson request into FILE.
soap_req() {
	cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"
    xmlns:id="http://x-road.eu/xsd/identifiers">
  <SOAP-ENV:Header>
    <xrd:client id:objectType="SUBSYSTEM">
      <id:xRoadInstance>PS</id:xRoadInstance>
      <id:memberClass>GOV</id:memberClass>
      <id:memberCode>MTIT</id:memberCode>
      <id:subsystemCode>SSO</id:subsystemCode>
    </xrd:client>
    <xrd:service id:objectType="SERVICE">
      <id:xRoadInstance>PS</id:xRoadInstance>
      <id:memberClass>GOV</id:memberClass>
      <id:memberCode>${3:-MOI}</id:memberCode>
      <id:subsystemCode>CIVIL-REGISTER</id:subsystemCode>
      <id:serviceCode>getPerson</id:serviceCode>
      <id:serviceVersion>v1</id:serviceVersion>
    </xrd:service>
    <xrd:id>7e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d</xrd:id>
    <xrd:userId>PS400000014</xrd:userId>
    <xrd:issue>registration 12</xrd:issue>
    <xrd:protocolVersion>4.0</xrd:protocolVersion>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <getPerson xmlns="$NS"><nationalId>$2</nationalId></getPerson>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
EOF
}

# post FILE OUT: POST a SOAP request; prints the HTTP status.
post() {
	curl -s -o "$2" -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
	    --data-binary @"$1" "$URL/soap"
}

# --- SOAP getPerson, a demo person
soap_req "$HK_T/req.xml" 400000014
code=$(post "$HK_T/req.xml" "$HK_T/resp.xml")
[ "$code" = 200 ] || hk_fail "getPerson: HTTP $code: $(cat "$HK_T/resp.xml")"
xmllint --noout "$HK_T/resp.xml" || hk_fail "response is not well-formed"
P='//*[local-name()="person"]'
check() {
	local got
	got=$(xp "$HK_T/resp.xml" "string($1)")
	[ "$got" = "$2" ] || hk_fail "$1: want '$2', got '$got'"
}
check "$P/*[local-name()='nameAr']/*[local-name()='first']" "أحمد"
check "$P/*[local-name()='nameAr']/*[local-name()='father']" "محمود"
check "$P/*[local-name()='nameAr']/*[local-name()='grandfather']" "خليل"
check "$P/*[local-name()='nameAr']/*[local-name()='family']" "عودة"
check "$P/*[local-name()='nameEn']/*[local-name()='family']" "Odeh"
check "$P/*[local-name()='dateOfBirth']" "1985-03-14"
check "$P/*[local-name()='address']/*[local-name()='city']/*[local-name()='ar']" "رام الله"
check "//*[local-name()='getPersonResponse']/*[local-name()='found']" "true"
check "namespace-uri(//*[local-name()='getPersonResponse'])" "$NS"
# The raw bytes are UTF-8 (not character references).
grep -q 'أحمد' "$HK_T/resp.xml" || hk_fail "Arabic not as UTF-8 bytes"
hk_log "ok: getPerson 400000014, Arabic names intact"
# The header comes back: every field, same values, same order.
hdr() {
	xp "$1" '//*[local-name()="Header"]/*' | tr -d ' \n'
}
[ "$(hdr "$HK_T/req.xml")" = "$(hdr "$HK_T/resp.xml" |
    sed 's/ xmlns:[a-zA-Z]*="[^"]*"//g')" ] ||
    hk_fail "header not echoed: $(hdr "$HK_T/resp.xml")"
check "//*[local-name()='Header']/*[local-name()='userId']" "PS400000014"
check "//*[local-name()='Header']/*[local-name()='issue']" "registration 12"
hk_log "ok: X-Road header echoed"

# The body is valid against the WSDL's own schema (the xrd import only
# serves the appinfo titles, so it is left out: no network).
curl -s "$URL/wsdl" >"$HK_T/served.wsdl" || hk_fail "GET /wsdl"
xp "$HK_T/served.wsdl" '//*[local-name()="schema"]' | grep -v '<xs:import' \
    >"$HK_T/schema.xsd"
[ -s "$HK_T/schema.xsd" ] || hk_fail "no schema in the WSDL"
valid_body() {
	xp "$1" '//*[local-name()="getPersonResponse"]' >"$1.body"
	xmllint --noout --nonet --schema "$HK_T/schema.xsd" "$1.body" \
	    >"$1.valid" 2>&1 || hk_fail "$1: body invalid: $(cat "$1.valid")"
}
valid_body "$HK_T/resp.xml"
hk_log "ok: getPersonResponse is valid against the WSDL schema"

# Every demo person answers; the deceased one has a date of death.
for id in 400000022 400000030 400000048 400000055 400000063; do
	soap_req "$HK_T/r-$id.xml" "$id"
	code=$(post "$HK_T/r-$id.xml" "$HK_T/p-$id.xml")
	[ "$code" = 200 ] || hk_fail "getPerson $id: HTTP $code"
	valid_body "$HK_T/p-$id.xml"
done
[ "$(xp "$HK_T/p-400000055.xml" 'string(//*[local-name()="dateOfDeath"])')" = 2021-02-11 ] ||
    hk_fail "400000055 has no date of death"
hk_log "ok: every demo person answers with a valid body"

# Generated persons too (the data honours the schema's patterns; the unit
# test checks all of them in-process).
if command -v sqlite3 >/dev/null 2>&1; then
	n=0
	for id in $(sqlite3 "$HK_T/data/civil-register.db" \
	    "SELECT national_id FROM person WHERE national_id NOT LIKE '4000000%'
	    ORDER BY national_id LIMIT 20"); do
		soap_req "$HK_T/rg.xml" "$id"
		code=$(post "$HK_T/rg.xml" "$HK_T/pg.xml")
		[ "$code" = 200 ] || hk_fail "getPerson $id: HTTP $code"
		valid_body "$HK_T/pg.xml"
		n=$((n + 1))
	done
	[ "$n" = 20 ] || hk_fail "$n generated persons, not 20"
	hk_log "ok: $n generated persons answer with a valid body"
fi

# --- unknown ID: a business answer, not a fault
soap_req "$HK_T/req2.xml" 400000006
code=$(post "$HK_T/req2.xml" "$HK_T/resp2.xml")
[ "$code" = 200 ] || hk_fail "unknown id: HTTP $code"
[ "$(xp "$HK_T/resp2.xml" 'string(//*[local-name()="found"])')" = false ] ||
    hk_fail "unknown id: $(cat "$HK_T/resp2.xml")"
[ "$(xp "$HK_T/resp2.xml" 'count(//*[local-name()="person"])')" = 0 ] ||
    hk_fail "unknown id came with a person"
valid_body "$HK_T/resp2.xml"
hk_log "ok: unknown ID gives found=false"

# fault FILE CODE [TEXT]: POST FILE, expect HTTP 500 and a SOAP fault.
fault() {
	local code fc
	code=$(post "$1" "$1.out")
	[ "$code" = 500 ] || hk_fail "$1: HTTP $code, not 500: $(cat "$1.out")"
	fc=$(xp "$1.out" 'string(//*[local-name()="Fault"]/faultcode)')
	[ "$fc" = "$2" ] || hk_fail "$1: faultcode '$fc', not $2"
	if [ -n "${3:-}" ]; then
		xp "$1.out" 'string(//*[local-name()="Fault"]/faultstring)' |
		    grep -q "$3" || hk_fail "$1: faultstring lacks '$3'"
	fi
	xp "$1.out" 'string(//*[local-name()="faultDetail"])' |
	    grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4' || hk_fail "$1: no UUID detail"
}

# --- malformed requests
printf '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>' \
    >"$HK_T/bad1.xml"
fault "$HK_T/bad1.xml" Client.InvalidSoap
echo 'not xml at all' >"$HK_T/bad2.xml"
fault "$HK_T/bad2.xml" Client.InvalidSoap
soap_req "$HK_T/bad3.xml" 400000015
fault "$HK_T/bad3.xml" Client.InvalidNationalId "check digit"
soap_req "$HK_T/bad4.xml" 4000000
fault "$HK_T/bad4.xml" Client.InvalidNationalId "9 digits"
soap_req "$HK_T/bad5.xml" 400000014 MOT
fault "$HK_T/bad5.xml" Client.UnknownService
hk_log "ok: malformed XML, bad IDs, another provider's service are faults"

# --- DOCTYPE: refused, the entity never expanded
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY id "400000014">]>'
	sed 1d "$HK_T/req.xml" | sed 's/<nationalId>400000014</<nationalId>\&id;</'
} >"$HK_T/doctype.xml"
fault "$HK_T/doctype.xml" Client.InvalidSoap DOCTYPE
grep -q 'Odeh' "$HK_T/doctype.xml.out" && hk_fail "entity was expanded"
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE x SYSTEM "file:///etc/passwd">'
	sed 1d "$HK_T/req.xml"
} >"$HK_T/doctype2.xml"
fault "$HK_T/doctype2.xml" Client.InvalidSoap DOCTYPE
hk_log "ok: DOCTYPE refused"

# --- HTTP limits
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/soap")
[ "$code" = 405 ] || hk_fail "GET /soap: $code, not 405"
head -c 20000 /dev/zero | tr '\0' ' ' >"$HK_T/big.xml"
code=$(post "$HK_T/big.xml" /dev/null)
[ "$code" = 413 ] || hk_fail "20000-byte body: $code, not 413"
hk_log "ok: GET /soap is 405, a body over max-body is 413"

# --- REST
code=$(curl -s -o "$HK_T/p.json" -w '%{http_code} %{content_type}' \
    "$URL/rest/persons/400000014")
case $code in
"200 application/json"*) ;;
*) hk_fail "REST person: $code" ;;
esac
[ "$(jq -r .name.ar.first "$HK_T/p.json")" = "أحمد" ] || hk_fail "REST ar name"
[ "$(jq -r .name.en.family "$HK_T/p.json")" = "Odeh" ] || hk_fail "REST en name"
[ "$(jq -r .dateOfBirth "$HK_T/p.json")" = "1985-03-14" ] || hk_fail "REST dob"
[ "$(jq -r .mobile "$HK_T/p.json")" = "+970599000001" ] || hk_fail "REST mobile"
[ "$(jq -r .address.postcode "$HK_T/p.json")" = "P3000412" ] ||
    hk_fail "REST postcode"
hk_log "ok: GET /rest/persons/400000014"
rest_err() {
	local code
	code=$(curl -s -o "$HK_T/e.json" -w '%{http_code}' "$URL$1")
	[ "$code" = "$2" ] || hk_fail "$1: $code, not $2"
	[ "$(jq -r .type "$HK_T/e.json")" = "$3" ] ||
	    hk_fail "$1: $(cat "$HK_T/e.json")"
}
rest_err /rest/persons/400000006 404 not_found
rest_err /rest/persons/400000015 400 invalid_national_id
rest_err /rest/persons/12345 400 invalid_national_id
rest_err /rest/persons/40000001%34 400 invalid_national_id
rest_err /rest/persons/400000014/x 400 invalid_national_id
rest_err /rest/persons/ 400 invalid_national_id
rest_err /rest/nothing 404 not_found
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/rest/persons/400000014")
[ "$code" = 405 ] || hk_fail "DELETE person: $code"
hk_log "ok: REST 404, 400 and 405 as JSON"

# --- the WSDL: well-formed and the X-Road rules (NOTES 2.4)
check_wsdl() {
	local w=$1 n b
	xmllint --noout --nonet "$w" || hk_fail "$w: not well-formed"
	[ "$(xp "$w" 'count(/*[local-name()="definitions" and namespace-uri()="http://schemas.xmlsoap.org/wsdl/"])')" = 1 ] ||
	    hk_fail "$w: not wsdl:definitions"
	B='/*/*[local-name()="binding"]'
	[ "$(xp "$w" "string($B/*[local-name()='binding']/@style)")" = document ] ||
	    hk_fail "$w: binding style is not document"
	[ "$(xp "$w" "string($B/*[local-name()='binding']/@transport)")" = \
	    http://schemas.xmlsoap.org/soap/http ] || hk_fail "$w: transport"
	n=$(xp "$w" "count($B/*[local-name()='operation'])")
	[ "$n" -ge 1 ] || hk_fail "$w: no operations"
	for b in $(xp "$w" "$B/*[local-name()='operation']/@name" |
	    sed 's/ name="\([^"]*\)"/\1 /g'); do
		O="$B/*[local-name()='operation' and @name='$b']"
		[ "$(xp "$w" "count($O/*[local-name()='version' and namespace-uri()='http://x-road.eu/xsd/xroad.xsd'])")" = 1 ] ||
		    hk_fail "$w: $b has no xrd:version"
		[ "$(xp "$w" "count($O/*[local-name()='input' or local-name()='output']/*[local-name()='body' and @use='literal'])")" = 2 ] ||
		    hk_fail "$w: $b: input/output not literal"
		for f in client service id userId issue protocolVersion; do
			for d in input output; do
				[ "$(xp "$w" "count($O/*[local-name()='$d']/*[local-name()='header' and @part='$f' and @use='literal'])")" = 1 ] ||
				    hk_fail "$w: $b $d lacks header $f"
			done
		done
		# Document/literal wrapped: input element = operation name,
		# output element = name + Response, both in the schema.
		PT="/*/*[local-name()='portType']/*[local-name()='operation' and @name='$b']"
		[ "$(xp "$w" "count($PT/*[local-name()='documentation']/*[local-name()='title'])")" -ge 1 ] ||
		    hk_fail "$w: $b has no xrd:title"
		in=$(xp "$w" "string($PT/*[local-name()='input']/@message)")
		out=$(xp "$w" "string($PT/*[local-name()='output']/@message)")
		[ "$(xp "$w" "string(/*/*[local-name()='message' and @name='${in#*:}']/*[local-name()='part']/@element)")" = "tns:$b" ] ||
		    hk_fail "$w: $b input is not tns:$b"
		[ "$(xp "$w" "string(/*/*[local-name()='message' and @name='${out#*:}']/*[local-name()='part']/@element)")" = "tns:${b}Response" ] ||
		    hk_fail "$w: $b output is not tns:${b}Response"
		for e in "$b" "${b}Response"; do
			[ "$(xp "$w" "count(//*[local-name()='schema']/*[local-name()='element' and @name='$e'])")" = 1 ] ||
			    hk_fail "$w: no schema element $e"
		done
	done
	# The header parts are the X-Road header elements.
	for f in client service id userId requestHash issue protocolVersion; do
		[ "$(xp "$w" "string(/*/*[local-name()='message' and @name='requestHeader']/*[local-name()='part' and @name='$f']/@element)")" = "xrd:$f" ] ||
		    hk_fail "$w: requestHeader part $f is not xrd:$f"
	done
}
check_wsdl "$SRC/wsdl/civil-register.wsdl"
check_wsdl "$HK_T/served.wsdl"
[ "$(xp "$HK_T/served.wsdl" 'string(//*[local-name()="address"]/@location)')" = "$URL/soap" ] ||
    hk_fail "served WSDL does not point at $URL/soap"
hk_log "ok: WSDL well-formed, X-Road rules hold, served with soap:address $URL/soap"

# --- OpenAPI
code=$(curl -s -o "$HK_T/openapi.json" -w '%{http_code}' "$URL/openapi")
[ "$code" = 200 ] || hk_fail "GET /openapi: $code"
jq -e '.openapi | startswith("3.")' "$HK_T/openapi.json" >/dev/null ||
    hk_fail "not OpenAPI 3"
[ "$(jq -r '.servers[0].url' "$HK_T/openapi.json")" = "$URL/rest" ] ||
    hk_fail "OpenAPI servers: $(jq -c .servers "$HK_T/openapi.json")"
jq -e '.paths["/persons/{nationalId}"].get.responses["404"]' \
    "$HK_T/openapi.json" >/dev/null || hk_fail "OpenAPI lacks the persons path"
hk_log "ok: GET /openapi"

# --- privacy: no national ID or user id in the log
grep -q '400000014' "$HK_T/agency.log" && hk_fail "a national ID is in the log"
hk_log "ok: the log holds no national IDs"

# --- restart: the data is kept, not seeded again
hk_stop_all
grep -q 'stopped' "$HK_T/agency.log" || hk_fail "did not stop cleanly"
hk_start agency2 "$AGENCY" -c "$CONF"
hk_wait_http "$URL/health"
grep -q seeded "$HK_T/agency2.log" && hk_fail "seeded again after a restart"
code=$(post "$HK_T/req.xml" "$HK_T/resp3.xml")
[ "$code" = 200 ] || hk_fail "after restart: HTTP $code"
cmp -s "$HK_T/resp.xml" "$HK_T/resp3.xml" || hk_fail "answer changed after restart"
hk_log "ok: restart keeps the data"

hk_pass

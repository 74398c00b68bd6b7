#!/usr/bin/env bash
# test_sso.sh: hukumati-sso end to end with the MOI civil register
# (hukumati-agency), with curl and cookie jars like a browser without
# JavaScript: Arabic by default and English on request, security headers
# and cookies, CSRF refusals, registration refused for a bad check digit,
# a common password, a mismatch and an unknown ID (the same words, no
# register data), registration of a demo person, login refused while
# pending, an officer (hukumati-ssoctl account, password + SMS code from
# /dev/sms) activating the account in person, the citizen's login with
# password + SMS code (session id rotated), the audit log, logout, the
# lockout on the 6th wrong password (and the same words for an unknown
# ID), the officer console closed to citizens, and 429 + Retry-After.
#
# The SSO reaches the civil register directly ([xroad] direct = yes):
# the path through two security servers is tests/integration/
# test_exchange.sh's; this test is about the SSO.
. "$top_srcdir/tests/integration/lib.sh"
hk_init sso

command -v curl >/dev/null 2>&1 || hk_skip "curl not found"
command -v jq >/dev/null 2>&1 || hk_skip "jq not found"
SSO=$top_builddir/hukumati-sso
CTL=$top_builddir/hukumati-ssoctl
AGENCY=$top_builddir/hukumati-agency
for b in "$SSO" "$CTL" "$AGENCY"; do
	[ -x "$b" ] || hk_fail "$b was not built"
done
SRC=$top_srcdir/hukumati-services

aport=$(hk_free_port) || hk_fail "no free port"
sport=$(hk_free_port) || hk_fail "no free port"
[ "$aport" != "$sport" ] || sport=$(hk_free_port)
URL=http://127.0.0.1:$sport

cat >"$HK_T/agency.ini" <<EOF
[agency]
module = civil-register
subsystem = PS/GOV/MOI/CIVIL-REGISTER
data-dir = $HK_T/agency
seed-count = 20
wsdl = $SRC/agency/wsdl/civil-register.wsdl
openapi = $SRC/agency/openapi/civil-register.json
[http]
port = $aport
EOF

# sso_conf FILE PORT DATA BURST PER-MINUTE: an SSO configuration.
sso_conf() {
	cat >"$1" <<EOF
[sso]
data-dir = $3
public-url = http://127.0.0.1:$2
templates = $SRC/sso/templates
locale-dir = $SRC/sso/po
static-dir = $SRC/sso/static
common-passwords = $SRC/sso/common-passwords.txt
[http]
port = $2
[xroad]
security-server = http://127.0.0.1:$aport/
direct = yes
timeout = 10s
[password]
argon2-memory = 256
argon2-time-cost = 1
[ratelimit]
post-burst = $4
post-per-minute = $5
[demo]
enabled = yes
[oidc]
code-lifetime = 10s
[client demo-rp]
redirect-uris = http://127.0.0.1:9999/callback
[client demo-rp-confidential]
redirect-uris = http://127.0.0.1:9999/cb2 http://127.0.0.1:9999/callback
secret = confidential-secret-0123456789
id-token-alg = ES256
EOF
}
sso_conf "$HK_T/sso.ini" "$sport" "$HK_T/sso" 500 600

# --- configuration check, staff accounts
out=$("$SSO" -n -c "$HK_T/sso.ini" 2>&1)
[ "$out" = "configuration OK" ] || hk_fail "-n: $out"
[ ! -e "$HK_T/sso" ] || hk_fail "-n created the data folder"
sed 's/^direct = yes/direct = maybe/' "$HK_T/sso.ini" >"$HK_T/bad.ini"
"$SSO" -n -c "$HK_T/bad.ini" >/dev/null 2>&1 && hk_fail "-n accepted a bad boolean"
hk_log "ok: -n checks the configuration"

echo 'Officer pass 2026' | "$CTL" -c "$HK_T/sso.ini" user add \
    --username officer.moi --role interior-officer --first-name Samir \
    --family-name Haddad --mobile '+970 599 100 001' \
    --office 'Ramallah Interior office' >/dev/null ||
    hk_fail "ssoctl user add"
echo 'short' | "$CTL" -c "$HK_T/sso.ini" user add --username weak \
    --role post-officer --first-name A --family-name B \
    --mobile +970599100002 >/dev/null 2>&1 &&
    hk_fail "ssoctl accepted a short password"
"$CTL" -c "$HK_T/sso.ini" user list | grep -q 'officer.moi.*interior-officer.*active' ||
    hk_fail "ssoctl user list"
hk_log "ok: hukumati-ssoctl creates staff accounts and refuses weak passwords"

hk_start agency "$AGENCY" -c "$HK_T/agency.ini"
hk_start sso "$SSO" -c "$HK_T/sso.ini"
hk_wait_http "http://127.0.0.1:$aport/health"
hk_wait_http "$URL/health"

# csrf JAR PATH: the CSRF token of the form on PATH (starts a session).
csrf() {
	curl -s -c "$1" -b "$1" "$URL$2" |
	    sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n 1
}
# post JAR PATH OUT field=value...: POST a form, print the status.
post() {
	local jar=$1 path=$2 out=$3 a
	shift 3
	local args=()
	for a in "$@"; do
		args+=(--data-urlencode "$a")
	done
	curl -s -c "$jar" -b "$jar" -o "$out" -D "$out.hdr" \
	    -w '%{http_code}' "${args[@]}" "$URL$path"
}
# sms PHONE: the newest code sent to PHONE.
sms() {
	curl -s "$URL/dev/sms?phone=$(printf %s "$1" | jq -sRr @uri)" |
	    jq -r '.[0].text' | grep -o '[0-9]\{6\}'
}
# login JAR LOGIN PASSWORD PHONE: both steps; fails the test otherwise.
login() {
	local jar=$1 t code
	t=$(csrf "$jar" /login)
	[ "$(post "$jar" /login "$HK_T/l.html" "csrf_token=$t" "login=$2" \
	    "password=$3")" = 303 ] || hk_fail "login $2: password step: $(cat "$HK_T/l.html")"
	grep -qi '^location: .*/login/code' "$HK_T/l.html.hdr" ||
	    hk_fail "login $2: not sent to the code step"
	code=$(sms "$4")
	[ -n "$code" ] || hk_fail "login $2: no SMS code for $4"
	t=$(csrf "$jar" /login/code)
	[ "$(post "$jar" /login/code "$HK_T/c.html" "csrf_token=$t" \
	    "code=$code")" = 303 ] || hk_fail "login $2: code step: $(cat "$HK_T/c.html")"
	grep -qi '^location: .*/account' "$HK_T/c.html.hdr" ||
	    hk_fail "login $2: not sent to the account page"
}
# summary FILE: the text of the error summary's list.
summary() {
	sed -n '/error-summary/,/<\/div>/p' "$1" | sed -n 's/.*<li><a href="#[a-z_0-9]*">\(.*\)<\/a><\/li>.*/\1/p'
}

# --- languages, headers, cookies
curl -s -D "$HK_T/h.txt" -o "$HK_T/home.html" -c "$HK_T/j0" "$URL/register"
grep -q '<html lang="ar" dir="rtl">' "$HK_T/home.html" || hk_fail "not Arabic/rtl by default"
grep -qi "^content-security-policy: default-src 'self'" "$HK_T/h.txt" || hk_fail "no CSP"
grep -qi '^x-frame-options: DENY' "$HK_T/h.txt" || hk_fail "no X-Frame-Options"
grep -qi '^x-content-type-options: nosniff' "$HK_T/h.txt" || hk_fail "no nosniff"
grep -qi '^referrer-policy: ' "$HK_T/h.txt" || hk_fail "no Referrer-Policy"
grep -i '^set-cookie: sso_session=' "$HK_T/h.txt" | grep -q 'HttpOnly; SameSite=Lax' ||
    hk_fail "session cookie not HttpOnly + SameSite=Lax: $(grep -i set-cookie "$HK_T/h.txt")"
grep -i '^set-cookie: sso_session=' "$HK_T/h.txt" | grep -qi 'secure' &&
    hk_fail "Secure cookie on plain HTTP"
for a in 'autocomplete="bday"' 'autocomplete="tel"' 'autocomplete="new-password"' \
    '<label for="national_id">' 'name="csrf_token"'; do
	grep -q "$a" "$HK_T/home.html" || hk_fail "register form lacks $a"
done
curl -s -D "$HK_T/h.txt" -o "$HK_T/en.html" -c "$HK_T/j0" -b "$HK_T/j0" "$URL/login?lang=en"
grep -q '<html lang="en" dir="ltr">' "$HK_T/en.html" || hk_fail "?lang=en"
grep -qi '^set-cookie: lang=en' "$HK_T/h.txt" || hk_fail "no lang cookie"
grep -q 'autocomplete="current-password"' "$HK_T/en.html" || hk_fail "login autocomplete"
curl -s -o "$HK_T/en2.html" -b "$HK_T/j0" "$URL/"
grep -q '<html lang="en"' "$HK_T/en2.html" || hk_fail "the lang cookie is not honoured"
hk_log "ok: Arabic (rtl) by default, English by ?lang=en and cookie; security headers; HttpOnly SameSite cookies; form attributes"

# --- CSRF
J=$HK_T/citizen
t=$(csrf "$J" "/register?lang=en")
[ -n "$t" ] || hk_fail "no CSRF token in the form"
REG=(national_id=400000014 first_name=Ahmad family_name=Odeh dob=1985-03-14
    "mobile=+970 599 000 001" "password=olive tree 1985!" "password2=olive tree 1985!")
[ "$(post "$J" /register "$HK_T/r.html" "${REG[@]}")" = 403 ] ||
    hk_fail "POST without a CSRF token was not refused with 403"
[ "$(post "$J" /register "$HK_T/r.html" "csrf_token=${t%?}0" "${REG[@]}")" = 403 ] ||
    hk_fail "POST with a wrong CSRF token was not refused with 403"
[ "$(post "$HK_T/other" /register "$HK_T/r.html" "csrf_token=$t" "${REG[@]}")" = 403 ] ||
    hk_fail "another browser's session accepted the token"
hk_log "ok: CSRF missing, wrong or from another session: 403"

# --- registration refused
[ "$(post "$J" /register "$HK_T/r.html" "csrf_token=$t" national_id=400000015 \
    first_name=Ahmad family_name=Odeh dob=1985-03-14 mobile=+970599000001 \
    "password=olive tree 1985!" "password2=olive tree 1985!")" = 400 ] ||
    hk_fail "a bad check digit was accepted"
summary "$HK_T/r.html" | grep -q 'national ID of 9 digits' || hk_fail "check digit: $(summary "$HK_T/r.html")"
grep -q 'value="400000015"' "$HK_T/r.html" || hk_fail "the form was not filled again"
grep -q 'olive tree' "$HK_T/r.html" && hk_fail "the password was sent back"
[ "$(post "$J" /register "$HK_T/r.html" "csrf_token=$t" national_id=400000014 \
    first_name=Ahmad family_name=Odeh dob=1985-03-14 mobile=+970599000001 \
    password=P@ssw0rd password2=P@ssw0rd)" = 400 ] || hk_fail "a common password was accepted"
summary "$HK_T/r.html" | grep -q 'too common' || hk_fail "common password: $(summary "$HK_T/r.html")"
[ "$(post "$J" /register "$HK_T/r.html" "csrf_token=$t" national_id=400000014 \
    first_name=Ahmad family_name=Odeh dob=31/02/1985 mobile=+970529000001 \
    "password=olive tree 1985!" "password2=olive tree 1986!")" = 400 ] || hk_fail "bad fields accepted"
n=$(summary "$HK_T/r.html" | wc -l)
[ "$n" -eq 3 ] || hk_fail "expected 3 errors (date, mobile, passwords), got: $(summary "$HK_T/r.html")"
grep -q 'aria-invalid="true"' "$HK_T/r.html" || hk_fail "no aria-invalid on the bad fields"
# Fatima Nasser exists (born 1990-07-02): a wrong date of birth is a mismatch.
[ "$(post "$J" /register "$HK_T/m.html" "csrf_token=$t" national_id=400000022 \
    first_name=Fatima family_name=Nasser dob=1991-07-02 mobile=+970569000002 \
    "password=olive tree 1985!" "password2=olive tree 1985!")" = 400 ] || hk_fail "a mismatch was accepted"
grep -q '1990-07-02' "$HK_T/m.html" && hk_fail "the register's date of birth leaked"
grep -qi 'Ali\b\|Hasan\|Nablus' "$HK_T/m.html" && hk_fail "register data leaked"
# 123456782 has a good check digit but no person.
[ "$(post "$J" /register "$HK_T/u.html" "csrf_token=$t" national_id=123456782 \
    first_name=Fatima family_name=Nasser dob=1991-07-02 mobile=+970569000002 \
    "password=olive tree 1985!" "password2=olive tree 1985!")" = 400 ] || hk_fail "an unknown ID was accepted"
[ "$(summary "$HK_T/m.html")" = "$(summary "$HK_T/u.html")" ] ||
    hk_fail "mismatch and unknown ID are told apart: '$(summary "$HK_T/m.html")' / '$(summary "$HK_T/u.html")'"
summary "$HK_T/m.html" | grep -q 'do not match the civil register' || hk_fail "mismatch: $(summary "$HK_T/m.html")"
# The deceased demo person cannot register.
[ "$(post "$J" /register "$HK_T/d.html" "csrf_token=$t" national_id=400000055 \
    first_name=Mahmoud family_name=Qasem dob=1940-05-05 mobile=+970599000055 \
    "password=olive tree 1985!" "password2=olive tree 1985!")" = 400 ] || hk_fail "a deceased person registered"
hk_log "ok: refused: check digit, common password, bad fields (all listed), mismatch = unknown ID (no register data shown), deceased"

# --- registration of Ahmad Odeh (Arabic names, Arabic-Indic digits)
[ "$(post "$J" /register "$HK_T/ok.html" "csrf_token=$t" \
    "national_id=٤٠٠٠٠٠٠١٤" "first_name=احمد" "family_name=عوده" \
    dob=1985-03-14 "mobile=+970 599 000 001" "email=ahmad@example.ps" \
    "password=olive tree 1985!" "password2=olive tree 1985!")" = 200 ] ||
    hk_fail "registration failed: $(summary "$HK_T/ok.html")"
grep -q 'waiting for activation' "$HK_T/ok.html" || hk_fail "no pending notice"
[ "$(post "$J" /register "$HK_T/r.html" "csrf_token=$t" "${REG[@]}")" = 400 ] ||
    hk_fail "a second registration was accepted"
summary "$HK_T/r.html" | grep -q 'already exists' || hk_fail "duplicate: $(summary "$HK_T/r.html")"
hk_log "ok: Ahmad Odeh registered (Arabic name spellings matched); a second registration refused"

# --- pending: no login
t=$(csrf "$J" /login)
[ "$(post "$J" /login "$HK_T/p.html" "csrf_token=$t" login=400000014 \
    "password=olive tree 1985!")" = 403 ] || hk_fail "a pending account logged in"
summary "$HK_T/p.html" | grep -q 'not activated' || hk_fail "pending: $(summary "$HK_T/p.html")"
hk_log "ok: a pending account cannot log in"

# --- the officer activates in person
O=$HK_T/officer
login "$O" officer.moi 'Officer pass 2026' +970599100001
curl -s -b "$O" -c "$O" -o "$HK_T/o.html" "$URL/officer?national_id=400000014&lang=en"
grep -q 'Registration waiting for activation' "$HK_T/o.html" || hk_fail "officer: pending registration not found"
t=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' "$HK_T/o.html" | head -n 1)
[ "$(post "$O" /officer/activate "$HK_T/a.html" "csrf_token=$t" national_id=400000014 \
    document_type=id-card)" = 400 ] || hk_fail "activated without the document check"
[ "$(post "$O" /officer/activate "$HK_T/a.html" national_id=400000014 \
    document_type=id-card document_checked=yes)" = 403 ] || hk_fail "activation without CSRF"
[ "$(post "$O" /officer/activate "$HK_T/a.html" "csrf_token=$t" national_id=400000014 \
    document_type=id-card document_checked=yes)" = 200 ] || hk_fail "activation failed: $(cat "$HK_T/a.html")"
grep -q 'Account activated' "$HK_T/a.html" || hk_fail "no activation notice"
[ "$(post "$O" /officer/activate "$HK_T/a.html" "csrf_token=$t" national_id=400000014 \
    document_type=id-card document_checked=yes)" = 400 ] || hk_fail "activated twice"
"$CTL" -c "$HK_T/sso.ini" audit --limit 100 >"$HK_T/audit.txt"
grep 'ACTIVATE_ACCOUNT ' "$HK_T/audit.txt" | grep -q '"route":"in-person".*"where":"Ramallah Interior office"' ||
    hk_fail "activation not audited: $(cat "$HK_T/audit.txt")"
grep -q 'ACTIVATE_ACCOUNT_ERROR' "$HK_T/audit.txt" || hk_fail "refused activation not audited"
hk_log "ok: the officer (password + SMS code) activated the account in person; audited with who/where/how"

# --- the citizen logs in
before=$(awk '$6 == "sso_session" {print $7}' "$J")
login "$J" 400000014 'olive tree 1985!' +970599000001
after=$(awk '$6 == "sso_session" {print $7}' "$J")
[ -n "$after" ] && [ "$before" != "$after" ] || hk_fail "the session id was not rotated at login"
curl -s -b "$J" -o "$HK_T/acc.html" "$URL/account"
grep -q 'substantial' "$HK_T/acc.html" || hk_fail "account page: $(cat "$HK_T/acc.html")"
grep -q 'عوده' "$HK_T/acc.html" || hk_fail "account page lacks the name"
curl -s "$URL/dev/sms?phone=%2B970599000001" >"$HK_T/sms.json"
jq -e 'length >= 1 and (.[0] | has("phone") and has("text") and has("time")) and .[0].phone == "+970599000001"' \
    "$HK_T/sms.json" >/dev/null || hk_fail "/dev/sms: $(cat "$HK_T/sms.json")"
grep 'LOGIN ' "$HK_T/audit.txt" >/dev/null || true
hk_log "ok: citizen login with password + SMS code from /dev/sms; session id rotated; acr substantial"

# --- OpenID Connect: discovery, JWKS, code flow with PKCE, tokens
curl -s "$URL/.well-known/openid-configuration" >"$HK_T/disc.json"
jq -e --arg u "$URL" '.issuer == $u and .authorization_endpoint == ($u + "/authorize")
    and .token_endpoint == ($u + "/token") and .jwks_uri == ($u + "/jwks")
    and .authorization_response_iss_parameter_supported == true
    and (.code_challenge_methods_supported | index("S256"))
    and (.id_token_signing_alg_values_supported | index("RS256") and index("ES256"))' \
    "$HK_T/disc.json" >/dev/null || hk_fail "discovery: $(cat "$HK_T/disc.json")"
curl -s "$URL/jwks" >"$HK_T/jwks.json"
jq -e '(.keys | length) == 2 and (.keys | map(.kid) | unique | length) == 2
    and (.keys | map(.alg) | sort) == ["ES256", "RS256"] and (.keys | all(has("d") | not))' \
    "$HK_T/jwks.json" >/dev/null || hk_fail "jwks: $(cat "$HK_T/jwks.json")"
hk_log "ok: discovery and JWKS (RS256 + ES256, kids, no private parts)"

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
unb64url() {	# base64url text on stdin to bytes
	local s
	s=$(tr -- '-_' '+/')
	while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done
	printf '%s' "$s" | base64 -d
}
CB=http://127.0.0.1:9999/callback
VERIFIER=$(head -c 48 /dev/urandom | b64url)
CHALLENGE=$(printf '%s' "$VERIFIER" | openssl dgst -sha256 -binary | b64url)
AUTHQ="response_type=code&client_id=demo-rp&redirect_uri=$(printf %s "$CB" | jq -sRr @uri)&scope=openid%20profile%20phone%20roles&state=st-42&nonce=n-4711&code_challenge=$CHALLENGE&code_challenge_method=S256"
# authorize JAR QUERY: the Location of /authorize (empty if none).
authorize() {
	curl -s -b "$1" -c "$1" -o "$HK_T/az.html" -D "$HK_T/az.hdr" "$URL/authorize?$2" >/dev/null
	sed -n 's/^[Ll]ocation: \(.*\)\r$/\1/p' "$HK_T/az.hdr"
}
loc=$(authorize "$J" "$AUTHQ")
case $loc in "$CB?code="*"&state=st-42&iss="*) ;; *) hk_fail "authorize: $loc $(cat "$HK_T/az.html")" ;; esac
code=$(printf '%s' "$loc" | sed 's/.*[?&]code=\([^&]*\).*/\1/')
iss=$(printf '%s' "$loc" | sed 's/.*[?&]iss=\([^&]*\).*/\1/')
[ "$(printf '%s' "$iss" | jq -sRr '@text' | sed 's/%3A/:/g; s/%2F/\//g')" = "$URL" ] || hk_fail "iss in the answer: $iss"
# token ARGS...: POST /token, the answer in $HK_T/tok.json, print the status.
token() {
	local a args=()
	for a in "$@"; do args+=(--data-urlencode "$a"); done
	curl -s -o "$HK_T/tok.json" -D "$HK_T/tok.hdr" -w '%{http_code}' "${args[@]}" "$URL/token"
}
[ "$(token grant_type=authorization_code "code=$code" "redirect_uri=$CB" \
    client_id=demo-rp "code_verifier=${VERIFIER%?}x")" = 400 ] || hk_fail "a wrong PKCE verifier was accepted"
jq -e '.error == "invalid_grant"' "$HK_T/tok.json" >/dev/null || hk_fail "wrong verifier: $(cat "$HK_T/tok.json")"
# The failed try did not use the code up.
[ "$(token grant_type=authorization_code "code=$code" "redirect_uri=$CB" \
    client_id=demo-rp "code_verifier=$VERIFIER")" = 200 ] || hk_fail "token: $(cat "$HK_T/tok.json")"
grep -qi '^cache-control: no-store' "$HK_T/tok.hdr" || hk_fail "token answer without no-store"
AT=$(jq -r .access_token "$HK_T/tok.json")
IDT=$(jq -r .id_token "$HK_T/tok.json")
jq -e '.token_type == "Bearer" and .expires_in > 0' "$HK_T/tok.json" >/dev/null || hk_fail "token: $(cat "$HK_T/tok.json")"
printf '%s' "$IDT" | cut -d. -f1 | unb64url >"$HK_T/idh.json"
printf '%s' "$IDT" | cut -d. -f2 | unb64url >"$HK_T/idp.json"
kid=$(jq -r .kid "$HK_T/idh.json")
jq -e '.alg == "RS256" and .typ == "JWT"' "$HK_T/idh.json" >/dev/null || hk_fail "ID token header: $(cat "$HK_T/idh.json")"
jq -e --arg k "$kid" '.keys | map(select(.kid == $k and .alg == "RS256")) | length == 1' "$HK_T/jwks.json" >/dev/null ||
    hk_fail "the ID token's kid is not in the JWKS"
jq -e --arg u "$URL" '.iss == $u and .aud == "demo-rp" and .sub == "PS400000014"
    and .nonce == "n-4711" and .acr == "substantial" and .amr == ["pwd", "sms"]
    and (.sid | length) > 0 and .exp > .iat and .auth_time <= .iat
    and .given_name == "احمد" and .["family_name#en"] == "Odeh" and .["given_name#ar"] == "أحمد"
    and .birthdate == "1985-03-14" and .phone_number == "+970599000001"
    and .phone_number_verified == true and .roles == ["citizen"]' "$HK_T/idp.json" >/dev/null ||
    hk_fail "ID token claims: $(cat "$HK_T/idp.json")"
# The signature, checked by openssl with the public half of the key.
openssl pkey -in "$HK_T/sso/oidc-rs256.pem" -pubout -out "$HK_T/rs256.pub" 2>/dev/null ||
    hk_fail "no RS256 key in the data folder"
printf '%s' "$IDT" | cut -d. -f1-2 | tr -d '\n' >"$HK_T/idt.in"
printf '%s' "$IDT" | cut -d. -f3 | unb64url >"$HK_T/idt.sig"
openssl dgst -sha256 -verify "$HK_T/rs256.pub" -signature "$HK_T/idt.sig" "$HK_T/idt.in" >/dev/null ||
    hk_fail "the ID token's signature does not verify"
printf 'x' >>"$HK_T/idt.in"
openssl dgst -sha256 -verify "$HK_T/rs256.pub" -signature "$HK_T/idt.sig" "$HK_T/idt.in" >/dev/null 2>&1 &&
    hk_fail "a tampered ID token verifies"
hk_log "ok: code flow with PKCE S256: code + state + iss, ID token (claims, RS256 signature verified with openssl, tamper detected)"

curl -s -H "Authorization: Bearer $AT" -o "$HK_T/ui.json" -w '%{http_code}' "$URL/userinfo" >"$HK_T/ui.code"
[ "$(cat "$HK_T/ui.code")" = 200 ] || hk_fail "userinfo: $(cat "$HK_T/ui.json")"
jq -e '.sub == "PS400000014" and .phone_number == "+970599000001"' "$HK_T/ui.json" >/dev/null ||
    hk_fail "userinfo: $(cat "$HK_T/ui.json")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer x$AT" "$URL/userinfo")" = 401 ] ||
    hk_fail "userinfo took a wrong token"
# A reused code is refused and revokes the token of its first use.
[ "$(token grant_type=authorization_code "code=$code" "redirect_uri=$CB" \
    client_id=demo-rp "code_verifier=$VERIFIER")" = 400 ] || hk_fail "a code was used twice"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AT" "$URL/userinfo")" = 401 ] ||
    hk_fail "the token of a reused code still works"
hk_log "ok: userinfo with the access token; a reused code is refused and revokes its token"

# Wrong redirect URI, unknown client: an error page, never a redirect.
loc=$(authorize "$J" "${AUTHQ/callback/evil}")
[ -z "$loc" ] && grep -q '^HTTP/1.1 400' "$HK_T/az.hdr" || hk_fail "a wrong redirect_uri was redirected to: $loc"
loc=$(authorize "$J" "${AUTHQ/client_id=demo-rp/client_id=nobody}")
[ -z "$loc" ] && grep -q '^HTTP/1.1 400' "$HK_T/az.hdr" || hk_fail "an unknown client was redirected to: $loc"
# A public client without PKCE, a bad response_type: errors at the client.
loc=$(authorize "$J" "response_type=code&client_id=demo-rp&redirect_uri=$(printf %s "$CB" | jq -sRr @uri)&scope=openid&state=s2")
case $loc in "$CB?error=invalid_request"*"state=s2"*) ;; *) hk_fail "public client without PKCE: $loc" ;; esac
loc=$(authorize "$J" "${AUTHQ/response_type=code/response_type=token}")
case $loc in "$CB?error=unsupported_response_type"*) ;; *) hk_fail "response_type=token: $loc" ;; esac
# acr_values above the account's level.
loc=$(authorize "$J" "$AUTHQ&acr_values=high")
case $loc in "$CB?error=access_denied"*) ;; *) hk_fail "acr_values=high: $loc" ;; esac
# The code goes only to its own client and redirect URI.
loc=$(authorize "$J" "$AUTHQ")
code=$(printf '%s' "$loc" | sed 's/.*[?&]code=\([^&]*\).*/\1/')
[ "$(token grant_type=authorization_code "code=$code" "redirect_uri=http://127.0.0.1:9999/cb2" \
    client_id=demo-rp "code_verifier=$VERIFIER")" = 400 ] || hk_fail "a code was taken with another redirect_uri"
hk_log "ok: wrong redirect URI / unknown client: error page; no PKCE, bad response_type, acr too low: error to the client; redirect_uri bound to the code"

# The confidential client: secret by Basic auth, ES256 ID token.
CQ="response_type=code&client_id=demo-rp-confidential&redirect_uri=$(printf %s "$CB" | jq -sRr @uri)&scope=openid&state=c1"
loc=$(authorize "$J" "$CQ")
code=$(printf '%s' "$loc" | sed 's/.*[?&]code=\([^&]*\).*/\1/')
[ "$(curl -s -o "$HK_T/tok.json" -w '%{http_code}' -u demo-rp-confidential:wrong-secret-0123456789 \
    --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "redirect_uri=$CB" "$URL/token")" = 401 ] || hk_fail "a wrong client secret was accepted"
[ "$(curl -s -o "$HK_T/tok.json" -w '%{http_code}' -u demo-rp-confidential:confidential-secret-0123456789 \
    --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "redirect_uri=$CB" "$URL/token")" = 200 ] || hk_fail "confidential client: $(cat "$HK_T/tok.json")"
jq -r .id_token "$HK_T/tok.json" | cut -d. -f1 | unb64url | jq -e '.alg == "ES256"' >/dev/null ||
    hk_fail "the confidential client's ID token is not ES256"
jq -r .id_token "$HK_T/tok.json" | cut -d. -f3 | unb64url | wc -c | grep -qx 64 ||
    hk_fail "an ES256 signature is not 64 bytes (r || s)"
hk_log "ok: confidential client with client_secret_basic (a wrong secret: 401), ES256 ID token"

# Not logged in: log in first, then back to the client.
F=$HK_T/fresh
loc=$(authorize "$F" "$AUTHQ")
case $loc in */login) ;; *) hk_fail "authorize without a session did not ask to log in: $loc" ;; esac
t=$(csrf "$F" /login)
[ "$(post "$F" /login "$HK_T/l.html" "csrf_token=$t" login=400000014 "password=olive tree 1985!")" = 303 ] ||
    hk_fail "login from authorize"
t=$(csrf "$F" /login/code)
[ "$(post "$F" /login/code "$HK_T/c.html" "csrf_token=$t" "code=$(sms +970599000001)")" = 303 ] ||
    hk_fail "code step from authorize"
back=$(sed -n 's/^[Ll]ocation: \(.*\)\r$/\1/p' "$HK_T/c.html.hdr")
case $back in */authorize?response_type=code*) ;; *) hk_fail "not sent back to authorize: $back" ;; esac
loc=$(authorize "$F" "${back#*\?}")
case $loc in "$CB?code="*) ;; *) hk_fail "no code after logging in: $loc" ;; esac
code=$(printf '%s' "$loc" | sed 's/.*[?&]code=\([^&]*\).*/\1/')
# prompt=none without a session: login_required.
loc=$(authorize "$HK_T/nobody" "$AUTHQ&prompt=none")
case $loc in "$CB?error=login_required"*) ;; *) hk_fail "prompt=none: $loc" ;; esac
# The code expires (code-lifetime = 10 s).
sleep 11
[ "$(token grant_type=authorization_code "code=$code" "redirect_uri=$CB" \
    client_id=demo-rp "code_verifier=$VERIFIER")" = 400 ] || hk_fail "an expired code was accepted"
"$CTL" -c "$HK_T/sso.ini" audit --limit 300 | grep -q 'CODE_TO_TOKEN_ERROR' || hk_fail "token errors not audited"
hk_log "ok: authorize without a session logs in (password + SMS) and comes back; prompt=none; an expired code is refused"

# citizens cannot use the officer console
[ "$(curl -s -b "$J" -o /dev/null -w '%{http_code}' "$URL/officer")" = 403 ] ||
    hk_fail "a citizen opened the officer console"
hk_log "ok: the officer console is closed to citizens"

# --- logout
t=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' "$HK_T/acc.html" | head -n 1)
[ "$(post "$J" /logout "$HK_T/lo.html" "csrf_token=$t")" = 303 ] || hk_fail "logout"
[ "$(curl -s -b "$J" -o /dev/null -w '%{http_code}' "$URL/account")" = 303 ] ||
    hk_fail "still logged in after logout"
hk_log "ok: logout ends the session"

# --- a wrong code, then the lockout on the 6th wrong password
t=$(csrf "$J" /login)
[ "$(post "$J" /login "$HK_T/l.html" "csrf_token=$t" login=400000014 \
    "password=olive tree 1985!")" = 303 ] || hk_fail "password step"
code=$(sms +970599000001)
wrong=$(printf '%06d' $(( (10#$code + 1) % 1000000 )))
t=$(csrf "$J" /login/code)
[ "$(post "$J" /login/code "$HK_T/c.html" "csrf_token=$t" "code=$wrong")" = 400 ] ||
    hk_fail "a wrong code was accepted"
summary "$HK_T/c.html" | grep -q 'code is wrong' || hk_fail "wrong code: $(summary "$HK_T/c.html")"
K=$HK_T/attacker
t=$(csrf "$K" "/login?lang=en")
for i in 1 2 3 4 5; do
	[ "$(post "$K" /login "$HK_T/w.html" "csrf_token=$t" login=400000014 \
	    "password=wrong guess $i")" = 400 ] || hk_fail "wrong password $i"
done
summary "$HK_T/w.html" | grep -q 'national ID or the password is wrong' || hk_fail "wrong password: $(summary "$HK_T/w.html")"
[ "$(post "$K" /login "$HK_T/u.html" "csrf_token=$t" login=400000071 \
    "password=wrong guess")" = 400 ] || hk_fail "unknown ID"
[ "$(summary "$HK_T/w.html")" = "$(summary "$HK_T/u.html")" ] ||
    hk_fail "unknown ID and wrong password are told apart"
[ "$(post "$K" /login "$HK_T/w.html" "csrf_token=$t" login=400000014 \
    "password=wrong guess 6")" = 429 ] || hk_fail "the 6th wrong password did not lock"
summary "$HK_T/w.html" | grep -q 'locked' || hk_fail "lock: $(summary "$HK_T/w.html")"
[ "$(post "$K" /login "$HK_T/w.html" "csrf_token=$t" login=400000014 \
    "password=olive tree 1985!")" = 429 ] || hk_fail "the right password passed a lock"
"$CTL" -c "$HK_T/sso.ini" audit --limit 200 >"$HK_T/audit.txt"
grep -q 'USER_DISABLED_BY_TEMPORARY_LOCKOUT' "$HK_T/audit.txt" || hk_fail "lockout not audited"
grep -q 'LOGIN_ERROR' "$HK_T/audit.txt" || hk_fail "login errors not audited"
grep -q 'olive tree\|wrong guess' "$HK_T/audit.txt" "$HK_T/sso.log" && hk_fail "a password reached a log"
hk_log "ok: wrong code refused; same words for unknown ID and wrong password; 6th wrong password locks, even the right one then"

# --- per-IP rate limit: 429 with Retry-After
rport=$(hk_free_port) || hk_fail "no free port"
sso_conf "$HK_T/rl.ini" "$rport" "$HK_T/rl" 2 1
hk_start rl "$SSO" -c "$HK_T/rl.ini"
hk_wait_http "http://127.0.0.1:$rport/health"
R=$HK_T/rl.jar
t=$(curl -s -c "$R" -b "$R" "http://127.0.0.1:$rport/login" |
    sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
for i in 1 2 3; do
	code=$(curl -s -c "$R" -b "$R" -D "$HK_T/rl.hdr" -o /dev/null -w '%{http_code}' \
	    --data-urlencode "csrf_token=$t" --data-urlencode login=400000022 \
	    --data-urlencode "password=x$i" "http://127.0.0.1:$rport/login")
done
[ "$code" = 429 ] || hk_fail "the 3rd POST in a burst of 2 was not refused (got $code)"
grep -qi '^retry-after: [1-9]' "$HK_T/rl.hdr" || hk_fail "no Retry-After: $(cat "$HK_T/rl.hdr")"
hk_log "ok: per-IP rate limit answers 429 with Retry-After"

hk_pass

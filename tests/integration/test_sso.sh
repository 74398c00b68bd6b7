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

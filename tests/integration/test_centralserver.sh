#!/usr/bin/env bash
# test_centralserver.sh: the central server end to end. The demo federation
# is registered by conf/demo/federation.sh (the same code ./quickstart demo
# runs) into a fresh state folder; then centralserver serves it on a free
# port and curl downloads the signed directory and its files, which are
# verified the way a security server does (gconf_check: signature with the
# anchor, hashes, expiry) and validated with xmllint against the schemas. A
# registry change must show up in a following directory, and directories
# must be re-signed before they expire.
. "$top_srcdir/tests/integration/lib.sh"
hk_init centralserver

command -v curl >/dev/null 2>&1 || hk_skip "curl not found"
command -v xmllint >/dev/null 2>&1 || hk_skip "xmllint not found"
CS=$top_builddir/centralserver
GC=$top_builddir/tests/integration/gconf_check
SCHEMAS=$top_srcdir/securityserver/schemas
[ -x "$CS" ] || hk_fail "$CS not built"
[ -x "$GC" ] || hk_fail "$GC not built"

HK_TOP=$top_srcdir
HK_BUILD=$top_builddir
HK_STATE=$HK_T/state
HK_CENTRAL_PORT=$(hk_free_port) || hk_fail "no free port"
PORT=$HK_CENTRAL_PORT
mkdir -p "$HK_STATE"
hk_pki "$HK_STATE/pki"
. "$top_srcdir/conf/demo/federation.sh"

INI=$HK_STATE/central/centralserver.ini
cs() { "$CS" -c "$INI" "$@"; }
not() { ! "$@"; }

hk_assert "the demo federation registers" fed_setup
hk_assert "centralserver -n accepts the demo config" cs -n
cs list >"$HK_T/list.txt" || hk_fail "list"
members=$(sed -n '/^members:/,/^subsystems:/p' "$HK_T/list.txt" | grep -c '^  GOV/')
subsystems=$(sed -n '/^subsystems:/,/^security servers:/p' "$HK_T/list.txt" | grep -c '^  GOV/')
servers=$(sed -n '/^security servers:/,/^security server clients:/p' "$HK_T/list.txt" | grep -c '^  GOV/')
hk_assert "13 members, 14 subsystems, 4 servers registered ($members, $subsystems, $servers)" \
    [ "$members.$subsystems.$servers" = 13.14.4 ]
hk_assert "every member of members.conf is registered" \
    [ "$members" -eq "$(grep -c '^GOV ' "$top_srcdir/certs/members.conf")" ]
hk_assert "ss-agencies hosts LICENSING" \
    grep -q '^  GOV/MTIT/ss-agencies	GOV/MOT/LICENSING$' "$HK_T/list.txt"
hk_assert "the anchor validates against its schema" \
    xmllint --noout --schema "$SCHEMAS/configuration-anchor.xsd" "$HK_STATE/central/anchor.xml"
hk_assert "the anchor names the download URL" \
    grep -q "<downloadURL>http://127.0.0.1:$PORT/internalconf</downloadURL>" "$HK_STATE/central/anchor.xml"

# Security server configurations and registrations.
for s in ss-mtit ss-moi ss-mof ss-agencies; do
	hk_assert "$s has a securityserverd.ini" [ -f "$HK_STATE/$s/securityserverd.ini" ]
done
hk_assert "ss-agencies signs for its owner and its 10 hosted members" \
    [ "$(grep -c '^\[member PS/GOV/' "$HK_STATE/ss-agencies/securityserverd.ini")" -eq 11 ]
hk_assert "ss-moi's member section names its signing key" \
    grep -q "^sign-key = $HK_STATE/pki/sign/GOV_MOI.key$" "$HK_STATE/ss-moi/securityserverd.ini"
if [ -x "$top_builddir/securityserverctl" ]; then
	ctl() { "$top_builddir/securityserverctl" -c "$HK_STATE/$1/securityserverd.ini" "${@:2}"; }
	hk_assert "ss-agencies has 10 clients" [ "$(ctl ss-agencies client list | wc -l)" -eq 10 ]
	hk_assert "ss-moi has getPerson and persons" [ "$(ctl ss-moi service list | wc -l)" -eq 2 ]
	hk_assert "SSO and PORTAL may call both" [ "$(ctl ss-moi acl list | wc -l)" -eq 4 ]
else
	hk_log "securityserverctl not built: security server registrations not checked"
fi
if [ -x "$top_builddir/securityserverd" ]; then
	for s in ss-mtit ss-moi ss-mof ss-agencies; do
		hk_assert "securityserverd -n accepts $s" \
		    "$top_builddir/securityserverd" -n -c "$HK_STATE/$s/securityserverd.ini"
	done
fi

# A second run keeps the registry as it is.
audit_before=$(cs audit | wc -l)
hk_assert "a second set-up run succeeds" fed_setup
hk_assert "and changes nothing" [ "$(cs audit | wc -l)" -eq "$audit_before" ]

# Bad input: a message, exit 1, nothing written.
refused() {
	local what=$1
	shift
	if cs "$@" >"$HK_T/out.txt" 2>"$HK_T/err.txt"; then
		hk_fail "accepted: $what"
	fi
	[ -s "$HK_T/err.txt" ] || hk_fail "no message for: $what"
	hk_log "ok: refused $what: $(cat "$HK_T/err.txt")"
}
refused "a duplicate member" member add GOV MOI "Again"
refused "an unknown member class" member add XYZ FOO "Foo"
refused "a bad member code" member add GOV "A B" "Foo"
refused "a subsystem of an unknown member" subsystem add GOV/NOPE SUB
refused "a server of an unknown owner" server add GOV/NOPE ss-x --address 127.0.0.1:1
refused "a server with a bad certificate" server add GOV/MOI ss-x --auth-cert "$INI"
refused "an unknown client" server client-add PS/GOV/MOI/ss-moi PS/GOV/MOI/NOPE
refused "another instance's client" server client-add PS/GOV/MOI/ss-moi EE/GOV/MOI/X
refused "a CA whose intermediate is not issued by it" ca add X \
    "$HK_STATE/pki/ca/ca.pem" --intermediate "$HK_STATE/pki/root/ca.pem"
refused "a TSA without an http URL" tsa add T 127.0.0.1:8091 "$HK_STATE/pki/tsa/tsa.pem"
refused "the reserved owners group" group add security-server-owners "x"
refused "an out of range setting" set ocsp-freshness 0
refused "an unknown setting" set foo 5
refused "a second init" init
hk_assert "no refused command left a trace" [ "$(cs audit | wc -l)" -eq "$audit_before" ]
"$CS" -c "$INI" bogus >/dev/null 2>&1
hk_assert "an unknown command is a usage error" [ $? -eq 2 ]

# Serve with short intervals (same registry).
sed -e 's/^expire-interval = .*/expire-interval = 20/' \
    -e 's/^generation-interval = .*/generation-interval = 1/' "$INI" >"$HK_T/serve.ini"
hk_start centralserver "$CS" -c "$HK_T/serve.ini" serve
hk_wait_http "http://127.0.0.1:$PORT/health"
URL=http://127.0.0.1:$PORT

# fetch N: directory N into $HK_T/dirN (+ .ctype), verified; its files.
fetch() {
	local n=$1 loc cid
	curl -s -f -o "$HK_T/dir$n" -w '%{content_type}' "$URL/internalconf?version=3" \
	    >"$HK_T/dir$n.ctype" || hk_fail "download of directory $n"
	"$GC" "$HK_STATE/central/anchor.xml" "$SCHEMAS" "$HK_T/dir$n" \
	    "$(cat "$HK_T/dir$n.ctype")" >"$HK_T/dir$n.txt" ||
	    hk_fail "directory $n does not verify with the anchor"
	while read -r _ cid loc; do
		case $cid in
		SHARED-PARAMETERS) echo "$loc" >"$HK_T/dir$n.shared.loc"
			curl -s -f -o "$HK_T/shared$n.xml" "$URL$loc" || hk_fail "GET $loc" ;;
		PRIVATE-PARAMETERS) echo "$loc" >"$HK_T/dir$n.private.loc"
			curl -s -f -o "$HK_T/private$n.xml" "$URL$loc" || hk_fail "GET $loc" ;;
		esac
	done < <(grep '^entry ' "$HK_T/dir$n.txt")
	"$GC" "$HK_STATE/central/anchor.xml" "$SCHEMAS" "$HK_T/dir$n" \
	    "$(cat "$HK_T/dir$n.ctype")" \
	    "$(cat "$HK_T/dir$n.shared.loc")" "$HK_T/shared$n.xml" \
	    "$(cat "$HK_T/dir$n.private.loc")" "$HK_T/private$n.xml" >/dev/null ||
	    hk_fail "the files of directory $n do not match their hashes"
}

fetch 1
hk_log "ok: directory 1 verifies with the anchor, its files match their hashes"
hk_assert "the directory is version 3" grep -q '^version 3$' "$HK_T/dir1.txt"
hk_assert "shared-params validates against the v3 schema" \
    xmllint --noout --schema "$SCHEMAS/globalconf/v3/shared-parameters.xsd" "$HK_T/shared1.xml"
hk_assert "private-params validates against the v3 schema" \
    xmllint --noout --schema "$SCHEMAS/globalconf/v3/private-parameters.xsd" "$HK_T/private1.xml"
for want in '<memberCode>MOLG</memberCode>' '<subsystemCode>CIVIL-REGISTER</subsystemCode>' \
    '<serverCode>ss-agencies</serverCode>' '<address>127.0.0.1:5530</address>' \
    '<groupCode>hukumati-services</groupCode>' '<groupCode>security-server-owners</groupCode>' \
    '<url>http://127.0.0.1:8092</url>' '<url>http://127.0.0.1:8091</url>' \
    "<address>127.0.0.1:$PORT</address>"; do
	hk_assert "shared-params has $want" grep -qF "$want" "$HK_T/shared1.xml"
done
hk_assert "private-params has the timestamping interval 5" \
    grep -q '<timeStampingIntervalSeconds>5</timeStampingIntervalSeconds>' "$HK_T/private1.xml"

# Expiry: the client-side check refuses the same directory once expired.
expire=$(awk '/^expire / { print $2 }' "$HK_T/dir1.txt")
"$GC" -t $((expire + 1)) "$HK_STATE/central/anchor.xml" "$SCHEMAS" "$HK_T/dir1" \
    "$(cat "$HK_T/dir1.ctype")" >/dev/null 2>&1
hk_assert "an expired directory is refused" [ $? -eq 3 ]
"$GC" -t $((expire - 1)) "$HK_STATE/central/anchor.xml" "$SCHEMAS" "$HK_T/dir1" \
    "$(cat "$HK_T/dir1.ctype")" >/dev/null 2>&1
hk_assert "and accepted a second before" [ $? -eq 0 ]
# Tampering breaks the signature.
sed 's/^Version: 3/Version: 4/' "$HK_T/dir1" >"$HK_T/dir1.bad"
hk_assert "a tampered directory is refused" \
    not "$GC" "$HK_STATE/central/anchor.xml" "$SCHEMAS" "$HK_T/dir1.bad" "$(cat "$HK_T/dir1.ctype")"
# A directory signed by another key is refused.
cp "$HK_STATE/central/anchor.xml" "$HK_T/other-anchor.xml"
other=$("$OPENSSL" x509 -in "$HK_STATE/pki/tsa/tsa.pem" -outform DER | base64 -w0)
sed -i "s|<verificationCert>.*</verificationCert>|<verificationCert>$other</verificationCert>|" \
    "$HK_T/other-anchor.xml"
hk_assert "a directory not signed by the anchor's key is refused" \
    not "$GC" "$HK_T/other-anchor.xml" "$SCHEMAS" "$HK_T/dir1" "$(cat "$HK_T/dir1.ctype")"

# HTTP: other versions, unknown files, other methods.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
hk_assert "version 2 is 404" [ "$(code "$URL/internalconf?version=2")" = 404 ]
hk_assert "no version is 404" [ "$(code "$URL/internalconf")" = 404 ]
hk_assert "a bad version is 404" [ "$(code "$URL/internalconf?version=x")" = 404 ]
hk_assert "externalconf is 404" [ "$(code "$URL/externalconf?version=3")" = 404 ]
hk_assert "an unknown file is 404" [ "$(code "$URL/V3/00000000000000000000000/shared-params.xml")" = 404 ]
hk_assert "POST is 405" [ "$(code -X POST "$URL/internalconf?version=3")" = 405 ]
hk_assert "dot segments are 400" [ "$(code --path-as-is "$URL/V3/../health")" = 400 ]
hk_assert "health is ok" sh -c "curl -s '$URL/health' | grep -q '\"status\":\"ok\"'"

# Re-signing: a later directory expires later.
i=0
while :; do
	fetch 2
	expire2=$(awk '/^expire / { print $2 }' "$HK_T/dir2.txt")
	[ "$expire2" -gt "$expire" ] && break
	i=$((i + 1))
	[ $i -lt 50 ] || hk_fail "the directory was not re-signed"
	sleep 0.1
done
hk_log "ok: re-signed (expiry $expire -> $expire2)"
hk_assert "unchanged files keep their location" \
    cmp -s "$HK_T/dir1.shared.loc" "$HK_T/dir2.shared.loc"

# A registry change while serving shows up in a following directory.
cs member-class add COM-TEST "Test companies" >/dev/null || hk_fail "member-class add"
cs member add COM-TEST TEST1 "Test company one" >/dev/null || hk_fail "member add"
i=0
while :; do
	fetch 3
	grep -q '<memberCode>TEST1</memberCode>' "$HK_T/shared3.xml" && break
	i=$((i + 1))
	[ $i -lt 50 ] || hk_fail "the new member did not show up"
	sleep 0.1
done
hk_log "ok: a new member shows up in the next directory"
hk_assert "the shared file has a new location" \
    not cmp -s "$HK_T/dir1.shared.loc" "$HK_T/dir3.shared.loc"
hk_assert "the private file kept its location" \
    cmp -s "$HK_T/dir1.private.loc" "$HK_T/dir3.private.loc"
hk_assert "the previous shared file is still served" \
    [ "$(code "$URL$(cat "$HK_T/dir1.shared.loc")")" = 200 ]
hk_assert "the new shared-params still validates" \
    xmllint --noout --schema "$SCHEMAS/globalconf/v3/shared-parameters.xsd" "$HK_T/shared3.xml"
hk_assert "the change is audited" sh -c "'$CS' -c '$INI' audit | grep -q 'member add	COM-TEST/TEST1'"

hk_stop_all
hk_assert "the server logged no warning or sanitizer report" \
    not grep -q 'warn\|Sanitizer' "$HK_T/centralserver.log"
hk_pass

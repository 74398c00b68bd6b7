#!/usr/bin/env bash
# certs/ocsp-responder.sh: run the dev OCSP responder over a dev PKI.
#
#   ocsp-responder.sh DIR PORT [devocsp options, e.g. -d or -n MINUTES]
#
# Answers on http://127.0.0.1:PORT/ (POST, or GET of the base64 request)
# for the certificates of DIR/ca/index.txt (the issuing CA's openssl ca
# database, re-read when it changes), signing with DIR/ocsp/ocsp.{key,pem};
# responses carry nextUpdate (-n, default 60 minutes) and the nonce.
#
# It runs devocsp, not "openssl ocsp -port": openssl ocsp (3.0) takes only
# a port number and listens on every address ([::]), and the dev
# federation listens on 127.0.0.1 only. devocsp is looked for in:
# $DEVOCSP, $HK_BUILD, $top_builddir, ../_build or ../_build-asan next to
# this script (the quickstart build folders), ../../../sbin (installed
# under $prefix/share/hukumati/certs), then $PATH.
set -euo pipefail

die() {
	printf 'ocsp-responder: %s\n' "$*" >&2
	exit 1
}

[ $# -ge 2 ] || {
	echo "usage: ocsp-responder.sh DIR PORT [-d] [-n minutes]" >&2
	exit 2
}
dir=$1
port=$2
shift 2
case $port in
''|*[!0-9]*) die "PORT must be a number" ;;
esac
for f in ca/index.txt ca/ca.pem ocsp/ocsp.pem ocsp/ocsp.key; do
	[ -r "$dir/$f" ] || die "$dir/$f is missing (make the PKI with mkpki.sh)"
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
devocsp=""
for c in "${DEVOCSP:-}" "${HK_BUILD:+$HK_BUILD/devocsp}" \
    "${top_builddir:+$top_builddir/devocsp}" "$here/../_build/devocsp" \
    "$here/../_build-asan/devocsp" \
    "$here/../../../sbin/devocsp" "$(command -v devocsp 2>/dev/null || true)"; do
	if [ -n "$c" ] && [ -x "$c" ]; then
		devocsp=$c
		break
	fi
done
[ -n "$devocsp" ] || die "devocsp not found (build it, or set DEVOCSP=/path/to/devocsp)"

exec "$devocsp" -p "$port" -i "$dir/ca/index.txt" -c "$dir/ca/ca.pem" \
    -r "$dir/ocsp/ocsp.pem" -k "$dir/ocsp/ocsp.key" "$@"

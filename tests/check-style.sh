#!/bin/sh
# check-style.sh: reject the functions STYLE.md bans, in every C source.
# Usage: check-style.sh [srcdir]
srcdir=${1:-${top_srcdir:-.}}
banned='\<(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol)[[:space:]]*\('
found=$(find "$srcdir/securityserver" "$srcdir/hukumati-services" \
    "$srcdir/certs" "$srcdir/tests" -name '*.[ch]' -print 2>/dev/null |
    xargs grep -nE "$banned" 2>/dev/null |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$found" ]; then
	echo "check-style: banned functions (see STYLE.md):"
	echo "$found"
	exit 1
fi
echo "check-style: no banned functions"
exit 0

#!/bin/sh
# seeds.sh: run every fuzz target over its seed corpus, each seed as a
# file argument (libFuzzer then runs the files and exits, as driver.c
# does). Every folder tests/fuzz/corpus/NAME needs a target fuzz_NAME.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
rc=0
for dir in "$top_srcdir"/tests/fuzz/corpus/*/; do
	name=$(basename "$dir")
	target=$top_builddir/tests/fuzz/fuzz_$name
	if [ ! -x "$target" ]; then
		echo "FAIL: $name: no target $target"
		rc=1
		continue
	fi
	if "$target" "$dir"* >"$top_builddir/tests/fuzz/seeds-$name.log" 2>&1
	then
		echo "ok: $name"
	else
		echo "FAIL: $name (see tests/fuzz/seeds-$name.log)"
		tail -n 30 "$top_builddir/tests/fuzz/seeds-$name.log"
		rc=1
	fi
done
exit $rc

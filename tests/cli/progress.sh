#!/bin/sh
# progress.sh — work that takes over a second shows progress on stderr when
# stderr is a terminal (here a pseudo-terminal made by script(1)), and none
# when it is not.
. "$top_srcdir/tests/cli/lib.sh"
plan 4
if ! command -v script >/dev/null 2>&1; then
	for i in 1 2 3 4; do echo "ok $i # SKIP script(1) not installed"; done
	exit 0
fi
"$top_builddir/bench/gen-trace" 2500000 >big.csv
script -qec "'$VMREPLAY' import csv big.csv -o tty.db" /dev/null >tty.txt 2>&1
ok $? "import on a terminal succeeds"
grep -q 'import .*%' tty.txt
ok $? "and shows a progress meter"
expect_status 0 "import with stderr to a file" "$VMREPLAY" import csv big.csv -o file.db
grep -q '%' err.txt
ok $((! $?)) "shows no progress meter"
done_testing

#!/bin/sh
# quickstart.sh — the README's main job (scripts/demo.sh) runs on the
# shipped traces: it stores them, replays the merged trace through six
# kernels at four sizes and prints the comparison.
. "$top_srcdir/tests/cli/lib.sh"
plan 6
expect_status 0 "scripts/demo.sh succeeds" \
	env VMREPLAY="$VMREPLAY" "$top_srcdir/scripts/demo.sh" demo.db
grep -Eq "^ *3  compile\\+nfs  merge +58250 " out.txt
ok $? "it stores the merged trace (57742 kernel events + 508 datagrams)"
grep -q 'replayed 58250 of 58250 events through 24 models' err.txt
ok $? "it replays it through 24 models in one pass"
grep -Eq '^mem +2\.0\.33 +2\.1\.90 +rik +linus +2\.1\.92 +2\.2\.0$' out.txt
ok $? "compare shows the kernels as columns"
grep -Eq '^64M ' out.txt
ok $? "and the sizes as rows"
n=$("$VMREPLAY" sql demo.db "SELECT count(*) FROM run" --csv | tail -1)
[ "$n" = 24 ]
ok $? "24 runs stored ($n)"
done_testing

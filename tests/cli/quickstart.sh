#!/bin/sh
# quickstart.sh — the README's main job (scripts/demo.sh) runs on the
# shipped traces and prints the traces and the summary.
. "$top_srcdir/tests/cli/lib.sh"
plan 3
VMREPLAY=$VMREPLAY expect_status 0 "scripts/demo.sh succeeds" \
	env VMREPLAY="$VMREPLAY" "$top_srcdir/scripts/demo.sh" demo.db
grep -q '^ *1  nfs-ipfrag  csv-native' out.txt
ok $? "it lists the imported trace"
grep -Eq '^ *8340 +6 +182 ' out.txt
ok $? "it shows the 182 datagrams of 8340 bytes in 6 fragments"
done_testing

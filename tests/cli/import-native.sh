#!/bin/sh
# import-native.sh — imports the shipped native sample trace and checks
# `traces`, the events view and the per-kind views against golden output.
. "$top_srcdir/tests/cli/lib.sh"
plan 6
sample=$top_srcdir/traces/nfs-ipfrag-netrx.csv

expect_status 0 "import csv of the shipped sample" \
	"$VMREPLAY" import csv "$sample" -o lab.db --name nfs
expect_stderr "vmreplay: imported 508 events from $sample as trace 'nfs'" \
	"import reports the number of events"
"$VMREPLAY" traces lab.db --format csv | cut -d, -f1-6 >out.txt
expect_golden import-native-traces.txt "traces lists the trace"
"$VMREPLAY" sql lab.db "SELECT bytes, fragments, count(*) AS n FROM net_rx \
	GROUP BY bytes, fragments ORDER BY n DESC, bytes LIMIT 5" >out.txt
expect_golden import-native-netrx.txt "net_rx view groups datagram sizes"
"$VMREPLAY" sql lab.db "SELECT count(*) FROM events WHERE kind='net_rx'" \
	--csv >out.txt
printf 'count(*)\n508\n' | diff - out.txt >/dev/null
ok $? "SELECT count(*) FROM events WHERE kind='net_rx' just works"
expect_status 1 "importing the same name twice fails" \
	"$VMREPLAY" import csv "$sample" -o lab.db --name nfs
done_testing

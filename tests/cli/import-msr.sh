#!/bin/sh
# import-msr.sh — imports the MSR Cambridge excerpt from the shared corpus
# and checks the block events against golden output (the corpus says:
# 1000 records, 508 Read, 492 Write, 2007-02-22).
. "$top_srcdir/tests/cli/lib.sh"
plan 4
msr=$SHARED/corpus/csv/msr-cambridge-hm0-1000lines_lyrakisk-cache-simulator.csv

expect_status 0 "import csv --format msr" \
	"$VMREPLAY" import csv "$msr" --format msr -o lab.db --name hm0
"$VMREPLAY" sql lab.db "SELECT kind, count(*) AS n, sum(count) AS sectors, \
	min(block), max(block) FROM events GROUP BY kind ORDER BY kind" >out.txt
expect_golden import-msr-kinds.txt "block events by kind"
"$VMREPLAY" sql lab.db "SELECT ts_ns, kind, dev, block, count FROM events \
	ORDER BY id LIMIT 3" --csv >out.txt
expect_golden import-msr-first.txt "first rows: FILETIME to ns, bytes to sectors"
"$VMREPLAY" traces lab.db --format csv | cut -d, -f2-6 >out.txt
printf 'name,source,events,start_utc,span_s\nhm0,csv-msr,1000,2007-02-22 17:22:09.551,127.233\n' |
	diff - out.txt >/dev/null
ok $? "trace spans 127.233 s from 2007-02-22 17:22:09.551 UTC"
done_testing

#!/bin/sh
# proc-import.sh — `vmreplay import proc` of the shared corpus /proc
# snapshots: buddyinfo per node/zone/order, pagetypeinfo, vmstat, and the
# kernel's fragmentation indices (source fragindex).
. "$top_srcdir/tests/cli/lib.sh"
q() { "$VMREPLAY" sql lab.db "$1" --csv | tail -1; }
P=$SHARED/corpus/proc
plan 8
expect_status 0 "import 3.13 snapshot" "$VMREPLAY" import proc "$P"/ubuntu-3.13-x86_64_csm-csci442-proc-snapshot-buddyinfo "$P"/ubuntu-3.13-x86_64_csm-csci442-proc-snapshot-pagetypeinfo "$P"/ubuntu-3.13-x86_64_csm-csci442-proc-snapshot-vmstat -o lab.db --name u313
[ "$(q "SELECT count(*) FROM sample WHERE source='buddyinfo'")" = 33 ]
ok $? "33 buddyinfo rows (3 zones x 11 orders)"
[ "$(q "SELECT value FROM sample WHERE source='buddyinfo' AND zone='Normal' AND name='order.10'")" = 368 ]
ok $? "Normal order 10 = 368"
[ "$(q "SELECT count(*) FROM sample WHERE source='fragindex'")" = 66 ]
ok $? "unusable and extfrag per zone and order"
[ "$(q "SELECT value FROM sample WHERE source='fragindex' AND zone='DMA' AND name='extfrag.o10'")" = -1000 ]
ok $? "extfrag is -1000 where the request succeeds"
[ "$(q "SELECT value FROM sample WHERE source='pagetypeinfo' AND zone='Normal' AND name='blocks.Movable'")" = 2151 ]
ok $? "pagetypeinfo block counts"
[ "$(q "SELECT value FROM sample WHERE source='vmstat' AND name='nr_free_pages'")" = 1381407 ]
ok $? "vmstat values"
echo "hello" >junk
expect_status 1 "a file that is no /proc file fails" "$VMREPLAY" import proc junk -o lab.db --name junk
done_testing

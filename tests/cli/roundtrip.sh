#!/bin/sh
# roundtrip.sh — export csv writes the native format; importing the export
# gives the same rows (every column, NULLs, extras, gfp, order).
. "$top_srcdir/tests/cli/lib.sh"
plan 6
cat >mixed.csv <<'CSV'
ts_ns,kind,task,obj,order,bytes,gfp,file,offset,count,dev,block,flags
1000,page_alloc,7,4096,2,,GFP_ATOMIC,,,,,,
1500,kmalloc,7,0xdeadbeef,,8488,GFP_ATOMIC|__GFP_DMA,,,,,,
2000,net_rx,,3,,8340,,,,6,,,0
2500,file_read,9,,,,,77,12,2,,,
3000,blk_write,9,,,,,,,8,3,123456,1
3500,anon_touch,9,,,,,,4096,16,,,1
4000,page_free,7,4096,2,,,99,,,,,
4500,kfree,7,3735928559,,,,,,,,,
5000,task_exit,9,,,,,,,,,,
5500,reclaim_begin,7,,3,,GFP_KERNEL,,,,,,
6000,reclaim_end,7,,3,,GFP_KERNEL,,,32,,,
6500,mark,,1,,2,,,,,,,5
CSV
expect_status 0 "import a trace that uses every kind and column" \
	"$VMREPLAY" import csv mixed.csv -o a.db --name mixed
expect_status 0 "export csv" "$VMREPLAY" export csv a.db --trace mixed -o out1.csv
expect_status 0 "import the export" \
	"$VMREPLAY" import csv out1.csv -o b.db --name mixed
"$VMREPLAY" export csv b.db --trace mixed -o out2.csv
cmp -s out1.csv out2.csv
ok $? "export of the re-import is byte-identical"
cp out1.csv out.txt
expect_golden roundtrip-export.csv "export shows every column as imported"
"$VMREPLAY" sql a.db "ATTACH 'b.db' AS b; SELECT count(*) FROM (SELECT ts_ns, kind, task, obj, \"order\", bytes, gfp, file, \"offset\", count, dev, block, flags FROM main.events EXCEPT SELECT ts_ns, kind, task, obj, \"order\", bytes, gfp, file, \"offset\", count, dev, block, flags FROM b.events)" --csv >out.txt 2>err.txt
printf 'count(*)\n0\n' | diff - out.txt >/dev/null
ok $? "the two databases hold the same rows"
done_testing

#!/bin/sh
# demo.sh — the main job on the traces shipped in traces/: the kernel
# allocations of a real compile (traces/cc-kmem.csv, recorded with
# `vmreplay record ftrace`: page-cache fills, slab and page allocations)
# followed by the datagrams an NFS server received
# in a real capture (traces/nfs-ipfrag-netrx.csv: 182 WRITEs of 8 KB in six
# IP fragments), merged into one trace and replayed through six 1998 kernels
# at four memory sizes; prints the comparison.  Database: demo.db, or $1.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
vmreplay=${VMREPLAY:-$top/vmreplay}
db=${1:-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
"$vmreplay" import csv "$top/traces/cc-kmem.csv" -o "$db" --name cc-kmem
"$vmreplay" import csv "$top/traces/nfs-ipfrag-netrx.csv" -o "$db" --name nfs-server
"$vmreplay" merge "$db" --trace cc-kmem --trace nfs-server --name compile+nfs
echo "== traces in $db"
"$vmreplay" traces "$db"
echo
"$vmreplay" replay "$db" --trace compile+nfs \
	--kernel 2.0.33,2.1.90,rik,linus,2.1.92,2.2.0 --mem 8M,12M,32M,64M
echo
echo "== compile + NFS server traffic: kernels (columns) x memory (rows)"
"$vmreplay" compare "$db" --trace compile+nfs

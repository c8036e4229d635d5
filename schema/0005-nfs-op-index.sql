-- 0005-nfs-op-index.sql — nfs_op is indexed by trace_id alone, from the
-- start.  Before, an import built nfs_op(trace_id, xid) after its rows were
-- in (CREATE INDEX at the end of the transaction: a sort of every row, on
-- the importing thread, after everything else).  Nothing looks rows up by
-- xid; the index serves per-trace queries and deletes.  Rows of one import
-- share one trace_id and come in rowid order, so this index grows by
-- appending while the rows are stored.  docs/store-design.md.
DROP INDEX IF EXISTS nfs_op_trace;
CREATE INDEX nfs_op_trace ON nfs_op(trace_id);

/*
 * net-nfs.c — NFS procedure arguments and results (RFC 1094 NFSv2,
 * RFC 1813 NFSv3, RFC 7530/8881/7862 NFSv4.x COMPOUND): the file handle,
 * offset and count of a call, the status and count of a reply, and the
 * operation list of a v4 COMPOUND.
 */
#include "net.h"
#include "bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const v2_names[] = {
    "NULL", "GETATTR",	  "SETATTR", "ROOT",   "LOOKUP",  "READLINK",
    "READ", "WRITECACHE", "WRITE",   "CREATE", "REMOVE",  "RENAME",
    "LINK", "SYMLINK",	  "MKDIR",   "RMDIR",  "READDIR", "STATFS",
};
static const char *const v3_names[] = {
    "NULL",   "GETATTR", "SETATTR",  "LOOKUP", "ACCESS",  "READLINK",
    "READ",   "WRITE",	 "CREATE",   "MKDIR",  "SYMLINK", "MKNOD",
    "REMOVE", "RMDIR",	 "RENAME",   "LINK",   "READDIR", "READDIRPLUS",
    "FSSTAT", "FSINFO",	 "PATHCONF", "COMMIT",
};
static const char *const v4_ops[] = {
    [3] = "ACCESS",
    [4] = "CLOSE",
    [5] = "COMMIT",
    [6] = "CREATE",
    [7] = "DELEGPURGE",
    [8] = "DELEGRETURN",
    [9] = "GETATTR",
    [10] = "GETFH",
    [11] = "LINK",
    [12] = "LOCK",
    [13] = "LOCKT",
    [14] = "LOCKU",
    [15] = "LOOKUP",
    [16] = "LOOKUPP",
    [17] = "NVERIFY",
    [18] = "OPEN",
    [19] = "OPENATTR",
    [20] = "OPEN_CONFIRM",
    [21] = "OPEN_DOWNGRADE",
    [22] = "PUTFH",
    [23] = "PUTPUBFH",
    [24] = "PUTROOTFH",
    [25] = "READ",
    [26] = "READDIR",
    [27] = "READLINK",
    [28] = "REMOVE",
    [29] = "RENAME",
    [30] = "RENEW",
    [31] = "RESTOREFH",
    [32] = "SAVEFH",
    [33] = "SECINFO",
    [34] = "SETATTR",
    [35] = "SETCLIENTID",
    [36] = "SETCLIENTID_CONFIRM",
    [37] = "VERIFY",
    [38] = "WRITE",
    [39] = "RELEASE_LOCKOWNER",
    [40] = "BACKCHANNEL_CTL",
    [41] = "BIND_CONN_TO_SESSION",
    [42] = "EXCHANGE_ID",
    [43] = "CREATE_SESSION",
    [44] = "DESTROY_SESSION",
    [45] = "FREE_STATEID",
    [46] = "GET_DIR_DELEGATION",
    [47] = "GETDEVICEINFO",
    [48] = "GETDEVICELIST",
    [49] = "LAYOUTCOMMIT",
    [50] = "LAYOUTGET",
    [51] = "LAYOUTRETURN",
    [52] = "SECINFO_NO_NAME",
    [53] = "SEQUENCE",
    [54] = "SET_SSV",
    [55] = "TEST_STATEID",
    [56] = "WANT_DELEGATION",
    [57] = "DESTROY_CLIENTID",
    [58] = "RECLAIM_COMPLETE",
    [59] = "ALLOCATE",
    [60] = "COPY",
    [61] = "COPY_NOTIFY",
    [62] = "DEALLOCATE",
    [63] = "IO_ADVISE",
    [64] = "LAYOUTERROR",
    [65] = "LAYOUTSTATS",
    [66] = "OFFLOAD_CANCEL",
    [67] = "OFFLOAD_STATUS",
    [68] = "READ_PLUS",
    [69] = "SEEK",
    [70] = "WRITE_SAME",
    [71] = "CLONE",
};

const char *net_nfs_proc_name(uint32_t vers, uint32_t proc)
{
	if (vers == 2 && proc < NET_ARRAY_LEN(v2_names))
		return v2_names[proc];
	if (vers == 3 && proc < NET_ARRAY_LEN(v3_names))
		return v3_names[proc];
	if (vers == 4 && proc <= 1)
		return proc ? "COMPOUND" : "NULL";
	return NULL;
}

const char *net_nfs4_op_name(uint32_t op)
{
	if (op == 10044)
		return "ILLEGAL";
	return op < NET_ARRAY_LEN(v4_ops) ? v4_ops[op] : NULL;
}

/* --------------------------------------------------------------- v2/v3 */

#define V2_FHSIZE   32
#define V3_FHMAX    64
#define FATTR2_SIZE 68
#define FATTR3_SIZE 84

static int64_t fh2(struct rp_bytes *b)
{
	const uint8_t *p = rp_bytes_ptr(b, V2_FHSIZE);
	return p ? net_fh_hash(p, V2_FHSIZE) : 0;
}

static int64_t fh3(struct rp_bytes *b)
{
	uint32_t n;
	const uint8_t *p = rp_bytes_xdr_opaque(b, V3_FHMAX, &n);
	return p ? net_fh_hash(p, n) : 0;
}

static void post_op_attr(struct rp_bytes *b)
{
	if (rp_bytes_be32(b))
		rp_bytes_skip(b, FATTR3_SIZE);
}

static bool v2_call(uint32_t proc, struct rp_bytes *b, struct net_nfs_call *c)
{
	if (proc == 0 || proc == 3 || proc == 7 || proc > 17)
		return true;
	c->fh_hash = fh2(b);
	if (proc == 6) { /* READ: offset, count, totalcount */
		c->offset = rp_bytes_be32(b);
		c->count = rp_bytes_be32(b);
		c->data = NET_NFS_READ;
	} else if (proc == 8) { /* WRITE: beginoffset, offset, totalcount */
		rp_bytes_skip(b, 4);
		c->offset = rp_bytes_be32(b);
		rp_bytes_skip(b, 4);
		c->count = rp_bytes_be32(b); /* data length */
		c->data = NET_NFS_WRITE;
	}
	if (b->err) {
		c->data = NET_NFS_NONE;
		return false;
	}
	return true;
}

static bool v3_call(uint32_t proc, struct rp_bytes *b, struct net_nfs_call *c)
{
	if (proc == 0 || proc > 21)
		return true;
	c->fh_hash = fh3(b);
	if (proc == 6 || proc == 7 || proc == 21) { /* READ, WRITE, COMMIT */
		uint64_t off = rp_bytes_be64(b);
		c->offset = off > INT64_MAX ? INT64_MAX : (int64_t)off;
		c->count = rp_bytes_be32(b);
		if (!b->err)
			c->data = proc == 6   ? NET_NFS_READ
				  : proc == 7 ? NET_NFS_WRITE
					      : NET_NFS_NONE;
	}
	return !b->err;
}

static bool v2_reply(uint32_t proc, struct rp_bytes *b, struct net_nfs_reply *r)
{
	if (proc == 0 || proc == 3 || proc == 7 || proc > 17) {
		r->status = 0;
		return true;
	}
	uint32_t st = rp_bytes_be32(b);
	if (b->err)
		return false;
	r->status = (int32_t)(st & 0x7fffffff);
	if (st != 0)
		return true;
	if (proc == 6) { /* READ: fattr, data */
		rp_bytes_skip(b, FATTR2_SIZE);
		uint32_t n = rp_bytes_be32(b);
		if (!b->err)
			r->count = n;
	} else if (proc == 4 || proc == 9 || proc == 14) {
		r->fh_hash = fh2(b);
	}
	return !b->err;
}

static bool v3_reply(uint32_t proc, struct rp_bytes *b, struct net_nfs_reply *r)
{
	if (proc == 0 || proc > 21) {
		r->status = 0;
		return true;
	}
	uint32_t st = rp_bytes_be32(b);
	if (b->err)
		return false;
	r->status = (int32_t)(st & 0x7fffffff);
	if (proc == 6) { /* READ: post_op_attr, [count, eof, data] */
		post_op_attr(b);
		if (st == 0) {
			uint32_t n = rp_bytes_be32(b);
			if (!b->err)
				r->count = n;
		}
	} else if (proc == 7) { /* WRITE: wcc_data, [count, committed, verf] */
		if (rp_bytes_be32(b))
			rp_bytes_skip(b, 24);
		post_op_attr(b);
		if (st == 0) {
			uint32_t n = rp_bytes_be32(b);
			if (!b->err)
				r->count = n;
		}
	} else if (proc == 3 && st == 0) { /* LOOKUP */
		r->fh_hash = fh3(b);
	} else if ((proc >= 8 && proc <= 11) && st == 0) { /* CREATE... */
		if (rp_bytes_be32(b))
			r->fh_hash = fh3(b);
	}
	return !b->err;
}

/* ------------------------------------------------------------------ v4 */

static void skip_bitmap(struct rp_bytes *b)
{
	uint32_t n = rp_bytes_be32(b);
	if (n > 64) {
		b->err = true;
		return;
	}
	rp_bytes_skip(b, 4u * n);
}

static void skip_fattr(struct rp_bytes *b)
{
	skip_bitmap(b);
	rp_bytes_xdr_skip_opaque(b, 1u << 20);
}

static void skip_str(struct rp_bytes *b)
{
	rp_bytes_xdr_skip_opaque(b, 1u << 16);
}

static void skip_owner(struct rp_bytes *b) /* clientid + opaque owner */
{
	rp_bytes_skip(b, 8);
	rp_bytes_xdr_skip_opaque(b, 1024);
}

#define STATEID 16

/* Skips the arguments of one COMPOUND operation; false if it cannot. */
static bool v4_skip_args(uint32_t op, struct rp_bytes *b,
			 struct net_nfs_call *c)
{
	uint32_t n, t;
	switch (op) {
	case 10: /* GETFH */
	case 16: /* LOOKUPP */
	case 23: /* PUTPUBFH */
	case 24: /* PUTROOTFH */
	case 27: /* READLINK */
	case 31: /* RESTOREFH */
	case 32: /* SAVEFH */ break;
	case 3:
	case 19:
	case 52:
	case 58: rp_bytes_skip(b, 4); break;
	case 4: rp_bytes_skip(b, 4 + STATEID); break;
	case 5: rp_bytes_skip(b, 12); break;
	case 6: /* CREATE */
		t = rp_bytes_be32(b);
		if (t == 5)
			skip_str(b);
		else if (t == 3 || t == 4)
			rp_bytes_skip(b, 8);
		skip_str(b);
		skip_fattr(b);
		break;
	case 7:
	case 30:
	case 57: rp_bytes_skip(b, 8); break;
	case 8:
	case 45:
	case 66:
	case 67: rp_bytes_skip(b, STATEID); break;
	case 9: skip_bitmap(b); break;
	case 11:
	case 15:
	case 28:
	case 33: skip_str(b); break;
	case 12: /* LOCK */
		rp_bytes_skip(b, 4 + 4 + 16);
		if (rp_bytes_be32(b)) {
			rp_bytes_skip(b, 4 + STATEID + 4);
			skip_owner(b);
		} else
			rp_bytes_skip(b, STATEID + 4);
		break;
	case 13:
		rp_bytes_skip(b, 4 + 16);
		skip_owner(b);
		break;
	case 14: rp_bytes_skip(b, 4 + 4 + STATEID + 16); break;
	case 17:
	case 37: skip_fattr(b); break;
	case 18: /* OPEN */
		rp_bytes_skip(b, 12);
		skip_owner(b);
		if (rp_bytes_be32(b) == 1) { /* OPEN4_CREATE */
			t = rp_bytes_be32(b);
			if (t == 0 || t == 1)
				skip_fattr(b);
			else if (t == 2)
				rp_bytes_skip(b, 8);
			else if (t == 3) {
				rp_bytes_skip(b, 8);
				skip_fattr(b);
			} else
				return false;
		}
		t = rp_bytes_be32(b);
		if (t == 0 || t == 3)
			skip_str(b);
		else if (t == 1)
			rp_bytes_skip(b, 4);
		else if (t == 2) {
			rp_bytes_skip(b, STATEID);
			skip_str(b);
		} else if (t == 5)
			rp_bytes_skip(b, STATEID);
		else if (t != 4 && t != 6)
			return false;
		break;
	case 20: rp_bytes_skip(b, STATEID + 4); break;
	case 21: rp_bytes_skip(b, STATEID + 12); break;
	case 22: { /* PUTFH */
		const uint8_t *p = rp_bytes_xdr_opaque(b, 128, &n);
		if (p)
			c->fh_hash = net_fh_hash(p, n);
		break;
	}
	case 25: /* READ */
	case 68: /* READ_PLUS */
		rp_bytes_skip(b, STATEID);
		if (c->data == NET_NFS_NONE) {
			c->offset = (int64_t)(rp_bytes_be64(b) & INT64_MAX);
			c->count = rp_bytes_be32(b);
			c->data = NET_NFS_READ;
		} else
			rp_bytes_skip(b, 12);
		break;
	case 26:
		rp_bytes_skip(b, 24);
		skip_bitmap(b);
		break;
	case 29:
		skip_str(b);
		skip_str(b);
		break;
	case 34:
		rp_bytes_skip(b, STATEID);
		skip_fattr(b);
		break;
	case 35: /* SETCLIENTID */
		rp_bytes_skip(b, 16);
		rp_bytes_xdr_skip_opaque(b, 1024);
		rp_bytes_skip(b, 4);
		skip_str(b);
		skip_str(b);
		rp_bytes_skip(b, 4);
		break;
	case 36: rp_bytes_skip(b, 16); break;
	case 38: { /* WRITE */
		rp_bytes_skip(b, STATEID);
		uint64_t off = rp_bytes_be64(b);
		rp_bytes_skip(b, 4);
		uint32_t len = rp_bytes_be32(b);
		if (b->err)
			break;
		if (c->data == NET_NFS_NONE) {
			c->offset = (int64_t)(off & INT64_MAX);
			c->count = len;
			c->data = NET_NFS_WRITE;
		}
		/* the data may not all be captured: stop here */
		if (rp_bytes_left(b) < ((len + 3u) & ~3u)) {
			c->cut = true;
			return false;
		}
		rp_bytes_skip(b, (len + 3u) & ~3u);
		break;
	}
	case 39: skip_owner(b); break;
	case 41: rp_bytes_skip(b, 16 + 8); break;
	case 44: rp_bytes_skip(b, 16); break;
	case 47:
		rp_bytes_skip(b, 16 + 8);
		skip_bitmap(b);
		break;
	case 50: rp_bytes_skip(b, 4 + 4 + 4 + 24 + STATEID + 4); break;
	case 53: rp_bytes_skip(b, 16 + 12 + 4); break;
	case 55:
		n = rp_bytes_be32(b);
		if (n > 1024)
			return false;
		rp_bytes_skip(b, n * STATEID);
		break;
	case 59:
	case 62: rp_bytes_skip(b, STATEID + 16); break;
	case 69: rp_bytes_skip(b, STATEID + 12); break;
	case 71: rp_bytes_skip(b, 2 * STATEID + 24); break;
	default: return false;
	}
	return !b->err;
}

static void ops_add(char *buf, size_t size, size_t *len, const char *s)
{
	int w = snprintf(buf + *len, size - *len, "%s%s", *len ? "," : "", s);
	if (w > 0 && (size_t)w < size - *len)
		*len += (size_t)w;
}

static bool v4_call(uint32_t proc, struct rp_bytes *b, struct net_nfs_call *c)
{
	char ops[512], num[16];
	size_t len = 0;
	bool ok = true;

	if (proc != 1)
		return true;
	ops[0] = 0;
	rp_bytes_xdr_skip_opaque(b, 1024); /* tag */
	uint32_t minor = rp_bytes_be32(b);
	uint32_t nops = rp_bytes_be32(b);
	(void)minor;
	if (b->err || nops > 4096)
		return false;
	for (uint32_t i = 0; i < nops; i++) {
		uint32_t op = rp_bytes_be32(b);
		if (b->err) {
			ok = false;
			break;
		}
		const char *name = net_nfs4_op_name(op);
		if (!name) {
			snprintf(num, sizeof num, "OP%u", op);
			name = num;
		}
		ops_add(ops, sizeof ops, &len, name);
		if (!v4_skip_args(op, b, c)) {
			if (i + 1 < nops)
				ops_add(ops, sizeof ops, &len, "...");
			ok = op == 38 || !b->err; /* unknown layout: not bad */
			break;
		}
	}
	if (c->data == NET_NFS_NONE)
		c->offset = c->count = -1;
	c->ops = strdup(ops);
	return ok;
}

static bool v4_reply(uint32_t proc, struct rp_bytes *b, struct net_nfs_reply *r)
{
	if (proc != 1) {
		r->status = 0;
		return true;
	}
	uint32_t st = rp_bytes_be32(b);
	if (b->err)
		return false;
	r->status = (int32_t)(st & 0x7fffffff);
	return true;
}

bool net_nfs_call_decode(uint32_t vers, uint32_t proc, const uint8_t *p,
			 size_t len, struct net_nfs_call *out)
{
	struct rp_bytes b = rp_bytes_make(p, len);
	out->fh_hash = 0;
	out->offset = out->count = -1;
	out->data = NET_NFS_NONE;
	out->ops = NULL;
	out->cut = false;
	bool ok = false;
	if (vers == 2)
		ok = v2_call(proc, &b, out);
	else if (vers == 3)
		ok = v3_call(proc, &b, out);
	else if (vers == 4)
		ok = v4_call(proc, &b, out);
	out->cut = out->cut || b.err;
	return ok;
}

bool net_nfs_reply_decode(uint32_t vers, uint32_t proc, const uint8_t *p,
			  size_t len, struct net_nfs_reply *out)
{
	struct rp_bytes b = rp_bytes_make(p, len);
	out->status = -2;
	out->count = -1;
	out->fh_hash = 0;
	bool ok = false;
	if (vers == 2)
		ok = v2_reply(proc, &b, out);
	else if (vers == 3)
		ok = v3_reply(proc, &b, out);
	else if (vers == 4)
		ok = v4_reply(proc, &b, out);
	out->cut = b.err;
	return ok;
}

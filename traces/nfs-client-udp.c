/*
 * nfs-client-udp.c — the small NFSv3-over-UDP client behind
 * traces/capture-nfs.sh: mounts an export with MOUNT3 over UDP and reads or
 * writes one file in fixed-size NFS READ/WRITE calls (8 KiB by default, as
 * the 1998 NFS clients did), so that every READ reply or WRITE call is one
 * IP-fragmented UDP datagram.  libnfs-utils (nfs-cat, nfs-cp) cannot do UDP;
 * libnfs 4.0 exports the UDP transport calls but does not declare them, so
 * they are declared here.  One call in flight, no retransmission: meant for
 * a lossless veth link between two network namespaces.
 *
 * usage: nfs-client-udp [-m MNTPORT] [-n NFSPORT] [-c COUNT]
 *            SERVER EXPORT FILE read|write BYTES
 *   read: the data goes to stdout; write: data from stdin (FILE_SYNC).
 *   Build: cc -O2 -o nfs-client-udp nfs-client-udp.c -lnfs
 */
#include <errno.h>
#include <inttypes.h>
#include <sys/time.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* exported by libnfs 4.0 but only in its private header */
struct rpc_context *rpc_init_udp_context(void);
int rpc_bind_udp(struct rpc_context *rpc, char *addr, int port);
int rpc_set_udp_destination(struct rpc_context *rpc, char *addr, int port,
			    int is_broadcast);

#define MAX_FH 64

struct fh {
	char data[MAX_FH];
	unsigned len;
};

/* The state of the one call in flight. */
struct pending {
	int done, failed;
	struct fh fh;	/* MNT, LOOKUP, CREATE */
	uint32_t count; /* READ, WRITE */
	int eof;	/* READ */
	FILE *out;	/* READ: where the data goes */
};

static void die(const char *what, struct rpc_context *rpc)
{
	fprintf(stderr, "nfs-client-udp: %s%s%s\n", what, rpc ? ": " : "",
		rpc ? rpc_get_error(rpc) : "");
	exit(1);
}

static void wait_reply(struct rpc_context *rpc, struct pending *p)
{
	time_t deadline = time(NULL) + 10;
	while (!p->done) {
		struct pollfd pfd = {rpc_get_fd(rpc),
				     (short)rpc_which_events(rpc), 0};
		if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
			die("poll", NULL);
		if (pfd.revents && rpc_service(rpc, pfd.revents) < 0)
			die("rpc_service", rpc);
		if (time(NULL) > deadline)
			die("no reply in 10 s (this client does not "
			    "retransmit)",
			    NULL);
	}
	if (p->failed)
		exit(1);
}

static void set_fh(struct fh *dst, const char *data, unsigned len)
{
	if (len > MAX_FH)
		len = MAX_FH;
	memcpy(dst->data, data, len);
	dst->len = len;
}

static void mnt_done(struct rpc_context *rpc, int status, void *data, void *arg)
{
	struct pending *p = arg;
	mountres3 *res = data;
	(void)rpc;
	p->done = 1;
	if (status != RPC_STATUS_SUCCESS || res->fhs_status != MNT3_OK) {
		fprintf(stderr, "nfs-client-udp: MNT failed\n");
		p->failed = 1;
		return;
	}
	set_fh(&p->fh, res->mountres3_u.mountinfo.fhandle.fhandle3_val,
	       res->mountres3_u.mountinfo.fhandle.fhandle3_len);
}

static void lookup_done(struct rpc_context *rpc, int status, void *data,
			void *arg)
{
	struct pending *p = arg;
	LOOKUP3res *res = data;
	(void)rpc;
	p->done = 1;
	if (status != RPC_STATUS_SUCCESS || res->status != NFS3_OK) {
		fprintf(stderr, "nfs-client-udp: LOOKUP failed\n");
		p->failed = 1;
		return;
	}
	nfs_fh3 *h = &res->LOOKUP3res_u.resok.object;
	set_fh(&p->fh, h->data.data_val, h->data.data_len);
}

static void create_done(struct rpc_context *rpc, int status, void *data,
			void *arg)
{
	struct pending *p = arg;
	CREATE3res *res = data;
	(void)rpc;
	p->done = 1;
	if (status != RPC_STATUS_SUCCESS || res->status != NFS3_OK ||
	    !res->CREATE3res_u.resok.obj.handle_follows) {
		fprintf(stderr, "nfs-client-udp: CREATE failed\n");
		p->failed = 1;
		return;
	}
	nfs_fh3 *h = &res->CREATE3res_u.resok.obj.post_op_fh3_u.handle;
	set_fh(&p->fh, h->data.data_val, h->data.data_len);
}

static void read_done(struct rpc_context *rpc, int status, void *data,
		      void *arg)
{
	struct pending *p = arg;
	READ3res *res = data;
	(void)rpc;
	p->done = 1;
	if (status != RPC_STATUS_SUCCESS || res->status != NFS3_OK) {
		fprintf(stderr, "nfs-client-udp: READ failed\n");
		p->failed = 1;
		return;
	}
	READ3resok *ok = &res->READ3res_u.resok;
	p->count = ok->count;
	p->eof = ok->eof;
	if (p->out && fwrite(ok->data.data_val, 1, ok->data.data_len, p->out) !=
			  ok->data.data_len)
		p->failed = 1;
}

static void write_done(struct rpc_context *rpc, int status, void *data,
		       void *arg)
{
	struct pending *p = arg;
	WRITE3res *res = data;
	(void)rpc;
	p->done = 1;
	if (status != RPC_STATUS_SUCCESS || res->status != NFS3_OK) {
		fprintf(stderr, "nfs-client-udp: WRITE failed\n");
		p->failed = 1;
		return;
	}
	p->count = res->WRITE3res_u.resok.count;
}

static nfs_fh3 as_nfs_fh3(struct fh *f)
{
	nfs_fh3 h;
	h.data.data_len = f->len;
	h.data.data_val = f->data;
	return h;
}

int main(int argc, char **argv)
{
	int mntport = 20048, nfsport = 2049, c;
	unsigned count = 8192;
	struct pending p;

	while ((c = getopt(argc, argv, "m:n:c:")) != -1) {
		switch (c) {
		case 'm': mntport = atoi(optarg); break;
		case 'n': nfsport = atoi(optarg); break;
		case 'c': count = (unsigned)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind != 5 || count == 0 || count > 65536)
		goto usage;
	char *server = argv[optind], *export = argv[optind + 1];
	char *file = argv[optind + 2], *mode = argv[optind + 3];
	uint64_t bytes = strtoull(argv[optind + 4], NULL, 0);
	int writing = !strcmp(mode, "write");
	if (!writing && strcmp(mode, "read"))
		goto usage;

	struct rpc_context *rpc = rpc_init_udp_context();
	if (!rpc)
		die("cannot create an RPC context", NULL);
	if (rpc_bind_udp(rpc, "0.0.0.0", 0) < 0)
		die("bind", rpc);

	/* MOUNT3 MNT over UDP gives the root file handle */
	if (rpc_set_udp_destination(rpc, server, mntport, 0) < 0)
		die("mount destination", rpc);
	memset(&p, 0, sizeof p);
	if (rpc_mount3_mnt_async(rpc, mnt_done, export, &p))
		die("MNT", rpc);
	wait_reply(rpc, &p);
	struct fh root = p.fh;

	if (rpc_set_udp_destination(rpc, server, nfsport, 0) < 0)
		die("nfs destination", rpc);
	memset(&p, 0, sizeof p);
	if (writing) {
		CREATE3args a;
		memset(&a, 0, sizeof a);
		a.where.dir = as_nfs_fh3(&root);
		a.where.name = file;
		a.how.mode = UNCHECKED;
		a.how.createhow3_u.obj_attributes.mode.set_it = 1;
		a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
		if (rpc_nfs3_create_async(rpc, create_done, &a, &p))
			die("CREATE", rpc);
	} else {
		LOOKUP3args a;
		memset(&a, 0, sizeof a);
		a.what.dir = as_nfs_fh3(&root);
		a.what.name = file;
		if (rpc_nfs3_lookup_async(rpc, lookup_done, &a, &p))
			die("LOOKUP", rpc);
	}
	wait_reply(rpc, &p);
	struct fh fh = p.fh;

	char *buf = malloc(count);
	uint64_t off = 0, calls = 0;
	if (!buf)
		die("out of memory", NULL);
	while (off < bytes) {
		uint32_t n =
		    bytes - off < count ? (uint32_t)(bytes - off) : count;
		memset(&p, 0, sizeof p);
		if (writing) {
			size_t got = fread(buf, 1, n, stdin);
			if (got < n)
				memset(buf + got, 0x5a, n - got);
			WRITE3args a;
			memset(&a, 0, sizeof a);
			a.file = as_nfs_fh3(&fh);
			a.offset = off;
			a.count = n;
			a.stable = FILE_SYNC;
			a.data.data_len = n;
			a.data.data_val = buf;
			if (rpc_nfs3_write_async(rpc, write_done, &a, &p))
				die("WRITE", rpc);
		} else {
			READ3args a;
			memset(&a, 0, sizeof a);
			a.file = as_nfs_fh3(&fh);
			a.offset = off;
			a.count = n;
			p.out = isatty(1) ? NULL : stdout;
			if (rpc_nfs3_read_async(rpc, read_done, &a, &p))
				die("READ", rpc);
		}
		wait_reply(rpc, &p);
		calls++;
		if (p.count == 0)
			break; /* end of file */
		off += p.count;
	}
	fflush(stdout);
	free(buf);
	rpc_destroy_context(rpc);
	fprintf(stderr,
		"nfs-client-udp: %s %" PRIu64 " bytes in %" PRIu64
		" %s calls of %u bytes over UDP\n",
		writing ? "wrote" : "read", off, calls,
		writing ? "WRITE" : "READ", count);
	return off == bytes ? 0 : 1;
usage:
	fprintf(stderr, "usage: nfs-client-udp [-m MNTPORT] [-n NFSPORT] "
			"[-c COUNT] SERVER EXPORT FILE read|write BYTES\n");
	return 2;
}

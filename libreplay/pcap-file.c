/*
 * pcap-file.c — classic pcap files (format 2.4, micro- or nanosecond time
 * stamps, either byte order) read in place from a read-only mapping of the
 * file: no read() copy into a stdio buffer and no copy of each record into
 * libpcap's buffer (docs/PERFORMANCE.md, "Packet ingest").  libpcap still
 * opens the file and checks its header (pcap-reader.c); pcapng and the old
 * or patched formats are read by libpcap.  Records are taken as libpcap 1.10
 * takes them: a capture length beyond the snap length is cut to it, beyond
 * 256 KiB is an error, and the errors are worded as libpcap words them.
 * Every byte of the file is read through bytes.h.
 */
#include "pcap-file.h"

#include "bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PCAP_FILE_HDR 24
#define PCAP_REC_HDR  16
#define MAX_CAPLEN    262144 /* libpcap's MAXIMUM_SNAPLEN */
#define DROP_BEHIND   (8u << 20)
#define PREFETCH      4 /* cache lines: record, link, IP, UDP, RPC headers */

int pcap_file_map(struct pcap_file *f, int fd)
{
	struct stat st;
	memset(f, 0, sizeof *f);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < PCAP_FILE_HDR || (uint64_t)st.st_size > SIZE_MAX)
		return 0;
	size_t size = (size_t)st.st_size;
	void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 0;
	struct rp_bytes b = rp_bytes_make(m, size);
	uint32_t magic = rp_bytes_le32(&b);
	bool be;
	switch (magic) {
	case 0xa1b2c3d4: /* written by a little-endian machine */
	case 0xa1b23c4d: be = false; break;
	case 0xd4c3b2a1: /* by a big-endian one */
	case 0x4d3cb2a1: be = true; break;
	default: munmap(m, size); return 0;
	}
	uint16_t major = be ? rp_bytes_be16(&b) : rp_bytes_le16(&b);
	uint16_t minor = be ? rp_bytes_be16(&b) : rp_bytes_le16(&b);
	if (b.err || major != 2 || minor < 4) {
		munmap(m, size); /* 2.3 and older may swap the lengths */
		return 0;
	}
	f->map = m;
	f->size = size;
	f->off = PCAP_FILE_HDR;
	f->be = be;
	const uint16_t one = 1; /* libpcap swaps when the orders differ */
	f->swapped = be != (*(const uint8_t *)&one == 0);
	f->nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	f->snapshot = MAX_CAPLEN; /* until the caller sets libpcap's */
	/* read ahead, drop behind; fault-around maps the pages (populating
	 * them ahead measured slower once frames were no longer copied) */
	madvise(m, size, MADV_SEQUENTIAL);
	return 1;
}

static uint32_t u32(struct rp_bytes *b, bool be)
{
	return be ? rp_bytes_be32(b) : rp_bytes_le32(b);
}

/* Ends the reading at a bad record: msg says why (in libpcap's words). */
static int bad_record(struct pcap_file *f, char *msg, size_t size,
		      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad_record(struct pcap_file *f, char *msg, size_t size,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	f->off = f->size;
	return -1;
}

int pcap_file_next(struct pcap_file *f, struct pcap_file_rec *r, char *msg,
		   size_t size)
{
	struct rp_bytes b = rp_bytes_make(f->map, f->size);
	b.pos = f->off;
	size_t left = rp_bytes_left(&b);
	if (left == 0)
		return 0;
	if (left < PCAP_REC_HDR) {
		return bad_record(
		    f, msg, size,
		    "truncated dump file; tried to read %d header bytes, "
		    "only got %zu",
		    PCAP_REC_HDR, left);
	}
	/* libpcap 1.10 takes the time stamp fields as signed 32-bit values,
	 * but as unsigned ones when it swaps their bytes */
	uint32_t usec = u32(&b, f->be), ufrac = u32(&b, f->be);
	int64_t sec = f->swapped ? (int64_t)usec : (int64_t)(int32_t)usec;
	int64_t frac = f->swapped ? (int64_t)ufrac : (int64_t)(int32_t)ufrac;
	uint32_t caplen = u32(&b, f->be);
	r->len = u32(&b, f->be);
	r->ts_ns = sec * 1000000000ll + (f->nano ? frac : frac * 1000);
	if (caplen > MAX_CAPLEN) {
		if (caplen > f->snapshot)
			return bad_record(
			    f, msg, size,
			    "invalid packet capture length %u, bigger "
			    "than snaplen of %u",
			    caplen, f->snapshot);
		else
			snprintf(msg, size,
				 "invalid packet capture length %u, bigger "
				 "than maximum of %u",
				 caplen, MAX_CAPLEN);
	}
	uint32_t keep = caplen > f->snapshot ? f->snapshot : caplen;
	left = rp_bytes_left(&b);
	r->data = rp_bytes_ptr(&b, keep);
	if (!r->data) {
		return bad_record(
		    f, msg, size,
		    "truncated dump file; tried to read %u captured "
		    "bytes, only got %zu",
		    keep, left);
	}
	if (caplen > keep) { /* the rest beyond the snap length is dropped */
		left = rp_bytes_left(&b);
		rp_bytes_skip(&b, caplen - keep);
		if (b.err) {
			return bad_record(
			    f, msg, size,
			    "truncated dump file; tried to read %u "
			    "captured bytes, only got %zu",
			    caplen, keep + left);
		}
	}
	r->caplen = keep;
	f->off = b.pos;
	/* the next record and its headers are fetched while this frame is
	 * decoded */
	for (size_t k = 0; k < PREFETCH && f->size - f->off >= 64 * (k + 1);
	     k++)
		__builtin_prefetch(f->map + f->off + 64 * k);
	if (f->off - f->dropped >= DROP_BEHIND * 2) {
		/* the caller is done with earlier records: unmapping them as
		 * we go keeps the resident size small */
		size_t end =
		    (f->off - DROP_BEHIND) & ~(size_t)(DROP_BEHIND - 1);
		madvise((void *)(f->map + f->dropped), end - f->dropped,
			MADV_DONTNEED);
		f->dropped = end;
	}
	return 1;
}

void pcap_file_unmap(struct pcap_file *f)
{
	if (f->map)
		munmap((void *)f->map, f->size);
	f->map = NULL;
}

/* net-build.h — builders of the frames the packet decoder tests feed
 * (test-net-decode.c, test-net-zerocopy.c): XDR words, UDP headers and ONC
 * RPC call and reply headers, as the RFCs lay them out. */
#ifndef RP_TEST_NET_BUILD_H
#define RP_TEST_NET_BUILD_H

#include <stddef.h>
#include <stdint.h>

/* One XDR (big-endian) word; returns 4. */
static inline size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* The UDP header of a datagram of `len` payload bytes between port 768
 * (the client) and 2049, checksum 0; returns 8. */
static inline size_t udp_hdr(uint8_t *buf, int c2s, size_t len)
{
	buf[0] = c2s ? 3 : 8;
	buf[1] = c2s ? 0 : 1;
	buf[2] = c2s ? 8 : 3;
	buf[3] = c2s ? 1 : 0; /* 768 <-> 2049 */
	buf[4] = (uint8_t)((len + 8) >> 8);
	buf[5] = (uint8_t)(len + 8);
	buf[6] = buf[7] = 0;
	return 8;
}

/* An RPC call header of NFS (program 100003) version `vers`, procedure
 * `proc`: AUTH_UNIX credentials of 8 bytes when `unix_cred`, else
 * AUTH_NONE; a null verifier. */
static inline size_t rpc_call_hdr(uint8_t *p, uint32_t xid, uint32_t vers,
				  uint32_t proc, int unix_cred)
{
	size_t n = 0;
	n += put32(p + n, xid);
	n += put32(p + n, 0); /* CALL */
	n += put32(p + n, 2); /* RPC version */
	n += put32(p + n, 100003);
	n += put32(p + n, vers);
	n += put32(p + n, proc);
	n += put32(p + n, unix_cred ? 1 : 0);
	n += put32(p + n, unix_cred ? 8 : 0);
	if (unix_cred) {
		n += put32(p + n, 0x1234);
		n += put32(p + n, 0);
	}
	n += put32(p + n, 0); /* verifier */
	n += put32(p + n, 0);
	return n;
}

/* An accepted, successful RPC reply header. */
static inline size_t rpc_reply_hdr(uint8_t *p, uint32_t xid)
{
	size_t n = 0;
	n += put32(p + n, xid);
	n += put32(p + n, 1); /* REPLY */
	n += put32(p + n, 0); /* accepted */
	n += put32(p + n, 0); /* verifier */
	n += put32(p + n, 0);
	n += put32(p + n, 0); /* SUCCESS */
	return n;
}

#endif

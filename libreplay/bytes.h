/*
 * bytes.h — a bounds-checked reader over untrusted bytes (packet headers,
 * RPC messages).  Every byte the packet decoders take from a capture goes
 * through it: a read past the end returns 0 and sets `err`, so a decoder can
 * read a whole header and check once at the end.
 */
#ifndef RP_BYTES_H
#define RP_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rp_bytes {
	const uint8_t *p;
	size_t len; /* bytes available */
	size_t pos; /* next byte to read */
	bool err;   /* a read went past the end */
};

static inline struct rp_bytes rp_bytes_make(const void *p, size_t len)
{
	struct rp_bytes b = {(const uint8_t *)p, len, 0, false};
	return b;
}

static inline size_t rp_bytes_left(const struct rp_bytes *b)
{
	return b->err ? 0 : b->len - b->pos;
}

static inline bool rp_bytes_have(struct rp_bytes *b, size_t n)
{
	if (b->err || b->len - b->pos < n) {
		b->err = true;
		return false;
	}
	return true;
}

/* Returns a pointer to the next n bytes and consumes them, NULL past the
 * end. */
static inline const uint8_t *rp_bytes_ptr(struct rp_bytes *b, size_t n)
{
	if (!rp_bytes_have(b, n))
		return NULL;
	const uint8_t *q = b->p + b->pos;
	b->pos += n;
	return q;
}

static inline void rp_bytes_skip(struct rp_bytes *b, size_t n)
{
	if (rp_bytes_have(b, n))
		b->pos += n;
}

static inline uint8_t rp_bytes_u8(struct rp_bytes *b)
{
	const uint8_t *q = rp_bytes_ptr(b, 1);
	return q ? q[0] : 0;
}

static inline uint16_t rp_bytes_be16(struct rp_bytes *b)
{
	const uint8_t *q = rp_bytes_ptr(b, 2);
	return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

static inline uint16_t rp_bytes_le16(struct rp_bytes *b)
{
	const uint8_t *q = rp_bytes_ptr(b, 2);
	return q ? (uint16_t)(q[1] << 8 | q[0]) : 0;
}

static inline uint32_t rp_bytes_be32(struct rp_bytes *b)
{
	const uint8_t *q = rp_bytes_ptr(b, 4);
	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
		       (uint32_t)q[2] << 8 | q[3]
		 : 0;
}

static inline uint32_t rp_bytes_le32(struct rp_bytes *b)
{
	const uint8_t *q = rp_bytes_ptr(b, 4);
	return q ? (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 |
		       (uint32_t)q[1] << 8 | q[0]
		 : 0;
}

static inline uint64_t rp_bytes_be64(struct rp_bytes *b)
{
	uint64_t hi = rp_bytes_be32(b);
	return hi << 32 | rp_bytes_be32(b);
}

/* Copies n bytes out; zero-fills dst when they are not there. */
static inline bool rp_bytes_copy(struct rp_bytes *b, void *dst, size_t n)
{
	const uint8_t *q = rp_bytes_ptr(b, n);
	if (!q) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, q, n);
	return true;
}

/* XDR: a variable-length opaque<max> (length word, bytes, padding to 4).
 * Returns the bytes (NULL on error) and stores the length in *n. */
static inline const uint8_t *rp_bytes_xdr_opaque(struct rp_bytes *b,
						 uint32_t max, uint32_t *n)
{
	uint32_t len = rp_bytes_be32(b);
	*n = 0;
	if (b->err || len > max) {
		b->err = true;
		return NULL;
	}
	const uint8_t *q = rp_bytes_ptr(b, len);
	rp_bytes_skip(b, (4 - (len & 3)) & 3);
	if (b->err)
		return NULL;
	*n = len;
	return q;
}

/* XDR: skips a variable-length opaque<max>. */
static inline void rp_bytes_xdr_skip_opaque(struct rp_bytes *b, uint32_t max)
{
	uint32_t n;
	(void)rp_bytes_xdr_opaque(b, max, &n);
}

#endif /* RP_BYTES_H */

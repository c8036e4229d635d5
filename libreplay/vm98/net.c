/*
 * net.c — network receive sizing (spec §7.5, §9.1, §9.2): a net_rx event
 * (one IP datagram of `bytes` in `count` fragments) becomes the GFP_ATOMIC
 * allocations the version makes: one driver sk_buff per frame, the IP
 * reassembly queue header and per-fragment descriptors, and for a
 * fragmented datagram the ip_glue sk_buff of the whole datagram.  The
 * fragments are freed after the glue; the glued (or single) sk_buff is
 * held for param net_hold_ns, then freed (§9.1 step 4).  A TCP segment
 * (and an unfragmented "other" one) is received as MTU-sized frames without
 * reassembly.
 */
#include "vm98-internal.h"

#include <stdlib.h>

#define ETH_HLEN      14
#define IP_HLEN	      20
#define NET_MAX_FRAGS 64 /* 65535-byte datagrams at MTU >= 1064 */

static inline int64_t round16(int64_t n)
{
	return (n + 15) & ~INT64_C(15);
}

/* kmalloc size of alloc_skb(size) (§7.5): 2.0.33 – 2.1.92 one block of
 * round16(size) + sizeof(struct sk_buff); 2.2.0 the data part only,
 * round16(size) + 4 (the header comes from skbuff_head_cache). */
int64_t vm98_skb_kmalloc_size(const struct vm98 *m, int64_t size)
{
	if (m->ops->slab_kind == VM98_SLAB_22)
		return round16(size) + 4;
	return round16(size) + m->par.v[VP_SKB_HEAD_BYTES];
}

static void skb_free(struct vm98 *m, struct vm98_handle h[2])
{
	for (int i = 0; i < 2; i++)
		if (h[i].type != H_NONE)
			vm98_kfree(m, h[i]);
	h[0].type = h[1].type = H_NONE;
}

/* alloc_skb(size, GFP_ATOMIC); 0 or -1 (nothing held on failure). */
static int alloc_skb(struct vm98 *m, int64_t size, struct vm98_handle h[2])
{
	h[0].type = h[1].type = H_NONE;
	if (m->ops->slab_kind == VM98_SLAB_22) {
		m->st.kmalloc++;
		h[0] = kmem_cache_alloc(m, VM98_CACHE_SKBUFF, RP_GFP_ATOMIC);
		if (h[0].type == H_NONE) {
			m->st.kmalloc_fail++;
			return -1;
		}
	}
	struct vm98_handle d =
	    vm98_kmalloc(m, vm98_skb_kmalloc_size(m, size), RP_GFP_ATOMIC);
	if (d.type == H_NONE) {
		skb_free(m, h);
		return -1;
	}
	h[m->ops->slab_kind == VM98_SLAB_22] = d;
	return 0;
}

/* dev_alloc_skb(len) = alloc_skb(len + 16, GFP_ATOMIC) (§7.5). */
static int dev_alloc_skb(struct vm98 *m, int64_t len, struct vm98_handle h[2])
{
	return alloc_skb(m, len + 16, h);
}

/* the driver's receive buffer for a frame of frame_len bytes (§9.1) */
static int64_t rx_buffer_len(const struct vm98 *m, int64_t frame_len)
{
	int64_t fixed = m->par.v[VP_RX_SKB_BYTES];
	if (fixed > 0 && frame_len + 2 <= fixed)
		return fixed;
	return frame_len + 2;
}

static int netq_push(struct vm98 *m, int64_t due, struct vm98_handle h[2])
{
	if (m->netq_len == m->netq_cap) {
		uint32_t cap = m->netq_cap ? m->netq_cap * 2 : 64;
		struct netq_entry *n = malloc((size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		for (uint32_t i = 0; i < m->netq_len; i++)
			n[i] = m->netq[(m->netq_head + i) % m->netq_cap];
		free(m->netq);
		m->netq = n;
		m->netq_cap = cap;
		m->netq_head = 0;
	}
	struct netq_entry *e =
	    &m->netq[(m->netq_head + m->netq_len) % m->netq_cap];
	e->due = due;
	e->h[0] = h[0];
	e->h[1] = h[1];
	m->netq_len++;
	return 0;
}

int64_t vm98_netq_next_due(const struct vm98 *m)
{
	return m->netq_len ? m->netq[m->netq_head].due : INT64_MAX;
}

/* Frees every held datagram due at or before now (the caller accounts
 * time up to each due time first, see vm98_advance). */
void vm98_netq_run(struct vm98 *m, int64_t now)
{
	while (m->netq_len && m->netq[m->netq_head].due <= now) {
		struct netq_entry *e = &m->netq[m->netq_head];
		skb_free(m, e->h);
		m->netq_head = (m->netq_head + 1) % m->netq_cap;
		m->netq_len--;
	}
}

void vm98_netq_destroy(struct vm98 *m)
{
	free(m->netq);
	m->netq = NULL;
}

static int hold(struct vm98 *m, struct vm98_handle h[2])
{
	if (netq_push(m, m->now + m->par.v[VP_NET_HOLD_NS], h) < 0) {
		skb_free(m, h); /* out of memory: consume at once */
		return -1;
	}
	return 0;
}

/* TCP: a segment larger than the MTU (a capture after GRO/LRO) arrived in
 * 1998 as separate MTU-sized frames, each its own driver skb queued on the
 * socket: no IP reassembly, no big buffer.  Each frame is held; a frame
 * that cannot be allocated is dropped (the sender retransmits). */
static int net_rx_tcp(struct vm98 *m, int64_t bytes, int64_t frames)
{
	int64_t mtu = m->par.v[VP_MTU];
	struct vm98_handle skb[2];
	bool dropped = false;
	if (frames < (bytes + mtu - 1) / mtu)
		frames = (bytes + mtu - 1) / mtu;
	if (frames > NET_MAX_FRAGS)
		frames = NET_MAX_FRAGS;
	m->st.net_rx_tcp_frames += (uint64_t)frames;
	for (int64_t i = 0; i < frames; i++) {
		int64_t len = i + 1 < frames ? mtu : bytes - mtu * i;
		if (len < IP_HLEN)
			len = IP_HLEN;
		if (dev_alloc_skb(m, rx_buffer_len(m, len + ETH_HLEN), skb) < 0)
			dropped = true;
		else
			hold(m, skb);
	}
	if (!dropped)
		return VM98_OK;
	m->st.net_rx_drop++;
	return VM98_DROPPED;
}

int vm98_net_rx(struct vm98 *m, int64_t bytes, int64_t frags, int transport)
{
	struct vm98_handle frag[NET_MAX_FRAGS][2], desc[NET_MAX_FRAGS];
	struct vm98_handle ipq = {0}, skb[2];
	int64_t mtu = m->par.v[VP_MTU];
	int64_t per = (mtu - IP_HLEN) & ~INT64_C(7); /* payload per fragment */
	int n = 0, ok = 0;

	if (bytes < IP_HLEN)
		bytes = IP_HLEN;
	m->st.net_rx++;
	m->st.net_rx_bytes += (uint64_t)bytes;
	/* TCP, and other transports not known to be fragmented (a kernel
	 * tracepoint's GRO skb): frames without reassembly */
	if (transport == RP_FLAG_TCP ||
	    (transport == RP_FLAG_OTHER_TRANSPORT && frags <= 1))
		return net_rx_tcp(m, bytes, frags);
	if (bytes > 65535) { /* ip_glue refuses it (§9.1 step 3) */
		m->st.net_rx_too_big++;
		m->st.net_rx_drop++;
		return VM98_DROPPED;
	}
	/* at least as many fragments as the MTU needs (count may only add) */
	int64_t need = bytes <= mtu ? 1 : (bytes - IP_HLEN + per - 1) / per;
	if (frags < need)
		frags = need;
	if (frags > NET_MAX_FRAGS)
		frags = NET_MAX_FRAGS;
	if (frags == 1) { /* one frame: the driver's skb is the packet */
		if (dev_alloc_skb(m, rx_buffer_len(m, bytes + ETH_HLEN), skb) <
		    0)
			goto drop;
		hold(m, skb);
		return VM98_OK;
	}
	m->st.net_rx_frags += (uint64_t)frags;
	/* fragments: driver skb each, ipq on the first, an ipfrag each */
	int64_t payload = bytes - IP_HLEN;
	for (n = 0; n < frags; n++) {
		int64_t flen = n + 1 < frags ? per : payload - per * n;
		if (flen < 8)
			flen = 8;
		desc[n].type = H_NONE;
		if (dev_alloc_skb(m,
				  rx_buffer_len(m, flen + IP_HLEN + ETH_HLEN),
				  frag[n]) < 0)
			goto unwind;
		if (n == 0) {
			ipq = vm98_kmalloc(m, m->par.v[VP_IPQ_BYTES],
					   RP_GFP_ATOMIC);
			if (ipq.type == H_NONE) {
				n++;
				goto unwind;
			}
		}
		desc[n] =
		    vm98_kmalloc(m, m->par.v[VP_IPFRAG_BYTES], RP_GFP_ATOMIC);
		if (desc[n].type == H_NONE) {
			n++;
			goto unwind;
		}
	}
	/* ip_glue: one skb of the whole datagram (§9.1 step 3) */
	ok = dev_alloc_skb(m, bytes, skb) == 0;
unwind:
	for (int i = 0; i < n; i++) {
		skb_free(m, frag[i]);
		if (desc[i].type != H_NONE)
			vm98_kfree(m, desc[i]);
	}
	if (ipq.type != H_NONE)
		vm98_kfree(m, ipq);
	if (ok) {
		hold(m, skb);
		return VM98_OK;
	}
drop:
	m->st.net_rx_drop++;
	return VM98_DROPPED;
}

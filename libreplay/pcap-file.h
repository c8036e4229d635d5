/*
 * pcap-file.h — classic pcap files read in place from a mapping
 * (pcap-file.c); used by pcap-reader.c for the files it can take, libpcap
 * reads the others.  Knows nothing about libpcap.
 */
#ifndef RP_PCAP_FILE_H
#define RP_PCAP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcap_file {
	const uint8_t *map;
	size_t size, off; /* off: the next record */
	size_t dropped;	  /* bytes before it unmapped already */
	bool be;	  /* a big-endian file */
	bool swapped;	  /* not the host's (libpcap's p->swapped) */
	bool nano;	  /* nanosecond time stamps */
	uint32_t snapshot;
};

struct pcap_file_rec {
	int64_t ts_ns;
	const uint8_t *data; /* caplen bytes, in the mapping */
	uint32_t caplen, len;
};

/* Maps the open file fd when it is a regular file in classic pcap format
 * 2.4 (1), else returns 0 and the file is to be read with libpcap.  The
 * caller then sets `snapshot` to the snap length libpcap took from the
 * header (pcap_snapshot). */
int pcap_file_map(struct pcap_file *f, int fd);
/* The next record: 1, 0 at the end of the file, -1 when the file is cut
 * inside a record or a record is bad (msg: libpcap's words). */
int pcap_file_next(struct pcap_file *f, struct pcap_file_rec *r, char *msg,
		   size_t size);
void pcap_file_unmap(struct pcap_file *f);

#endif /* RP_PCAP_FILE_H */

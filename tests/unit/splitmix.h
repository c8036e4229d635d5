/* splitmix.h — the random sequence of the randomized vm98 tests
 * (SplitMix64): the same seed gives the same events on every machine. */
#ifndef VMREPLAY_TESTS_SPLITMIX_H
#define VMREPLAY_TESTS_SPLITMIX_H

#include <stdint.h>

static inline uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

#endif

/* internal.h — helpers shared inside libreplay, not installed. */
#ifndef RP_INTERNAL_H
#define RP_INTERNAL_H

#include "libreplay.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parses a whole decimal integer (optional sign); false on anything else. */
bool rp_parse_i64(const char *s, size_t len, int64_t *out);
/* Parses a decimal number with an optional fraction ("1.5"), scaled by
 * `scale` (e.g. 1000000000 for seconds → ns), rounding to nearest. */
bool rp_parse_scaled(const char *s, size_t len, int64_t scale, int64_t *out);

/* Writes a short, printable rendering of a bad field into buf. */
const char *rp_quote_field(const char *s, size_t len, char *buf, size_t size);

/* Current UTC time as "YYYY-MM-DD HH:MM:SS". */
void rp_utc_now(char buf[32]);

#endif

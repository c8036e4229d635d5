/* error.c — the one-line error messages and small parsing helpers every
 * reader shares. */
#include "internal.h"

#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int rp_error_set(struct rp_error *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *rp_version(void)
{
	return PACKAGE_VERSION;
}

bool rp_parse_i64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

bool rp_parse_scaled(const char *s, size_t len, int64_t scale, int64_t *out)
{
	const char *dot = memchr(s, '.', len);
	int64_t whole, frac = 0, frac_scale = 1;

	if (!dot)
		return rp_parse_i64(s, len, &whole) &&
		       !__builtin_mul_overflow(whole, scale, out);
	size_t wlen = (size_t)(dot - s);
	if (wlen == 0 || (wlen == 1 && (s[0] == '-' || s[0] == '+')))
		whole = 0;
	else if (!rp_parse_i64(s, wlen, &whole))
		return false;
	bool neg = len > 0 && s[0] == '-';
	size_t flen = len - wlen - 1;
	if (flen == 0 && wlen == 0)
		return false;
	for (size_t i = 0; i < flen; i++) {
		char c = dot[1 + i];
		if (c < '0' || c > '9')
			return false;
		if (frac_scale < INT64_MAX / 10 / (scale > 0 ? scale : 1)) {
			frac = frac * 10 + (c - '0');
			frac_scale *= 10;
		}
	}
	int64_t scaled;
	if (__builtin_mul_overflow(whole, scale, &scaled))
		return false;
	int64_t fpart = (frac * scale + frac_scale / 2) / frac_scale;
	return neg ? !__builtin_sub_overflow(scaled, fpart, out)
		   : !__builtin_add_overflow(scaled, fpart, out);
}

const char *rp_quote_field(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isprint(c) && c != '\\') {
			buf[o++] = (char)c;
		} else {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		}
		if (i == 40 && len > 44) {
			snprintf(buf + o, size - o, "...");
			return buf;
		}
	}
	buf[o < size ? o : size - 1] = '\0';
	return buf;
}

void rp_utc_now(char buf[32])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

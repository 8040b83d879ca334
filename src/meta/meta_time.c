/* RFC 3339 times as notary parses and re-writes "expires". */
#include <stdio.h>
#include <string.h>

#include "meta_internal.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

tufsign_time tufsign_time_from_unix(time_t t)
{
	tufsign_time out = {.seconds = (int64_t)t, .nanos = 0, .offset_minutes = 0};

	return out;
}

/* Read n digits at s into *v; 0 on success. */
static int digits(const char *s, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

static tufsign_status bad_time(const char *text, size_t len, const char *why, tufsign_error *err)
{
	return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
				 "invalid time \"%.*s\": %s; expected RFC 3339 such as "
				 "2030-01-01T00:00:00Z",
				 (int)(len > 64 ? 64 : len), text, why);
}

/* Parse the fraction at text[*i] (after '.'), keeping nanoseconds. */
static int parse_fraction(const char *text, size_t len, size_t *i, int32_t *nanos)
{
	size_t n = 0;
	int32_t v = 0;

	while (*i < len && text[*i] >= '0' && text[*i] <= '9') {
		if (n < 9)
			v = v * 10 + (text[*i] - '0');
		n++;
		(*i)++;
	}
	if (n == 0)
		return -1;
	for (; n < 9; n++)
		v *= 10;
	*nanos = v;
	return 0;
}

static int parse_offset(const char *text, size_t len, size_t i, int32_t *offset)
{
	unsigned hh = 0, mm = 0;

	if (i + 1 == len && text[i] == 'Z') {
		*offset = 0;
		return 0;
	}
	if (len - i != 6 || (text[i] != '+' && text[i] != '-') || text[i + 3] != ':' ||
	    digits(text + i + 1, 2, &hh) || digits(text + i + 4, 2, &mm) || hh > 23 || mm > 59)
		return -1;
	*offset = (int32_t)(hh * 60 + mm) * (text[i] == '-' ? -1 : 1);
	return 0;
}

tufsign_status tufsign_time_parse(const char *text, size_t len, tufsign_time *out,
				  tufsign_error *err)
{
	unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
	int32_t nanos = 0, offset = 0;
	size_t i = 19;

	memset(out, 0, sizeof(*out));
	if (len < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
	    text[16] != ':' || digits(text, 4, &y) || digits(text + 5, 2, &mo) ||
	    digits(text + 8, 2, &d) || digits(text + 11, 2, &h) || digits(text + 14, 2, &mi) ||
	    digits(text + 17, 2, &s))
		return bad_time(text, len, "not in the form YYYY-MM-DDTHH:MM:SS", err);
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
		return bad_time(text, len, "a field is out of range", err);
	if (text[i] == '.') {
		i++;
		if (parse_fraction(text, len, &i, &nanos))
			return bad_time(text, len, "empty fraction of a second", err);
	}
	if (i >= len || parse_offset(text, len, i, &offset))
		return bad_time(text, len, "missing or invalid time zone offset", err);
	out->seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset * 60;
	out->nanos = nanos;
	out->offset_minutes = offset;
	return TUFSIGN_OK;
}

tufsign_status tufsign_time_format(const tufsign_time *t, char buf[TUFSIGN_TIME_SIZE],
				   tufsign_error *err)
{
	int64_t local = t->seconds + (int64_t)t->offset_minutes * 60, days, y = 0, rem;
	unsigned m = 0, d = 0;
	char frac[12] = "", zone[16] = "Z", tmp[96];
	unsigned off;
	int32_t ns = t->nanos;
	int n = 9;

	buf[0] = '\0';
	days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	rem = local - days * 86400;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || ns < 0 || ns > 999999999 || t->offset_minutes <= -24 * 60 ||
	    t->offset_minutes >= 24 * 60)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "time %lld cannot be written as RFC 3339 (year %lld)",
					 (long long)t->seconds, (long long)y);
	if (ns > 0) {
		/* Go's RFC3339Nano: trailing zeros of the fraction are dropped */
		while (ns % 10 == 0) {
			ns /= 10;
			n--;
		}
		snprintf(frac, sizeof(frac), ".%0*d", n, ns);
	}
	if (t->offset_minutes != 0) {
		off = (unsigned)(t->offset_minutes < 0 ? -t->offset_minutes : t->offset_minutes);
		snprintf(zone, sizeof(zone), "%c%02u:%02u", t->offset_minutes < 0 ? '-' : '+',
			 off / 60 % 100, off % 60);
	}
	snprintf(tmp, sizeof(tmp), "%04u-%02u-%02uT%02u:%02u:%02u%s%s", (unsigned)y, m % 100,
		 d % 100, (unsigned)(rem / 3600) % 100, (unsigned)(rem / 60 % 60),
		 (unsigned)(rem % 60), frac, zone);
	memcpy(buf, tmp, strlen(tmp) + 1 <= TUFSIGN_TIME_SIZE ? strlen(tmp) + 1 : 1);
	return TUFSIGN_OK;
}

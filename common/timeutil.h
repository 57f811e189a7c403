/*
 * timeutil.h - wall-clock and monotonic time helpers.
 */
#ifndef JD_TIMEUTIL_H
#define JD_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "2026-11-22T10:00:00Z" for t (UTC) into out (at least 21 bytes). */
void	time_rfc3339(time_t t, char *out, size_t outsz);
/* The same for now. */
void	time_now_rfc3339(char *out, size_t outsz);
/* Parse the form above (also with fractional seconds or +00:00); -1 if bad. */
int	time_parse_rfc3339(const char *s, time_t *out);
/* Monotonic milliseconds. */
int64_t	time_mono_ms(void);

#endif

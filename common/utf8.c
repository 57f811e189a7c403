/*
 * utf8.c - in-place UTF-8 scrubbing.
 */
#include "utf8.h"

/* Length of the valid sequence at p, or 0. */
static int
seq_len(const unsigned char *p)
{
	unsigned char c = p[0];
	int n, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	int n;

	while (*p != '\0') {
		n = seq_len(p);
		if (n == 0) {
			*p++ = '?';
			continue;
		}
		if (n == 1 && (*p < 0x20 || *p == 0x7f) && *p != '\t')
			*p = '?';
		p += n;
	}
}

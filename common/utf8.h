/*
 * utf8.h - keep text that goes into JSON valid UTF-8.
 *
 * Messages echo client input (names, query keys, label selectors); jansson
 * refuses strings that are not UTF-8, which would turn a 404 into a 500 or
 * drop a validation error.  Scrubbing replaces what is not UTF-8.
 */
#ifndef JD_UTF8_H
#define JD_UTF8_H

/* Replace every byte that does not belong to a valid UTF-8 sequence (and
 * every control character but tab) with '?', in place. */
void	utf8_scrub(char *s);

#endif

/*
 * verr.h - a list of validation errors: {JSON Pointer, message}.
 *
 * Validators walk every field and add one entry per problem, so a client
 * learns about every bad field at once.  The problem-document code in api/
 * turns the list into the "errors" array.  Adding never fails loudly: on
 * out-of-memory the list records that it is incomplete (oom = 1) and the
 * caller answers 500.
 */
#ifndef JD_VERR_H
#define JD_VERR_H

#include <stddef.h>

struct verr {
	char	*field;		/* JSON Pointer (RFC 6901), "" for the root */
	char	*message;
};

struct verrs {
	struct verr	*v;
	size_t		 n;
	size_t		 cap;
	int		 oom;
};

void	verrs_add(struct verrs *l, const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	verrs_free(struct verrs *l);

/*
 * Append one reference token to a JSON Pointer, escaping '~' and '/' as
 * RFC 6901 says: ptr_join(buf, sz, "/params", "allow.mount") gives
 * "/params/allow.mount".  Truncates safely.
 */
void	ptr_join(char *out, size_t outsz, const char *base, const char *token);
/* The same for an array index. */
void	ptr_index(char *out, size_t outsz, const char *base, size_t index);

#endif

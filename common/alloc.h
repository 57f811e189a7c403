/*
 * alloc.h - allocation through one hook, so tests can fail the Nth call.
 *
 * Everything in jaild allocates through these (jansson is pointed at them
 * by jd_alloc_init), so a test can set jd_alloc_fail_after(n) and check
 * that the (n+1)th allocation failing leaves nothing half-done.
 * Out-of-memory is an error in request paths, never an exit.
 */
#ifndef JD_ALLOC_H
#define JD_ALLOC_H

#include <stddef.h>

/* Route jansson's allocations through the hook.  Call once at startup. */
void	jd_alloc_init(void);

void	*jd_malloc(size_t n);
void	*jd_calloc(size_t nmemb, size_t size);
void	*jd_realloc(void *p, size_t n);
char	*jd_strdup(const char *s);
char	*jd_strndup(const char *s, size_t n);
void	 jd_free(void *p);	/* jd_free(NULL) is a no-op */

/*
 * Tests only: after n more successful allocations, every allocation fails
 * until jd_alloc_fail_after(-1).  Counts across threads.
 */
void	jd_alloc_fail_after(long n);

#endif

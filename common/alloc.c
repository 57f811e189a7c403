/*
 * alloc.c - the allocation hook behind jd_malloc and jansson.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alloc.h"

static atomic_long fail_countdown = -1;

static int
should_fail(void)
{
	long v = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

	if (v < 0)
		return 0;
	if (v == 0)
		return 1;
	return atomic_fetch_sub(&fail_countdown, 1) <= 0;
}

void
jd_alloc_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}

void *
jd_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *
jd_calloc(size_t nmemb, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);
}

void *
jd_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n == 0 ? 1 : n);
}

char *
jd_strndup(const char *s, size_t n)
{
	char *d;

	d = jd_malloc(n + 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
jd_strdup(const char *s)
{
	return jd_strndup(s, strlen(s));
}

void
jd_free(void *p)
{
	free(p);
}

void
jd_alloc_init(void)
{
	json_set_alloc_funcs(jd_malloc, jd_free);
}

/*
 * verr.c - validation error lists and JSON Pointer building.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "utf8.h"
#include "verr.h"

void
verrs_add(struct verrs *l, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct verr *nv;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		nv = jd_realloc(l->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			l->oom = 1;
			return;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n].field = jd_strdup(field ? field : "");
	l->v[l->n].message = jd_strdup(msg);
	if (l->v[l->n].field == NULL || l->v[l->n].message == NULL) {
		jd_free(l->v[l->n].field);
		jd_free(l->v[l->n].message);
		l->oom = 1;
		return;
	}
	utf8_scrub(l->v[l->n].field);
	utf8_scrub(l->v[l->n].message);
	l->n++;
}

void
verrs_free(struct verrs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		jd_free(l->v[i].field);
		jd_free(l->v[i].message);
	}
	jd_free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->oom = 0;
}

void
ptr_join(char *out, size_t outsz, const char *base, const char *token)
{
	size_t n;

	if (outsz == 0)
		return;
	n = (size_t)snprintf(out, outsz, "%s/", base);
	if (n >= outsz) {
		out[outsz - 1] = '\0';
		return;
	}
	for (; *token != '\0' && n + 1 < outsz; token++) {
		if (*token == '~' || *token == '/') {
			if (n + 2 >= outsz)
				break;
			out[n++] = '~';
			out[n++] = *token == '~' ? '0' : '1';
		} else
			out[n++] = *token;
	}
	out[n] = '\0';
}

void
ptr_index(char *out, size_t outsz, const char *base, size_t index)
{
	snprintf(out, outsz, "%s/%zu", base, index);
}

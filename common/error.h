/*
 * error.h - the error record every layer fills instead of a global buffer.
 *
 * A function that can fail returns 0 / -1 (or NULL) and fills a
 * caller-supplied struct jd_error.  The code says what kind of failure it
 * is; api/problem.c maps codes to HTTP statuses and problem types in one
 * table.  Nothing here allocates, so an error can always be reported, even
 * when memory is exhausted.
 */
#ifndef JD_ERROR_H
#define JD_ERROR_H

#include <stddef.h>

enum jd_errcode {
	JD_OK = 0,
	JD_E_MALFORMED,		/* 400: body or query cannot be parsed */
	JD_E_UNAUTHORIZED,	/* 401 */
	JD_E_FORBIDDEN,		/* 403 */
	JD_E_NOTFOUND,		/* 404 */
	JD_E_METHOD,		/* 405 */
	JD_E_NOTACCEPTABLE,	/* 406 */
	JD_E_CONFLICT,		/* 409 */
	JD_E_PRECONDITION,	/* 412 */
	JD_E_TOOLARGE,		/* 413 */
	JD_E_MEDIATYPE,		/* 415 */
	JD_E_INVALID,		/* 422: well-formed but wrong */
	JD_E_HEADERS,		/* 431: request headers too large */
	JD_E_RATELIMIT,		/* 429 */
	JD_E_INTERNAL,		/* 500: never shows internals */
	JD_E_NOMEM,		/* 500 */
	JD_E_IO,		/* 500: storage failed */
	JD_E_HOST,		/* 502: the host backend refused */
	JD_E_UNAVAILABLE,	/* 503: not ready, storage busy or full */
	JD_E__COUNT
};

#define JD_ERR_FIELD_MAX	128
#define JD_ERR_MSG_MAX		512

struct jd_error {
	enum jd_errcode	code;
	int		sys_errno;	/* errno behind the failure, or 0 */
	char		field[JD_ERR_FIELD_MAX];  /* JSON Pointer or "" */
	char		message[JD_ERR_MSG_MAX];
};

/* Reset to JD_OK with empty strings.  err may be NULL. */
void	jd_error_clear(struct jd_error *err);

/*
 * Fill err (which may be NULL) and return -1, so that a failing path can
 * say `return jd_error_set(err, JD_E_INVALID, "/name", "...")`.
 * field may be NULL.  Messages are lower-case without a trailing period.
 */
int	jd_error_set(struct jd_error *err, enum jd_errcode code,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* Like jd_error_set, also recording errnum as sys_errno. */
int	jd_error_sys(struct jd_error *err, enum jd_errcode code, int errnum,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The stable snake_case name of a code ("invalid", "not_found", ...). */
const char *jd_errcode_name(enum jd_errcode code);

#endif

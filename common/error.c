/*
 * error.c - filling struct jd_error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static const char *const code_names[JD_E__COUNT] = {
	[JD_OK] = "ok",
	[JD_E_MALFORMED] = "malformed",
	[JD_E_UNAUTHORIZED] = "unauthorized",
	[JD_E_FORBIDDEN] = "forbidden",
	[JD_E_NOTFOUND] = "not_found",
	[JD_E_METHOD] = "method_not_allowed",
	[JD_E_NOTACCEPTABLE] = "not_acceptable",
	[JD_E_CONFLICT] = "conflict",
	[JD_E_PRECONDITION] = "precondition_failed",
	[JD_E_TOOLARGE] = "payload_too_large",
	[JD_E_MEDIATYPE] = "unsupported_media_type",
	[JD_E_INVALID] = "invalid",
	[JD_E_HEADERS] = "headers_too_large",
	[JD_E_RATELIMIT] = "rate_limited",
	[JD_E_INTERNAL] = "internal",
	[JD_E_NOMEM] = "internal",
	[JD_E_IO] = "storage_error",
	[JD_E_HOST] = "host_error",
	[JD_E_UNAVAILABLE] = "unavailable",
};

void
jd_error_clear(struct jd_error *err)
{
	if (err == NULL)
		return;
	err->code = JD_OK;
	err->sys_errno = 0;
	err->field[0] = '\0';
	err->message[0] = '\0';
}

static void
fill(struct jd_error *err, enum jd_errcode code, const char *field,
    const char *fmt, va_list ap)
{
	err->code = code;
	if (field != NULL)
		snprintf(err->field, sizeof(err->field), "%s", field);
	else
		err->field[0] = '\0';
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

int
jd_error_set(struct jd_error *err, enum jd_errcode code, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	fill(err, code, field, fmt, ap);
	va_end(ap);
	err->sys_errno = 0;
	return -1;
}

int
jd_error_sys(struct jd_error *err, enum jd_errcode code, int errnum,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	fill(err, code, NULL, fmt, ap);
	va_end(ap);
	err->sys_errno = errnum;
	return -1;
}

const char *
jd_errcode_name(enum jd_errcode code)
{
	if ((unsigned)code >= JD_E__COUNT || code_names[code] == NULL)
		return "internal";
	return code_names[code];
}

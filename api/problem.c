/*
 * problem.c - problem documents and the code -> status table.
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/utf8.h"
#include "problem.h"

static const struct {
	int		 status;
	const char	*title;
} problem_table[JD_E__COUNT] = {
	[JD_OK] = { 200, "OK" },
	[JD_E_MALFORMED] = { 400, "Malformed request" },
	[JD_E_UNAUTHORIZED] = { 401, "Authentication required" },
	[JD_E_FORBIDDEN] = { 403, "Forbidden" },
	[JD_E_NOTFOUND] = { 404, "Not found" },
	[JD_E_METHOD] = { 405, "Method not allowed" },
	[JD_E_NOTACCEPTABLE] = { 406, "Not acceptable" },
	[JD_E_CONFLICT] = { 409, "Conflict" },
	[JD_E_PRECONDITION] = { 412, "Precondition failed" },
	[JD_E_TOOLARGE] = { 413, "Request body too large" },
	[JD_E_MEDIATYPE] = { 415, "Unsupported media type" },
	[JD_E_INVALID] = { 422, "Invalid request" },
	[JD_E_HEADERS] = { 431, "Request headers too large" },
	[JD_E_RATELIMIT] = { 429, "Too many requests" },
	[JD_E_INTERNAL] = { 500, "Internal error" },
	[JD_E_NOMEM] = { 500, "Internal error" },
	[JD_E_IO] = { 500, "Storage error" },
	[JD_E_HOST] = { 502, "Host error" },
	[JD_E_UNAVAILABLE] = { 503, "Service unavailable" },
};

int
problem_status(enum jd_errcode code)
{
	if ((unsigned)code >= JD_E__COUNT || problem_table[code].status == 0)
		return 500;
	return problem_table[code].status;
}

static const char *
problem_title(enum jd_errcode code)
{
	if ((unsigned)code >= JD_E__COUNT || problem_table[code].title == NULL)
		return "Internal error";
	return problem_table[code].title;
}

void
api_json_body(struct api_response *resp, int status, json_t *root)
{
	char *s;

	s = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (s == NULL) {
		/* Out of memory: a fixed body still says what happened. */
		static const char oom[] = "{\"type\":\"urn:jaild:problem:"
		    "internal\",\"code\":\"internal\",\"title\":\"Internal "
		    "error\",\"status\":500,\"detail\":\"out of memory\"}";
		resp->status = 500;
		resp->content_type = "application/problem+json";
		resp->body = (char *)oom;
		resp->body_len = sizeof(oom) - 1;
		resp->body_static = 1;
		return;
	}
	resp->status = status;
	if (resp->content_type == NULL)
		resp->content_type = "application/json";
	resp->body = s;
	resp->body_len = strlen(s);
	resp->body_static = 0;
}

static json_t *
problem_new(const struct api_request *req, enum jd_errcode code,
    const char *detail)
{
	char type[96], clean[1024];
	const char *name = jd_errcode_name(code);

	/* 500s never carry internals: the detail is logged, not sent. */
	if (problem_status(code) == 500)
		detail = "the server failed to complete the request; the "
		    "request id is in its log";
	snprintf(type, sizeof(type), "urn:jaild:problem:%s", name);
	/* Details echo client input: keep them valid UTF-8. */
	snprintf(clean, sizeof(clean), "%s", detail ? detail :
	    problem_title(code));
	utf8_scrub(clean);
	detail = clean;
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}",
	    "type", type, "code", name, "title", problem_title(code),
	    "status", problem_status(code),
	    "detail", detail ? detail : problem_title(code),
	    "request_id", req && req->request_id ? req->request_id : "");
}

static void
finish(struct api_response *resp, enum jd_errcode code, json_t *p)
{
	resp->content_type = "application/problem+json";
	api_json_body(resp, problem_status(code), p);
}

void
problem_set(struct api_response *resp, const struct api_request *req,
    enum jd_errcode code, const char *detail, const struct verrs *errs)
{
	json_t *p, *arr;
	size_t i;

	api_response_free(resp);
	p = problem_new(req, code, detail);
	if (p != NULL && errs != NULL && errs->n > 0) {
		arr = json_array();
		for (i = 0; i < errs->n; i++)
			json_array_append_new(arr, json_pack("{s:s, s:s}",
			    "field", errs->v[i].field,
			    "message", errs->v[i].message));
		json_object_set_new(p, "errors", arr);
	}
	finish(resp, code, p);
}

void
problem_set_member(struct api_response *resp, const struct api_request *req,
    enum jd_errcode code, const char *detail, const char *key, json_t *value)
{
	json_t *p;

	api_response_free(resp);
	p = problem_new(req, code, detail);
	if (p != NULL && value != NULL)
		json_object_set(p, key, value);
	json_decref(value);
	finish(resp, code, p);
}

void
problem_from_error(struct api_response *resp, const struct api_request *req,
    const struct jd_error *err)
{
	struct verrs l = { 0 };
	enum jd_errcode code = err->code == JD_OK ? JD_E_INTERNAL : err->code;

	if (err->field[0] != '\0') {
		verrs_add(&l, err->field, "%s", err->message);
		problem_set(resp, req, code, err->message, &l);
		verrs_free(&l);
	} else
		problem_set(resp, req, code, err->message, NULL);
}

void
problem_not_found(struct api_response *resp, const struct api_request *req,
    const char *what, const char *name)
{
	char d[128];

	snprintf(d, sizeof(d), "no %s named \"%.63s\"", what, name);
	problem_set(resp, req, JD_E_NOTFOUND, d, NULL);
}

void
problem_set_rid(struct api_response *resp, const char *request_id,
    enum jd_errcode code, const char *detail, const struct verrs *errs)
{
	struct api_request req;

	memset(&req, 0, sizeof(req));
	req.request_id = request_id;
	problem_set(resp, &req, code, detail, errs);
}

void
problem_from_error_rid(struct api_response *resp, const char *request_id,
    const struct jd_error *err)
{
	struct api_request req;

	memset(&req, 0, sizeof(req));
	req.request_id = request_id;
	problem_from_error(resp, &req, err);
}

void
problem_malformed_json(struct api_response *resp,
    const struct api_request *req, int line, int column, const char *detail)
{
	json_t *p;

	api_response_free(resp);
	p = problem_new(req, JD_E_MALFORMED, detail);
	if (p != NULL) {
		json_object_set_new(p, "line", json_integer(line));
		json_object_set_new(p, "column", json_integer(column));
	}
	finish(resp, JD_E_MALFORMED, p);
}

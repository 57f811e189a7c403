/*
 * problem.h - RFC 9457 problem documents, the one place that maps jaild's
 * error codes to HTTP statuses and problem types.
 */
#ifndef JD_PROBLEM_H
#define JD_PROBLEM_H

#include "api.h"
#include "common/error.h"
#include "common/verr.h"

/* HTTP status for an error code. */
int	problem_status(enum jd_errcode code);

/*
 * Fill resp with a problem document: type urn:jaild:problem:CODE, code,
 * title, status, detail, request_id, and errors[] from errs (may be NULL).
 */
void	problem_set(struct api_response *resp, const struct api_request *req,
	    enum jd_errcode code, const char *detail, const struct verrs *errs);

/*
 * problem_set without errors but with one extension member key (e.g.
 * "jails" on the 409 for deleting a policy in use); value is stolen.
 */
void	problem_set_member(struct api_response *resp,
	    const struct api_request *req, enum jd_errcode code,
	    const char *detail, const char *key, json_t *value);

/* 404 "no WHAT named \"NAME\"" (what: "jail", "policy", "IP pool"). */
void	problem_not_found(struct api_response *resp,
	    const struct api_request *req, const char *what, const char *name);

/*
 * problem_set and problem_from_error for a writer op, which keeps only
 * its request's id (the request itself is gone by then).
 */
void	problem_set_rid(struct api_response *resp, const char *request_id,
	    enum jd_errcode code, const char *detail, const struct verrs *errs);
void	problem_from_error_rid(struct api_response *resp,
	    const char *request_id, const struct jd_error *err);

/* From a jd_error: its field (if any) becomes the single errors[] entry. */
void	problem_from_error(struct api_response *resp,
	    const struct api_request *req, const struct jd_error *err);

/* 400 for unparsable JSON, with line and column. */
void	problem_malformed_json(struct api_response *resp,
	    const struct api_request *req, int line, int column,
	    const char *detail);

/* Serialize a JSON value into resp as application/json (steals root). */
void	api_json_body(struct api_response *resp, int status, json_t *root);

#endif

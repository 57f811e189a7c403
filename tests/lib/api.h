/*
 * api.h - jail-level helpers over the harness's HTTP client.
 *
 * What the API tests kept writing again: fetch a jail, poll it until the
 * reconciler has settled it in a phase, count its events, send a request
 * that must answer a given status, send a request and keep the response.
 * Every helper talks to inst->url (the validating proxy when there is
 * one) and, unless it says otherwise, fails the test (check_fail) on a
 * transport error or an answer the helper does not expect.  All may be
 * called from any thread that may call http_do(); the check counter
 * itself is not synchronised, so tests call the checking helpers from
 * their main thread.
 */
#ifndef JD_TEST_API_H
#define JD_TEST_API_H

#include <jansson.h>

#include "harness.h"

/*
 * GET /v1/jails/NAME: the document (new reference: caller json_decref()s
 * it), or NULL on 404.  Any other status fails the test ("GET jail
 * answers").
 */
json_t	*api_jail_get(const struct jd_instance *inst, const char *name);

/*
 * Poll GET /v1/jails/NAME every 100 ms until the jail is in phase with
 * status.observed_generation == generation and, with jid_not > 0, a
 * status.jid other than jid_not.  Returns that document (new reference)
 * and counts one passed check; after timeout_ms it fails the test at
 * file:line with the last status seen ("jail reaches phase").  Use
 * api_jail_wait_phase(), which passes the caller's position.
 */
json_t	*api_jail_wait_phase_at(const char *file, int line,
	    const struct jd_instance *inst, const char *name,
	    const char *phase, int jid_not, int timeout_ms);
#define api_jail_wait_phase(inst, name, phase, jid_not, timeout_ms)	\
	api_jail_wait_phase_at(__FILE__, __LINE__, (inst), (name),	\
	    (phase), (jid_not), (timeout_ms))

/*
 * How many events of jail name with the given type have an id after since
 * (GET /v1/events?jail=NAME&since=SINCE&limit=1000).  Checks the answer is
 * 200 and that every item belongs to name (one passed check each).
 */
int	api_events_count(const struct jd_instance *inst, const char *name,
	    const char *type, long long since);

/*
 * api_events_count() every 100 ms until it is non-zero or timeout_ms has
 * passed; returns the last count (0 when none came in time).
 */
int	api_events_wait(const struct jd_instance *inst, const char *name,
	    const char *type, long long since, int timeout_ms);

/* The id of the newest event so far (for since=), 0 when there is none. */
long long api_events_last(const struct jd_instance *inst);

/*
 * method path with body (JSON; merge-patch for PATCH; NULL for none)
 * through http_json().  An answer other than want fails the test at
 * file:line ("status: METHOD PATH -> GOT, want WANT: BODY"); otherwise one
 * passed check.  Returns the answer's JSON body with a new reference
 * (caller json_decref()s it; NULL when it had none).  Use REQ(), which
 * passes the caller's position.
 */
json_t	*api_req_at(const char *file, int line,
	    const struct jd_instance *inst, const char *method,
	    const char *path, const char *body, long want);
#define REQ(inst, method, path, body, want)				\
	api_req_at(__FILE__, __LINE__, (inst), (method), (path),	\
	    (body), (want))

/*
 * One request through http_do() to base (inst->url, inst->direct or
 * "unix:PATH"), with content type ct (http_do()'s default when NULL),
 * body and headers (NULL-terminated, or NULL) as given.  Returns the
 * response, whatever its status (caller frees with http_free()); a
 * transport failure or no memory fails the test ("METHOD: PATH").
 */
struct http_resp *api_send(const char *base, const char *method,
	    const char *path, const char *ct, const char *body,
	    const char *const *headers);

/*
 * method path with body (NULL for none, http_do()'s default content type)
 * to base: the answer's status, or -1 on a transport failure.  Checks and
 * counts nothing, so the worker threads of a concurrency test may use it.
 */
long	api_status(const char *base, const char *method, const char *path,
	    const char *body);

/*
 * The content type a JSON body of method is sent with: NULL without a
 * body, application/merge-patch+json for PATCH, else application/json.
 * Static strings.
 */
const char *api_body_type(const char *method, const char *body);

#endif

/*
 * harness.h - start a live jaild (and the validating proxy) for API tests.
 *
 * harness_start() makes a temporary data directory, starts build/jaild on
 * 127.0.0.1:0 with the simulated host, waits for DATADIR/listen.addr and
 * /readyz, and (with_proxy) starts `prism proxy --errors` in front of it so
 * that every response is checked against openapi/openapi.yaml.  Tests talk
 * to inst->url, which is the proxy's address when there is one, or jaild's.
 * A response that breaks the spec makes prism answer with its own problem
 * document; http_do() detects that and fails the test (check_fail).
 *
 * Binary paths come from the environment ctest sets (JAILD_BIN,
 * JD_SOURCE_DIR, JD_PRISM).  All processes are killed at exit.
 */
#ifndef JD_TEST_HARNESS_H
#define JD_TEST_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

struct jd_instance {
	pid_t	pid;			/* jaild */
	pid_t	proxy_pid;		/* prism, or 0 */
	char	datadir[256];
	char	sock[300];		/* DATADIR/jaild.sock */
	char	direct[128];		/* http://127.0.0.1:PORT of jaild */
	char	url[128];		/* where tests send traffic */
	char	log[300];		/* jaild's stderr, DATADIR/jaild.log */
	int	with_proxy;
	char	*extra[32];		/* extra jaild arguments (copied) */
	char	token[128];		/* DATADIR/admin.token */
	int	tls;			/* jaild speaks TLS (-o tls=on) */
};

/*
 * Start jaild.  extra is a NULL-terminated list of additional arguments
 * (or NULL).  datadir NULL makes a fresh temporary directory.  Returns 0 or
 * -1 with a message on stderr.
 */
int	harness_start(struct jd_instance *inst, const char *datadir,
	    const char *const *extra, int with_proxy);
/* Start jaild again on the same data directory (after a kill). */
int	harness_restart(struct jd_instance *inst);
/* Send sig to jaild and wait for it; returns its wait status. */
int	harness_kill(struct jd_instance *inst, int sig);
/* SIGTERM both, wait, remove nothing (the data directory stays for logs). */
void	harness_stop(struct jd_instance *inst);

struct http_resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	*headers;		/* raw header block */
	json_t	*json;			/* parsed body when it is JSON, else NULL */
};

/*
 * Every request to a started instance (by its url, direct or unix base)
 * carries Authorization: Bearer with the instance's admin token unless the
 * caller's headers hold an Authorization line ("Authorization:" with no
 * value sends none).
 *
 * One request.  base is inst->url (or inst->direct to bypass the proxy, or
 * "unix:/path" for the unix socket).  headers is a NULL-terminated list of
 * "Name: value" lines or NULL.  body may be NULL.  With content_type NULL
 * and a body, application/json is sent.  Returns 0 when an HTTP answer
 * came back (whatever its status), -1 on transport failure.  If the answer
 * is prism's spec-violation report, the test fails here.
 */
int	http_do(const char *base, const char *method, const char *path,
	    const char *content_type, const char *body,
	    const char *const *headers, struct http_resp *out);
/* Case-insensitive header lookup; returns a static copy of the value. */
const char *http_header(const struct http_resp *r, const char *name);
void	http_resp_free(struct http_resp *r);

/* Shorthands that fail the test on transport errors. */
struct http_resp *http_get(const char *base, const char *path);
struct http_resp *http_json(const char *base, const char *method,
	    const char *path, const char *body);
void	http_free(struct http_resp *r);

/* Poll GET path until json pointer ptr equals want (string) or timeout. */
int	http_wait_field(const char *base, const char *path, const char *ptr,
	    const char *want, int timeout_ms);

/* json_t lookup by JSON Pointer ("/status/phase"); borrowed reference. */
json_t	*jptr(json_t *root, const char *ptr);
/* The string at ptr (borrowed from root), or NULL when it is not one. */
const char *jptr_str(json_t *root, const char *ptr);
/* The integer at ptr, or -1 when it is not one. */
long long jptr_int(json_t *root, const char *ptr);

/*
 * Clocks and sleeping for polling loops (any thread): harness_msleep()
 * sleeps ms milliseconds (a signal may cut it short); harness_now_ms() and
 * harness_now_s() read CLOCK_MONOTONIC in milliseconds and in seconds.
 */
void	harness_msleep(int ms);
long long harness_now_ms(void);
double	harness_now_s(void);

#endif

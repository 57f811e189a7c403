/*
 * harness.c - live jaild (and prism) processes for API tests, and a small
 * libcurl client that fails the test on any spec violation prism reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "check.h"
#include "harness.h"

#define MAX_INST 8

static struct jd_instance *live[MAX_INST];
static int atexit_done;

static void
kill_all(void)
{
	int i;

	for (i = 0; i < MAX_INST; i++)
		if (live[i] != NULL)
			harness_stop(live[i]);
}

static void
on_signal(int sig)
{
	(void)sig;
	kill_all();
	_exit(1);
}

static void
track(struct jd_instance *inst)
{
	int i;

	if (!atexit_done) {
		atexit(kill_all);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		curl_global_init(CURL_GLOBAL_ALL);
		atexit_done = 1;
	}
	for (i = 0; i < MAX_INST; i++)
		if (live[i] == inst)
			return;
	for (i = 0; i < MAX_INST; i++)
		if (live[i] == NULL) {
			live[i] = inst;
			return;
		}
}

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static const char *
env_or(const char *k, const char *dflt)
{
	const char *v = getenv(k);

	return v && *v ? v : dflt;
}

static int
spawn_jaild(struct jd_instance *inst)
{
	char *argv[48];
	int n = 0, fd, i;
	pid_t pid;

	argv[n++] = (char *)env_or("JAILD_BIN", "build/jaild");
	argv[n++] = (char *)"--data-dir";
	argv[n++] = inst->datadir;
	argv[n++] = (char *)"--listen";
	argv[n++] = (char *)"127.0.0.1:0";
	argv[n++] = (char *)"--socket";
	argv[n++] = inst->sock;
	argv[n++] = (char *)"-o";
	argv[n++] = (char *)"resync_interval_s=1";
	for (i = 0; inst->extra[i] != NULL && n < 46; i++)
		argv[n++] = inst->extra[i];
	argv[n] = NULL;

	snprintf(inst->log, sizeof(inst->log), "%s/jaild.log", inst->datadir);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		fd = open(inst->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd != -1) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	inst->pid = pid;
	return 0;
}

static void
read_token(struct jd_instance *inst)
{
	char path[320];
	FILE *f;

	inst->token[0] = '\0';
	snprintf(path, sizeof(path), "%s/admin.token", inst->datadir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(inst->token, sizeof(inst->token), f) == NULL)
		inst->token[0] = '\0';
	inst->token[strcspn(inst->token, "\r\n")] = '\0';
	fclose(f);
}

/* The admin token of the started instance that base points at. */
static const char *
token_for(const char *base)
{
	char unixbase[320];
	int i;

	for (i = 0; i < MAX_INST; i++) {
		if (live[i] == NULL || live[i]->token[0] == '\0')
			continue;
		snprintf(unixbase, sizeof(unixbase), "unix:%s", live[i]->sock);
		if (strcmp(base, live[i]->url) == 0 ||
		    strcmp(base, live[i]->direct) == 0 ||
		    strcmp(base, unixbase) == 0)
			return live[i]->token;
	}
	return NULL;
}

static int
wait_listen(struct jd_instance *inst)
{
	char path[320], addr[96];
	FILE *f;
	int i, st;
	struct http_resp r;

	snprintf(path, sizeof(path), "%s/listen.addr", inst->datadir);
	for (i = 0; i < 1500; i++) {
		if (waitpid(inst->pid, &st, WNOHANG) == inst->pid) {
			fprintf(stderr, "harness: jaild exited early; log %s\n",
			    inst->log);
			inst->pid = 0;
			return -1;
		}
		f = fopen(path, "r");
		if (f != NULL) {
			addr[0] = '\0';
			if (fgets(addr, sizeof(addr), f) != NULL)
				addr[strcspn(addr, "\n")] = '\0';
			fclose(f);
			if (addr[0] != '\0') {
				read_token(inst);
				snprintf(inst->direct, sizeof(inst->direct),
				    "%s://%s", inst->tls ? "https" : "http",
				    addr);
				if (http_do(inst->direct, "GET", "/readyz", NULL,
				    NULL, NULL, &r) == 0 && r.status == 200) {
					http_resp_free(&r);
					return 0;
				}
				http_resp_free(&r);
			}
		}
		msleep(10);
	}
	fprintf(stderr, "harness: jaild did not become ready; log %s\n",
	    inst->log);
	return -1;
}

static int
start_proxy(struct jd_instance *inst)
{
	char line[512], *p;
	int pfd[2], i;
	FILE *f;
	pid_t pid;
	const char *prism = env_or("JD_PRISM",
	    "tests/node_modules/.bin/prism");
	char spec[512];

	snprintf(spec, sizeof(spec), "%s/openapi/openapi.yaml",
	    env_or("JD_SOURCE_DIR", "."));
	if (pipe(pfd) == -1)
		return -1;
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		close(pfd[0]);
		dup2(pfd[1], 1);
		execl(prism, prism, "proxy", spec, inst->direct, "--errors",
		    "--validate-request=false", "--cors=false",
		    "--host", "127.0.0.1",
		    "--port", "0", (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", prism, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	inst->proxy_pid = pid;
	f = fdopen(pfd[0], "r");
	for (i = 0; f != NULL && fgets(line, sizeof(line), f) != NULL &&
	    i < 10000; i++) {
		p = strstr(line, "listening on http://");
		if (p != NULL) {
			p += strlen("listening on ");
			p[strcspn(p, " \r\n")] = '\0';
			snprintf(inst->url, sizeof(inst->url), "%s", p);
			/* Keep draining prism's output so it never blocks. */
			if (fork() == 0) {
				char sink[4096];
				while (fread(sink, 1, sizeof(sink), f) > 0)
					;
				_exit(0);
			}
			fclose(f);
			return 0;
		}
	}
	if (f != NULL)
		fclose(f);
	fprintf(stderr, "harness: prism did not start (%s)\n", prism);
	return -1;
}

int
harness_start(struct jd_instance *inst, const char *datadir,
    const char *const *extra, int with_proxy)
{
	char tmpl[] = "/tmp/jaild-test-XXXXXX";
	int i;

	memset(inst, 0, sizeof(*inst));
	track(inst);
	if (datadir == NULL) {
		if (mkdtemp(tmpl) == NULL)
			return -1;
		datadir = tmpl;
	}
	snprintf(inst->datadir, sizeof(inst->datadir), "%s", datadir);
	snprintf(inst->sock, sizeof(inst->sock), "%s/jaild.sock", datadir);
	for (i = 0; extra != NULL && extra[i] != NULL && i < 31; i++) {
		inst->extra[i] = strdup(extra[i]);
		if (strcmp(extra[i], "tls=on") == 0)
			inst->tls = 1;
	}
	inst->with_proxy = with_proxy;
	if (spawn_jaild(inst) == -1 || wait_listen(inst) == -1)
		return -1;
	if (with_proxy) {
		if (start_proxy(inst) == -1)
			return -1;
	} else
		snprintf(inst->url, sizeof(inst->url), "%s", inst->direct);
	return 0;
}

int
harness_restart(struct jd_instance *inst)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/listen.addr", inst->datadir);
	unlink(path);
	if (spawn_jaild(inst) == -1 || wait_listen(inst) == -1)
		return -1;
	if (inst->with_proxy) {
		if (inst->proxy_pid > 0) {
			kill(-inst->proxy_pid, SIGTERM);
			waitpid(inst->proxy_pid, NULL, 0);
			inst->proxy_pid = 0;
		}
		return start_proxy(inst);
	}
	snprintf(inst->url, sizeof(inst->url), "%s", inst->direct);
	return 0;
}

int
harness_kill(struct jd_instance *inst, int sig)
{
	int st = 0;

	if (inst->pid <= 0)
		return -1;
	kill(inst->pid, sig);
	waitpid(inst->pid, &st, 0);
	inst->pid = 0;
	return st;
}

void
harness_stop(struct jd_instance *inst)
{
	int i;

	if (inst->proxy_pid > 0) {
		kill(-inst->proxy_pid, SIGTERM);
		waitpid(inst->proxy_pid, NULL, 0);
		inst->proxy_pid = 0;
	}
	if (inst->pid > 0)
		harness_kill(inst, SIGTERM);
	for (i = 0; i < 32; i++) {
		free(inst->extra[i]);
		inst->extra[i] = NULL;
	}
	for (i = 0; i < MAX_INST; i++)
		if (live[i] == inst)
			live[i] = NULL;
}

/* ---- the client ---- */

struct mem {
	char	*p;
	size_t	 n;
};

static size_t
collect(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct mem *m = ud;
	size_t add = size * nmemb;
	char *np;

	np = realloc(m->p, m->n + add + 1);
	if (np == NULL)
		return 0;
	memcpy(np + m->n, ptr, add);
	m->n += add;
	np[m->n] = '\0';
	m->p = np;
	return add;
}

int
http_do(const char *base, const char *method, const char *path,
    const char *content_type, const char *body, const char *const *headers,
    struct http_resp *out)
{
	struct curl_slist *hl = NULL;
	struct mem b = { NULL, 0 }, h = { NULL, 0 };
	char url[1024], ct[256], authz[200];
	const char *sl, *rct, *tok;
	CURL *c;
	CURLcode rc;
	int i, have_auth = 0;

	memset(out, 0, sizeof(*out));
	c = curl_easy_init();
	if (c == NULL)
		return -1;
	if (strncmp(base, "unix:", 5) == 0) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, base + 5);
		snprintf(url, sizeof(url), "http://localhost%s", path);
	} else
		snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		snprintf(ct, sizeof(ct), "Content-Type: %s",
		    content_type ? content_type : "application/json");
		hl = curl_slist_append(hl, ct);
	} else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	hl = curl_slist_append(hl, "Expect:");
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		hl = curl_slist_append(hl, headers[i]);
		if (strncasecmp(headers[i], "Authorization:", 14) == 0)
			have_auth = 1;
	}
	if (!have_auth && (tok = token_for(base)) != NULL) {
		snprintf(authz, sizeof(authz), "Authorization: Bearer %s",
		    tok);
		hl = curl_slist_append(hl, authz);
	}
	if (strncmp(base, "https://", 8) == 0) {
		/* the instance's self-signed certificate */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		curl_easy_cleanup(c);
		free(b.p);
		free(h.p);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_cleanup(c);
	out->body = b.p ? b.p : strdup("");
	out->len = b.n;
	out->headers = h.p ? h.p : strdup("");
	if (out->len > 0)
		out->json = json_loadb(out->body, out->len, 0, NULL);

	/* The validating proxy's verdict: any violation fails the test. */
	sl = http_header(out, "sl-violations");
	if (sl != NULL) {
		char d[600];
		snprintf(d, sizeof(d), "%s %s -> %ld: %.500s", method, path,
		    out->status, sl);
		check_fail(__FILE__, __LINE__, "response matches openapi.yaml",
		    d);
	}
	if (out->status >= 400 && out->len > 0) {
		rct = http_header(out, "Content-Type");
		if (rct == NULL || strncmp(rct, "application/problem+json",
		    24) != 0) {
			char d[300];
			snprintf(d, sizeof(d), "%s %s -> %ld with %s", method,
			    path, out->status, rct ? rct : "no content type");
			check_fail(__FILE__, __LINE__,
			    "errors are problem documents", d);
		}
	}
	return 0;
}

const char *
http_header(const struct http_resp *r, const char *name)
{
	static _Thread_local char val[1024];
	const char *p = r->headers, *eol;
	size_t nl = strlen(name), vl;

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			vl = (size_t)(eol - p);
			if (vl >= sizeof(val))
				vl = sizeof(val) - 1;
			memcpy(val, p, vl);
			val[vl] = '\0';
			return val;
		}
		p = *eol ? eol + 2 : eol;
	}
	return NULL;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

struct http_resp *
http_get(const char *base, const char *path)
{
	struct http_resp *r = calloc(1, sizeof(*r));

	if (r == NULL || http_do(base, "GET", path, NULL, NULL, NULL, r) == -1)
		check_fail(__FILE__, __LINE__, "GET", path);
	return r;
}

struct http_resp *
http_json(const char *base, const char *method, const char *path,
    const char *body)
{
	struct http_resp *r = calloc(1, sizeof(*r));

	if (r == NULL || http_do(base, method, path, body ?
	    (strcmp(method, "PATCH") == 0 ? "application/merge-patch+json" :
	    "application/json") : NULL, body, NULL, r) == -1)
		check_fail(__FILE__, __LINE__, method, path);
	return r;
}

void
http_free(struct http_resp *r)
{
	if (r == NULL)
		return;
	http_resp_free(r);
	free(r);
}

json_t *
jptr(json_t *root, const char *ptr)
{
	char tok[256];
	const char *p = ptr, *e;
	size_t n;
	char *end;
	long idx;

	while (root != NULL && *p == '/') {
		p++;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(tok))
			return NULL;
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (json_is_array(root)) {
			idx = strtol(tok, &end, 10);
			root = *end == '\0' ? json_array_get(root, (size_t)idx) :
			    NULL;
		} else
			root = json_object_get(root, tok);
		p += n;
	}
	return root;
}

int
http_wait_field(const char *base, const char *path, const char *ptr,
    const char *want, int timeout_ms)
{
	struct http_resp r;
	json_t *v;
	int waited = 0, ok;
	char buf[64];

	for (;;) {
		ok = 0;
		if (http_do(base, "GET", path, NULL, NULL, NULL, &r) == 0) {
			v = jptr(r.json, ptr);
			if (json_is_string(v))
				ok = strcmp(json_string_value(v), want) == 0;
			else if (json_is_integer(v)) {
				snprintf(buf, sizeof(buf), "%lld",
				    (long long)json_integer_value(v));
				ok = strcmp(buf, want) == 0;
			} else if (json_is_null(v))
				ok = strcmp(want, "null") == 0;
			http_resp_free(&r);
		}
		if (ok)
			return 0;
		if (waited >= timeout_ms)
			return -1;
		msleep(50);
		waited += 50;
	}
}

const char *
jptr_str(json_t *root, const char *ptr)
{
	json_t *v = jptr(root, ptr);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

long long
jptr_int(json_t *root, const char *ptr)
{
	json_t *v = jptr(root, ptr);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

void
harness_msleep(int ms)
{
	msleep(ms);
}

long long
harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
harness_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

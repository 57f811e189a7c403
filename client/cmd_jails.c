/*
 * cmd_jails.c - the jail commands: ls, get, create, apply, edit, set, rm.
 *
 * Each builds its request from the command line, sends it through http.c
 * and prints the answer with output.c.  Writes that report "created",
 * "configured" or "unchanged" compare the jail's generation before and
 * after, since the server bumps it only when the desired part changed.
 */
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

#define LS_PAGE_DEFAULT	100
#define LS_PAGE_MAX	1000

static void
xbuf_printf_check(int r)
{
	if (r == -1)
		ctl_oom();
}

char *
ctl_jail_path(const char *name, const char *action, long wait_s)
{
	struct buf b = { 0 };
	char *e;

	e = http_escape(name);
	xbuf_printf_check(buf_printf(&b, "/v1/jails/%s", e));
	jd_free(e);
	if (action != NULL)
		xbuf_printf_check(buf_printf(&b, "/%s", action));
	if (wait_s >= 0)
		xbuf_printf_check(buf_printf(&b, "?wait=%ld", wait_s));
	return buf_detach(&b, NULL);
}

long long
ctl_json_int(const json_t *obj, const char *key, long long dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

/* Render a failed answer, free it, and give the exit status for it. */
static int
jails_fail(struct http_resp *resp, const char *what)
{
	output_problem(resp, what);
	http_resp_free(resp);
	return CTL_EXIT_API;
}

static char *
xdumps(const json_t *v, size_t flags)
{
	char *s;

	if ((s = json_dumps(v, flags)) == NULL)
		ctl_oom();
	return s;
}

/*
 * ls
 */

/* The IP column: the first address without its prefix length. */
static const char *
ls_ip(const json_t *jail, char *buf, size_t n)
{
	const char *a, *slash;

	a = json_string_value(json_object_get(
	    json_array_get(json_object_get(jail, "ips"), 0), "address"));
	if (a == NULL)
		return "-";
	slash = strchr(a, '/');
	snprintf(buf, n, "%.*s", slash != NULL ? (int)(slash - a) :
	    (int)strlen(a), a);
	return buf;
}

static void
ls_print(const struct ctl *ctl, const json_t *items)
{
	static const char *const hdr[] = { "NAME", "STATE", "JID", "IP",
	    "HOSTNAME", "PATH" };
	char jid[32], ip[128];
	const char *row[6], *h;
	const json_t *j, *st;
	struct table t;
	size_t i;

	if (output_items_plain(ctl, items, "name"))
		return;
	table_init(&t, 6, hdr);
	json_array_foreach(items, i, j) {
		st = json_object_get(j, "status");
		h = json_string_value(json_object_get(j, "hostname"));
		row[0] = json_string_value(json_object_get(j, "name"));
		row[1] = json_string_value(json_object_get(st, "phase"));
		row[2] = output_cell(json_object_get(st, "jid"), jid,
		    sizeof(jid));
		row[3] = ls_ip(j, ip, sizeof(ip));
		row[4] = h != NULL && *h != '\0' ? h : "-";
		row[5] = json_string_value(json_object_get(j, "path"));
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
}

int
cmd_ls(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_STATE = 1, O_PHASE, O_LABEL, O_LIMIT };
	static const struct arg_opt opts[] = {
		{ "state", 0, ARG_REQUIRED, O_STATE },
		{ "phase", 0, ARG_REQUIRED, O_PHASE },
		{ "label", 'l', ARG_REQUIRED, O_LABEL },
		{ "limit", 0, ARG_REQUIRED, O_LIMIT },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct buf q = { 0 }, path = { 0 };
	struct http_resp resp;
	json_t *all = NULL, *items;
	const char *val, *eq, *cursor;
	char *e, *k, *end;
	long limit = LS_PAGE_DEFAULT;
	struct args a;
	int r, rc = CTL_EXIT_OK;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			rc = CTL_EXIT_USAGE;
			goto done;
		case ARGS_HELP:
			goto done;
		case ARGS_POS:
			rc = ctl_usage(cmd, "unexpected argument '%s'",
			    val);
			goto done;
		case O_STATE:
		case O_PHASE:
			e = http_escape(val);
			xbuf_printf_check(buf_printf(&q, "&%s=%s",
			    r == O_STATE ? "state" : "phase", e));
			jd_free(e);
			break;
		case O_LABEL:
			if ((eq = strchr(val, '=')) == NULL ||
			    eq == val) {
				rc = ctl_usage(cmd, "--label wants "
				    "KEY=VALUE, not '%s'", val);
				goto done;
			}
			if ((k = jd_strndup(val, eq - val)) == NULL)
				ctl_oom();
			e = http_escape(k);
			jd_free(k);
			xbuf_printf_check(buf_printf(&q, "&label=%s=",
			    e));
			jd_free(e);
			e = http_escape(eq + 1);
			xbuf_printf_check(buf_puts(&q, e));
			jd_free(e);
			break;
		case O_LIMIT:
			limit = strtol(val, &end, 10);
			if (*val == '\0' || *end != '\0' || limit < 1 ||
			    limit > LS_PAGE_MAX) {
				rc = ctl_usage(cmd, "--limit wants "
				    "1..%d, not '%s'", LS_PAGE_MAX,
				    val);
				goto done;
			}
			break;
		}
	}

	if ((all = json_array()) == NULL)
		ctl_oom();
	cursor = NULL;
	e = NULL;
	for (;;) {
		buf_reset(&path);
		xbuf_printf_check(buf_printf(&path, "/v1/jails?limit=%ld%s",
		    limit, q.data != NULL ? q.data : ""));
		if (e != NULL) {
			xbuf_printf_check(buf_printf(&path, "&cursor=%s", e));
			jd_free(e);
			e = NULL;
		}
		if ((rc = http_request(ctl, "GET", path.data, NULL, NULL, NULL,
		    0, NULL, &resp)) != CTL_EXIT_OK)
			goto done;
		items = json_object_get(resp.json, "items");
		if (resp.status != 200 || !json_is_array(items)) {
			rc = jails_fail(&resp, NULL);
			goto done;
		}
		if (json_array_extend(all, items) == -1)
			ctl_oom();
		cursor = json_string_value(json_object_get(resp.json,
		    "next_cursor"));
		if (cursor != NULL && *cursor != '\0')
			e = http_escape(cursor);
		http_resp_free(&resp);
		if (e == NULL)
			break;
	}
	ls_print(ctl, all);
done:
	json_decref(all);
	buf_free(&q);
	buf_free(&path);
	return rc;
}

/*
 * Parse a command that takes exactly one NAME and, optionally, --wait.
 * Returns 0 or an exit status (for --help: CTL_EXIT_OK via *done).
 */
static int
one_name(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv,
    const char **name, long *wait_s, int *done)
{
	enum { O_WAIT = 1 };
	static const struct arg_opt opts[] = {
		{ "wait", 'w', ARG_OPTIONAL, O_WAIT },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct args a;
	const char *val;
	int r;

	*name = NULL;
	*done = 0;
	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, wait_s != NULL ? opts : NULL, ctl,
	    &val)) != ARGS_END) {
		if (r == ARGS_ERR)
			return CTL_EXIT_USAGE;
		if (r == ARGS_HELP) {
			*done = 1;
			return CTL_EXIT_OK;
		}
		if (r == O_WAIT) {
			if ((*wait_s = args_wait(cmd, val)) < 0)
				return CTL_EXIT_USAGE;
		} else if (*name != NULL)
			return ctl_usage(cmd, "unexpected argument '%s'", val);
		else
			*name = val;
	}
	if (*name == NULL)
		return ctl_usage(cmd, "which jail?");
	return 0;
}

/* GET one jail.  Returns an exit status; on 0, *resp holds a 200. */
static int
jail_fetch(struct ctl *ctl, const char *name, struct http_resp *resp,
    int quiet_404)
{
	char *path;
	int rc;

	path = ctl_jail_path(name, NULL, -1);
	rc = http_request(ctl, "GET", path, NULL, NULL, NULL, 0, NULL, resp);
	jd_free(path);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (resp->status == 200 && json_is_object(resp->json))
		return CTL_EXIT_OK;
	if (resp->status == 404 && quiet_404) {
		http_resp_free(resp);
		return -1;
	}
	return jails_fail(resp, NULL);
}

int
cmd_get(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct http_resp resp;
	const char *name;
	int rc, done;

	if ((rc = one_name(ctl, cmd, argc, argv, &name, NULL, &done)) != 0 ||
	    done)
		return rc;
	if ((rc = jail_fetch(ctl, name, &resp, 0)) != CTL_EXIT_OK)
		return rc;
	if (ctl->output == CTL_OUT_NAME)
		printf("%s\n", json_string_value(json_object_get(resp.json,
		    "name")));
	else
		output_json(stdout, resp.json);
	http_resp_free(&resp);
	return CTL_EXIT_OK;
}

/*
 * Parameter values are typed by the host's catalog (GET /v1/host/params)
 * when it knows the parameter, else guessed: an integer, true/false, or a
 * string.  The server validates either way.  Shared with cmd_policies.c
 * through ctl.h.
 */
int
ctl_param_types_load(struct ctl *ctl, struct ctl_param_types *pt)
{
	struct http_resp resp;
	int rc;

	if (pt->fetched)
		return CTL_EXIT_OK;
	pt->fetched = 1;
	rc = http_request(ctl, "GET", "/v1/host/params", NULL, NULL, NULL, 0,
	    NULL, &resp);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (resp.status == 200 &&
	    json_is_array(json_object_get(resp.json, "items")))
		pt->items = json_incref(json_object_get(resp.json, "items"));
	http_resp_free(&resp);
	return CTL_EXIT_OK;
}

static const char *
param_type_of(const struct ctl_param_types *pt, const char *name)
{
	const json_t *p;
	size_t i;

	json_array_foreach(pt->items, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return json_string_value(json_object_get(p, "type"));
	}
	return NULL;
}

static int
str_is_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

json_t *
ctl_param_value(const struct ctl_param_types *pt, const char *name,
    const char *v)
{
	const char *type = param_type_of(pt, name);
	int want_int, want_bool;

	want_int = type == NULL || strstr(type, "int") != NULL ||
	    strstr(type, "long") != NULL;
	want_bool = type == NULL || strstr(type, "bool") != NULL;
	if (want_int && str_is_int(v)) {
		errno = 0;
		long long n = strtoll(v, NULL, 10);
		if (errno == 0)
			return json_integer(n);
	}
	if (want_bool && strcmp(v, "true") == 0)
		return json_true();
	if (want_bool && strcmp(v, "false") == 0)
		return json_false();
	return json_string(v);
}

char *
ctl_kv_split(const char *s, const char **v)
{
	const char *eq = strchr(s, '=');
	char *k;

	if (eq == NULL || eq == s)
		return NULL;
	if ((k = jd_strndup(s, eq - s)) == NULL)
		ctl_oom();
	*v = eq + 1;
	return k;
}

/* --ip 'IFACE|ADDR/PFX' or 'ADDR': the | is literal, as in jail.conf. */
static json_t *
create_ip(const char *s)
{
	const char *bar = strchr(s, '|');
	json_t *ip;

	if ((ip = json_object()) == NULL)
		ctl_oom();
	if (bar != NULL && bar != s) {
		char *iface = jd_strndup(s, bar - s);

		if (iface == NULL)
			ctl_oom();
		ctl_json_set(ip, "interface", json_string(iface));
		jd_free(iface);
	} else
		ctl_json_set(ip, "interface", json_null());
	ctl_json_set(ip, "address", json_string(bar != NULL ? bar + 1 : s));
	return ip;
}

json_t *
ctl_mount_parse(const char *s)
{
	char *dup, *type, *src, *target, *opts, *o, *save = NULL;
	json_t *m = NULL, *mopts;

	if ((dup = jd_strdup(s)) == NULL)
		ctl_oom();
	type = dup;
	if ((src = strchr(type, ':')) == NULL)
		goto bad;
	*src++ = '\0';
	if ((target = strchr(src, ':')) == NULL)
		goto bad;
	*target++ = '\0';
	if ((opts = strchr(target, ':')) != NULL)
		*opts++ = '\0';
	if (*type == '\0' || *target == '\0')
		goto bad;
	if ((m = json_object()) == NULL || (mopts = json_array()) == NULL)
		ctl_oom();
	ctl_json_set(m, "type", json_string(type));
	/* fstab habit: "devfs" as the source of a devfs mount means none. */
	if (*src != '\0' && strcmp(src, type) != 0)
		ctl_json_set(m, "source", json_string(src));
	ctl_json_set(m, "target", json_string(target));
	for (o = opts != NULL ? strtok_r(opts, ",", &save) : NULL; o != NULL;
	    o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "ro") == 0)
			ctl_json_append(mopts, json_string("ro"));
		else if (strcmp(o, "rw") == 0)
			continue;
		else if (strncmp(o, "ruleset=", 8) == 0 && str_is_int(o + 8))
			ctl_json_set(m, "ruleset", json_integer(atoll(o + 8)));
		else if (strncmp(o, "size=", 5) == 0)
			ctl_json_set(m, "size", json_string(o + 5));
		else if (strncmp(o, "mode=", 5) == 0)
			ctl_json_set(m, "mode", json_string(o + 5));
		else {
			json_decref(mopts);
			goto bad;
		}
	}
	if (json_array_size(mopts) > 0)
		ctl_json_set(m, "options", mopts);
	else
		json_decref(mopts);
	jd_free(dup);
	return m;
bad:
	json_decref(m);
	jd_free(dup);
	return NULL;
}

/* --mount for create: a usage error when it does not parse. */
static json_t *
create_mount(const struct ctl_cmd *cmd, const char *s)
{
	json_t *m = ctl_mount_parse(s);

	if (m == NULL)
		ctl_usage(cmd, "--mount wants TYPE:SRC:TARGET[:ro], not '%s'", s);
	return m;
}

/* Print what a write did, in the -o form. */
static void
report(const struct ctl *ctl, const char *name, const char *what,
    const json_t *doc)
{
	if (ctl->output == CTL_OUT_JSON) {
		/* Nothing to show for a jail that is gone. */
		if (doc != NULL)
			output_json(stdout, doc);
	} else if (ctl->output == CTL_OUT_NAME)
		printf("%s\n", name);
	else
		printf("%s %s\n", name, what);
}

/*
 * Finish a write that asked to wait: settle, then report.  Takes resp.
 */
static int
finish_write(struct ctl *ctl, const char *name, const char *what,
    struct http_resp *resp, long wait_s, double started)
{
	json_t *final = NULL;
	char line[160];
	int rc;

	if (wait_s < 0) {
		report(ctl, name, what, resp->json);
		http_resp_free(resp);
		return CTL_EXIT_OK;
	}
	rc = ctl_wait_settled(ctl, name, resp->json, resp->status, wait_s,
	    started, 0, &final);
	http_resp_free(resp);
	if (rc == CTL_EXIT_OK || rc == CTL_EXIT_API) {
		snprintf(line, sizeof(line), "%s (%s)", what,
		    json_string_value(json_object_get(json_object_get(final,
		    "status"), "phase")));
		if (rc == CTL_EXIT_OK)
			report(ctl, name, line, final);
	}
	json_decref(final);
	return rc;
}

int
cmd_create(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_PATH = 1, O_HOSTNAME, O_IP, O_MOUNT, O_PARAM, O_LABEL,
	    O_DEPENDS, O_POLICY, O_START, O_WAIT };
	static const struct arg_opt opts[] = {
		{ "path", 'p', ARG_REQUIRED, O_PATH },
		{ "hostname", 'H', ARG_REQUIRED, O_HOSTNAME },
		{ "ip", 0, ARG_REQUIRED, O_IP },
		{ "mount", 'm', ARG_REQUIRED, O_MOUNT },
		{ "param", 'P', ARG_REQUIRED, O_PARAM },
		{ "label", 'l', ARG_REQUIRED, O_LABEL },
		{ "depends", 0, ARG_REQUIRED, O_DEPENDS },
		{ "policy", 0, ARG_REQUIRED, O_POLICY },
		{ "start", 0, ARG_NONE, O_START },
		{ "wait", 'w', ARG_OPTIONAL, O_WAIT },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct ctl_param_types pt = { 0, NULL };
	struct http_resp resp;
	json_t *doc, *ips, *mounts, *params, *labels, *deps, *pols, *m;
	const char *val, *name = NULL, *path = NULL, *v;
	char *k, *body = NULL, *url = NULL, label[160];
	long wait_s = -1;
	double started;
	struct args a;
	int r, rc = CTL_EXIT_OK;

	if ((doc = json_object()) == NULL || (ips = json_array()) == NULL ||
	    (mounts = json_array()) == NULL || (params = json_object()) == NULL ||
	    (labels = json_object()) == NULL || (deps = json_array()) == NULL ||
	    (pols = json_array()) == NULL)
		ctl_oom();
	/* Keep the document in the order of the jail document. */
	ctl_json_set(doc, "name", json_null());
	ctl_json_set(doc, "path", json_null());
	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			rc = CTL_EXIT_USAGE;
			goto done;
		case ARGS_HELP:
			goto done;
		case ARGS_POS:
			if (name != NULL) {
				rc = ctl_usage(cmd, "unexpected argument "
				    "'%s'", val);
				goto done;
			}
			name = val;
			break;
		case O_PATH:
			path = val;
			break;
		case O_HOSTNAME:
			ctl_json_set(doc, "hostname", json_string(val));
			break;
		case O_IP:
			if (*val == '\0') {
				rc = ctl_usage(cmd, "--ip wants "
				    "'IFACE|ADDR/PFX' or 'ADDR'");
				goto done;
			}
			ctl_json_append(ips, create_ip(val));
			break;
		case O_MOUNT:
			if ((m = create_mount(cmd, val)) == NULL) {
				rc = CTL_EXIT_USAGE;
				goto done;
			}
			ctl_json_append(mounts, m);
			break;
		case O_PARAM:
		case O_LABEL:
			if ((k = ctl_kv_split(val, &v)) == NULL) {
				rc = ctl_usage(cmd, "--%s wants K=V, not '%s'",
				    r == O_PARAM ? "param" : "label", val);
				goto done;
			}
			if (r == O_LABEL)
				ctl_json_set(labels, k, json_string(v));
			else {
				rc = ctl_param_types_load(ctl, &pt);
				if (rc != CTL_EXIT_OK) {
					jd_free(k);
					goto done;
				}
				ctl_json_set(params, k,
				    ctl_param_value(&pt, k, v));
			}
			jd_free(k);
			break;
		case O_DEPENDS:
			ctl_json_append(deps, json_string(val));
			break;
		case O_POLICY:
			ctl_json_append(pols, json_string(val));
			break;
		case O_START:
			ctl_json_set(doc, "state", json_string("running"));
			break;
		case O_WAIT:
			if ((wait_s = args_wait(cmd, val)) < 0) {
				rc = CTL_EXIT_USAGE;
				goto done;
			}
			break;
		}
	}
	if (name == NULL) {
		rc = ctl_usage(cmd, "which jail? (a NAME is required)");
		goto done;
	}
	if (path == NULL) {
		rc = ctl_usage(cmd, "--path is required");
		goto done;
	}
	ctl_json_set(doc, "name", json_string(name));
	ctl_json_set(doc, "path", json_string(path));
	if (json_object_size(params) > 0)
		ctl_json_set(doc, "params", json_incref(params));
	if (json_array_size(ips) > 0)
		ctl_json_set(doc, "ips", json_incref(ips));
	if (json_array_size(mounts) > 0)
		ctl_json_set(doc, "mounts", json_incref(mounts));
	if (json_array_size(deps) > 0)
		ctl_json_set(doc, "depends", json_incref(deps));
	if (json_array_size(pols) > 0)
		ctl_json_set(doc, "policies", json_incref(pols));
	if (json_object_size(labels) > 0)
		ctl_json_set(doc, "labels", json_incref(labels));

	body = xdumps(doc, JSON_COMPACT);
	snprintf(label, sizeof(label), "creating %s", name);
	if (wait_s >= 0) {
		struct buf b = { 0 };

		xbuf_printf_check(buf_printf(&b, "/v1/jails?wait=%ld",
		    wait_s));
		url = buf_detach(&b, NULL);
	}
	started = ctl_now();
	rc = http_request(ctl, "POST", url != NULL ? url : "/v1/jails",
	    "application/json", body, NULL, wait_s > 0 ? wait_s : 0,
	    wait_s > 0 ? label : NULL, &resp);
	if (rc != CTL_EXIT_OK)
		goto done;
	if (resp.status != 201 && resp.status != 202) {
		rc = jails_fail(&resp, NULL);
		goto done;
	}
	rc = finish_write(ctl, name, "created", &resp, wait_s, started);
done:
	json_decref(doc);
	json_decref(ips);
	json_decref(mounts);
	json_decref(params);
	json_decref(labels);
	json_decref(deps);
	json_decref(pols);
	json_decref(pt.items);
	jd_free(body);
	jd_free(url);
	return rc;
}

#define JAIL_PUT_FETCH	(-2)

/*
 * PUT one document, saying created / configured / unchanged.  etag (may be
 * NULL) is sent as If-Match.  before is the generation before the write,
 * -1 for none (it is new), or JAIL_PUT_FETCH to GET it first.
 * *status_out gets the HTTP status (412 is for edit to explain).
 * Returns an exit status.
 */
static int
jail_put(struct ctl *ctl, const char *name, json_t *doc, const char *etag,
    long long before, long wait_s, const char *changed_word,
    long *status_out)
{
	struct http_resp resp;
	long long after;
	const char *what;
	double started;
	char *path, *body, label[160];
	int rc;

	*status_out = 0;
	if (before == JAIL_PUT_FETCH) {
		before = -1;
		rc = jail_fetch(ctl, name, &resp, 1);
		if (rc == CTL_EXIT_OK) {
			before = ctl_json_int(resp.json, "generation", -1);
			http_resp_free(&resp);
		} else if (rc != -1)
			return rc;
	}
	path = ctl_jail_path(name, NULL, wait_s);
	body = xdumps(doc, JSON_COMPACT);
	snprintf(label, sizeof(label), "applying %s", name);
	started = ctl_now();
	rc = http_request(ctl, "PUT", path, "application/json", body, etag,
	    wait_s > 0 ? wait_s : 0, wait_s > 0 ? label : NULL, &resp);
	jd_free(path);
	jd_free(body);
	if (rc != CTL_EXIT_OK)
		return rc;
	*status_out = resp.status;
	if (resp.status == 412) {
		http_resp_free(&resp);
		return CTL_EXIT_API;
	}
	if (resp.status != 200 && resp.status != 201 && resp.status != 202)
		return jails_fail(&resp, name);
	after = ctl_json_int(resp.json, "generation", -2);
	if (resp.status == 201 || before < 0)
		what = "created";
	else if (after == before)
		what = "unchanged";
	else
		what = changed_word;
	return finish_write(ctl, name, what, &resp, wait_s, started);
}

/* Read all of fp into b. */
static int
read_all(FILE *fp, struct buf *b)
{
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(b, chunk, n) == -1)
			ctl_oom();
	if (ferror(fp))
		return -1;
	if (buf_append(b, "", 0) == -1)
		ctl_oom();
	return 0;
}

/*
 * Parse the apply input: one object, an array of objects, or objects one
 * after another (one per line).  Returns an array of objects, or NULL
 * after printing where the input is wrong.
 */
static json_t *
apply_parse(const char *file, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *docs, *v, *e;
	size_t off = 0, i, line = 1;

	if ((docs = json_array()) == NULL)
		ctl_oom();
	for (;;) {
		while (off < len && isspace((unsigned char)data[off])) {
			if (data[off] == '\n')
				line++;
			off++;
		}
		if (off >= len)
			break;
		v = json_loadb(data + off, len - off, JSON_DISABLE_EOF_CHECK |
		    JSON_REJECT_DUPLICATES, &jerr);
		if (v == NULL) {
			fprintf(stderr, "jailctl apply: %s: line %zu: %s\n",
			    file, line + (size_t)jerr.line - 1, jerr.text);
			goto fail;
		}
		for (i = 0; i < (size_t)jerr.position && off + i < len; i++)
			if (data[off + i] == '\n')
				line++;
		off += (size_t)jerr.position;
		if (json_is_array(v)) {
			json_array_foreach(v, i, e)
				ctl_json_append(docs, json_incref(e));
			json_decref(v);
		} else
			ctl_json_append(docs, v);
	}
	if (json_array_size(docs) == 0) {
		fprintf(stderr, "jailctl apply: %s: no documents\n", file);
		goto fail;
	}
	json_array_foreach(docs, i, e) {
		if (!json_is_object(e) ||
		    !json_is_string(json_object_get(e, "name"))) {
			fprintf(stderr, "jailctl apply: %s: document %zu is "
			    "not an object with a \"name\"\n", file, i + 1);
			goto fail;
		}
	}
	return docs;
fail:
	json_decref(docs);
	return NULL;
}

int
cmd_apply(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_FILE = 1, O_WAIT };
	static const struct arg_opt opts[] = {
		{ "filename", 'f', ARG_REQUIRED, O_FILE },
		{ "file", 0, ARG_REQUIRED, O_FILE },
		{ "wait", 'w', ARG_OPTIONAL, O_WAIT },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct buf data = { 0 };
	const char *val, *file = NULL;
	json_t *docs = NULL, *doc;
	long wait_s = -1, st;
	struct args a;
	FILE *fp;
	size_t i;
	int r, rc = CTL_EXIT_OK, one;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			return CTL_EXIT_USAGE;
		case ARGS_HELP:
			return CTL_EXIT_OK;
		case ARGS_POS:
			return ctl_usage(cmd, "unexpected argument '%s'", val);
		case O_FILE:
			file = val;
			break;
		case O_WAIT:
			if ((wait_s = args_wait(cmd, val)) < 0)
				return CTL_EXIT_USAGE;
			break;
		}
	}
	if (file == NULL)
		return ctl_usage(cmd, "-f FILE is required (- for stdin)");
	if (strcmp(file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(file, "r")) == NULL) {
		fprintf(stderr, "jailctl apply: %s: %s\n", file,
		    strerror(errno));
		return CTL_EXIT_USAGE;
	}
	r = read_all(fp, &data);
	if (fp != stdin)
		fclose(fp);
	if (r == -1) {
		fprintf(stderr, "jailctl apply: %s: read error\n", file);
		rc = CTL_EXIT_USAGE;
		goto done;
	}
	if ((docs = apply_parse(strcmp(file, "-") == 0 ? "<stdin>" : file,
	    data.data, data.len)) == NULL) {
		rc = CTL_EXIT_USAGE;
		goto done;
	}
	json_array_foreach(docs, i, doc) {
		one = jail_put(ctl, json_string_value(json_object_get(doc,
		    "name")), doc, NULL, JAIL_PUT_FETCH, wait_s, "configured",
		    &st);
		if (one == CTL_EXIT_CONNECT || one == CTL_EXIT_USAGE) {
			rc = one;
			break;
		}
		if (one != CTL_EXIT_OK && rc == CTL_EXIT_OK)
			rc = one;
	}
done:
	json_decref(docs);
	buf_free(&data);
	return rc;
}

/* The desired part of a jail document: what edit shows. */
static json_t *
desired_part(const json_t *doc)
{
	static const char *const theirs[] = { "generation",
	    "resource_version", "created_at", "updated_at", "status" };
	json_t *d;
	size_t i;

	if ((d = json_deep_copy(doc)) == NULL)
		ctl_oom();
	for (i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++)
		json_object_del(d, theirs[i]);
	return d;
}

/* Run $EDITOR (default vi) on path.  0, or -1 after saying why. */
static int
run_editor(const char *path)
{
	const char *editor = getenv("EDITOR");
	struct buf cmdline = { 0 };
	int status;
	pid_t pid;

	if (editor == NULL || *editor == '\0')
		editor = "vi";
	/* Through sh, so EDITOR may carry arguments ("emacs -nw"). */
	xbuf_printf_check(buf_printf(&cmdline, "%s \"$1\"", editor));
	fflush(stdout);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "jailctl edit: fork: %s\n", strerror(errno));
		buf_free(&cmdline);
		return -1;
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmdline.data, "sh", path,
		    (char *)NULL);
		_exit(127);
	}
	buf_free(&cmdline);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			fprintf(stderr, "jailctl edit: waitpid: %s\n",
			    strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "jailctl edit: %s failed (status %d)\n",
		    editor, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

int
cmd_edit(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct http_resp resp = { 0 };
	struct buf tmpl = { 0 }, after = { 0 };
	json_t *desired = NULL, *edited = NULL;
	json_error_t jerr;
	const char *name, *tmpdir;
	char *before = NULL, etag[128];
	long long gen;
	long status;
	int r, rc, done, fd = -1, keep = 0;
	FILE *fp;

	if ((rc = one_name(ctl, cmd, argc, argv, &name, NULL, &done)) != 0 ||
	    done)
		return rc;
	if ((rc = jail_fetch(ctl, name, &resp, 0)) != CTL_EXIT_OK)
		return rc;
	snprintf(etag, sizeof(etag), "%s", resp.etag);
	if (etag[0] == '\0')
		snprintf(etag, sizeof(etag), "\"%lld\"",
		    ctl_json_int(resp.json, "resource_version", 0));
	desired = desired_part(resp.json);
	gen = ctl_json_int(resp.json, "generation", -1);
	http_resp_free(&resp);
	before = json_dumps(desired, JSON_INDENT(2));
	if (before == NULL)
		ctl_oom();

	if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	xbuf_printf_check(buf_printf(&tmpl, "%s/jailctl-%s-XXXXXX.json",
	    tmpdir, name));
	if ((fd = mkstemps(tmpl.data, 5)) == -1) {
		fprintf(stderr, "jailctl edit: %s: %s\n", tmpl.data,
		    strerror(errno));
		rc = CTL_EXIT_API;
		goto done;
	}
	if (write(fd, before, strlen(before)) != (ssize_t)strlen(before) ||
	    write(fd, "\n", 1) != 1) {
		fprintf(stderr, "jailctl edit: %s: %s\n", tmpl.data,
		    strerror(errno));
		rc = CTL_EXIT_API;
		goto done;
	}
	r = close(fd);
	fd = -1;
	if (r == -1) {
		fprintf(stderr, "jailctl edit: %s: %s\n", tmpl.data,
		    strerror(errno));
		rc = CTL_EXIT_API;
		goto done;
	}
	if (run_editor(tmpl.data) == -1) {
		rc = CTL_EXIT_API;
		goto done;
	}
	if ((fp = fopen(tmpl.data, "r")) == NULL || read_all(fp, &after)) {
		fprintf(stderr, "jailctl edit: %s: %s\n", tmpl.data,
		    strerror(errno));
		if (fp != NULL)
			fclose(fp);
		rc = CTL_EXIT_API;
		goto done;
	}
	fclose(fp);
	if (after.len == strlen(before) + 1 &&
	    memcmp(after.data, before, after.len - 1) == 0) {
		printf("%s unchanged (no edits)\n", name);
		goto done;
	}
	edited = json_loadb(after.data, after.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (edited == NULL || !json_is_object(edited)) {
		if (edited == NULL)
			fprintf(stderr, "jailctl edit: line %d, column %d: "
			    "%s\n", jerr.line, jerr.column, jerr.text);
		else
			fprintf(stderr, "jailctl edit: the document must be "
			    "a JSON object\n");
		keep = 1;
		rc = CTL_EXIT_API;
		goto done;
	}
	rc = jail_put(ctl, name, edited, etag, gen, -1, "edited", &status);
	if (status == 412)
		fprintf(stderr, "jailctl edit: %s was changed by someone else "
		    "meanwhile; nothing saved (run edit again)\n", name);
	if (rc != CTL_EXIT_OK)
		keep = 1;
done:
	if (keep)
		fprintf(stderr, "jailctl edit: your edit is kept in %s\n",
		    tmpl.data);
	if (fd != -1)
		close(fd);
	if (!keep && tmpl.data != NULL)
		unlink(tmpl.data);
	json_decref(desired);
	json_decref(edited);
	jd_free(before);
	buf_free(&tmpl);
	buf_free(&after);
	return rc;
}

/* The top-level fields `set` changes by name. */
static const char *const set_fields[] = { "hostname", "state", "path",
    "restart_policy", NULL };

int
cmd_set(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_WAIT = 1 };
	static const struct arg_opt opts[] = {
		{ "wait", 'w', ARG_OPTIONAL, O_WAIT },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct ctl_param_types pt = { 0, NULL };
	struct http_resp resp;
	json_t *patch, *sub;
	const char *val, *name = NULL, *v, *what, *pp;
	long long before, after;
	char *k = NULL, *path = NULL, *body = NULL, label[160];
	long wait_s = -1;
	double started;
	struct args a;
	size_t i;
	int r, rc = CTL_EXIT_OK;

	if ((patch = json_object()) == NULL)
		ctl_oom();
	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		if (r == ARGS_ERR || r == ARGS_HELP) {
			rc = r == ARGS_ERR ? CTL_EXIT_USAGE : CTL_EXIT_OK;
			goto done;
		}
		if (r == O_WAIT) {
			if ((wait_s = args_wait(cmd, val)) < 0) {
				rc = CTL_EXIT_USAGE;
				goto done;
			}
			continue;
		}
		if (name == NULL) {
			name = val;
			continue;
		}
		if ((k = ctl_kv_split(val, &v)) == NULL) {
			rc = ctl_usage(cmd, "wants K=V, not '%s'", val);
			goto done;
		}
		if (strncmp(k, "param.", 6) == 0 && k[6] != '\0') {
			if ((rc = ctl_param_types_load(ctl, &pt)) != 0)
				goto done;
			if ((sub = json_object_get(patch, "params")) == NULL) {
				sub = json_object();
				ctl_json_set(patch, "params", sub);
			}
			ctl_json_set(sub, k + 6, *v == '\0' ? json_null() :
			    ctl_param_value(&pt, k + 6, v));
		} else if (strcmp(k, "policies") == 0) {
			/* "a,b" in order; "" for none */
			if ((sub = json_array()) == NULL)
				ctl_oom();
			for (pp = v; *pp != '\0';) {
				i = strcspn(pp, ",");
				if (i > 0)
					ctl_json_append(sub,
					    json_stringn(pp, i));
				pp += i + (pp[i] == ',');
			}
			ctl_json_set(patch, "policies", sub);
		} else if (strncmp(k, "label.", 6) == 0 && k[6] != '\0') {
			if ((sub = json_object_get(patch, "labels")) == NULL) {
				sub = json_object();
				ctl_json_set(patch, "labels", sub);
			}
			ctl_json_set(sub, k + 6, *v == '\0' ? json_null() :
			    json_string(v));
		} else {
			for (i = 0; set_fields[i] != NULL; i++)
				if (strcmp(k, set_fields[i]) == 0)
					break;
			if (set_fields[i] == NULL) {
				rc = ctl_usage(cmd, "cannot set '%s' (use "
				    "hostname, state, path, restart_policy, "
				    "policies, param.NAME or label.KEY)", k);
				goto done;
			}
			ctl_json_set(patch, k, json_string(v));
		}
		jd_free(k);
		k = NULL;
	}
	if (name == NULL) {
		rc = ctl_usage(cmd, "which jail?");
		goto done;
	}
	if (json_object_size(patch) == 0) {
		rc = ctl_usage(cmd, "nothing to set");
		goto done;
	}
	if ((rc = jail_fetch(ctl, name, &resp, 0)) != CTL_EXIT_OK)
		goto done;
	before = ctl_json_int(resp.json, "generation", -1);
	http_resp_free(&resp);

	path = ctl_jail_path(name, NULL, wait_s);
	body = xdumps(patch, JSON_COMPACT);
	started = ctl_now();
	snprintf(label, sizeof(label), "updating %s", name);
	rc = http_request(ctl, "PATCH", path, "application/merge-patch+json",
	    body, NULL, wait_s > 0 ? wait_s : 0, wait_s > 0 ? label : NULL,
	    &resp);
	if (rc != CTL_EXIT_OK)
		goto done;
	if (resp.status != 200 && resp.status != 202) {
		rc = jails_fail(&resp, NULL);
		goto done;
	}
	after = ctl_json_int(resp.json, "generation", -2);
	what = after == before ? "unchanged" : "configured";
	rc = finish_write(ctl, name, what, &resp, wait_s, started);
done:
	jd_free(k);
	jd_free(path);
	jd_free(body);
	json_decref(patch);
	json_decref(pt.items);
	return rc;
}

int
cmd_rm(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_WAIT = 1 };
	static const struct arg_opt opts[] = {
		{ "wait", 'w', ARG_OPTIONAL, O_WAIT },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct http_resp resp;
	const char *val;
	long wait_s = -1;
	double started;
	struct args a;
	char *path, label[160];
	int r, i, n = 0, rc = CTL_EXIT_OK, one;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		if (r == ARGS_ERR)
			return CTL_EXIT_USAGE;
		if (r == ARGS_HELP)
			return CTL_EXIT_OK;
		if (r == O_WAIT && (wait_s = args_wait(cmd, val)) < 0)
			return CTL_EXIT_USAGE;
		if (r == ARGS_POS)
			n++;
	}
	if (n == 0)
		return ctl_usage(cmd, "which jail?");
	/* Second pass: the names, in order, options already applied. */
	args_init(&a, cmd, argc, argv);
	for (i = 0; (r = args_next(&a, opts, ctl, &val)) != ARGS_END; i++) {
		if (r != ARGS_POS)
			continue;
		path = ctl_jail_path(val, NULL, wait_s);
		snprintf(label, sizeof(label), "deleting %s", val);
		started = ctl_now();
		one = http_request(ctl, "DELETE", path, NULL, NULL, NULL,
		    wait_s > 0 ? wait_s : 0, wait_s > 0 ? label : NULL, &resp);
		jd_free(path);
		if (one != CTL_EXIT_OK)		/* connect or usage */
			return one;
		if (resp.status == 204) {
			report(ctl, val, "deleted", NULL);
			http_resp_free(&resp);
			continue;
		}
		if (resp.status != 202 && resp.status != 200) {
			one = jails_fail(&resp, val);
		} else if (wait_s < 0) {
			report(ctl, val, "deleting", resp.json);
			http_resp_free(&resp);
		} else {
			one = ctl_wait_settled(ctl, val, resp.json,
			    resp.status, wait_s, started, 1, NULL);
			http_resp_free(&resp);
			if (one == CTL_EXIT_OK)
				report(ctl, val, "deleted", NULL);
		}
		if (one == CTL_EXIT_CONNECT)
			return one;
		if (one != CTL_EXIT_OK && rc == CTL_EXIT_OK)
			rc = one;
	}
	return rc;
}

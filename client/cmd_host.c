/*
 * cmd_host.c - the host commands: host (facts), host prisons (every
 * prison the kernel reports), host params (the parameter catalog), adopt
 * (take over a hand-made prison) and events (the history).
 */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

#define EVENTS_PAGE	1000

/* GET path and check for a 200 JSON object; prints the problem if not. */
static int
host_get(struct ctl *ctl, const char *path, struct http_resp *resp)
{
	int rc;

	if ((rc = http_request(ctl, "GET", path, NULL, NULL, NULL, 0, NULL,
	    resp)) != CTL_EXIT_OK)
		return rc;
	if (resp->status == 200 && json_is_object(resp->json))
		return CTL_EXIT_OK;
	output_problem(resp, NULL);
	http_resp_free(resp);
	return CTL_EXIT_API;
}

/* "key: value" lines, nested objects as key.sub, in the server's order. */
static void
host_print_facts(const json_t *obj, const char *prefix)
{
	const char *key;
	const json_t *v;
	char name[128], cell[64];

	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_object(v)) {
			snprintf(name, sizeof(name), "%s%s.", prefix, key);
			host_print_facts(v, name);
			continue;
		}
		snprintf(name, sizeof(name), "%s%s:", prefix, key);
		printf("%-18s %s\n", name, output_cell(v, cell, sizeof(cell)));
	}
}

static void
host_print_items(const struct ctl *ctl, const json_t *items,
    const char *const *hdr, size_t ncols,
    void (*row)(const json_t *, const char **, char (*)[64]))
{
	const char *cells[TABLE_MAX_COLS];
	char scratch[TABLE_MAX_COLS][64];
	struct table t;
	const json_t *it;
	size_t i;

	if (output_items_plain(ctl, items, "name"))
		return;
	table_init(&t, ncols, hdr);
	json_array_foreach(items, i, it) {
		row(it, cells, scratch);
		table_add(&t, cells);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
}

static void
prison_row(const json_t *p, const char **c, char (*s)[64])
{
	const char *h = json_string_value(json_object_get(p, "hostname"));

	c[0] = json_string_value(json_object_get(p, "name"));
	c[1] = output_cell(json_object_get(p, "jid"), s[1], sizeof(s[1]));
	c[2] = json_is_true(json_object_get(p, "managed")) ? "yes" : "no";
	c[3] = json_is_true(json_object_get(p, "dying")) ? "yes" : "no";
	c[4] = output_cell(json_array_get(json_object_get(p, "ips"), 0),
	    s[4], sizeof(s[4]));
	c[5] = h != NULL && *h != '\0' ? h : "-";
	c[6] = json_string_value(json_object_get(p, "path"));
}

static void
param_row(const json_t *p, const char **c, char (*s)[64])
{
	static const char *const flags[] = { "create_only", "read_only",
	    "admin_only" };
	size_t i, n = 0;

	c[0] = json_string_value(json_object_get(p, "name"));
	c[1] = json_string_value(json_object_get(p, "type"));
	c[2] = output_cell(json_object_get(p, "min"), s[2], sizeof(s[2]));
	c[3] = output_cell(json_object_get(p, "max"), s[3], sizeof(s[3]));
	s[4][0] = '\0';
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (!json_is_true(json_object_get(p, flags[i])))
			continue;
		n += snprintf(s[4] + n, sizeof(s[4]) - n, "%s%s",
		    n > 0 ? "," : "", flags[i]);
		if (n >= sizeof(s[4]))
			break;
	}
	c[4] = n > 0 ? s[4] : "-";
	c[5] = output_cell(json_object_get(p, "default"), s[5], sizeof(s[5]));
}

int
cmd_host(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const char *const phdr[] = { "NAME", "JID", "MANAGED",
	    "DYING", "IP", "HOSTNAME", "PATH" };
	static const char *const khdr[] = { "NAME", "TYPE", "MIN", "MAX",
	    "FLAGS", "DEFAULT" };
	struct http_resp resp;
	const char *val, *sub = NULL;
	const json_t *items;
	struct args a;
	int r, rc;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, NULL, ctl, &val)) != ARGS_END) {
		if (r == ARGS_ERR)
			return CTL_EXIT_USAGE;
		if (r == ARGS_HELP)
			return CTL_EXIT_OK;
		if (sub != NULL)
			return ctl_usage(cmd, "unexpected argument '%s'", val);
		sub = val;
	}
	if (sub == NULL) {
		if ((rc = host_get(ctl, "/v1/host", &resp)) != CTL_EXIT_OK)
			return rc;
		if (ctl->output == CTL_OUT_JSON)
			output_json(stdout, resp.json);
		else if (ctl->output == CTL_OUT_NAME)
			printf("%s\n", json_string_value(json_object_get(
			    resp.json, "hostname")));
		else
			host_print_facts(resp.json, "");
		http_resp_free(&resp);
		return CTL_EXIT_OK;
	}
	if (strcmp(sub, "prisons") != 0 && strcmp(sub, "params") != 0)
		return ctl_usage(cmd, "unknown host command '%s'", sub);
	if ((rc = host_get(ctl, strcmp(sub, "prisons") == 0 ?
	    "/v1/host/prisons" : "/v1/host/params", &resp)) != CTL_EXIT_OK)
		return rc;
	items = json_object_get(resp.json, "items");
	if (strcmp(sub, "prisons") == 0)
		host_print_items(ctl, items, phdr, 7, prison_row);
	else
		host_print_items(ctl, items, khdr, 6, param_row);
	http_resp_free(&resp);
	return CTL_EXIT_OK;
}

int
cmd_adopt(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct http_resp resp;
	struct buf path = { 0 };
	const char *val, *name = NULL;
	struct args a;
	char *e;
	int r, rc;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, NULL, ctl, &val)) != ARGS_END) {
		if (r == ARGS_ERR)
			return CTL_EXIT_USAGE;
		if (r == ARGS_HELP)
			return CTL_EXIT_OK;
		if (name != NULL)
			return ctl_usage(cmd, "unexpected argument '%s'", val);
		name = val;
	}
	if (name == NULL)
		return ctl_usage(cmd, "which prison?");
	e = http_escape(name);
	if (buf_printf(&path, "/v1/host/prisons/%s/adopt", e) == -1)
		ctl_oom();
	jd_free(e);
	rc = http_request(ctl, "POST", path.data, "application/json", "{}",
	    NULL, 0, NULL, &resp);
	buf_free(&path);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (resp.status != 201 && resp.status != 200) {
		output_problem(&resp, NULL);
		http_resp_free(&resp);
		return CTL_EXIT_API;
	}
	if (ctl->output == CTL_OUT_JSON)
		output_json(stdout, resp.json);
	else if (ctl->output == CTL_OUT_NAME)
		printf("%s\n", name);
	else
		printf("%s adopted\n", name);
	http_resp_free(&resp);
	return CTL_EXIT_OK;
}

int
cmd_events(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_SINCE = 1, O_JAIL };
	static const struct arg_opt opts[] = {
		{ "since", 0, ARG_REQUIRED, O_SINCE },
		{ "jail", 0, ARG_REQUIRED, O_JAIL },
		{ NULL, 0, ARG_NONE, 0 }
	};
	static const char *const hdr[] = { "ID", "TIME", "JAIL", "TYPE",
	    "MESSAGE" };
	struct buf path = { 0 };
	const char *val, *jail = NULL, *row[5];
	json_t *all = NULL;
	const json_t *ev;
	long long since = 0;
	char *e = NULL, *end, id[32];
	struct table t;
	struct args a;
	size_t i;
	int r, rc = CTL_EXIT_OK;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			return CTL_EXIT_USAGE;
		case ARGS_HELP:
			return CTL_EXIT_OK;
		case ARGS_POS:
			return ctl_usage(cmd, "unexpected argument '%s'", val);
		case O_SINCE:
			since = strtoll(val, &end, 10);
			if (*val == '\0' || *end != '\0' || since < 0)
				return ctl_usage(cmd, "--since wants an event "
				    "id, not '%s'", val);
			break;
		case O_JAIL:
			jail = val;
			break;
		}
	}
	if (jail != NULL) {
		e = http_escape(jail);
		if (buf_printf(&path, "/v1/events?jail=%s", e) == -1)
			ctl_oom();
	} else if (buf_puts(&path, "/v1/events") == -1)
		ctl_oom();
	if ((rc = http_fetch_feed(ctl, path.data, since, EVENTS_PAGE,
	    &all)) != CTL_EXIT_OK)
		goto done;
	if (output_items_plain(ctl, all, "id"))
		goto done;
	table_init(&t, 5, hdr);
	json_array_foreach(all, i, ev) {
		row[0] = output_cell(json_object_get(ev, "id"), id, sizeof(id));
		row[1] = json_string_value(json_object_get(ev, "time"));
		row[2] = json_string_value(json_object_get(ev, "jail"));
		row[3] = json_string_value(json_object_get(ev, "type"));
		row[4] = json_string_value(json_object_get(ev, "message"));
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
done:
	json_decref(all);
	buf_free(&path);
	jd_free(e);
	return rc;
}

/*
 * cmd_ips.c - addresses and address pools: `jailctl ip ls|add|rm` and
 * `jailctl pool ls|add|rm`, over /v1/jails/{name}/ips and /v1/ip-pools.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

static void
print_items(struct ctl *ctl, const json_t *items, const char *const *hdr,
    const char *const *keys, size_t ncols)
{
	const char *row[8];
	char cells[8][128];
	const json_t *it;
	struct table t;
	size_t i, c;

	if (ctl->output == CTL_OUT_JSON) {
		output_json(stdout, items);
		return;
	}
	table_init(&t, ncols, hdr);
	json_array_foreach(items, i, it) {
		for (c = 0; c < ncols; c++) {
			const json_t *v = json_object_get(it, keys[c]);
			const json_t *x;
			size_t k, n = 0;

			if (!json_is_array(v)) {
				row[c] = output_cell(v, cells[c],
				    sizeof(cells[c]));
				continue;
			}
			/* lists as "a,b", "-" when empty */
			cells[c][0] = '\0';
			json_array_foreach(v, k, x)
				n += (size_t)snprintf(cells[c] + n,
				    n < sizeof(cells[c]) ? sizeof(cells[c]) - n :
				    0, "%s%s", k ? "," : "",
				    json_string_value(x) ? json_string_value(x) :
				    "?");
			row[c] = cells[c][0] ? cells[c] : "-";
		}
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
}

/* ip ls NAME | ip add NAME (ADDR | --pool P) [--interface IF] | ip rm NAME ADDR */
int
cmd_ip(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_POOL = 1, O_IFACE };
	static const struct arg_opt opts[] = {
		{ "pool", 0, ARG_REQUIRED, O_POOL },
		{ "interface", 0, ARG_REQUIRED, O_IFACE },
		{ NULL, 0, ARG_NONE, 0 }
	};
	static const char *const hdr[] = { "INTERFACE", "ADDRESS", "FAMILY" };
	static const char *const keys[] = { "interface", "address", "family" };
	const char *val, *pos[3] = { NULL, NULL, NULL }, *pool = NULL,
	    *iface = NULL, *sub;
	struct http_resp resp;
	char path[256], *e, *ea;
	json_t *body;
	struct args a;
	int r, npos = 0, rc;

	if (argc < 2)
		return ctl_usage(cmd, "which ip command? ls, add or rm");
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		ctl_cmd_help(cmd, stdout);
		return CTL_EXIT_OK;
	}
	args_init(&a, cmd, argc - 1, argv + 1);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			return CTL_EXIT_USAGE;
		case ARGS_HELP:
			return CTL_EXIT_OK;
		case ARGS_POS:
			if (npos == 3)
				return ctl_usage(cmd, "too many arguments");
			pos[npos++] = val;
			break;
		case O_POOL:
			pool = val;
			break;
		case O_IFACE:
			iface = val;
			break;
		}
	}
	if (npos < 1)
		return ctl_usage(cmd, "which jail?");
	e = http_escape(pos[0]);
	if (strcmp(sub, "ls") == 0 && npos == 1) {
		snprintf(path, sizeof(path), "/v1/jails/%s/ips", e);
		jd_free(e);
		if ((rc = http_call(ctl, "GET", path, NULL, pos[0], &resp)) != 0)
			return rc;
		print_items(ctl, json_object_get(resp.json, "items"), hdr, keys,
		    3);
		http_resp_free(&resp);
		return CTL_EXIT_OK;
	}
	if (strcmp(sub, "add") == 0 && (npos == 2) != (pool != NULL)) {
		if ((body = json_object()) == NULL)
			ctl_oom();
		if (pool != NULL)
			ctl_json_set(body, "pool", json_string(pool));
		else
			ctl_json_set(body, "address", json_string(pos[1]));
		if (iface != NULL)
			ctl_json_set(body, "interface", json_string(iface));
		snprintf(path, sizeof(path), "/v1/jails/%s/ips", e);
		jd_free(e);
		rc = http_call(ctl, "POST", path, body, pos[0], &resp);
		json_decref(body);
		if (rc != CTL_EXIT_OK)
			return rc;
		if (ctl->output == CTL_OUT_JSON)
			output_json(stdout, resp.json);
		else
			printf("%s %s added\n", pos[0], json_string_value(
			    json_object_get(resp.json, "address")));
		http_resp_free(&resp);
		return CTL_EXIT_OK;
	}
	if (strcmp(sub, "rm") == 0 && npos == 2) {
		ea = http_escape(pos[1]);
		snprintf(path, sizeof(path), "/v1/jails/%s/ips/%s", e, ea);
		jd_free(e);
		jd_free(ea);
		if ((rc = http_call(ctl, "DELETE", path, NULL, pos[1], &resp)) != 0)
			return rc;
		http_resp_free(&resp);
		printf("%s %s removed\n", pos[0], pos[1]);
		return CTL_EXIT_OK;
	}
	jd_free(e);
	return ctl_usage(cmd, "wrong arguments for ip %s", sub);
}

/* pool ls | pool add NAME --interface IF --cidr CIDR [--exclude A]... |
 * pool rm NAME */
int
cmd_pool(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_IFACE = 1, O_CIDR, O_EXCL };
	static const struct arg_opt opts[] = {
		{ "interface", 0, ARG_REQUIRED, O_IFACE },
		{ "cidr", 0, ARG_REQUIRED, O_CIDR },
		{ "exclude", 0, ARG_REQUIRED, O_EXCL },
		{ NULL, 0, ARG_NONE, 0 }
	};
	static const char *const hdr[] = { "NAME", "INTERFACE", "CIDR",
	    "EXCLUDE" };
	static const char *const keys[] = { "name", "interface", "cidr",
	    "exclude" };
	const char *val, *name = NULL, *iface = NULL, *cidr = NULL, *sub;
	struct http_resp resp;
	json_t *body, *excl;
	char path[160], *e;
	struct args a;
	int r, rc;

	if (argc < 2)
		return ctl_usage(cmd, "which pool command? ls, add or rm");
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		ctl_cmd_help(cmd, stdout);
		return CTL_EXIT_OK;
	}
	if ((excl = json_array()) == NULL)
		ctl_oom();
	args_init(&a, cmd, argc - 1, argv + 1);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			json_decref(excl);
			return CTL_EXIT_USAGE;
		case ARGS_HELP:
			json_decref(excl);
			return CTL_EXIT_OK;
		case ARGS_POS:
			if (name != NULL) {
				json_decref(excl);
				return ctl_usage(cmd, "one pool at a time");
			}
			name = val;
			break;
		case O_IFACE:
			iface = val;
			break;
		case O_CIDR:
			cidr = val;
			break;
		case O_EXCL:
			if (json_array_append_new(excl, json_string(val)) == -1)
				ctl_oom();
			break;
		}
	}
	if (strcmp(sub, "ls") == 0 && name == NULL) {
		json_decref(excl);
		if ((rc = http_call(ctl, "GET", "/v1/ip-pools", NULL, NULL,
		    &resp)) != 0)
			return rc;
		print_items(ctl, json_object_get(resp.json, "items"), hdr, keys,
		    4);
		http_resp_free(&resp);
		return CTL_EXIT_OK;
	}
	if (strcmp(sub, "add") == 0 && name != NULL && iface != NULL &&
	    cidr != NULL) {
		body = json_pack("{s:s, s:s, s:s, s:o}", "name", name,
		    "interface", iface, "cidr", cidr, "exclude", excl);
		if (body == NULL)
			ctl_oom();
		rc = http_call(ctl, "POST", "/v1/ip-pools", body, name, &resp);
		json_decref(body);
		if (rc != CTL_EXIT_OK)
			return rc;
		http_resp_free(&resp);
		printf("%s added\n", name);
		return CTL_EXIT_OK;
	}
	json_decref(excl);
	if (strcmp(sub, "rm") == 0 && name != NULL) {
		e = http_escape(name);
		snprintf(path, sizeof(path), "/v1/ip-pools/%s", e);
		jd_free(e);
		if ((rc = http_call(ctl, "DELETE", path, NULL, name, &resp)) != 0)
			return rc;
		http_resp_free(&resp);
		printf("%s removed\n", name);
		return CTL_EXIT_OK;
	}
	return ctl_usage(cmd, "wrong arguments for pool %s (add needs NAME, "
	    "--interface and --cidr)", sub);
}

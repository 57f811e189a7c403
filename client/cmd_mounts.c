/*
 * cmd_mounts.c - a jail's mounts: `jailctl mount ls|add|rm`, over
 * /v1/jails/{name}/mounts.  `mount add` takes the TYPE:SRC:TARGET[:OPTS]
 * syntax of `jailctl create --mount` (ctl_mount_parse).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

static void
print_mounts(struct ctl *ctl, const json_t *items)
{
	static const char *const hdr[] = { "ID", "TYPE", "SOURCE", "TARGET",
	    "OPTIONS" };
	const char *row[5];
	char id[32], opt[128];
	const json_t *it, *v;
	struct table t;
	size_t i;

	if (ctl->output == CTL_OUT_JSON) {
		output_json(stdout, items);
		return;
	}
	table_init(&t, 5, hdr);
	json_array_foreach(items, i, it) {
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(
		    json_object_get(it, "id")));
		row[0] = id;
		row[1] = json_string_value(json_object_get(it, "type"));
		row[2] = json_string_value(json_object_get(it, "source"));
		if (row[2] == NULL)
			row[2] = "-";
		row[3] = json_string_value(json_object_get(it, "target"));
		opt[0] = '\0';
		if ((v = json_object_get(it, "options")) != NULL &&
		    json_array_size(v) > 0)
			snprintf(opt, sizeof(opt), "%s", json_string_value(
			    json_array_get(v, 0)));
		else if ((v = json_object_get(it, "ruleset")) != NULL)
			snprintf(opt, sizeof(opt), "ruleset=%lld",
			    (long long)json_integer_value(v));
		else if ((v = json_object_get(it, "size")) != NULL)
			snprintf(opt, sizeof(opt), "size=%s",
			    json_string_value(v));
		row[4] = opt[0] ? opt : "-";
		if (row[1] == NULL)
			row[1] = "?";
		if (row[3] == NULL)
			row[3] = "?";
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
}

/* mount ls NAME | mount add NAME TYPE:SRC:TARGET[:OPTS] | mount rm NAME ID */
int
cmd_mount(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct arg_opt opts[] = {
		{ NULL, 0, ARG_NONE, 0 }
	};
	const char *val, *pos[3] = { NULL, NULL, NULL }, *sub;
	struct http_resp resp;
	char path[256], *e, *ea;
	json_t *body;
	struct args a;
	int r, npos = 0, rc;

	if (argc < 2)
		return ctl_usage(cmd, "which mount command? ls, add or rm");
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
		}
	}
	if (npos < 1)
		return ctl_usage(cmd, "which jail?");
	if (strcmp(sub, "add") == 0 && npos == 2) {
		if ((body = ctl_mount_parse(pos[1])) == NULL)
			return ctl_usage(cmd, "a mount is TYPE:SRC:TARGET[:ro], "
			    "not '%s'", pos[1]);
		e = http_escape(pos[0]);
		snprintf(path, sizeof(path), "/v1/jails/%s/mounts", e);
		jd_free(e);
		rc = http_call(ctl, "POST", path, body, pos[0], &resp);
		json_decref(body);
		if (rc != CTL_EXIT_OK)
			return rc;
		if (ctl->output == CTL_OUT_JSON)
			output_json(stdout, resp.json);
		else
			printf("%s mount %lld added on %s\n", pos[0],
			    (long long)json_integer_value(json_object_get(
			    resp.json, "id")), json_string_value(
			    json_object_get(resp.json, "target")));
		http_resp_free(&resp);
		return CTL_EXIT_OK;
	}
	e = http_escape(pos[0]);
	if (strcmp(sub, "ls") == 0 && npos == 1) {
		snprintf(path, sizeof(path), "/v1/jails/%s/mounts", e);
		jd_free(e);
		if ((rc = http_call(ctl, "GET", path, NULL, pos[0], &resp)) != 0)
			return rc;
		print_mounts(ctl, json_object_get(resp.json, "items"));
		http_resp_free(&resp);
		return CTL_EXIT_OK;
	}
	if (strcmp(sub, "rm") == 0 && npos == 2) {
		ea = http_escape(pos[1]);
		snprintf(path, sizeof(path), "/v1/jails/%s/mounts/%s", e, ea);
		jd_free(e);
		jd_free(ea);
		if ((rc = http_call(ctl, "DELETE", path, NULL, pos[1], &resp)) != 0)
			return rc;
		http_resp_free(&resp);
		printf("%s mount %s removed\n", pos[0], pos[1]);
		return CTL_EXIT_OK;
	}
	jd_free(e);
	return ctl_usage(cmd, "wrong arguments for mount %s", sub);
}

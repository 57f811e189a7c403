/*
 * cmd_conf.c - jail.conf text: `jailctl export [NAME...]`.
 *
 * The server renders the text (GET /v1/export, GET /v1/jails/NAME/
 * jail.conf); jailctl only prints it, so the output is exactly what the
 * API serves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

int
cmd_export(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct arg_opt opts[] = { { NULL, 0, ARG_NONE, 0 } };
	struct http_resp resp;
	char path[160], *e;
	const char *val, *names[64];
	struct args a;
	size_t n = 0, i;
	int r, rc = CTL_EXIT_OK;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			return CTL_EXIT_USAGE;
		case ARGS_HELP:
			return CTL_EXIT_OK;
		case ARGS_POS:
			if (n == sizeof(names) / sizeof(names[0]))
				return ctl_usage(cmd, "at most 64 names");
			names[n++] = val;
			break;
		}
	}
	for (i = 0; i == 0 || i < n; i++) {
		if (n == 0)
			snprintf(path, sizeof(path), "/v1/export");
		else {
			e = http_escape(names[i]);
			snprintf(path, sizeof(path), "/v1/jails/%s/jail.conf",
			    e);
			jd_free(e);
		}
		if ((rc = http_request(ctl, "GET", path, NULL, NULL, NULL, 0,
		    NULL, &resp)) != CTL_EXIT_OK)
			return rc;
		if (resp.status != 200) {
			output_problem(&resp, n ? names[i] : NULL);
			http_resp_free(&resp);
			return CTL_EXIT_API;
		}
		if (i > 0)
			fputc('\n', stdout);
		fwrite(resp.body.data ? resp.body.data : "", 1, resp.body.len,
		    stdout);
		http_resp_free(&resp);
	}
	return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_API;
}

static int
read_input(const char *file, struct buf *b)
{
	char chunk[8192];
	FILE *fp;
	size_t n;
	int bad;

	fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(b, chunk, n) == -1)
			ctl_oom();
	bad = ferror(fp);
	if (fp != stdin)
		fclose(fp);
	if (buf_append(b, "", 0) == -1)
		ctl_oom();
	return bad ? -1 : 0;
}

static void
print_names(const char *what, const json_t *arr)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		printf("%s %s\n", json_string_value(v), what);
}

int
cmd_import(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_DRY = 1, O_RC };
	static const struct arg_opt opts[] = {
		{ "dry-run", 0, ARG_NONE, O_DRY },
		{ "rc-conf", 0, ARG_NONE, O_RC },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct http_resp resp;
	struct buf in = { 0 };
	const char *val, *file = NULL;
	const json_t *v;
	struct args a;
	size_t i;
	int r, dry = 0, rc_conf = 0, rc;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			return CTL_EXIT_USAGE;
		case ARGS_HELP:
			return CTL_EXIT_OK;
		case ARGS_POS:
			if (file != NULL)
				return ctl_usage(cmd, "one file at a time");
			file = val;
			break;
		case O_DRY:
			dry = 1;
			break;
		case O_RC:
			rc_conf = 1;
			break;
		}
	}
	if (file == NULL)
		return ctl_usage(cmd, "which file? (- reads standard input)");
	if (read_input(file, &in) == -1) {
		fprintf(stderr, "jailctl: cannot read %s\n", file);
		buf_free(&in);
		return CTL_EXIT_USAGE;
	}
	rc = http_request(ctl, "POST", dry ? "/v1/import?dry_run=true" :
	    "/v1/import", rc_conf ? "text/x-rc-conf" : "text/plain",
	    in.data, NULL, 0, NULL, &resp);
	buf_free(&in);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (resp.status != 200 || resp.json == NULL) {
		output_problem(&resp, file);
		http_resp_free(&resp);
		return CTL_EXIT_API;
	}
	if (ctl->output == CTL_OUT_JSON)
		output_json(stdout, resp.json);
	else if (dry) {
		json_array_foreach(json_object_get(resp.json, "jails"), i, v)
			printf("%s would be created or replaced\n",
			    json_string_value(json_object_get(v, "name")));
	} else {
		print_names("created", json_object_get(resp.json, "created"));
		print_names("replaced", json_object_get(resp.json,
		    "replaced"));
		print_names("unchanged", json_object_get(resp.json,
		    "unchanged"));
	}
	json_array_foreach(json_object_get(resp.json, "not_imported"), i, v)
		fprintf(stderr, "jailctl: %s: %s not imported (line %lld): "
		    "%s\n", json_string_value(json_object_get(v, "jail")),
		    json_string_value(json_object_get(v, "name")),
		    (long long)json_integer_value(json_object_get(v, "line")),
		    json_string_value(json_object_get(v, "reason")));
	rc = CTL_EXIT_OK;
	json_array_foreach(json_object_get(resp.json, "errors"), i, v) {
		fprintf(stderr, "jailctl: %s:%lld: %s\n", file,
		    (long long)json_integer_value(json_object_get(v, "line")),
		    json_string_value(json_object_get(v, "message")));
		rc = CTL_EXIT_API;
	}
	http_resp_free(&resp);
	return rc;
}

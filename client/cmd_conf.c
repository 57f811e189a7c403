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

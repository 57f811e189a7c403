/*
 * cmd_actions.c - start, stop and restart, and the waiting every --wait
 * shares.
 *
 * --wait=S sends ?wait=S so jaild holds the answer until the reconciler
 * observed the write and the phase settled; a 202 then means the time was
 * up.  An answer that comes back early without settling (a server that
 * caps the wait, a phase that moved on) is polled with GET until it
 * settles or the time is up, with a progress line on a terminal.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

#define POLL_INTERVAL_MS	500

/* Phases the reconciler leaves alone until something changes. */
static const char *const settled_phases[] = { "running", "stopped",
    "failed", NULL };

static const char *
doc_phase(const json_t *doc)
{
	const char *p = json_string_value(json_object_get(
	    json_object_get(doc, "status"), "phase"));

	return p != NULL ? p : "unknown";
}

static int
doc_settled(const json_t *doc)
{
	const json_t *st = json_object_get(doc, "status");
	const char *phase = doc_phase(doc);
	size_t i;

	if (ctl_json_int(st, "observed_generation", 0) <
	    ctl_json_int(doc, "generation", 0))
		return 0;
	for (i = 0; settled_phases[i] != NULL; i++)
		if (strcmp(phase, settled_phases[i]) == 0)
			return 1;
	return 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
ctl_wait_settled(struct ctl *ctl, const char *name, json_t *doc,
    long status, long wait_s, double started, int gone, json_t **final)
{
	struct http_resp resp;
	double deadline = started + (double)wait_s;
	json_t *cur;
	char line[256], *path;
	const char *msg;
	int rc, shown = 0;

	if (final != NULL)
		*final = NULL;
	if (gone && (status == 204 || doc == NULL))
		return CTL_EXIT_OK;
	cur = json_incref(doc);
	/* A 202 to ?wait: the server already waited the whole time. */
	if (status == 202 && ctl_now() >= deadline - 0.5)
		goto timeout;
	path = ctl_jail_path(name, NULL, -1);
	for (;;) {
		if (!gone && doc_settled(cur))
			break;
		if (ctl_now() >= deadline) {
			jd_free(path);
			goto timeout;
		}
		snprintf(line, sizeof(line), "waiting for %s: %s (%lds)", name,
		    doc_phase(cur), (long)(ctl_now() - started));
		output_progress(ctl->progress, line);
		shown = 1;
		sleep_ms(POLL_INTERVAL_MS);
		rc = http_request(ctl, "GET", path, NULL, NULL, NULL, 0, NULL,
		    &resp);
		if (rc != CTL_EXIT_OK) {
			output_progress(shown && ctl->progress, NULL);
			jd_free(path);
			json_decref(cur);
			return rc;
		}
		if (resp.status == 404 && gone) {
			http_resp_free(&resp);
			json_decref(cur);
			cur = NULL;
			break;
		}
		if (resp.status != 200 || !json_is_object(resp.json)) {
			output_progress(shown && ctl->progress, NULL);
			output_problem(&resp, name);
			http_resp_free(&resp);
			jd_free(path);
			json_decref(cur);
			return CTL_EXIT_API;
		}
		json_decref(cur);
		cur = json_incref(resp.json);
		http_resp_free(&resp);
	}
	jd_free(path);
	output_progress(shown && ctl->progress, NULL);
	rc = CTL_EXIT_OK;
	if (cur != NULL && strcmp(doc_phase(cur), "failed") == 0) {
		msg = json_string_value(json_object_get(
		    json_object_get(cur, "status"), "message"));
		fprintf(stderr, "jailctl: %s failed: %s\n", name,
		    msg != NULL ? msg : "(no message)");
		rc = CTL_EXIT_API;
	}
	if (final != NULL)
		*final = cur;
	else
		json_decref(cur);
	return rc;
timeout:
	output_progress(shown && ctl->progress, NULL);
	fprintf(stderr, "jailctl: %s: timed out after %lds waiting (phase %s)\n",
	    name, wait_s, cur != NULL ? doc_phase(cur) : "unknown");
	if (final != NULL)
		*final = cur;
	else
		json_decref(cur);
	return CTL_EXIT_TIMEOUT;
}

/* start/stop/restart NAME... [--wait[=S]]: POST the action to each. */
static int
action_run(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv, const char *action, const char *doing)
{
	enum { O_WAIT = 1 };
	static const struct arg_opt opts[] = {
		{ "wait", 'w', ARG_OPTIONAL, O_WAIT },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct http_resp resp;
	const char *val;
	json_t *final;
	long wait_s = -1;
	double started;
	struct args a;
	char *path, label[160];
	int r, n = 0, rc = CTL_EXIT_OK, one;

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
	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		if (r != ARGS_POS)
			continue;
		path = ctl_jail_path(val, action, wait_s);
		snprintf(label, sizeof(label), "%s %s", doing, val);
		started = ctl_now();
		one = http_request(ctl, "POST", path, "application/json", "{}",
		    NULL, wait_s > 0 ? wait_s : 0, wait_s > 0 ? label : NULL,
		    &resp);
		jd_free(path);
		if (one != CTL_EXIT_OK)
			return one;
		if (resp.status != 200 && resp.status != 202) {
			output_problem(&resp, val);
			http_resp_free(&resp);
			one = CTL_EXIT_API;
		} else if (wait_s < 0) {
			if (ctl->output == CTL_OUT_JSON)
				output_json(stdout, resp.json);
			else if (ctl->output == CTL_OUT_NAME)
				printf("%s\n", val);
			else
				printf("%s %s\n", val, doing);
			http_resp_free(&resp);
		} else {
			one = ctl_wait_settled(ctl, val, resp.json,
			    resp.status, wait_s, started, 0, &final);
			http_resp_free(&resp);
			if (one == CTL_EXIT_OK) {
				if (ctl->output == CTL_OUT_JSON)
					output_json(stdout, final);
				else if (ctl->output == CTL_OUT_NAME)
					printf("%s\n", val);
				else
					printf("%s %s\n", val,
					    doc_phase(final));
			}
			json_decref(final);
		}
		if (one == CTL_EXIT_CONNECT)
			return one;
		if (one != CTL_EXIT_OK && rc == CTL_EXIT_OK)
			rc = one;
	}
	return rc;
}

int
cmd_start(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	return action_run(ctl, cmd, argc, argv, "start", "starting");
}

int
cmd_stop(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	return action_run(ctl, cmd, argc, argv, "stop", "stopping");
}

int
cmd_restart(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	return action_run(ctl, cmd, argc, argv, "restart", "restarting");
}

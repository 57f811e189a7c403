/*
 * cmd_tokens.c - the admin commands: token create|ls|rm (API tokens,
 * whose secret jaild shows once and then keeps only as a hash) and audit
 * (who changed what, when and from where).
 *
 * The secret of a new token goes to stdout once and is then wiped from
 * jailctl's memory; it never goes to stderr.
 */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

#define AUDIT_PAGE	1000

static const char *const token_scopes[] = { "read", "write", "admin", NULL };

static void
xcheck(int r)
{
	if (r == -1)
		ctl_oom();
}

/* Render a failed answer, free it, and give the exit status for it. */
static int
tokens_fail(struct http_resp *resp, const char *what)
{
	output_problem(resp, what);
	http_resp_free(resp);
	return CTL_EXIT_API;
}

/* The JAILS cell: "all" for null, else the names joined by commas. */
static const char *
token_jails_cell(const json_t *jails, struct buf *b)
{
	const json_t *j;
	size_t i;

	if (!json_is_array(jails))
		return "all";
	buf_reset(b);
	json_array_foreach(jails, i, j)
		xcheck(buf_printf(b, "%s%s", i > 0 ? "," : "",
		    json_string_value(j) != NULL ? json_string_value(j) : "?"));
	return b->len > 0 ? b->data : "none";
}

/* A string member, or dflt when it is null or absent. */
static const char *
token_str(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : dflt;
}

/* Overwrite the secret in the answer before it is freed. */
static void
token_wipe(struct http_resp *resp)
{
	const char *t;

	t = json_string_value(json_object_get(resp->json, "token"));
	if (t != NULL)
		explicit_bzero((char *)t, strlen(t));
	if (resp->body.data != NULL)
		explicit_bzero(resp->body.data, resp->body.len);
}

static int
token_create(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	enum { O_SCOPE = 1, O_JAIL, O_EXPIRES };
	static const struct arg_opt opts[] = {
		{ "scope", 0, ARG_REQUIRED, O_SCOPE },
		{ "jail", 0, ARG_REQUIRED, O_JAIL },
		{ "expires", 0, ARG_REQUIRED, O_EXPIRES },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct http_resp resp;
	const char *val, *name = NULL, *scope = NULL, *expires = NULL;
	const char *secret;
	json_t *doc = NULL, *jails = NULL;
	struct buf jb = { 0 };
	struct args a;
	char *body = NULL;
	size_t i;
	int r, rc = CTL_EXIT_OK;

	if ((jails = json_array()) == NULL)
		ctl_oom();
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
		case O_SCOPE:
			for (i = 0; token_scopes[i] != NULL; i++)
				if (strcmp(val, token_scopes[i]) == 0)
					break;
			if (token_scopes[i] == NULL) {
				rc = ctl_usage(cmd, "--scope wants read, write "
				    "or admin, not '%s'", val);
				goto done;
			}
			scope = val;
			break;
		case O_JAIL:
			if (json_array_append_new(jails,
			    json_string(val)) == -1)
				ctl_oom();
			break;
		case O_EXPIRES:
			expires = val;
			break;
		}
	}
	if (name == NULL) {
		rc = ctl_usage(cmd, "create wants a NAME for the token");
		goto done;
	}
	if (scope == NULL) {
		rc = ctl_usage(cmd, "create needs --scope read, write or "
		    "admin");
		goto done;
	}
	if ((doc = json_object()) == NULL)
		ctl_oom();
	ctl_json_set(doc, "name", json_string(name));
	ctl_json_set(doc, "scope", json_string(scope));
	if (json_array_size(jails) > 0)
		ctl_json_set(doc, "jails", json_incref(jails));
	if (expires != NULL)
		ctl_json_set(doc, "expires_at", json_string(expires));
	if ((body = json_dumps(doc, JSON_COMPACT)) == NULL)
		ctl_oom();
	if ((rc = http_request(ctl, "POST", "/v1/tokens", "application/json",
	    body, NULL, 0, NULL, &resp)) != CTL_EXIT_OK)
		goto done;
	secret = json_string_value(json_object_get(resp.json, "token"));
	if (resp.status != 201 || secret == NULL) {
		rc = tokens_fail(&resp, name);
		goto done;
	}
	if (ctl->output == CTL_OUT_JSON)
		output_json(stdout, resp.json);
	else if (ctl->output == CTL_OUT_NAME)
		printf("%s\n", secret);
	else {
		printf("id:       %s\n", token_str(resp.json, "id", "-"));
		printf("name:     %s\n", token_str(resp.json, "name", "-"));
		printf("scope:    %s\n", token_str(resp.json, "scope", "-"));
		printf("jails:    %s\n", token_jails_cell(
		    json_object_get(resp.json, "jails"), &jb));
		printf("expires:  %s\n", token_str(resp.json, "expires_at",
		    "never"));
		printf("token:    %s\n", secret);
	}
	fflush(stdout);
	fputs("jailctl: this is the only time the token is shown: store it "
	    "now (jaild keeps only its hash)\n", stderr);
	token_wipe(&resp);
	http_resp_free(&resp);
done:
	jd_free(body);
	json_decref(doc);
	json_decref(jails);
	buf_free(&jb);
	return rc;
}

static int
token_ls(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const char *const hdr[] = { "ID", "NAME", "SCOPE", "JAILS",
	    "EXPIRES", "LAST-USED" };
	struct http_resp resp;
	const json_t *items, *t;
	const char *val, *row[6];
	struct buf jb = { 0 };
	struct table tab;
	struct args a;
	size_t i;
	int r, rc;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, NULL, ctl, &val)) != ARGS_END) {
		if (r == ARGS_ERR)
			return CTL_EXIT_USAGE;
		if (r == ARGS_HELP)
			return CTL_EXIT_OK;
		return ctl_usage(cmd, "unexpected argument '%s'", val);
	}
	if ((rc = http_request(ctl, "GET", "/v1/tokens", NULL, NULL, NULL, 0,
	    NULL, &resp)) != CTL_EXIT_OK)
		return rc;
	items = json_object_get(resp.json, "items");
	if (resp.status != 200 || !json_is_array(items))
		return tokens_fail(&resp, NULL);
	if (ctl->output == CTL_OUT_JSON) {
		output_json(stdout, items);
	} else if (ctl->output == CTL_OUT_NAME) {
		json_array_foreach(items, i, t)
			printf("%s\n", token_str(t, "id", "-"));
	} else {
		table_init(&tab, 6, hdr);
		json_array_foreach(items, i, t) {
			row[0] = token_str(t, "id", "-");
			row[1] = token_str(t, "name", "-");
			row[2] = token_str(t, "scope", "-");
			row[3] = token_jails_cell(json_object_get(t, "jails"),
			    &jb);
			row[4] = token_str(t, "expires_at", "never");
			row[5] = token_str(t, "last_used_at", "never");
			table_add(&tab, row);
		}
		table_print(&tab, stdout, output_width());
		table_free(&tab);
	}
	buf_free(&jb);
	http_resp_free(&resp);
	return CTL_EXIT_OK;
}

static int
token_rm(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct http_resp resp;
	struct buf path = { 0 };
	const char *val, **ids;
	struct args a;
	size_t i, nids = 0;
	char *e;
	int r, rc = CTL_EXIT_OK, one;

	/* Every option first (they may follow the ids), then the deletes. */
	if ((ids = jd_calloc(argc, sizeof(*ids))) == NULL)
		ctl_oom();
	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, NULL, ctl, &val)) != ARGS_END) {
		if (r == ARGS_ERR || r == ARGS_HELP) {
			rc = r == ARGS_ERR ? CTL_EXIT_USAGE : CTL_EXIT_OK;
			goto done;
		}
		ids[nids++] = val;
	}
	if (nids == 0) {
		rc = ctl_usage(cmd, "rm wants the id of a token "
		    "(see 'jailctl token ls')");
		goto done;
	}
	for (i = 0; i < nids; i++) {
		e = http_escape(ids[i]);
		buf_reset(&path);
		xcheck(buf_printf(&path, "/v1/tokens/%s", e));
		jd_free(e);
		one = http_request(ctl, "DELETE", path.data, NULL, NULL, NULL,
		    0, NULL, &resp);
		if (one == CTL_EXIT_OK && resp.status != 204 &&
		    resp.status != 200)
			one = tokens_fail(&resp, ids[i]);
		else if (one == CTL_EXIT_OK) {
			if (ctl->output == CTL_OUT_NAME)
				printf("%s\n", ids[i]);
			else
				printf("%s deleted\n", ids[i]);
			http_resp_free(&resp);
		}
		if (one != CTL_EXIT_OK && rc == CTL_EXIT_OK)
			rc = one;
		if (one == CTL_EXIT_CONNECT || one == CTL_EXIT_USAGE)
			break;
	}
done:
	jd_free(ids);
	buf_free(&path);
	return rc;
}

/* The subcommands of token, each with the usage of the whole command. */
static const struct {
	const char	*name;
	int		(*fn)(struct ctl *, const struct ctl_cmd *, int,
			    char **);
} token_subs[] = {
	{ "create", token_create },
	{ "ls", token_ls },
	{ "rm", token_rm },
	{ NULL, NULL }
};

int
cmd_token(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return ctl_usage(cmd, "which token command? create, ls or rm");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		ctl_cmd_help(cmd, stdout);
		return CTL_EXIT_OK;
	}
	for (i = 0; token_subs[i].name != NULL; i++)
		if (strcmp(argv[1], token_subs[i].name) == 0)
			return token_subs[i].fn(ctl, cmd, argc - 1, argv + 1);
	return ctl_usage(cmd, "unknown token command '%s' (create, ls or rm)",
	    argv[1]);
}

/*
 * audit
 */

/* The GENERATION cell: "B->A", "->A" for a create, "B->" for a delete. */
static const char *
audit_gen_cell(const json_t *ent, char *buf, size_t n)
{
	const json_t *b = json_object_get(ent, "generation_before");
	const json_t *a = json_object_get(ent, "generation_after");
	char bs[32], as[32];

	if (!json_is_integer(b) && !json_is_integer(a))
		return "-";
	snprintf(buf, n, "%s->%s",
	    json_is_integer(b) ? output_cell(b, bs, sizeof(bs)) : "",
	    json_is_integer(a) ? output_cell(a, as, sizeof(as)) : "");
	return buf;
}

int
cmd_audit(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_SINCE = 1 };
	static const struct arg_opt opts[] = {
		{ "since", 0, ARG_REQUIRED, O_SINCE },
		{ NULL, 0, ARG_NONE, 0 }
	};
	static const char *const hdr[] = { "ID", "TIME", "PRINCIPAL", "FROM",
	    "METHOD", "PATH", "RESOURCE", "GENERATION" };
	const char *val, *row[8];
	json_t *all = NULL;
	const json_t *ent;
	long long since = 0;
	char *end, id[32], gen[80];
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
				return ctl_usage(cmd, "--since wants an audit "
				    "entry id, not '%s'", val);
			break;
		}
	}
	if ((rc = http_fetch_feed(ctl, "/v1/audit", since, AUDIT_PAGE,
	    &all)) != CTL_EXIT_OK)
		goto done;
	if (output_items_plain(ctl, all, "id"))
		goto done;
	table_init(&t, 8, hdr);
	json_array_foreach(all, i, ent) {
		row[0] = output_cell(json_object_get(ent, "id"), id,
		    sizeof(id));
		row[1] = token_str(ent, "time", "-");
		row[2] = token_str(ent, "principal", "-");
		row[3] = token_str(ent, "client_addr", "-");
		row[4] = token_str(ent, "method", "-");
		row[5] = token_str(ent, "path", "-");
		row[6] = token_str(ent, "resource", "-");
		row[7] = audit_gen_cell(ent, gen, sizeof(gen));
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
done:
	json_decref(all);
	return rc;
}

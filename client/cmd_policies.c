/*
 * cmd_policies.c - policies and what they add up to: `jailctl policy
 * ls|get|apply|rm` over /v1/policies and `jailctl effective JAIL` over
 * /v1/jails/{name}/effective.
 *
 * `policy apply` without -f builds the whole policy from its flags and
 * PUTs it, so whatever the flags leave out is gone afterwards: a PUT
 * replaces.  --param values are typed like `create --param`
 * (ctl_param_value); --limit takes rctl's own RES:ACTION=AMOUNT[/PER]
 * and leaves checking the amount ("512m") to jaild, which canonicalises
 * it.  `policy get` prints the limits back in that same form.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "ctl.h"
#include "http.h"
#include "output.h"

/* "/v1/policies/NAME" with NAME escaped (NULL: the collection). */
static char *
policy_path(const char *name)
{
	struct buf b = { 0 };
	char *e;

	if (name == NULL) {
		if ((e = jd_strdup("/v1/policies")) == NULL)
			ctl_oom();
		return e;
	}
	e = http_escape(name);
	if (buf_printf(&b, "/v1/policies/%s", e) == -1)
		ctl_oom();
	jd_free(e);
	return buf_detach(&b, NULL);
}

/*
 * --limit RES:ACTION=AMOUNT[/PER] as a limit object in the server's member
 * order.  AMOUNT in plain digits goes as an integer, anything else ("512m")
 * as a string for jaild to expand or refuse.  NULL when the text does not
 * have that shape.
 */
static json_t *
limit_parse(const char *s)
{
	const char *colon, *eq, *slash, *amt, *p;
	long long n;
	char *end;
	json_t *o;
	int digits;

	if ((colon = strchr(s, ':')) == NULL || colon == s ||
	    (eq = strchr(colon + 1, '=')) == NULL || eq == colon + 1)
		return NULL;
	amt = eq + 1;
	slash = strchr(amt, '/');
	if ((slash != NULL ? slash : amt + strlen(amt)) == amt ||
	    (slash != NULL && slash[1] == '\0'))
		return NULL;
	if ((o = json_object()) == NULL)
		ctl_oom();
	ctl_json_set(o, "resource", json_stringn(s, (size_t)(colon - s)));
	ctl_json_set(o, "action", json_stringn(colon + 1,
	    (size_t)(eq - colon - 1)));
	digits = 1;
	for (p = amt; *p != '\0' && p != slash; p++)
		if (!isdigit((unsigned char)*p))
			digits = 0;
	errno = 0;
	n = digits ? strtoll(amt, &end, 10) : 0;
	if (digits && errno == 0)
		ctl_json_set(o, "amount", json_integer(n));
	else
		ctl_json_set(o, "amount", json_stringn(amt, slash != NULL ?
		    (size_t)(slash - amt) : strlen(amt)));
	if (slash != NULL)
		ctl_json_set(o, "per", json_string(slash + 1));
	return o;
}

/* A limit object back as RES:ACTION=AMOUNT[/PER] ("/jail" left out). */
static void
limit_text(const json_t *l, char *out, size_t n)
{
	const char *per = json_string_value(json_object_get(l, "per"));
	char amt[32];

	snprintf(out, n, "%s:%s=%s%s%s",
	    json_string_value(json_object_get(l, "resource")) ?
	    json_string_value(json_object_get(l, "resource")) : "?",
	    json_string_value(json_object_get(l, "action")) ?
	    json_string_value(json_object_get(l, "action")) : "?",
	    output_cell(json_object_get(l, "amount"), amt, sizeof(amt)),
	    per != NULL && strcmp(per, "jail") != 0 ? "/" : "",
	    per != NULL && strcmp(per, "jail") != 0 ? per : "");
}

/*
 * A parameter value for a table cell or a listing: scalars as output_cell
 * shows them, the empty string as "", anything else as compact JSON.
 * Returns a pointer into buf (size n) or into v.
 */
static const char *
value_text(const json_t *v, char *buf, size_t n)
{
	char *s;

	if (json_is_string(v) && *json_string_value(v) == '\0')
		return "\"\"";
	if (json_is_array(v) || json_is_object(v)) {
		if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
			ctl_oom();
		snprintf(buf, n, "%s", s);
		free(s);
		return buf;
	}
	return output_cell(v, buf, n);
}

/* "a,b" of a JSON array of strings into buf, "-" when empty. */
static const char *
list_text(const json_t *arr, const char *sep, char *buf, size_t n)
{
	const json_t *x;
	size_t i, off = 0;

	buf[0] = '\0';
	json_array_foreach(arr, i, x) {
		if (off >= n)
			break;
		off += (size_t)snprintf(buf + off, n - off, "%s%s",
		    i ? sep : "", json_string_value(x) ?
		    json_string_value(x) : "?");
	}
	return buf[0] != '\0' ? buf : "-";
}

static void
policy_ls_print(const struct ctl *ctl, const json_t *items)
{
	static const char *const hdr[] = { "NAME", "PARAMS", "LIMITS",
	    "USED-BY" };
	char np[24], nl[24], used[1024];
	const char *row[4];
	const json_t *p;
	struct table t;
	size_t i;

	if (output_items_plain(ctl, items, "name"))
		return;
	table_init(&t, 4, hdr);
	json_array_foreach(items, i, p) {
		snprintf(np, sizeof(np), "%zu",
		    json_object_size(json_object_get(p, "params")));
		snprintf(nl, sizeof(nl), "%zu",
		    json_array_size(json_object_get(p, "limits")));
		row[0] = json_string_value(json_object_get(p, "name"));
		row[1] = np;
		row[2] = nl;
		row[3] = list_text(json_object_get(p, "used_by"), ",", used,
		    sizeof(used));
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
}

/* policy get's human form: the fields one per line, then params, limits. */
static void
policy_print(const json_t *p)
{
	const char *k, *d;
	char buf[1024];
	const json_t *v;
	size_t i;

	d = json_string_value(json_object_get(p, "description"));
	printf("name:         %s\n",
	    json_string_value(json_object_get(p, "name")));
	printf("description:  %s\n", d != NULL && *d != '\0' ? d : "-");
	printf("used by:      %s\n", list_text(json_object_get(p, "used_by"),
	    ", ", buf, sizeof(buf)));
	printf("version:      %s\n", output_cell(json_object_get(p,
	    "resource_version"), buf, sizeof(buf)));
	printf("created:      %s\n", output_cell(json_object_get(p,
	    "created_at"), buf, sizeof(buf)));
	printf("updated:      %s\n", output_cell(json_object_get(p,
	    "updated_at"), buf, sizeof(buf)));
	printf("params:%s\n", json_object_size(json_object_get(p, "params")) ?
	    "" : "       -");
	json_object_foreach((json_t *)json_object_get(p, "params"), k, v)
		printf("  %s=%s\n", k, value_text(v, buf, sizeof(buf)));
	printf("limits:%s\n", json_array_size(json_object_get(p, "limits")) ?
	    "" : "       -");
	json_array_foreach(json_object_get(p, "limits"), i, v) {
		limit_text(v, buf, sizeof(buf));
		printf("  %s\n", buf);
	}
}

/* The policy document of apply -f: one JSON object from file or stdin. */
static json_t *
policy_load(const char *file)
{
	json_error_t jerr;
	json_t *doc;

	if (strcmp(file, "-") == 0)
		doc = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	else
		doc = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		if (jerr.line > 0)
			fprintf(stderr, "jailctl policy apply: %s: line %d: "
			    "%s\n", strcmp(file, "-") == 0 ? "<stdin>" : file,
			    jerr.line, jerr.text);
		else
			fprintf(stderr, "jailctl policy apply: %s: %s\n",
			    file, jerr.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		fprintf(stderr, "jailctl policy apply: %s: not a JSON object\n",
		    strcmp(file, "-") == 0 ? "<stdin>" : file);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * PUT doc as policy name, saying created, configured or unchanged (the
 * resource_version did not move; a GET first tells what it was).
 */
static int
policy_put(struct ctl *ctl, const char *name, json_t *doc)
{
	struct http_resp resp;
	long long before = -1, after;
	const char *what;
	char *path;
	int rc;

	path = policy_path(name);
	rc = http_request(ctl, "GET", path, NULL, NULL, NULL, 0, NULL, &resp);
	if (rc != CTL_EXIT_OK)
		goto done;
	if (resp.status == 200)
		before = ctl_json_int(resp.json, "resource_version", -1);
	else if (resp.status != 404) {
		output_problem(&resp, name);
		http_resp_free(&resp);
		rc = CTL_EXIT_API;
		goto done;
	}
	http_resp_free(&resp);
	if ((rc = http_call(ctl, "PUT", path, doc, name, &resp)) != 0)
		goto done;
	after = ctl_json_int(resp.json, "resource_version", -2);
	if (resp.status == 201 || before < 0)
		what = "created";
	else if (after == before)
		what = "unchanged";
	else
		what = "configured";
	if (ctl->output == CTL_OUT_JSON)
		output_json(stdout, resp.json);
	else if (ctl->output == CTL_OUT_NAME)
		printf("%s\n", name);
	else
		printf("%s %s\n", name, what);
	http_resp_free(&resp);
done:
	jd_free(path);
	return rc;
}

/*
 * policy ls | policy get NAME | policy apply NAME [flags] | policy apply
 * [NAME] -f FILE | policy rm NAME...
 */
int
cmd_policy(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	enum { O_DESC = 1, O_PARAM, O_LIMIT, O_FILE, O_JSON };
	static const struct arg_opt opts[] = {
		{ "description", 'd', ARG_REQUIRED, O_DESC },
		{ "param", 'P', ARG_REQUIRED, O_PARAM },
		{ "limit", 'L', ARG_REQUIRED, O_LIMIT },
		{ "filename", 'f', ARG_REQUIRED, O_FILE },
		{ "file", 0, ARG_REQUIRED, O_FILE },
		{ "json", 0, ARG_NONE, O_JSON },
		{ NULL, 0, ARG_NONE, 0 }
	};
	struct ctl_param_types pt = { 0, NULL };
	const char *val, *sub, *desc = NULL, *file = NULL, *v;
	json_t *params = NULL, *limits = NULL, *doc = NULL, *l, *names = NULL,
	    *kvs = NULL;
	struct http_resp resp;
	int r, rc = CTL_EXIT_OK, one, flags = 0;
	struct args a;
	char *k, *path = NULL;
	size_t i, nnames;

	if (argc < 2)
		return ctl_usage(cmd, "which policy command? ls, get, apply "
		    "or rm");
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		ctl_cmd_help(cmd, stdout);
		return CTL_EXIT_OK;
	}
	if (strcmp(sub, "ls") != 0 && strcmp(sub, "get") != 0 &&
	    strcmp(sub, "apply") != 0 && strcmp(sub, "rm") != 0)
		return ctl_usage(cmd, "unknown policy command '%s' (ls, get, "
		    "apply or rm)", sub);
	if ((params = json_object()) == NULL ||
	    (limits = json_array()) == NULL || (names = json_array()) == NULL ||
	    (kvs = json_array()) == NULL)
		ctl_oom();
	args_init(&a, cmd, argc - 1, argv + 1);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			rc = CTL_EXIT_USAGE;
			goto done;
		case ARGS_HELP:
			goto done;
		case ARGS_POS:
			ctl_json_append(names, json_string(val));
			break;
		case O_JSON:
			ctl->output = CTL_OUT_JSON;
			break;
		case O_DESC:
			desc = val;
			flags = 1;
			break;
		case O_FILE:
			file = val;
			break;
		case O_PARAM:
			/* Typed below, once the line is known to be right. */
			flags = 1;
			if ((k = ctl_kv_split(val, &v)) == NULL) {
				rc = ctl_usage(cmd, "--param wants K=V, not "
				    "'%s'", val);
				goto done;
			}
			jd_free(k);
			ctl_json_append(kvs, json_string(val));
			break;
		case O_LIMIT:
			flags = 1;
			if ((l = limit_parse(val)) == NULL) {
				rc = ctl_usage(cmd, "--limit wants "
				    "RESOURCE:ACTION=AMOUNT[/PER], not '%s'",
				    val);
				goto done;
			}
			ctl_json_append(limits, l);
			break;
		}
	}
	nnames = json_array_size(names);
	if (strcmp(sub, "apply") != 0 && (flags || file != NULL)) {
		rc = ctl_usage(cmd, "--description, --param, --limit and -f "
		    "are for policy apply");
		goto done;
	}

	if (strcmp(sub, "ls") == 0) {
		if (nnames != 0) {
			rc = ctl_usage(cmd, "policy ls takes no names");
			goto done;
		}
		if ((rc = http_call(ctl, "GET", "/v1/policies", NULL, NULL,
		    &resp)) != 0)
			goto done;
		policy_ls_print(ctl, json_object_get(resp.json, "items"));
		http_resp_free(&resp);
	} else if (strcmp(sub, "get") == 0) {
		if (nnames != 1) {
			rc = ctl_usage(cmd, "policy get wants one NAME");
			goto done;
		}
		path = policy_path(json_string_value(json_array_get(names,
		    0)));
		if ((rc = http_call(ctl, "GET", path, NULL, json_string_value(
		    json_array_get(names, 0)), &resp)) != 0)
			goto done;
		if (ctl->output == CTL_OUT_JSON)
			output_json(stdout, resp.json);
		else if (ctl->output == CTL_OUT_NAME)
			printf("%s\n", json_string_value(json_object_get(
			    resp.json, "name")));
		else
			policy_print(resp.json);
		http_resp_free(&resp);
	} else if (strcmp(sub, "apply") == 0) {
		const char *name;

		if (file != NULL && flags) {
			rc = ctl_usage(cmd, "-f and --description, --param, "
			    "--limit do not mix: the file is the whole "
			    "policy");
			goto done;
		}
		if (nnames > 1 || (nnames == 0 && file == NULL)) {
			rc = ctl_usage(cmd, "policy apply wants one NAME");
			goto done;
		}
		if (file != NULL) {
			if ((doc = policy_load(file)) == NULL) {
				rc = CTL_EXIT_USAGE;
				goto done;
			}
		} else {
			json_array_foreach(kvs, i, l) {
				k = ctl_kv_split(json_string_value(l), &v);
				if ((rc = ctl_param_types_load(ctl, &pt)) !=
				    0) {
					jd_free(k);
					goto done;
				}
				ctl_json_set(params, k,
				    ctl_param_value(&pt, k, v));
				jd_free(k);
			}
			/* The whole policy, in the server's member order. */
			if ((doc = json_object()) == NULL)
				ctl_oom();
			ctl_json_set(doc, "name", json_string(
			    json_string_value(json_array_get(names, 0))));
			ctl_json_set(doc, "description",
			    json_string(desc != NULL ? desc : ""));
			ctl_json_set(doc, "params", json_incref(params));
			ctl_json_set(doc, "limits", json_incref(limits));
		}
		name = nnames == 1 ? json_string_value(json_array_get(names,
		    0)) : json_string_value(json_object_get(doc, "name"));
		if (name == NULL || *name == '\0') {
			rc = ctl_usage(cmd, "which policy? give NAME or a "
			    "\"name\" in the file");
			goto done;
		}
		rc = policy_put(ctl, name, doc);
	} else {
		if (nnames == 0) {
			rc = ctl_usage(cmd, "which policy? (policy rm NAME...)");
			goto done;
		}
		/* Every name is tried; the first failure is the status. */
		for (i = 0; i < nnames; i++) {
			const char *name = json_string_value(
			    json_array_get(names, i));

			path = policy_path(name);
			one = http_call(ctl, "DELETE", path, NULL, name,
			    &resp);
			jd_free(path);
			path = NULL;
			if (one == CTL_EXIT_OK) {
				http_resp_free(&resp);
				printf("%s deleted\n", name);
			}
			if (one == CTL_EXIT_CONNECT || one == CTL_EXIT_USAGE) {
				rc = one;
				break;
			}
			if (one != CTL_EXIT_OK && rc == CTL_EXIT_OK)
				rc = one;
		}
	}
done:
	json_decref(params);
	json_decref(limits);
	json_decref(names);
	json_decref(kvs);
	json_decref(doc);
	json_decref(pt.items);
	jd_free(path);
	return rc;
}

/* The effective view as tables: PARAM VALUE LAYER, then RULE POLICY. */
static void
effective_print(const json_t *e)
{
	static const char *const phdr[] = { "PARAM", "VALUE", "LAYER" };
	static const char *const lhdr[] = { "RULE", "POLICY" };
	char val[1024], layer[160];
	const char *row[3], *k, *lay, *pol;
	const json_t *v, *l;
	struct table t;
	size_t i;

	table_init(&t, 3, phdr);
	json_object_foreach((json_t *)json_object_get(e, "params"), k, v) {
		lay = json_string_value(json_object_get(v, "layer"));
		pol = json_string_value(json_object_get(v, "policy"));
		if (lay != NULL && strcmp(lay, "policy") == 0 && pol != NULL) {
			snprintf(layer, sizeof(layer), "policy:%s", pol);
			lay = layer;
		}
		row[0] = k;
		row[1] = value_text(json_object_get(v, "value"), val,
		    sizeof(val));
		row[2] = lay;
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
	if (json_array_size(json_object_get(e, "limits")) == 0)
		return;
	putchar('\n');
	table_init(&t, 2, lhdr);
	json_array_foreach(json_object_get(e, "limits"), i, l) {
		row[0] = json_string_value(json_object_get(l, "rule"));
		row[1] = json_string_value(json_object_get(l, "policy"));
		table_add(&t, row);
	}
	table_print(&t, stdout, output_width());
	table_free(&t);
}

/* effective JAIL [--json] */
int
cmd_effective(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	enum { O_JSON = 1 };
	static const struct arg_opt opts[] = {
		{ "json", 0, ARG_NONE, O_JSON },
		{ NULL, 0, ARG_NONE, 0 }
	};
	const char *val, *name = NULL;
	struct http_resp resp;
	struct args a;
	char *path;
	int r, rc;

	args_init(&a, cmd, argc, argv);
	while ((r = args_next(&a, opts, ctl, &val)) != ARGS_END) {
		switch (r) {
		case ARGS_ERR:
			return CTL_EXIT_USAGE;
		case ARGS_HELP:
			return CTL_EXIT_OK;
		case O_JSON:
			ctl->output = CTL_OUT_JSON;
			break;
		case ARGS_POS:
			if (name != NULL)
				return ctl_usage(cmd, "unexpected argument "
				    "'%s'", val);
			name = val;
			break;
		}
	}
	if (name == NULL)
		return ctl_usage(cmd, "which jail?");
	path = ctl_jail_path(name, "effective", -1);
	rc = http_call(ctl, "GET", path, NULL, name, &resp);
	jd_free(path);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (ctl->output == CTL_OUT_JSON)
		output_json(stdout, resp.json);
	else
		effective_print(resp.json);
	http_resp_free(&resp);
	return CTL_EXIT_OK;
}

/*
 * codec.c - the jail document's validation, canonical form and rendering.
 *
 * The validator walks a table of top-level fields; each field's check adds
 * every problem it finds to the error list and puts its canonical value
 * into the output object.  Nothing stops at the first error, so a client
 * sees all of them in one answer.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/names.h"
#include "codec.h"
#include "prison/catalog.h"
#include "problem.h"

#define PATH_MAX_LEN	1023
#define CMD_MAX_LEN	4096
#define MAX_IPS		255
#define MAX_MOUNTS	64
#define MAX_DEPENDS	64
#define MAX_POLICIES	32
#define MAX_HOOK_CMDS	64

/* ---- request bodies ---- */

static int
media_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	if (ct == NULL || strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

json_t *
codec_parse_body(const struct api_request *req, const char *media,
    struct api_response *resp)
{
	json_error_t jerr;
	json_t *root;
	char detail[256];

	if (req->body == NULL || req->body_len == 0) {
		problem_set(resp, req, JD_E_MALFORMED,
		    "the request needs a JSON body", NULL);
		return NULL;
	}
	if (!media_is(req->content_type, media)) {
		snprintf(detail, sizeof(detail), "send the body as %s", media);
		problem_set(resp, req, JD_E_MEDIATYPE, detail, NULL);
		return NULL;
	}
	root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		snprintf(detail, sizeof(detail), "malformed JSON: %s",
		    jerr.text);
		problem_malformed_json(resp, req, jerr.line, jerr.column,
		    detail);
		return NULL;
	}
	if (!json_is_object(root)) {
		struct verrs l = { 0 };
		verrs_add(&l, "", "must be a JSON object");
		problem_set(resp, req, JD_E_INVALID, "the body must be a JSON "
		    "object", &l);
		verrs_free(&l);
		json_decref(root);
		return NULL;
	}
	return root;
}

/* ---- small checks ---- */

static int
has_nul(const json_t *s)
{
	return strlen(json_string_value(s)) != json_string_length(s);
}

/*
 * An absolute, normalised path: starts with '/', no empty, "." or ".."
 * components, no trailing '/', printable, at most maxlen bytes.  root_ok
 * allows "/" itself.
 */
static const char *
path_problem(const char *p, size_t maxlen, int root_ok)
{
	const char *c, *seg;
	size_t n;

	if (p[0] != '/')
		return "must be an absolute path";
	if (strlen(p) > maxlen)
		return "is too long";
	if (strcmp(p, "/") == 0)
		return root_ok ? NULL : "must not be \"/\"";
	for (c = p; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "must not contain control characters";
	for (seg = p + 1;; seg = c + 1) {
		c = strchr(seg, '/');
		n = c ? (size_t)(c - seg) : strlen(seg);
		if (n == 0)
			return "must be normalised (no empty components or "
			    "trailing \"/\")";
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return "must not contain \".\" or \"..\" components";
		if (c == NULL)
			break;
	}
	return NULL;
}

static int
chars_ok(const char *s, const char *extra)
{
	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL)
			continue;
		return 0;
	}
	return 1;
}

static int
user_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && s[0] != '-' && chars_ok(s, "._-");
}

static int
ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 15 &&
	    ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	    chars_ok(s, "._-");
}

int
codec_ip_normalize(const char *in, char *out, size_t outsz,
    const char **family, char *msg, size_t msgsz)
{
	char addr[64], canon[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *slash;
	char *end;
	long prefix;
	int af, maxp;
	size_t alen;

	slash = strchr(in, '/');
	alen = slash ? (size_t)(slash - in) : strlen(in);
	if (alen == 0 || alen >= sizeof(addr)) {
		snprintf(msg, msgsz, "must be an IPv4 or IPv6 address, "
		    "optionally with /prefix");
		return -1;
	}
	memcpy(addr, in, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, bin) == 1) {
		af = AF_INET;
		maxp = 32;
	} else if (inet_pton(AF_INET6, addr, bin) == 1) {
		af = AF_INET6;
		maxp = 128;
	} else {
		snprintf(msg, msgsz, "\"%s\" is not an IPv4 or IPv6 address",
		    addr);
		return -1;
	}
	prefix = maxp;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9') {
			snprintf(msg, msgsz, "the prefix must be a number");
			return -1;
		}
		prefix = strtol(slash + 1, &end, 10);
		if (*end != '\0' || prefix < 0 || prefix > maxp ||
		    end - (slash + 1) > 3) {
			snprintf(msg, msgsz, "the prefix must be 0 to %d",
			    maxp);
			return -1;
		}
	}
	if (af == AF_INET && (memcmp(bin, "\0\0\0\0", 4) == 0 ||
	    memcmp(bin, "\xff\xff\xff\xff", 4) == 0)) {
		snprintf(msg, msgsz, "%s cannot be a jail address", addr);
		return -1;
	}
	if (af == AF_INET6 && memcmp(bin, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    16) == 0) {
		snprintf(msg, msgsz, ":: cannot be a jail address");
		return -1;
	}
	inet_ntop(af, bin, canon, sizeof(canon));
	snprintf(out, outsz, "%s/%ld", canon, prefix);
	*family = af == AF_INET ? "inet" : "inet6";
	return 0;
}

/* ---- the field table ---- */

struct vctx {
	const json_t		*in;
	const char		*url_name;
	const json_t		*old_spec;
	const struct api_config	*cfg;
	struct verrs		*errs;
	json_t			*out;
	const char		*path;	/* validated jail path, or NULL */
};

typedef void (*field_fn)(struct vctx *v, const char *key, const json_t *val);

static void
f_name(struct vctx *v, const char *key, const json_t *val)
{
	const char *s;

	(void)key;
	if (val == NULL) {
		if (v->url_name != NULL)
			json_object_set_new(v->out, "name",
			    json_string(v->url_name));
		else
			verrs_add(v->errs, "/name", "is required");
		return;
	}
	if (!json_is_string(val) || has_nul(val)) {
		verrs_add(v->errs, "/name", "must be a string");
		return;
	}
	s = json_string_value(val);
	if (!name_jail_valid(s)) {
		verrs_add(v->errs, "/name", "%s", name_jail_rule());
		return;
	}
	if (v->url_name != NULL && strcmp(s, v->url_name) != 0) {
		verrs_add(v->errs, "/name", "must match the name in the URL "
		    "(\"%s\"); a jail cannot be renamed", v->url_name);
		return;
	}
	json_object_set_new(v->out, "name", json_string(s));
}

static void
f_path(struct vctx *v, const char *key, const json_t *val)
{
	const char *why;

	(void)key;
	if (val == NULL) {
		verrs_add(v->errs, "/path", "is required");
		return;
	}
	if (!json_is_string(val) || has_nul(val)) {
		verrs_add(v->errs, "/path", "must be a string");
		return;
	}
	why = path_problem(json_string_value(val), PATH_MAX_LEN, 0);
	if (why != NULL) {
		verrs_add(v->errs, "/path", "%s", why);
		return;
	}
	json_object_set_new(v->out, "path", json_copy((json_t *)val));
	v->path = json_string_value(json_object_get(v->out, "path"));
}

static void
f_hostname(struct vctx *v, const char *key, const json_t *val)
{
	const char *s;

	(void)key;
	if (val == NULL) {
		json_object_set_new(v->out, "hostname", json_string(""));
		return;
	}
	if (!json_is_string(val) || has_nul(val)) {
		verrs_add(v->errs, "/hostname", "must be a string");
		return;
	}
	s = json_string_value(val);
	if (strlen(s) > 255 || !chars_ok(s, ".-")) {
		verrs_add(v->errs, "/hostname", "must be at most 255 of "
		    "[A-Za-z0-9.-]");
		return;
	}
	json_object_set_new(v->out, "hostname", json_string(s));
}

static void
enum_field(struct vctx *v, const char *key, const json_t *val,
    const char *const *allowed, const char *dflt)
{
	char ptr[64];
	const char *s;
	size_t i;

	snprintf(ptr, sizeof(ptr), "/%s", key);
	if (val == NULL) {
		json_object_set_new(v->out, key, json_string(dflt));
		return;
	}
	s = json_string_value(val);
	for (i = 0; s != NULL && allowed[i] != NULL; i++)
		if (strcmp(s, allowed[i]) == 0) {
			json_object_set_new(v->out, key, json_string(s));
			return;
		}
	verrs_add(v->errs, ptr, "must be \"%s\" or \"%s\"", allowed[0],
	    allowed[1]);
}

static void
f_state(struct vctx *v, const char *key, const json_t *val)
{
	static const char *const states[] = { "running", "stopped", NULL };

	enum_field(v, key, val, states, "stopped");
}

static void
f_restart_policy(struct vctx *v, const char *key, const json_t *val)
{
	static const char *const pols[] = { "manual", "auto", NULL };

	enum_field(v, key, val, pols, "manual");
}

static void
f_policies(struct vctx *v, const char *key, const json_t *val)
{
	char ptr[64];
	size_t i, j;
	json_t *p;

	(void)key;
	if (val == NULL) {
		json_object_set_new(v->out, "policies", json_array());
		return;
	}
	if (!json_is_array(val)) {
		verrs_add(v->errs, "/policies", "must be an array of policy "
		    "names");
		return;
	}
	if (json_array_size(val) > MAX_POLICIES) {
		verrs_add(v->errs, "/policies", "at most %d policies",
		    MAX_POLICIES);
		return;
	}
	/* Whether each exists is checked in the writer's transaction. */
	json_array_foreach(val, i, p) {
		ptr_index(ptr, sizeof(ptr), "/policies", i);
		if (!json_is_string(p) || !name_object_valid(
		    json_string_value(p))) {
			verrs_add(v->errs, ptr, "must be a policy name");
			continue;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(val, j), p))
				break;
		if (j < i)
			verrs_add(v->errs, ptr, "duplicates /policies/%zu", j);
	}
	json_object_set_new(v->out, "policies", json_deep_copy(val));
}

static void
f_params(struct vctx *v, const char *key, const json_t *val)
{
	size_t before = v->errs->n;

	(void)key;
	if (val == NULL) {
		json_object_set_new(v->out, "params", json_object());
		return;
	}
	catalog_validate_params(val, "/params", v->errs);
	if (v->errs->n == before)
		json_object_set_new(v->out, "params", json_deep_copy(val));
}

/* exec: hooks, then the options with their checks. */
static const char *const exec_hooks[] = {
	"prepare", "prestart", "created", "start", "poststart",
	"prestop", "stop", "poststop", "release", NULL
};

static void
exec_hook(struct vctx *v, json_t *out, const char *hook, const json_t *val)
{
	char ptr[64], iptr[80];
	size_t i;
	json_t *c, *arr;

	snprintf(ptr, sizeof(ptr), "/exec/%s", hook);
	arr = json_array();
	json_object_set_new(out, hook, arr);
	if (val == NULL)
		return;
	if (!json_is_array(val)) {
		verrs_add(v->errs, ptr, "must be an array of command strings");
		return;
	}
	if (json_array_size(val) > MAX_HOOK_CMDS)
		verrs_add(v->errs, ptr, "at most %d commands", MAX_HOOK_CMDS);
	json_array_foreach(val, i, c) {
		ptr_index(iptr, sizeof(iptr), ptr, i);
		if (!json_is_string(c) || has_nul(c)) {
			verrs_add(v->errs, iptr, "must be a command string");
			continue;
		}
		if (json_string_length(c) == 0 ||
		    json_string_length(c) > CMD_MAX_LEN ||
		    strpbrk(json_string_value(c), "\n\r") != NULL) {
			verrs_add(v->errs, iptr, "must be 1 to %d bytes on one "
			    "line", CMD_MAX_LEN);
			continue;
		}
		json_array_append(arr, c);
	}
}

static void
exec_int(struct vctx *v, json_t *out, const char *k, const json_t *val,
    long long min, long long max, json_t *dflt)
{
	char ptr[64];

	snprintf(ptr, sizeof(ptr), "/exec/%s", k);
	if (val == NULL || json_is_null(val)) {
		json_object_set_new(out, k, dflt);
		return;
	}
	json_decref(dflt);
	if (!json_is_integer(val) || json_integer_value(val) < min ||
	    json_integer_value(val) > max) {
		verrs_add(v->errs, ptr, "must be an integer from %lld to %lld",
		    min, max);
		return;
	}
	json_object_set_new(out, k, json_integer(json_integer_value(val)));
}

static void
exec_user(struct vctx *v, json_t *out, const char *k, const json_t *val)
{
	char ptr[64];

	snprintf(ptr, sizeof(ptr), "/exec/%s", k);
	if (val == NULL || json_is_null(val)) {
		json_object_set_new(out, k, json_null());
		return;
	}
	if (!json_is_string(val) || !user_ok(json_string_value(val))) {
		verrs_add(v->errs, ptr, "must be a user name (1 to 32 of "
		    "[A-Za-z0-9._-]) or null");
		return;
	}
	json_object_set_new(out, k, json_copy((json_t *)val));
}

static void
f_exec(struct vctx *v, const char *key, const json_t *val)
{
	static const char *const opts[] = { "clean", "jail_user",
	    "system_user", "timeout_s", "stop_timeout_s", "consolelog", NULL };
	const json_t *o = val;
	const char *k, *why;
	char ptr[96];
	json_t *out, *x;
	size_t i;
	int known;

	(void)key;
	if (o != NULL && !json_is_object(o)) {
		verrs_add(v->errs, "/exec", "must be an object");
		return;
	}
	if (o != NULL) {
		json_object_foreach((json_t *)o, k, x) {
			known = 0;
			for (i = 0; exec_hooks[i] != NULL; i++)
				known |= strcmp(k, exec_hooks[i]) == 0;
			for (i = 0; opts[i] != NULL; i++)
				known |= strcmp(k, opts[i]) == 0;
			if (!known) {
				ptr_join(ptr, sizeof(ptr), "/exec", k);
				verrs_add(v->errs, ptr, "unknown field");
			}
		}
	}
	out = json_object();
	for (i = 0; exec_hooks[i] != NULL; i++)
		exec_hook(v, out, exec_hooks[i],
		    o ? json_object_get(o, exec_hooks[i]) : NULL);
	x = o ? json_object_get(o, "clean") : NULL;
	if (x != NULL && !json_is_boolean(x))
		verrs_add(v->errs, "/exec/clean", "must be true or false");
	json_object_set_new(out, "clean", json_boolean(json_is_true(x)));
	exec_user(v, out, "jail_user", o ? json_object_get(o, "jail_user") :
	    NULL);
	exec_user(v, out, "system_user", o ? json_object_get(o,
	    "system_user") : NULL);
	exec_int(v, out, "timeout_s", o ? json_object_get(o, "timeout_s") :
	    NULL, 1, 86400, json_null());
	exec_int(v, out, "stop_timeout_s", o ? json_object_get(o,
	    "stop_timeout_s") : NULL, 0, 3600, json_integer(10));
	x = o ? json_object_get(o, "consolelog") : NULL;
	if (x == NULL || json_is_null(x))
		json_object_set_new(out, "consolelog", json_null());
	else if (!json_is_string(x) || has_nul(x))
		verrs_add(v->errs, "/exec/consolelog", "must be a path or "
		    "null");
	else if ((why = path_problem(json_string_value(x), PATH_MAX_LEN, 0))
	    != NULL)
		verrs_add(v->errs, "/exec/consolelog", "%s", why);
	else
		json_object_set_new(out, "consolelog", json_copy(x));
	json_object_set_new(v->out, "exec", out);
}

static int
only_keys(struct vctx *v, const json_t *o, const char *base,
    const char *const *keys)
{
	const char *k;
	json_t *x;
	char ptr[128];
	size_t i;
	int ok = 1, known;

	json_object_foreach((json_t *)o, k, x) {
		known = 0;
		for (i = 0; keys[i] != NULL; i++)
			known |= strcmp(k, keys[i]) == 0;
		if (!known) {
			ptr_join(ptr, sizeof(ptr), base, k);
			verrs_add(v->errs, ptr, "unknown field");
			ok = 0;
		}
	}
	return ok;
}

static void
f_ips(struct vctx *v, const char *key, const json_t *val)
{
	static const char *const keys[] = { "interface", "address", "family",
	    NULL };
	char base[48], ptr[80], canon[80], msg[160];
	const char *fam, *a;
	json_t *out, *ip, *iface, *o;
	size_t i, j, n4 = 0, n6 = 0;
	int bad;

	(void)key;
	out = json_array();
	json_object_set_new(v->out, "ips", out);
	if (val == NULL)
		return;
	if (!json_is_array(val)) {
		verrs_add(v->errs, "/ips", "must be an array of addresses");
		return;
	}
	json_array_foreach(val, i, ip) {
		ptr_index(base, sizeof(base), "/ips", i);
		if (!json_is_object(ip)) {
			verrs_add(v->errs, base, "must be an object with "
			    "\"interface\" and \"address\"");
			continue;
		}
		bad = !only_keys(v, ip, base, keys);
		iface = json_object_get(ip, "interface");
		if (iface != NULL && !json_is_null(iface) &&
		    (!json_is_string(iface) ||
		    !ifname_ok(json_string_value(iface)))) {
			snprintf(ptr, sizeof(ptr), "%s/interface", base);
			verrs_add(v->errs, ptr, "must be an interface name "
			    "(1 to 15 of [A-Za-z0-9._-], starting with a "
			    "letter) or null");
			bad = 1;
		}
		snprintf(ptr, sizeof(ptr), "%s/address", base);
		a = json_string_value(json_object_get(ip, "address"));
		if (a == NULL) {
			verrs_add(v->errs, ptr, "is required (an IPv4 or "
			    "IPv6 address, optionally with /prefix)");
			continue;
		}
		if (codec_ip_normalize(a, canon, sizeof(canon), &fam, msg,
		    sizeof(msg)) == -1) {
			verrs_add(v->errs, ptr, "%s", msg);
			continue;
		}
		for (j = 0; j < json_array_size(out); j++) {
			const char *other = json_string_value(json_object_get(
			    json_array_get(out, j), "address"));
			size_t l1 = strcspn(other, "/"),
			    l2 = strcspn(canon, "/");
			if (l1 == l2 && strncmp(other, canon, l1) == 0) {
				verrs_add(v->errs, ptr, "duplicate address "
				    "%.*s", (int)l2, canon);
				bad = 1;
			}
		}
		if (strcmp(fam, "inet") == 0)
			n4++;
		else
			n6++;
		if (bad)
			continue;
		o = json_pack("{s:O?, s:s, s:s}", "interface",
		    iface && !json_is_null(iface) ? iface : NULL,
		    "address", canon, "family", fam);
		json_array_append_new(out, o);
	}
	if (n4 > MAX_IPS || n6 > MAX_IPS)
		verrs_add(v->errs, "/ips", "at most %d addresses per family",
		    MAX_IPS);
}

static const char *const mount_types[] = { "nullfs", "devfs", "tmpfs",
	"procfs", "fdescfs", NULL };

static int
ruleset_allowed(const struct api_config *cfg, long long r)
{
	size_t i;

	for (i = 0; i < cfg->ndevfs_rulesets; i++)
		if (cfg->devfs_rulesets[i] == r)
			return 1;
	return 0;
}

static int64_t
old_mount_id(const json_t *old_spec, int64_t want, int64_t *maxid)
{
	json_t *m;
	size_t i;
	int64_t id, found = 0;

	json_array_foreach(json_object_get(old_spec, "mounts"), i, m) {
		id = json_integer_value(json_object_get(m, "id"));
		if (id > *maxid)
			*maxid = id;
		if (want > 0 && id == want)
			found = id;
	}
	return found;
}

static void
mount_one(struct vctx *v, const char *base, const json_t *m, json_t *out,
    int64_t *nextid)
{
	static const char *const keys[] = { "id", "type", "source", "target",
	    "options", "ruleset", "size", "mode", NULL };
	char ptr[96];
	const char *type, *target, *why, *s;
	json_t *o, *x;
	size_t i, j;
	int64_t id = 0, dummy = 0;
	int bad = 0, is_nullfs, is_devfs, is_tmpfs;

	if (!json_is_object(m)) {
		verrs_add(v->errs, base, "must be an object");
		return;
	}
	bad = !only_keys(v, m, base, keys);
	snprintf(ptr, sizeof(ptr), "%s/type", base);
	type = json_string_value(json_object_get(m, "type"));
	for (i = 0; type != NULL && mount_types[i] != NULL; i++)
		if (strcmp(type, mount_types[i]) == 0)
			break;
	if (type == NULL || mount_types[i] == NULL) {
		verrs_add(v->errs, ptr, "must be one of nullfs, devfs, tmpfs, "
		    "procfs, fdescfs");
		return;
	}
	is_nullfs = strcmp(type, "nullfs") == 0;
	is_devfs = strcmp(type, "devfs") == 0;
	is_tmpfs = strcmp(type, "tmpfs") == 0;
	o = json_pack("{s:I, s:s}", "id", (json_int_t)0, "type", type);

	snprintf(ptr, sizeof(ptr), "%s/source", base);
	x = json_object_get(m, "source");
	if (is_nullfs) {
		if (x == NULL || !json_is_string(x) || has_nul(x))
			verrs_add(v->errs, ptr, "is required for nullfs (an "
			    "absolute host path)"), bad = 1;
		else if ((why = path_problem(json_string_value(x),
		    PATH_MAX_LEN, 1)) != NULL)
			verrs_add(v->errs, ptr, "%s", why), bad = 1;
		else
			json_object_set(o, "source", x);
	} else if (x != NULL && !json_is_null(x))
		verrs_add(v->errs, ptr, "only nullfs mounts take a source"),
		    bad = 1;

	snprintf(ptr, sizeof(ptr), "%s/target", base);
	x = json_object_get(m, "target");
	target = json_is_string(x) && !has_nul(x) ? json_string_value(x) :
	    NULL;
	if (target == NULL)
		verrs_add(v->errs, ptr, "is required (a path inside the "
		    "jail, such as /dev)"), bad = 1;
	else if ((why = path_problem(target, PATH_MAX_LEN -
	    (v->path ? strlen(v->path) : 0), 0)) != NULL)
		verrs_add(v->errs, ptr, "%s (targets are inside the jail "
		    "root)", why), bad = 1;
	else
		json_object_set(o, "target", x);

	snprintf(ptr, sizeof(ptr), "%s/options", base);
	x = json_object_get(m, "options");
	if (is_nullfs) {
		if (x == NULL)
			json_object_set_new(o, "options", json_pack("[s]",
			    "rw"));
		else if (!json_is_array(x) || json_array_size(x) != 1 ||
		    (s = json_string_value(json_array_get(x, 0))) == NULL ||
		    (strcmp(s, "ro") != 0 && strcmp(s, "rw") != 0))
			verrs_add(v->errs, ptr, "must be [\"ro\"] or "
			    "[\"rw\"]"), bad = 1;
		else
			json_object_set(o, "options", x);
	} else if (x != NULL && !(json_is_array(x) &&
	    json_array_size(x) == 0))
		verrs_add(v->errs, ptr, "only nullfs mounts take options"),
		    bad = 1;

	snprintf(ptr, sizeof(ptr), "%s/ruleset", base);
	x = json_object_get(m, "ruleset");
	if (is_devfs) {
		json_int_t r = x == NULL || json_is_null(x) ? 4 :
		    json_is_integer(x) ? json_integer_value(x) : -1;
		if (!ruleset_allowed(v->cfg, r)) {
			char list[128] = "";
			size_t n = 0;
			for (j = 0; j < v->cfg->ndevfs_rulesets; j++)
				n += (size_t)snprintf(list + n,
				    sizeof(list) - n, "%s%d", j ? ", " : "",
				    v->cfg->devfs_rulesets[j]);
			verrs_add(v->errs, ptr, "must be one of the allowed "
			    "devfs rulesets (%s)", list);
			bad = 1;
		} else
			json_object_set_new(o, "ruleset", json_integer(r));
	} else if (x != NULL && !json_is_null(x))
		verrs_add(v->errs, ptr, "only devfs mounts take a ruleset"),
		    bad = 1;

	snprintf(ptr, sizeof(ptr), "%s/size", base);
	x = json_object_get(m, "size");
	if (x != NULL && !json_is_null(x)) {
		s = json_string_value(x);
		if (!is_tmpfs)
			verrs_add(v->errs, ptr, "only tmpfs mounts take a "
			    "size"), bad = 1;
		else if (s == NULL || s[0] == '\0' || strlen(s) > 20 ||
		    strspn(s, "0123456789") == 0 ||
		    (s[strspn(s, "0123456789")] != '\0' &&
		    (strchr("kKmMgGtT", s[strspn(s, "0123456789")]) == NULL ||
		    s[strspn(s, "0123456789") + 1] != '\0')))
			verrs_add(v->errs, ptr, "must be a size such as "
			    "\"512m\" (digits with an optional k, m, g or t)"),
			    bad = 1;
		else
			json_object_set(o, "size", x);
	}
	snprintf(ptr, sizeof(ptr), "%s/mode", base);
	x = json_object_get(m, "mode");
	if (x != NULL && !json_is_null(x)) {
		s = json_string_value(x);
		if (!is_tmpfs)
			verrs_add(v->errs, ptr, "only tmpfs mounts take a "
			    "mode"), bad = 1;
		else if (s == NULL || strlen(s) < 3 || strlen(s) > 4 ||
		    strspn(s, "01234567") != strlen(s))
			verrs_add(v->errs, ptr, "must be an octal mode such "
			    "as \"1777\""), bad = 1;
		else
			json_object_set(o, "mode", x);
	}

	x = json_object_get(m, "id");
	if (json_is_integer(x) && json_integer_value(x) > 0)
		id = old_mount_id(v->old_spec, json_integer_value(x), &dummy);
	for (j = 0; id > 0 && j < json_array_size(out); j++)
		if (json_integer_value(json_object_get(json_array_get(out, j),
		    "id")) == id)
			id = 0;		/* the same id twice: a new mount */
	if (bad) {
		json_decref(o);
		return;
	}
	json_object_set_new(o, "id", json_integer(id));
	json_array_append_new(out, o);
	(void)nextid;
}

static void
f_mounts(struct vctx *v, const char *key, const json_t *val)
{
	char base[48];
	json_t *out, *m, *t;
	size_t i, j;
	int64_t maxid = 0;

	(void)key;
	out = json_array();
	json_object_set_new(v->out, "mounts", out);
	if (val == NULL)
		return;
	if (!json_is_array(val)) {
		verrs_add(v->errs, "/mounts", "must be an array of mounts");
		return;
	}
	if (json_array_size(val) > MAX_MOUNTS)
		verrs_add(v->errs, "/mounts", "at most %d mounts", MAX_MOUNTS);
	json_array_foreach(val, i, m) {
		ptr_index(base, sizeof(base), "/mounts", i);
		mount_one(v, base, m, out, NULL);
	}
	/* duplicate targets */
	json_array_foreach(out, i, m) {
		t = json_object_get(m, "target");
		for (j = 0; j < i; j++)
			if (json_equal(t, json_object_get(json_array_get(out,
			    j), "target"))) {
				verrs_add(v->errs, "/mounts", "two mounts on "
				    "%s", json_string_value(t));
				break;
			}
	}
	/* Ids: a mount given without its id keeps the id of the stored
	 * mount with the same type and target, so applying the same body
	 * twice changes nothing; kept ones stay; new ones count up from the
	 * highest seen. */
	json_array_foreach(out, i, m) {
		json_t *om;
		size_t k, u;
		int taken;

		if (json_integer_value(json_object_get(m, "id")) != 0)
			continue;
		json_array_foreach(json_object_get(v->old_spec, "mounts"), k,
		    om) {
			if (!json_equal(json_object_get(om, "type"),
			    json_object_get(m, "type")) ||
			    !json_equal(json_object_get(om, "target"),
			    json_object_get(m, "target")))
				continue;
			taken = 0;
			for (u = 0; u < json_array_size(out); u++)
				taken |= json_equal(json_object_get(
				    json_array_get(out, u), "id"),
				    json_object_get(om, "id"));
			if (!taken) {
				json_object_set(m, "id", json_object_get(om,
				    "id"));
				break;
			}
		}
	}
	old_mount_id(v->old_spec, 0, &maxid);
	json_array_foreach(out, i, m)
		if (json_integer_value(json_object_get(m, "id")) > maxid)
			maxid = json_integer_value(json_object_get(m, "id"));
	json_array_foreach(out, i, m)
		if (json_integer_value(json_object_get(m, "id")) == 0)
			json_object_set_new(m, "id", json_integer(++maxid));
}

static void
f_depends(struct vctx *v, const char *key, const json_t *val)
{
	char ptr[48];
	const char *s, *self;
	json_t *out, *d;
	size_t i, j;

	(void)key;
	out = json_array();
	json_object_set_new(v->out, "depends", out);
	if (val == NULL)
		return;
	if (!json_is_array(val)) {
		verrs_add(v->errs, "/depends", "must be an array of jail "
		    "names");
		return;
	}
	if (json_array_size(val) > MAX_DEPENDS)
		verrs_add(v->errs, "/depends", "at most %d dependencies",
		    MAX_DEPENDS);
	self = v->url_name ? v->url_name :
	    json_string_value(json_object_get(v->in, "name"));
	json_array_foreach(val, i, d) {
		ptr_index(ptr, sizeof(ptr), "/depends", i);
		s = json_string_value(d);
		if (s == NULL || !name_jail_valid(s)) {
			verrs_add(v->errs, ptr, "must be a jail name");
			continue;
		}
		if (self != NULL && strcmp(s, self) == 0) {
			verrs_add(v->errs, ptr, "a jail cannot depend on "
			    "itself");
			continue;
		}
		for (j = 0; j < json_array_size(out); j++)
			if (strcmp(json_string_value(json_array_get(out, j)),
			    s) == 0)
				break;
		if (j < json_array_size(out)) {
			verrs_add(v->errs, ptr, "\"%s\" is listed twice", s);
			continue;
		}
		json_array_append_new(out, json_string(s));
	}
}

static void
f_labels(struct vctx *v, const char *key, const json_t *val)
{
	char ptr[128];
	const char *k;
	json_t *out, *x;

	(void)key;
	out = json_object();
	json_object_set_new(v->out, "labels", out);
	if (val == NULL)
		return;
	if (!json_is_object(val)) {
		verrs_add(v->errs, "/labels", "must be an object of strings");
		return;
	}
	if (json_object_size(val) > 64)
		verrs_add(v->errs, "/labels", "at most 64 labels");
	json_object_foreach((json_t *)val, k, x) {
		ptr_join(ptr, sizeof(ptr), "/labels", k);
		if (!name_label_key_valid(k)) {
			verrs_add(v->errs, ptr, "label keys are 1 to 63 of "
			    "[A-Za-z0-9._/-]");
			continue;
		}
		if (!json_is_string(x) ||
		    !name_label_value_valid(json_string_value(x))) {
			verrs_add(v->errs, ptr, "label values are strings of "
			    "0 to 63 of [A-Za-z0-9._-]");
			continue;
		}
		json_object_set(out, k, x);
	}
}

static void
f_ignored(struct vctx *v, const char *key, const json_t *val)
{
	(void)v;
	(void)key;
	(void)val;
}

/* In the order the canonical document lists them. */
static const struct field {
	const char	*name;
	field_fn	 fn;
} fields[] = {
	{ "name", f_name },
	{ "path", f_path },
	{ "hostname", f_hostname },
	{ "state", f_state },
	{ "restart_policy", f_restart_policy },
	{ "policies", f_policies },
	{ "params", f_params },
	{ "exec", f_exec },
	{ "ips", f_ips },
	{ "mounts", f_mounts },
	{ "depends", f_depends },
	{ "labels", f_labels },
	/* jaild's own, accepted and ignored so a GET body can be PUT back */
	{ "generation", f_ignored },
	{ "resource_version", f_ignored },
	{ "created_at", f_ignored },
	{ "updated_at", f_ignored },
	{ "status", f_ignored },
};

/* Same size, when the input had the member (else the default). */
static int
same_size(const json_t *in, const json_t *out, const char *k)
{
	const json_t *a = json_object_get(in, k), *b = json_object_get(out, k);

	if (b == NULL)
		return 0;
	if (a == NULL)
		return 1;
	if (json_is_array(a))
		return json_array_size(a) == json_array_size(b);
	return json_object_size(a) == json_object_size(b);
}

/*
 * Every field ends in the output or in the error list; when neither
 * happened, an allocation failed on the way.  Checked once at the end
 * instead of after every jansson call.
 */
static int
complete(const json_t *in, const json_t *out)
{
	size_t i;

	for (i = 0; i < 12; i++)
		if (json_object_get(out, fields[i].name) == NULL)
			return 0;
	if (json_object_size(json_object_get(out, "exec")) != 15)
		return 0;
	return same_size(in, out, "ips") && same_size(in, out, "mounts") &&
	    same_size(in, out, "depends") && same_size(in, out, "labels") &&
	    same_size(in, out, "params");
}

json_t *
codec_jail_decode(const json_t *in, const char *url_name,
    const json_t *old_spec, const struct api_config *cfg, struct verrs *errs)
{
	struct vctx v = { in, url_name, old_spec, cfg, errs, NULL, NULL };
	const char *k;
	json_t *x;
	char ptr[128];
	size_t i, before = errs->n;

	if (!json_is_object(in)) {
		verrs_add(errs, "", "must be a JSON object");
		return NULL;
	}
	json_object_foreach((json_t *)in, k, x) {
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(k, fields[i].name) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0])) {
			ptr_join(ptr, sizeof(ptr), "", k);
			verrs_add(errs, ptr, "unknown field");
		}
	}
	v.out = json_object();
	if (v.out == NULL) {
		errs->oom = 1;
		return NULL;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		fields[i].fn(&v, fields[i].name, json_object_get(in,
		    fields[i].name));
	if (errs->n == before && !complete(in, v.out))
		errs->oom = 1;	/* a jansson call ran out of memory */
	if (errs->n != before || errs->oom) {
		json_decref(v.out);
		return NULL;
	}
	return v.out;
}

json_t *
codec_merge_patch(const json_t *target, const json_t *patch)
{
	json_t *out, *cur;
	const char *k;
	json_t *pv;

	if (!json_is_object(patch))
		return json_deep_copy(patch);
	out = json_is_object(target) ? json_deep_copy(target) : json_object();
	if (out == NULL)
		return NULL;
	json_object_foreach((json_t *)patch, k, pv) {
		if (json_is_null(pv)) {
			json_object_del(out, k);
			continue;
		}
		cur = json_object_get(out, k);
		json_object_set_new(out, k, codec_merge_patch(cur, pv));
	}
	return out;
}

/* ---- rendering ---- */

static int
put_json_string(struct buf *b, const char *s)
{
	json_t *j;
	char *d;
	int rc;

	if (s == NULL)
		return buf_puts(b, "null");
	j = json_string(s);
	d = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (d == NULL)
		return -1;
	rc = buf_puts(b, d);
	jd_free(d);
	return rc;
}

int
codec_jail_render(const struct jail_row *r, struct buf *b)
{
	size_t n;

	/* The stored spec is a canonical object; splice the rest in before
	 * its closing brace instead of parsing it again. */
	n = strlen(r->spec);
	while (n > 0 && r->spec[n - 1] != '}')
		n--;
	if (n == 0)
		return -1;
	if (buf_append(b, r->spec, n - 1) == -1 ||
	    buf_printf(b, ",\"generation\":%lld,\"resource_version\":%lld,"
	    "\"created_at\":\"%s\",\"updated_at\":\"%s\",\"status\":{"
	    "\"phase\":\"%s\",\"jid\":", (long long)r->generation,
	    (long long)r->resource_version, r->created_at, r->updated_at,
	    r->phase) == -1)
		return -1;
	if ((r->jid > 0 ? buf_printf(b, "%lld", (long long)r->jid) :
	    buf_puts(b, "null")) == -1 ||
	    buf_printf(b, ",\"observed_generation\":%lld,\"message\":",
	    (long long)r->observed_generation) == -1 ||
	    put_json_string(b, r->message) == -1 ||
	    buf_puts(b, ",\"last_transition_at\":") == -1 ||
	    put_json_string(b, r->last_transition_at[0] ?
	    r->last_transition_at : NULL) == -1 ||
	    buf_printf(b, ",\"drift\":%s}}", r->drift ? r->drift : "[]") == -1)
		return -1;
	return 0;
}

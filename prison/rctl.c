/*
 * rctl.c - the rctl(8) resource and action tables and the checks built on
 * them (see rctl.h).
 *
 * Everything here is data from freebsd-jail-facts.md section 8: which
 * resources exist, which action classes each takes, the signal names an
 * action may carry, and expand_number amounts.  The API (policy limits),
 * the prison layer (rule text) and the simulated host (what the kernel
 * refuses) all read the same tables, so they cannot disagree.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "prison/rctl.h"

#define RCTL_LIMITS_MAX	64

#define DN	(RCTL_A_DENY | RCTL_A_NOTIFY)

static const struct rctl_resource resources[] = {
	{ "cputime", "seconds", RCTL_A_NOTIFY,
	    "CPU time; deny is not supported" },
	{ "datasize", "bytes", DN, "data segment size" },
	{ "stacksize", "bytes", DN, "stack size" },
	{ "coredumpsize", "bytes", DN, "core dump size" },
	{ "memoryuse", "bytes", DN,
	    "resident set size; limiting it can cause thrashing" },
	{ "memorylocked", "bytes", DN, "locked memory" },
	{ "maxproc", "count", DN, "number of processes" },
	{ "openfiles", "count", DN, "file descriptor table size" },
	{ "vmemoryuse", "bytes", DN, "address space" },
	{ "pseudoterminals", "count", DN, "number of pseudo-terminals" },
	{ "swapuse", "bytes", DN, "swap space reserved" },
	{ "nthr", "count", DN, "number of threads" },
	{ "msgqqueued", "count", DN, "SysV messages queued" },
	{ "msgqsize", "bytes", DN, "SysV message queue size" },
	{ "nmsgq", "count", DN, "number of SysV message queues" },
	{ "nsem", "count", DN, "number of SysV semaphores" },
	{ "nsemop", "count", DN,
	    "SysV semaphore operations in one semop call" },
	{ "nshm", "count", DN, "number of SysV and POSIX shared memory "
	    "segments" },
	{ "shmsize", "bytes", DN, "SysV and POSIX shared memory size" },
	{ "wallclock", "seconds", RCTL_A_NOTIFY,
	    "wall clock time; deny is not supported" },
	{ "pcpu", "percent", DN, "CPU usage, in percent of one CPU" },
	{ "readbps", "bytes/s", RCTL_A_THROTTLE,
	    "filesystem reads, bytes per second; throttle only" },
	{ "writebps", "bytes/s", RCTL_A_THROTTLE,
	    "filesystem writes, bytes per second; throttle only" },
	{ "readiops", "ops/s", RCTL_A_THROTTLE,
	    "filesystem reads per second (approximate); throttle only" },
	{ "writeiops", "ops/s", RCTL_A_THROTTLE,
	    "filesystem writes per second (approximate); throttle only" },
};

/* FreeBSD's signal names, as rctl's sig<NAME> actions take them. */
static const char *const signals[] = {
	"hup", "int", "quit", "ill", "trap", "abrt", "emt", "fpe", "kill",
	"bus", "segv", "sys", "pipe", "alrm", "term", "urg", "stop", "tstp",
	"cont", "chld", "ttin", "ttou", "io", "xcpu", "xfsz", "vtalrm",
	"prof", "winch", "info", "usr1", "usr2", "thr",
};

static const char *const pers[] = { "jail", "process", "user",
	"loginclass" };

/* The members a limit object may have. */
static const char *const limit_members[] = { "resource", "action",
	"amount", "per" };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const struct rctl_resource *
rctl_resource_lookup(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NELEM(resources); i++)
		if (strcmp(resources[i].name, name) == 0)
			return &resources[i];
	return NULL;
}

size_t
rctl_resource_count(void)
{
	return NELEM(resources);
}

const struct rctl_resource *
rctl_resource_at(size_t i)
{
	return i < NELEM(resources) ? &resources[i] : NULL;
}

/* The action class of a known action, 0 when unknown. */
static unsigned
action_class(const char *action)
{
	size_t i;

	if (action == NULL)
		return 0;
	if (strcmp(action, "deny") == 0)
		return RCTL_A_DENY;
	if (strcmp(action, "throttle") == 0)
		return RCTL_A_THROTTLE;
	if (strcmp(action, "log") == 0 || strcmp(action, "devctl") == 0)
		return RCTL_A_NOTIFY;
	if (strncmp(action, "sig", 3) != 0)
		return 0;
	for (i = 0; i < NELEM(signals); i++)
		if (strcmp(action + 3, signals[i]) == 0)
			return RCTL_A_NOTIFY;
	return 0;
}

int
rctl_action_known(const char *action)
{
	return action_class(action) != 0;
}

int
rctl_action_check(const struct rctl_resource *r, const char *action,
    char *msg, size_t msgsz)
{
	unsigned cls = action_class(action);

	if (cls == 0) {
		snprintf(msg, msgsz, "unknown action \"%s\"",
		    action != NULL ? action : "");
		return -1;
	}
	if (r->actions & cls)
		return 0;
	if (r->actions == RCTL_A_THROTTLE)
		snprintf(msg, msgsz, "%s is not supported for %s (it takes "
		    "only throttle)", action, r->name);
	else
		snprintf(msg, msgsz, "%s is not supported for %s", action,
		    r->name);
	return -1;
}

int
rctl_per_valid(const char *per)
{
	size_t i;

	if (per == NULL)
		return 0;
	for (i = 0; i < NELEM(pers); i++)
		if (strcmp(per, pers[i]) == 0)
			return 1;
	return 0;
}

int
rctl_amount_parse(const char *s, int64_t *out)
{
	static const char suffixes[] = "kmgtpe";
	const char *p, *sp;
	uint64_t v = 0;
	int shift = 0;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	for (p = s; isdigit((unsigned char)*p); p++) {
		if (v > ((uint64_t)INT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0') {
		if (p[1] != '\0' || (sp = strchr(suffixes,
		    tolower((unsigned char)*p))) == NULL)
			return -1;
		shift = 10 * (int)(sp - suffixes + 1);
		if (v > ((uint64_t)INT64_MAX >> shift))
			return -1;
		v <<= shift;
	}
	*out = (int64_t)v;
	return 0;
}

int
rctl_rule_text(const char *jail, const char *resource, const char *action,
    int64_t amount, const char *per, char *out, size_t outsz)
{
	int n;

	if (per == NULL || strcmp(per, "jail") == 0)
		n = snprintf(out, outsz, "jail:%s:%s:%s=%" PRId64, jail,
		    resource, action, amount);
	else
		n = snprintf(out, outsz, "jail:%s:%s:%s=%" PRId64 "/%s", jail,
		    resource, action, amount, per);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* Validation of a policy's limits. */

static int
member_known(const char *key)
{
	size_t i;

	for (i = 0; i < NELEM(limit_members); i++)
		if (strcmp(key, limit_members[i]) == 0)
			return 1;
	return 0;
}

/* A required string member: the string, or NULL with an error added. */
static const char *
req_string(const json_t *o, const char *key, const char *item,
    struct verrs *errs)
{
	char field[256];
	json_t *v = json_object_get(o, key);

	ptr_join(field, sizeof(field), item, key);
	if (v == NULL) {
		verrs_add(errs, field, "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		verrs_add(errs, field, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

/* The amount member: 0 with *out set, or -1 with an error added. */
static int
limit_amount(const json_t *o, const char *item, int64_t *out,
    struct verrs *errs)
{
	char field[256];
	json_t *v = json_object_get(o, "amount");

	ptr_join(field, sizeof(field), item, "amount");
	if (v == NULL) {
		verrs_add(errs, field, "is required");
		return -1;
	}
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0) {
			verrs_add(errs, field, "must be 0 or more");
			return -1;
		}
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) &&
	    rctl_amount_parse(json_string_value(v), out) == 0)
		return 0;
	verrs_add(errs, field, "must be an integer >= 0 or a string with a "
	    "k, m, g, t, p or e suffix (\"512m\")");
	return -1;
}

/*
 * Check item i (at pointer item) and append its canonical form to canon.
 * Returns 0 when valid, 1 when it had errors (added to errs), -1 on
 * out-of-memory.
 */
static int
limit_one(const json_t *e, const char *item, json_t *canon,
    struct verrs *errs)
{
	const struct rctl_resource *r = NULL;
	const char *res, *act, *per = "jail", *key;
	char field[256], msg[128];
	json_t *v, *c;
	int64_t amount = 0;
	int bad = 0, amount_ok;

	if (!json_is_object(e)) {
		verrs_add(errs, item, "must be an object with resource, "
		    "action and amount");
		return 1;
	}
	json_object_foreach((json_t *)e, key, v) {
		if (member_known(key))
			continue;
		ptr_join(field, sizeof(field), item, key);
		verrs_add(errs, field, "unknown field");
		bad = 1;
	}
	res = req_string(e, "resource", item, errs);
	if (res == NULL)
		bad = 1;
	else if ((r = rctl_resource_lookup(res)) == NULL) {
		ptr_join(field, sizeof(field), item, "resource");
		verrs_add(errs, field, "unknown resource \"%s\"", res);
		bad = 1;
	}
	act = req_string(e, "action", item, errs);
	ptr_join(field, sizeof(field), item, "action");
	if (act == NULL)
		bad = 1;
	else if (!rctl_action_known(act)) {
		verrs_add(errs, field, "unknown action \"%s\": deny, log, "
		    "devctl, throttle or sig<NAME>", act);
		bad = 1;
	} else if (r != NULL && rctl_action_check(r, act, msg,
	    sizeof(msg)) == -1) {
		verrs_add(errs, field, "%s", msg);
		bad = 1;
	}
	amount_ok = limit_amount(e, item, &amount, errs) == 0;
	if (!amount_ok)
		bad = 1;
	else if (act != NULL && strcmp(act, "throttle") == 0 && amount == 0) {
		ptr_join(field, sizeof(field), item, "amount");
		verrs_add(errs, field, "throttle needs an amount above 0");
		bad = 1;
	}
	v = json_object_get(e, "per");
	if (v != NULL) {
		per = json_string_value(v);
		if (!rctl_per_valid(per)) {
			ptr_join(field, sizeof(field), item, "per");
			verrs_add(errs, field, "must be one of jail, process, "
			    "user, loginclass");
			per = NULL;
			bad = 1;
		}
	}
	if (bad) {
		/* A placeholder keeps indexes aligned for the duplicate
		   check; only items with a whole key take part in it. */
		if (r != NULL && rctl_action_known(act) && per != NULL)
			c = json_pack("{s:s, s:s, s:s}", "resource", res,
			    "action", act, "per", per);
		else
			c = json_null();
		if (c == NULL || json_array_append_new(canon, c) == -1)
			return -1;
		return 1;
	}
	c = json_pack("{s:s, s:s, s:I, s:s}", "resource", res, "action", act,
	    "amount", (json_int_t)amount, "per", per);
	if (c == NULL || json_array_append_new(canon, c) == -1)
		return -1;
	return 0;
}

static int
same_key(const json_t *a, const json_t *b)
{
	static const char *const keys[] = { "resource", "action", "per" };
	size_t i;

	if (!json_is_object(a) || !json_is_object(b))
		return 0;
	for (i = 0; i < NELEM(keys); i++)
		if (strcmp(json_string_value(json_object_get(a, keys[i])),
		    json_string_value(json_object_get(b, keys[i]))) != 0)
			return 0;
	return 1;
}

json_t *
rctl_limits_canon(const json_t *limits, const char *base, struct verrs *errs)
{
	char item[256], other[256];
	json_t *canon, *e;
	size_t i, j, n0 = errs->n;
	int bad = 0, rc;

	if ((canon = json_array()) == NULL) {
		errs->oom = 1;
		return NULL;
	}
	if (limits == NULL)
		return canon;
	if (!json_is_array(limits)) {
		verrs_add(errs, base, "must be an array of limits");
		json_decref(canon);
		return NULL;
	}
	if (json_array_size(limits) > RCTL_LIMITS_MAX) {
		verrs_add(errs, base, "has %zu limits; at most %d are allowed",
		    json_array_size(limits), RCTL_LIMITS_MAX);
		bad = 1;
	}
	json_array_foreach(limits, i, e) {
		ptr_index(item, sizeof(item), base, i);
		if ((rc = limit_one(e, item, canon, errs)) == -1)
			goto oom;
		if (rc == 1)
			bad = 1;
		/* The later of two with the same key is the one named. */
		for (j = 0; j < i; j++) {
			if (!same_key(json_array_get(canon, j),
			    json_array_get(canon, i)))
				continue;
			ptr_index(other, sizeof(other), base, j);
			verrs_add(errs, item, "duplicates %s", other);
			bad = 1;
			break;
		}
	}
	if (bad || errs->n > n0 || errs->oom) {
		json_decref(canon);
		return NULL;
	}
	return canon;
oom:
	errs->oom = 1;
	json_decref(canon);
	return NULL;
}

json_t *
rctl_schema_json(void)
{
	json_t *res, *sig, *per, *acts, *o;
	char name[16];
	size_t i;

	res = json_array();
	sig = json_array();
	per = json_array();
	if (res == NULL || sig == NULL || per == NULL)
		goto fail;
	for (i = 0; i < NELEM(resources); i++) {
		if ((acts = json_array()) == NULL)
			goto fail;
		if (resources[i].actions & RCTL_A_DENY)
			json_array_append_new(acts, json_string("deny"));
		if (resources[i].actions & RCTL_A_THROTTLE)
			json_array_append_new(acts, json_string("throttle"));
		if (resources[i].actions & RCTL_A_NOTIFY) {
			json_array_append_new(acts, json_string("log"));
			json_array_append_new(acts, json_string("devctl"));
			json_array_append_new(acts, json_string("signal"));
		}
		o = json_pack("{s:s, s:s, s:o, s:s}", "name", resources[i].name,
		    "unit", resources[i].unit, "actions", acts, "description",
		    resources[i].desc);
		if (o == NULL || json_array_append_new(res, o) == -1)
			goto fail;
	}
	for (i = 0; i < NELEM(signals); i++) {
		snprintf(name, sizeof(name), "sig%s", signals[i]);
		if (json_array_append_new(sig, json_string(name)) == -1)
			goto fail;
	}
	for (i = 0; i < NELEM(pers); i++)
		if (json_array_append_new(per, json_string(pers[i])) == -1)
			goto fail;
	return json_pack("{s:o, s:o, s:o}", "resources", res, "signals", sig,
	    "per", per);
fail:
	json_decref(res);
	json_decref(sig);
	json_decref(per);
	return NULL;
}

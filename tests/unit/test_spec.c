/*
 * test_spec.c - jail document -> prison_spec (with an effective
 * document's limits as rctl rules), exec command splitting, prison_diff,
 * prison_diff_limits and prison_doc_from_host (prison/spec.c,
 * prison/diff.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "prison/diff.h"
#include "prison/spec.h"
#include "tests/lib/check.h"

static const char *doc_text =
    "{\"name\": \"web1\", \"path\": \"/j/web1\", \"hostname\": \"web1.example.org\","
    " \"state\": \"running\", \"restart_policy\": \"auto\","
    " \"params\": {\"securelevel\": 3, \"allow.raw_sockets\": false,"
    "   \"osrelease\": \"14.1-RELEASE\"},"
    " \"exec\": {\"prepare\": [], \"prestart\": [\"  /usr/bin/true   -a  b \"],"
    "   \"created\": [], \"start\": [\"/bin/sh /etc/rc\"], \"poststart\": [],"
    "   \"prestop\": [], \"stop\": [\"echo $HOME > /tmp/x\"], \"poststop\": [],"
    "   \"release\": [], \"clean\": false, \"jail_user\": null,"
    "   \"system_user\": \"root\", \"timeout_s\": 30, \"stop_timeout_s\": 5,"
    "   \"consolelog\": null},"
    " \"ips\": [{\"interface\": \"em0\", \"address\": \"10.0.0.5/24\"},"
    "   {\"interface\": null, \"address\": \"10.0.0.6\"},"
    "   {\"address\": \"fd00:0::1\"}],"
    " \"mounts\": [{\"id\": 1, \"type\": \"devfs\", \"target\": \"/dev\", \"ruleset\": 4},"
    "   {\"id\": 2, \"type\": \"nullfs\", \"source\": \"/j/base\", \"target\": \"/basejail\","
    "    \"options\": [\"ro\"]},"
    "   {\"id\": 3, \"type\": \"tmpfs\", \"target\": \"/tmp\", \"size\": \"512m\","
    "    \"mode\": \"1777\"},"
    "   {\"id\": 4, \"type\": \"procfs\", \"target\": \"/proc\"},"
    "   {\"id\": 5, \"type\": \"fdescfs\", \"target\": \"/dev/fd\"}],"
    " \"depends\": [\"db1\"], \"labels\": {}}";

static json_t *
load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (j == NULL)
		printf("# json: %s at %d\n", jerr.text, jerr.position);
	CHECK(j != NULL);
	return j;
}

static void
test_split(void)
{
	char **a;

	a = prison_cmd_split("  /usr/bin/true   -a\tb ");
	CHECK(a != NULL);
	CHECK_STR(a[0], "/usr/bin/true");
	CHECK_STR(a[1], "-a");
	CHECK_STR(a[2], "b");
	CHECK(a[3] == NULL);
	prison_argv_free(a);

	a = prison_cmd_split("echo hi | cat");
	CHECK_STR(a[0], "/bin/sh");
	CHECK_STR(a[1], "-c");
	CHECK_STR(a[2], "echo hi | cat");
	CHECK(a[3] == NULL);
	prison_argv_free(a);

	/* every metacharacter forces the shell */
	{
		const char *meta = "!\"$&'()*;<>?[\\]`{|}~";
		char cmd[16];
		size_t i;

		for (i = 0; meta[i] != '\0'; i++) {
			snprintf(cmd, sizeof(cmd), "a%cb", meta[i]);
			a = prison_cmd_split(cmd);
			CHECK(a != NULL);
			CHECK_STR(a[0], "/bin/sh");
			CHECK_STR(a[2], cmd);
			prison_argv_free(a);
		}
	}
	a = prison_cmd_split("a-b_c.d/e=f,g:h@i%j+k");
	CHECK_STR(a[0], "a-b_c.d/e=f,g:h@i%j+k");
	CHECK(a[1] == NULL);
	prison_argv_free(a);
	CHECK(prison_cmd_split("   ") == NULL);
	CHECK(prison_cmd_split("") == NULL);
}

static void
test_from_json(void)
{
	struct prison_spec s;
	struct jd_error err;
	json_t *doc = load(doc_text);

	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	CHECK_STR(s.name, "web1");
	CHECK_STR(s.path, "/j/web1");
	CHECK_STR(s.hostname, "web1.example.org");
	CHECK_INT(s.want_running, 1);
	CHECK_INT(s.restart_auto, 1);
	/* kernel parameters */
	CHECK_STR(host_params_get(&s.kparams, "name"), "web1");
	CHECK_STR(host_params_get(&s.kparams, "path"), "/j/web1");
	CHECK_STR(host_params_get(&s.kparams, "host.hostname"),
	    "web1.example.org");
	CHECK_STR(host_params_get(&s.kparams, "persist"), "true");
	CHECK_STR(host_params_get(&s.kparams, "ip4"), "new");
	CHECK_STR(host_params_get(&s.kparams, "ip4.addr"), "10.0.0.5,10.0.0.6");
	CHECK_STR(host_params_get(&s.kparams, "ip6"), "new");
	CHECK_STR(host_params_get(&s.kparams, "ip6.addr"), "fd00::1");
	CHECK_STR(host_params_get(&s.kparams, "securelevel"), "3");
	CHECK_STR(host_params_get(&s.kparams, "allow.raw_sockets"), "false");
	CHECK_STR(host_params_get(&s.kparams, "osrelease"), "14.1-RELEASE");
	/* aliases: only ips with an interface get one */
	CHECK_INT(s.nips, 3);
	CHECK_STR(s.ips[0].interface, "em0");
	CHECK_STR(s.ips[0].address, "10.0.0.5");
	CHECK_INT(s.ips[0].prefixlen, 24);
	CHECK_INT(s.ips[0].family, HOST_AF_INET);
	CHECK(s.ips[1].interface == NULL);
	CHECK_INT(s.ips[1].prefixlen, 32);
	CHECK_INT(s.ips[2].family, HOST_AF_INET6);
	CHECK_STR(s.ips[2].address, "fd00::1");
	CHECK_INT(s.ips[2].prefixlen, 128);
	CHECK_INT(s.ips[2].index, 2);
	/* mounts: listed ones first, then devfs, fdescfs, procfs */
	CHECK_INT(s.nmounts, 5);
	CHECK_STR(s.mounts[0].type, "nullfs");
	CHECK_STR(s.mounts[0].source, "/j/base");
	CHECK_STR(s.mounts[0].target, "/j/web1/basejail");
	CHECK_STR(s.mounts[0].options, "ro");
	CHECK_INT(s.mounts[0].index, 1);
	CHECK_STR(s.mounts[1].type, "tmpfs");
	CHECK_STR(s.mounts[1].options, "size=512m,mode=1777");
	CHECK_STR(s.mounts[2].type, "devfs");
	CHECK_STR(s.mounts[2].target, "/j/web1/dev");
	CHECK_STR(s.mounts[2].options, "ruleset=4");
	CHECK_INT(s.mounts[2].index, 0);
	CHECK_STR(s.mounts[3].type, "fdescfs");
	CHECK_STR(s.mounts[3].target, "/j/web1/dev/fd");
	CHECK_STR(s.mounts[4].type, "procfs");
	CHECK_INT(s.mounts[4].index, 3);
	/* exec */
	CHECK_INT(s.exec[PRISON_HOOK_PRESTART].n, 1);
	CHECK_STR(s.exec[PRISON_HOOK_PRESTART].v[0].argv[0], "/usr/bin/true");
	CHECK_STR(s.exec[PRISON_HOOK_PRESTART].v[0].argv[2], "b");
	CHECK_STR(s.exec[PRISON_HOOK_START].v[0].argv[0], "/bin/sh");
	CHECK_STR(s.exec[PRISON_HOOK_START].v[0].argv[1], "/etc/rc");
	CHECK_STR(s.exec[PRISON_HOOK_STOP].v[0].argv[1], "-c");
	CHECK_STR(s.exec[PRISON_HOOK_STOP].v[0].argv[2], "echo $HOME > /tmp/x");
	CHECK_INT(s.exec[PRISON_HOOK_PREPARE].n, 0);
	CHECK_STR(s.system_user, "root");
	CHECK(s.jail_user == NULL);
	CHECK_INT(s.timeout_s, 30);
	CHECK_INT(s.stop_timeout_s, 5);
	CHECK_INT(s.ndepends, 1);
	CHECK_STR(s.depends[0], "db1");
	CHECK_STR(prison_hook_label(PRISON_HOOK_RELEASE), "exec.release");
	CHECK_INT(s.nlimits, 0);	/* no "limits": no rules */
	CHECK(s.limits == NULL);
	prison_spec_free(&s);
	prison_spec_free(&s);	/* twice is harmless */

	/* Without ips, mounts or exec: defaults. */
	json_decref(doc);
	doc = load("{\"name\": \"a\", \"path\": \"/j/a\"}");
	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	CHECK_STR(host_params_get(&s.kparams, "ip4"), "disable");
	CHECK(host_params_get(&s.kparams, "ip4.addr") == NULL);
	CHECK_STR(host_params_get(&s.kparams, "ip6"), "disable");
	CHECK_STR(host_params_get(&s.kparams, "host.hostname"), "");
	CHECK_INT(s.stop_timeout_s, 10);
	CHECK_INT(s.want_running, 0);
	CHECK_INT(s.nmounts, 0);
	prison_spec_free(&s);
	json_decref(doc);

	doc = load("{\"name\": \"a\", \"path\": \"relative\"}");
	CHECK(prison_spec_from_json(doc, &s, &err) == -1);
	CHECK_STR(err.field, "/path");
	json_decref(doc);
	doc = load("{\"name\": \"a\", \"path\": \"/j/a\", "
	    "\"ips\": [{\"address\": \"10.0.0.300\"}]}");
	CHECK(prison_spec_from_json(doc, &s, &err) == -1);
	CHECK_STR(err.field, "/ips/0/address");
	json_decref(doc);
	doc = load("{\"name\": \"a\", \"path\": \"/j/a\", "
	    "\"params\": {\"securelevel\": 9}}");
	CHECK(prison_spec_from_json(doc, &s, &err) == -1);
	CHECK_STR(err.field, "/params/securelevel");
	json_decref(doc);
}

/* A host report that matches doc_text exactly. */
static void
matching_host(struct host_prison *p, struct host_mount_list *ml,
    struct host_addr_list *al)
{
	static const char *const mounts[][4] = {
		{ "zfs", "zroot/x", "/j/web1x", "" },	/* not under path */
		{ "nullfs", "/j/base", "/j/web1/basejail", "ro" },
		{ "tmpfs", "tmpfs", "/j/web1/tmp", "size=512m,mode=1777" },
		{ "devfs", "devfs", "/j/web1/dev", "ruleset=4" },
		{ "fdescfs", "fdescfs", "/j/web1/dev/fd", "" },
		{ "procfs", "procfs", "/j/web1/proc", "" },
	};
	size_t i;

	memset(p, 0, sizeof(*p));
	p->jid = 7;
	p->name = strdup("web1");
	p->path = strdup("/j/web1");
	p->hostname = strdup("web1.example.org");
	host_params_set(&p->params, "securelevel", "3");
	host_params_set(&p->params, "allow.raw_sockets", "false");
	host_params_set(&p->params, "allow.mlock", "true");
	host_params_set(&p->params, "osrelease", "14.1-RELEASE");
	host_params_set(&p->params, "enforce_statfs", "2");
	host_params_set(&p->params, "ip4", "disable");
	host_params_set(&p->params, "ip4.addr", "10.0.0.5,10.0.0.6");
	host_params_set(&p->params, "ip6.addr", "fd00::1");
	host_params_set(&p->params, "persist", "true");
	ml->n = sizeof(mounts) / sizeof(mounts[0]);
	ml->v = calloc(ml->n, sizeof(ml->v[0]));
	for (i = 0; i < ml->n; i++) {
		ml->v[i].type = strdup(mounts[i][0]);
		ml->v[i].source = strdup(mounts[i][1]);
		ml->v[i].target = strdup(mounts[i][2]);
		ml->v[i].options = strdup(mounts[i][3]);
	}
	al->n = 2;
	al->v = calloc(2, sizeof(al->v[0]));
	al->v[0].ifname = strdup("em0");
	al->v[0].family = HOST_AF_INET;
	al->v[0].address = strdup("10.0.0.5");
	al->v[0].prefixlen = 24;
	al->v[1].ifname = strdup("em0");
	al->v[1].family = HOST_AF_INET;
	al->v[1].address = strdup("192.168.1.1");
	al->v[1].prefixlen = 24;
}

static const struct prison_drift *
find(const struct prison_drift_list *l, const char *field)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].field, field) == 0)
			return &l->v[i];
	return NULL;
}

static void
test_diff(void)
{
	struct prison_spec s;
	struct host_prison p;
	struct host_mount_list ml;
	struct host_addr_list al;
	struct prison_drift_list d;
	const struct prison_drift *x;
	struct jd_error err;
	json_t *doc = load(doc_text), *j;
	char *text;

	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	matching_host(&p, &ml, &al);
	CHECK(prison_diff(&s, &p, &ml, &al, &d, &err) == 0);
	for (size_t i = 0; i < d.n; i++)
		printf("# unexpected drift %s\n", d.v[i].field);
	CHECK_INT(d.n, 0);	/* allow.mlock is not in the spec: no drift */
	prison_drift_list_free(&d);

	/* Out-of-band changes. */
	host_params_set(&p.params, "securelevel", "1");
	host_params_set(&p.params, "ip4.addr", "10.0.0.6,10.0.0.9");
	free(p.hostname);
	p.hostname = strdup("other");
	free(al.v[0].ifname);
	al.v[0].ifname = strdup("em1");		/* alias on the wrong iface */
	free(ml.v[4].target);
	ml.v[4].target = strdup("/elsewhere");	/* fdescfs gone */
	CHECK(prison_diff(&s, &p, &ml, &al, &d, &err) == 0);
	x = find(&d, "/params/securelevel");
	CHECK(x != NULL);
	CHECK_INT(json_integer_value(x->desired), 3);
	CHECK_INT(json_integer_value(x->observed), 1);
	CHECK_INT(x->needs_restart, 0);
	x = find(&d, "/hostname");
	CHECK(x != NULL);
	CHECK_STR(json_string_value(x->observed), "other");
	x = find(&d, "/ips/0");
	CHECK(x != NULL);
	CHECK(json_is_object(x->desired));
	CHECK(json_is_null(x->observed));
	CHECK(find(&d, "/ips/1") == NULL);
	x = find(&d, "/ips");
	CHECK(x != NULL);
	CHECK_INT(json_array_size(x->observed), 3);
	x = find(&d, "/mounts/4");
	CHECK(x != NULL);
	CHECK_STR(json_string_value(json_object_get(x->desired, "type")),
	    "fdescfs");
	CHECK(find(&d, "/mounts/0") == NULL);
	CHECK(find(&d, "/path") == NULL);
	CHECK_INT(prison_drift_needs_restart(&d), 0);
	CHECK_INT(d.n, 5);
	j = prison_drift_json(&d);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_CONTAINS(text, "{\"desired\":3,\"field\":\"/params/securelevel\","
	    "\"observed\":1,\"reason\":\"out_of_band\"}");
	free(text);
	json_decref(j);
	prison_drift_list_free(&d);

	/* What only a restart fixes. */
	free(p.path);
	p.path = strdup("/j/moved");
	host_params_set(&p.params, "osrelease", "13.2-RELEASE");
	CHECK(prison_diff(&s, &p, NULL, NULL, &d, &err) == 0);
	x = find(&d, "/path");
	CHECK(x != NULL);
	CHECK_INT(x->needs_restart, 1);
	x = find(&d, "/params/osrelease");
	CHECK(x != NULL);
	CHECK_INT(x->needs_restart, 1);
	CHECK_STR(json_string_value(x->observed), "13.2-RELEASE");
	CHECK(find(&d, "/mounts/4") == NULL);	/* mounts not checked */
	CHECK_INT(prison_drift_needs_restart(&d), 1);
	j = prison_drift_json(&d);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_CONTAINS(text, "\"field\":\"/path\",\"observed\":\"/j/moved\","
	    "\"reason\":\"needs_restart\"");
	free(text);
	json_decref(j);
	prison_drift_list_free(&d);

	host_prison_free(&p);
	host_mount_list_free(&ml);
	host_addr_list_free(&al);
	prison_spec_free(&s);
	json_decref(doc);
}

static void
test_doc_from_host(void)
{
	struct host_prison p;
	struct host_mount_list ml;
	struct host_addr_list al;
	struct prison_drift_list d;
	struct prison_spec s;
	struct jd_error err;
	json_t *doc, *m;
	char *text;

	matching_host(&p, &ml, &al);
	doc = prison_doc_from_host(&p, &ml, &al);
	CHECK(doc != NULL);
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	printf("# adopted %s\n", text);
	free(text);
	CHECK_STR(json_string_value(json_object_get(doc, "name")), "web1");
	CHECK_STR(json_string_value(json_object_get(doc, "path")), "/j/web1");
	CHECK_STR(json_string_value(json_object_get(doc, "state")), "running");
	/* securelevel raised, allow.mlock not default: kept; defaults not */
	CHECK_INT(json_integer_value(json_object_get(json_object_get(doc,
	    "params"), "securelevel")), 3);
	CHECK(json_is_true(json_object_get(json_object_get(doc, "params"),
	    "allow.mlock")));
	CHECK(json_object_get(json_object_get(doc, "params"),
	    "allow.raw_sockets") == NULL);
	CHECK(json_object_get(json_object_get(doc, "params"),
	    "enforce_statfs") == NULL);
	CHECK(json_object_get(json_object_get(doc, "params"), "ip4") == NULL);
	CHECK(json_object_get(json_object_get(doc, "params"), "persist") ==
	    NULL);
	CHECK_INT(json_array_size(json_object_get(doc, "ips")), 3);
	m = json_array_get(json_object_get(doc, "ips"), 0);
	CHECK_STR(json_string_value(json_object_get(m, "interface")), "em0");
	CHECK_STR(json_string_value(json_object_get(m, "address")),
	    "10.0.0.5/24");
	m = json_array_get(json_object_get(doc, "ips"), 1);
	CHECK(json_is_null(json_object_get(m, "interface")));
	CHECK_STR(json_string_value(json_object_get(m, "address")),
	    "10.0.0.6/32");
	m = json_array_get(json_object_get(doc, "ips"), 2);
	CHECK_STR(json_string_value(json_object_get(m, "family")), "inet6");
	CHECK_INT(json_array_size(json_object_get(doc, "mounts")), 5);
	m = json_array_get(json_object_get(doc, "mounts"), 0);
	CHECK_STR(json_string_value(json_object_get(m, "type")), "nullfs");
	CHECK_STR(json_string_value(json_object_get(m, "source")), "/j/base");
	CHECK_STR(json_string_value(json_object_get(m, "target")), "/basejail");
	CHECK_STR(json_string_value(json_array_get(json_object_get(m,
	    "options"), 0)), "ro");
	m = json_array_get(json_object_get(doc, "mounts"), 1);
	CHECK_STR(json_string_value(json_object_get(m, "size")), "512m");
	CHECK_STR(json_string_value(json_object_get(m, "mode")), "1777");
	m = json_array_get(json_object_get(doc, "mounts"), 2);
	CHECK_INT(json_integer_value(json_object_get(m, "ruleset")), 4);

	/* The adopted document describes the prison: no drift. */
	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	CHECK(prison_diff(&s, &p, &ml, &al, &d, &err) == 0);
	for (size_t i = 0; i < d.n; i++)
		printf("# unexpected drift %s\n", d.v[i].field);
	CHECK_INT(d.n, 0);
	prison_drift_list_free(&d);
	prison_spec_free(&s);
	json_decref(doc);
	host_prison_free(&p);
	host_mount_list_free(&ml);
	host_addr_list_free(&al);
}

/*
 * An effective document: the policies' params already merged into
 * "params" by the reconciler, their limits in "limits" (canonical, "per"
 * optional).
 */
static void
test_limits(void)
{
	struct prison_spec s;
	struct prison_drift_list d;
	struct host_strings rules = { 0 };
	struct jd_error err;
	json_t *doc;
	char *text;
	static char *host_rules[] = {
		"jail:web1:maxproc:deny=100",
		"jail:web10:maxproc:deny=5",
		"jail:web1:memoryuse:sigterm=536870912/process",
		"jail:web1:nthr:log=10",
		"user:web1:maxproc:deny=1",
	};

	doc = load("{\"name\": \"web1\", \"path\": \"/j/web1\","
	    " \"params\": {\"securelevel\": 2, \"allow.mlock\": true},"
	    " \"limits\": ["
	    "  {\"resource\": \"maxproc\", \"action\": \"deny\","
	    "   \"amount\": 100, \"per\": \"jail\"},"
	    "  {\"resource\": \"memoryuse\", \"action\": \"sigterm\","
	    "   \"amount\": 536870912, \"per\": \"process\"},"
	    "  {\"resource\": \"readbps\", \"action\": \"throttle\","
	    "   \"amount\": \"1m\"}]}");
	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	CHECK_STR(host_params_get(&s.kparams, "securelevel"), "2");
	CHECK_STR(host_params_get(&s.kparams, "allow.mlock"), "true");
	CHECK_INT(s.nlimits, 3);
	CHECK_STR(s.limits[0], "jail:web1:maxproc:deny=100");
	CHECK_STR(s.limits[1], "jail:web1:memoryuse:sigterm=536870912/process");
	CHECK_STR(s.limits[2], "jail:web1:readbps:throttle=1048576");

	/* Limits drift: not checked, all there, one missing. */
	memset(&d, 0, sizeof(d));
	CHECK(prison_diff_limits(&s, NULL, &d, &err) == 0);
	CHECK_INT(d.n, 0);
	rules.v = host_rules;
	rules.n = 3;
	CHECK(prison_diff_limits(&s, &rules, &d, &err) == 0);
	CHECK_INT(d.n, 1);
	CHECK_STR(d.v[0].field, "/limits");
	CHECK_INT(d.v[0].needs_restart, 0);
	text = json_dumps(d.v[0].desired, JSON_COMPACT);
	CHECK_STR(text, "[\"jail:web1:maxproc:deny=100\","
	    "\"jail:web1:memoryuse:sigterm=536870912/process\","
	    "\"jail:web1:readbps:throttle=1048576\"]");
	free(text);
	/* Only jail:web1's rules are observed (not web10's, not user:). */
	text = json_dumps(d.v[0].observed, JSON_COMPACT);
	CHECK_STR(text, "[\"jail:web1:maxproc:deny=100\","
	    "\"jail:web1:memoryuse:sigterm=536870912/process\"]");
	free(text);
	prison_drift_list_free(&d);
	/* Every desired rule present: extra host rules are not drift. */
	prison_spec_free(&s);
	json_object_set_new(doc, "limits", json_pack("[{s:s, s:s, s:i},"
	    " {s:s, s:s, s:i, s:s}]", "resource", "maxproc", "action",
	    "deny", "amount", 100, "resource", "memoryuse", "action",
	    "sigterm", "amount", 536870912, "per", "process"));
	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	CHECK_INT(s.nlimits, 2);
	rules.n = 5;
	CHECK(prison_diff_limits(&s, &rules, &d, &err) == 0);
	CHECK_INT(d.n, 0);
	prison_spec_free(&s);

	/* No limits: never drift, whatever the host has. */
	json_object_set_new(doc, "limits", json_array());
	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	CHECK_INT(s.nlimits, 0);
	rules.n = 0;
	CHECK(prison_diff_limits(&s, &rules, &d, &err) == 0);
	CHECK_INT(d.n, 0);
	prison_spec_free(&s);
	json_object_set_new(doc, "limits", json_null());
	CHECK(prison_spec_from_json(doc, &s, &err) == 0);
	CHECK_INT(s.nlimits, 0);
	prison_spec_free(&s);

	/* What cannot be mapped is named. */
	json_object_set_new(doc, "limits", json_pack("[{s:s, s:s, s:i},"
	    " {s:s, s:s, s:i}]", "resource", "maxproc", "action", "deny",
	    "amount", 1, "resource", "cputime", "action", "deny", "amount",
	    1));
	CHECK(prison_spec_from_json(doc, &s, &err) == -1);
	CHECK_INT(err.code, JD_E_INVALID);
	CHECK_STR(err.field, "/limits/1/action");
	CHECK(s.limits == NULL && s.name == NULL);
	json_object_set_new(doc, "limits", json_string("maxproc:deny=1"));
	CHECK(prison_spec_from_json(doc, &s, &err) == -1);
	CHECK_STR(err.field, "/limits");
	json_decref(doc);
}

int
main(void)
{
	test_split();
	test_from_json();
	test_limits();
	test_diff();
	test_doc_from_host();
	return check_done();
}

/*
 * test_store.c - db/: migrations and user_version, jail rows, list filters
 * and keyset order, address conflicts, dependency cycles, events and
 * idempotency keys, against fresh databases (a temp file and :memory:).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/alloc.h"
#include "db/db.h"
#include "db/store.h"
#include "tests/lib/check.h"

static sqlite3 *
open_db(const char *path)
{
	struct jd_error err;
	sqlite3 *db;

	if (db_open(path, 1, &db, &err) == -1)
		check_fail(__FILE__, __LINE__, path, err.message);
	if (db_migrate(db, &err) == -1)
		check_fail(__FILE__, __LINE__, "db_migrate", err.message);
	return db;
}

static long long
sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		check_fail(__FILE__, __LINE__, sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW)
		check_fail(__FILE__, __LINE__, sql, sqlite3_errmsg(db));
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_migrate(void)
{
	char dir[] = "/tmp/jd-test-store-XXXXXX", path[128];
	struct jd_error err;
	sqlite3 *db;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/jaild.db", dir);
	CHECK(db_schema_version() >= 1);

	/* A fresh file gets every migration. */
	CHECK_INT(db_open(path, 1, &db, &err), 0);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), 0);
	CHECK_INT(db_migrate(db, &err), 0);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), db_schema_version());
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name IN ('jails', 'jail_labels', 'jail_ips', "
	    "'jail_depends', 'events', 'idempotency', 'counters')"), 7);
	CHECK_INT(sql_int(db, "SELECT value FROM counters WHERE name = "
	    "'resource_version'"), 0);
	/* Again: nothing to do, nothing changes. */
	CHECK_INT(db_migrate(db, &err), 0);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), db_schema_version());
	CHECK_INT(sql_int(db, "PRAGMA foreign_keys"), 1);
	CHECK_INT(db_integrity_check(db, &err), 0);
	db_close(db);

	/* Reopened, it is still at the newest version. */
	CHECK_INT(db_open(path, 1, &db, &err), 0);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), db_schema_version());
	CHECK_INT(db_migrate(db, &err), 0);

	/* A newer database is refused, naming both versions. */
	CHECK_INT(db_exec(db, "PRAGMA user_version = 99", &err), 0);
	jd_error_clear(&err);
	CHECK_INT(db_migrate(db, &err), -1);
	CHECK_INT(err.code, JD_E_UNAVAILABLE);
	CHECK_CONTAINS(err.message, "99");
	{
		char v[16];
		snprintf(v, sizeof(v), "(%d)", db_schema_version());
		CHECK_CONTAINS(err.message, v);
	}
	db_close(db);
	unlink(path);
	snprintf(path, sizeof(path), "%s/jaild.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/jaild.db-shm", dir);
	unlink(path);
	CHECK_INT(rmdir(dir), 0);

	/* :memory: too. */
	CHECK_INT(db_open(":memory:", 1, &db, &err), 0);
	CHECK_INT(db_migrate(db, &err), 0);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), db_schema_version());
	db_close(db);
}

static void
row_init(struct jail_row *r, const char *name, const char *state,
    const char *phase)
{
	char spec[256];

	memset(r, 0, sizeof(*r));
	snprintf(spec, sizeof(spec), "{\"name\":\"%s\",\"state\":\"%s\"}",
	    name, state);
	r->name = jd_strdup(name);
	r->spec = jd_strdup(spec);
	snprintf(r->state, sizeof(r->state), "%s", state);
	r->generation = 1;
	r->resource_version = 1;
	snprintf(r->created_at, sizeof(r->created_at), "2026-01-01T00:00:00Z");
	snprintf(r->updated_at, sizeof(r->updated_at), "2026-01-01T00:00:01Z");
	snprintf(r->phase, sizeof(r->phase), "%s", phase);
}

static void
put(sqlite3 *db, const char *name, const char *state, const char *phase,
    const char *labels)
{
	struct jail_row r;
	struct jd_error err;
	json_t *l;

	row_init(&r, name, state, phase);
	if (store_jail_put(db, &r, 1, &err) == -1)
		check_fail(__FILE__, __LINE__, name, err.message);
	l = json_loads(labels, 0, NULL);
	CHECK(l != NULL);
	CHECK_INT(store_jail_set_labels(db, name, l, &err), 0);
	json_decref(l);
	jail_row_free(&r);
}

static int
names_cb(void *arg, const char *name)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s%s", n ? "," : "", name);
	return 0;
}

static int
stop_after_two(void *arg, const char *name)
{
	names_cb(arg, name);
	return strchr(arg, ',') != NULL;
}

static void
list(sqlite3 *db, const struct jail_filter *f, const char *after,
    int limit, char *out)
{
	struct jd_error err;

	out[0] = '\0';
	if (store_jail_list(db, f, after, limit, names_cb, out, &err) == -1)
		check_fail(__FILE__, __LINE__, "store_jail_list", err.message);
}

static void
test_rows(sqlite3 *db)
{
	struct jail_row r, g, c;
	struct jd_error err;
	int64_t n, rv;

	/* A full row round-trips. */
	row_init(&r, "alpha", "running", "running");
	r.generation = 4;
	r.resource_version = 9;
	r.jid = 12;
	r.observed_generation = 3;
	r.message = jd_strdup("started \"ok\"");
	snprintf(r.last_transition_at, sizeof(r.last_transition_at),
	    "2026-01-01T00:00:02Z");
	r.drift = jd_strdup("[{\"field\":\"/hostname\"}]");
	r.deleting = 1;
	r.restart_generation = 4;
	r.applied_spec = jd_strdup("{\"applied\":true}");
	CHECK_INT(store_jail_put(db, &r, 1, &err), 0);
	CHECK_INT(store_jail_get(db, "alpha", &g, &err), 1);
	CHECK_STR(g.name, "alpha");
	CHECK_STR(g.spec, r.spec);
	CHECK_STR(g.state, "running");
	CHECK_INT(g.generation, 4);
	CHECK_INT(g.resource_version, 9);
	CHECK_STR(g.created_at, "2026-01-01T00:00:00Z");
	CHECK_STR(g.updated_at, "2026-01-01T00:00:01Z");
	CHECK_STR(g.phase, "running");
	CHECK_INT(g.jid, 12);
	CHECK_INT(g.observed_generation, 3);
	CHECK_STR(g.message, "started \"ok\"");
	CHECK_STR(g.last_transition_at, "2026-01-01T00:00:02Z");
	CHECK_STR(g.drift, "[{\"field\":\"/hostname\"}]");
	CHECK_INT(g.deleting, 1);
	CHECK_INT(g.restart_generation, 4);
	CHECK_STR(g.applied_spec, "{\"applied\":true}");

	/* jail_row_copy is deep. */
	CHECK_INT(jail_row_copy(&c, &g), 0);
	CHECK(c.spec != g.spec && c.message != g.message);
	CHECK_STR(c.message, g.message);
	jail_row_free(&g);
	CHECK_STR(c.drift, "[{\"field\":\"/hostname\"}]");
	jail_row_free(&c);
	CHECK(c.name == NULL);
	jail_row_free(NULL);

	/* Inserting the same name again fails; an update replaces. */
	CHECK_INT(store_jail_put(db, &r, 1, &err), -1);
	jd_free(r.message);
	r.message = NULL;
	jd_free(r.drift);
	r.drift = NULL;
	jd_free(r.applied_spec);
	r.applied_spec = NULL;
	r.jid = 0;
	r.last_transition_at[0] = '\0';
	r.deleting = 0;
	snprintf(r.phase, sizeof(r.phase), "stopped");
	CHECK_INT(store_jail_put(db, &r, 0, &err), 0);
	CHECK_INT(store_jail_get(db, "alpha", &g, &err), 1);
	CHECK_STR(g.phase, "stopped");
	CHECK_INT(g.jid, 0);
	CHECK(g.message == NULL);
	CHECK(g.applied_spec == NULL);
	CHECK_STR(g.last_transition_at, "");
	CHECK_STR(g.drift, "[]");
	CHECK_INT(g.deleting, 0);
	jail_row_free(&g);
	jail_row_free(&r);

	CHECK_INT(store_jail_get(db, "nope", &g, &err), 0);
	CHECK_INT(store_jail_count(db, &n, &err), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_jail_delete(db, "alpha", &err), 0);
	CHECK_INT(store_jail_get(db, "alpha", &g, &err), 0);
	CHECK_INT(store_jail_count(db, &n, &err), 0);
	CHECK_INT(n, 0);

	/* The global counter counts up from 1. */
	CHECK_INT(store_next_rv(db, &rv, &err), 0);
	CHECK_INT(rv, 1);
	CHECK_INT(store_next_rv(db, &rv, &err), 0);
	CHECK_INT(rv, 2);
}

static void
test_list(sqlite3 *db)
{
	struct jail_filter f;
	struct jd_error err;
	char out[256];

	put(db, "e5", "stopped", "pending", "{}");
	put(db, "a1", "running", "running",
	    "{\"env\":\"prod\",\"tier\":\"web\"}");
	put(db, "c3", "running", "failed",
	    "{\"env\":\"prod\",\"tier\":\"db\"}");
	put(db, "b2", "stopped", "stopped",
	    "{\"env\":\"dev\",\"tier\":\"web\"}");
	put(db, "d4", "running", "running", "{\"env\":\"prod\"}");
	put(db, "A0", "stopped", "pending", "{}");

	memset(&f, 0, sizeof(f));
	list(db, &f, NULL, 100, out);
	/* Byte order: upper case sorts first. */
	CHECK_STR(out, "A0,a1,b2,c3,d4,e5");
	list(db, &f, "", 100, out);
	CHECK_STR(out, "A0,a1,b2,c3,d4,e5");
	/* Keyset: strictly after, at most limit. */
	list(db, &f, "b2", 100, out);
	CHECK_STR(out, "c3,d4,e5");
	list(db, &f, "b2", 2, out);
	CHECK_STR(out, "c3,d4");
	list(db, &f, "bb", 1, out);
	CHECK_STR(out, "c3");
	list(db, &f, "e5", 10, out);
	CHECK_STR(out, "");
	/* The callback stops the walk. */
	out[0] = '\0';
	CHECK_INT(store_jail_list(db, &f, NULL, 100, stop_after_two, out,
	    &err), 0);
	CHECK_STR(out, "A0,a1");

	f.state = "running";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "a1,c3,d4");
	f.phase = "running";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "a1,d4");
	f.state = NULL;
	f.phase = "pending";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "A0,e5");
	f.phase = NULL;

	/* Labels are ANDed. */
	f.nlabels = 1;
	f.label_keys[0] = "env";
	f.label_values[0] = "prod";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "a1,c3,d4");
	f.nlabels = 2;
	f.label_keys[1] = "tier";
	f.label_values[1] = "web";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "a1");
	f.label_values[1] = "db";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "c3");
	f.label_values[0] = "dev";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "");
	f.nlabels = 1;
	f.label_keys[0] = "tier";
	f.label_values[0] = "web";
	f.state = "stopped";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "b2");
	f.state = NULL;
	list(db, &f, "a1", 100, out);
	CHECK_STR(out, "b2");
	/* A label key alone does not match another key's value. */
	f.label_keys[0] = "env";
	f.label_values[0] = "web";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "");

	/* Replacing labels drops the old ones. */
	{
		json_t *l = json_pack("{s:s}", "env", "dev");
		CHECK_INT(store_jail_set_labels(db, "a1", l, &err), 0);
		json_decref(l);
	}
	f.label_keys[0] = "env";
	f.label_values[0] = "prod";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "c3,d4");
	f.label_keys[0] = "tier";
	f.label_values[0] = "web";
	list(db, &f, NULL, 100, out);
	CHECK_STR(out, "b2");
}

static json_t *
ips(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	CHECK(j != NULL);
	return j;
}

static void
test_ips(sqlite3 *db)
{
	struct jd_error err;
	json_t *a, *b;

	a = ips("[{\"address\":\"10.0.0.1/24\"},{\"address\":"
	    "\"2001:db8::1/64\"}]");
	CHECK_INT(store_jail_set_ips(db, "a1", a, &err), 0);
	/* Setting the same addresses again is no conflict with itself. */
	CHECK_INT(store_jail_set_ips(db, "a1", a, &err), 0);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM jail_ips"), 2);

	/* Another jail: the address without its prefix conflicts. */
	b = ips("[{\"address\":\"10.0.0.2/32\"},{\"address\":"
	    "\"10.0.0.3/32\"},{\"address\":\"10.0.0.1/32\"}]");
	jd_error_clear(&err);
	CHECK_INT(store_jail_set_ips(db, "b2", b, &err), -1);
	CHECK_INT(err.code, JD_E_CONFLICT);
	CHECK_STR(err.field, "/ips/2");
	CHECK_CONTAINS(err.message, "10.0.0.1");
	CHECK_CONTAINS(err.message, "\"a1\"");
	json_decref(b);
	b = ips("[{\"address\":\"2001:db8::1/128\"}]");
	jd_error_clear(&err);
	CHECK_INT(store_jail_set_ips(db, "b2", b, &err), -1);
	CHECK_STR(err.field, "/ips/0");
	CHECK_CONTAINS(err.message, "2001:db8::1");
	json_decref(b);

	/* Releasing frees the address for others. */
	b = ips("[]");
	CHECK_INT(store_jail_set_ips(db, "a1", b, &err), 0);
	json_decref(b);
	b = ips("[{\"address\":\"10.0.0.1/32\"}]");
	CHECK_INT(store_jail_set_ips(db, "b2", b, &err), 0);
	json_decref(b);
	CHECK_INT(store_jail_set_ips(db, "a1", a, &err), -1);
	CHECK_STR(err.field, "/ips/0");
	CHECK_CONTAINS(err.message, "\"b2\"");
	json_decref(a);

	/* Deleting a jail releases its addresses (cascade). */
	CHECK_INT(store_jail_delete(db, "b2", &err), 0);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM jail_ips WHERE jail = "
	    "'b2'"), 0);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM jail_labels WHERE jail = "
	    "'b2'"), 0);
	a = ips("[{\"address\":\"10.0.0.1\"}]");
	CHECK_INT(store_jail_set_ips(db, "a1", a, &err), 0);
	json_decref(a);
}

static int
set_deps(sqlite3 *db, const char *name, const char *deps,
    struct jd_error *err)
{
	json_t *d = json_loads(deps, 0, NULL);
	int rc;

	CHECK(d != NULL);
	jd_error_clear(err);
	rc = store_jail_set_depends(db, name, d, err);
	json_decref(d);
	return rc;
}

static void
test_depends(sqlite3 *db)
{
	struct jd_error err;

	put(db, "ja", "stopped", "pending", "{}");
	put(db, "jb", "stopped", "pending", "{}");
	put(db, "jc", "stopped", "pending", "{}");
	put(db, "jd", "stopped", "pending", "{}");

	CHECK_INT(set_deps(db, "ja", "[\"jb\"]", &err), 0);
	CHECK_INT(set_deps(db, "jb", "[\"jc\"]", &err), 0);
	/* Closing the loop is refused with the cycle spelt out. */
	CHECK_INT(set_deps(db, "jc", "[\"jd\",\"ja\"]", &err), -1);
	CHECK_INT(err.code, JD_E_INVALID);
	CHECK_STR(err.field, "/depends");
	CHECK_CONTAINS(err.message, "jc -> ja -> jb -> jc");
	/* Two-jail cycle. */
	CHECK_INT(set_deps(db, "jb", "[\"ja\"]", &err), -1);
	CHECK_CONTAINS(err.message, "jb -> ja -> jb");
	/* Self. */
	CHECK_INT(set_deps(db, "jd", "[\"jd\"]", &err), -1);
	CHECK_CONTAINS(err.message, "jd -> jd");
	/* A diamond is not a cycle; unknown names are fine. */
	CHECK_INT(set_deps(db, "jd", "[\"ja\",\"jb\",\"ghost\"]", &err), 0);
	CHECK_INT(set_deps(db, "jc", "[\"ghost\"]", &err), 0);
	/* Replacing dependencies drops the old edges: jb -> ja is fine
	 * once ja depends on nothing. */
	CHECK_INT(set_deps(db, "ja", "[]", &err), 0);
	CHECK_INT(set_deps(db, "jb", "[\"ja\"]", &err), 0);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM jail_depends WHERE jail = "
	    "'jb'"), 1);
}

struct ev_acc {
	char	 text[512];
	int64_t	 last;
	int	 n;
};

static int
ev_cb(void *arg, const struct event_row *ev)
{
	struct ev_acc *a = arg;
	size_t n = strlen(a->text);

	snprintf(a->text + n, sizeof(a->text) - n, "%s%s:%s:%s:%lld",
	    n ? "," : "", ev->jail, ev->type, ev->message ? ev->message :
	    "-", (long long)ev->generation);
	CHECK(ev->id > a->last);
	CHECK(ev->time != NULL && strlen(ev->time) == 20);
	a->last = ev->id;
	a->n++;
	return 0;
}

static void
events(sqlite3 *db, int64_t since, const char *jail, int limit,
    struct ev_acc *a)
{
	struct jd_error err;

	memset(a, 0, sizeof(*a));
	a->last = since;
	if (store_event_list(db, since, jail, limit, ev_cb, a, &err) == -1)
		check_fail(__FILE__, __LINE__, "store_event_list", err.message);
}

static void
test_events(sqlite3 *db)
{
	struct jd_error err;
	struct ev_acc a;
	int64_t first;

	CHECK_INT(store_event_add(db, "web1", "created", "jail defined", 1,
	    &err), 0);
	CHECK_INT(store_event_add(db, "db1", "created", NULL, 1, &err), 0);
	CHECK_INT(store_event_add(db, "web1", "updated", NULL, 2, &err), 0);
	CHECK_INT(store_event_add(db, "web1", "deleted", "gone", 0, &err), 0);

	events(db, 0, NULL, 100, &a);
	CHECK_INT(a.n, 4);
	CHECK_STR(a.text, "web1:created:jail defined:1,db1:created:-:1,"
	    "web1:updated:-:2,web1:deleted:gone:0");
	first = sql_int(db, "SELECT min(id) FROM events");
	events(db, first, NULL, 100, &a);
	CHECK_STR(a.text, "db1:created:-:1,web1:updated:-:2,"
	    "web1:deleted:gone:0");
	events(db, first, NULL, 2, &a);
	CHECK_STR(a.text, "db1:created:-:1,web1:updated:-:2");
	events(db, 0, "web1", 100, &a);
	CHECK_STR(a.text, "web1:created:jail defined:1,web1:updated:-:2,"
	    "web1:deleted:gone:0");
	events(db, first, "web1", 1, &a);
	CHECK_STR(a.text, "web1:updated:-:2");
	events(db, 0, "nobody", 100, &a);
	CHECK_INT(a.n, 0);
	events(db, first + 3, NULL, 100, &a);
	CHECK_INT(a.n, 0);
}

static void
test_idem(sqlite3 *db)
{
	struct idem_row in, out;
	struct jd_error err;

	memset(&in, 0, sizeof(in));
	in.request_hash = (char *)"abc123";
	in.status = 201;
	in.content_type = (char *)"application/json";
	in.body = (char *)"{\"name\":\"web1\"}";
	in.etag = (char *)"\"5\"";
	in.location = (char *)"/v1/jails/web1";
	CHECK_INT(store_idem_put(db, "key-1", &in, &err), 0);
	in.status = 409;
	in.content_type = (char *)"application/problem+json";
	in.body = (char *)"{}";
	in.etag = NULL;
	in.location = NULL;
	CHECK_INT(store_idem_put(db, "key-2", &in, &err), 0);

	CHECK_INT(store_idem_get(db, "key-1", 3600, &out, &err), 1);
	CHECK_STR(out.request_hash, "abc123");
	CHECK_INT(out.status, 201);
	CHECK_STR(out.content_type, "application/json");
	CHECK_STR(out.body, "{\"name\":\"web1\"}");
	CHECK_STR(out.etag, "\"5\"");
	CHECK_STR(out.location, "/v1/jails/web1");
	idem_row_free(&out);
	CHECK_INT(store_idem_get(db, "key-2", 3600, &out, &err), 1);
	CHECK_INT(out.status, 409);
	CHECK(out.etag == NULL && out.location == NULL);
	idem_row_free(&out);
	idem_row_free(NULL);
	CHECK_INT(store_idem_get(db, "key-3", 3600, &out, &err), 0);
	CHECK(out.body == NULL);

	/* Age: an old key is not found and is purged; young ones stay. */
	CHECK_INT(db_exec(db, "UPDATE idempotency SET created = created - "
	    "100000 WHERE key = 'key-1'", &err), 0);
	CHECK_INT(store_idem_get(db, "key-1", 24 * 3600, &out, &err), 0);
	CHECK_INT(store_idem_get(db, "key-1", 200000, &out, &err), 1);
	idem_row_free(&out);
	CHECK_INT(store_idem_purge(db, 24 * 3600, &err), 0);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM idempotency"), 1);
	CHECK_INT(store_idem_get(db, "key-1", 200000, &out, &err), 0);
	CHECK_INT(store_idem_get(db, "key-2", 24 * 3600, &out, &err), 1);
	idem_row_free(&out);
	/* max age 0: everything is too old. */
	CHECK_INT(db_exec(db, "UPDATE idempotency SET created = created - 1",
	    &err), 0);
	CHECK_INT(store_idem_get(db, "key-2", 0, &out, &err), 0);
	CHECK_INT(store_idem_purge(db, 0, &err), 0);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM idempotency"), 0);

	/* A put replaces a key. */
	in.request_hash = (char *)"h1";
	CHECK_INT(store_idem_put(db, "k", &in, &err), 0);
	in.request_hash = (char *)"h2";
	CHECK_INT(store_idem_put(db, "k", &in, &err), 0);
	CHECK_INT(store_idem_get(db, "k", 3600, &out, &err), 1);
	CHECK_STR(out.request_hash, "h2");
	idem_row_free(&out);
}

int
main(void)
{
	sqlite3 *db;

	jd_alloc_init();
	test_migrate();
	db = open_db(":memory:");
	test_rows(db);
	test_list(db);
	test_ips(db);
	test_depends(db);
	test_events(db);
	test_idem(db);
	db_close(db);
	return check_done();
}

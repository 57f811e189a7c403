/*
 * test_sigkill_durable.c - a 2xx answer to a write means it is on disk.
 *
 * jaild is killed with SIGKILL the moment each write is answered (a
 * create, a replace, a merge-patch, a delete) and restarted on the same
 * data directory; the write must be there.  The database file must be in
 * WAL mode at the version this jaild writes, and a database from a newer
 * jaild must make jaild refuse to start with a message saying so.  (The
 * writer's synchronous=FULL is a per-connection setting another process
 * cannot see; tests/unit/test_db_pragmas.c checks it on db_open.)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>
#include <sqlite3.h>

#include "db/db.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;

static struct http_resp *
req(const char *method, const char *path, const char *body)
{
	return http_json(inst.url, method, path, body);
}

/* SIGKILL jaild now, check it died of it, start it again. */
static void
kill_restart(void)
{
	int st;

	st = harness_kill(&inst, SIGKILL);
	CHECK(WIFSIGNALED(st));
	CHECK_INT(WTERMSIG(st), SIGKILL);
	CHECK(harness_restart(&inst) == 0);
}

static void
test_writes_survive(void)
{
	struct http_resp *r, *g;
	long long rv;
	char name[32], path[64], body[256];
	int i;

	/* Creates: each answered 201, then killed at once. */
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		snprintf(body, sizeof(body), "{\"name\":\"%s\",\"path\":"
		    "\"/j/%s\",\"hostname\":\"%s.example\",\"labels\":"
		    "{\"round\":\"%d\"},\"ips\":[{\"address\":\"10.9.0.%d\"}]}",
		    name, name, name, i, i + 1);
		r = req("POST", "/v1/jails", body);
		CHECK_INT(r->status, 201);
		rv = jptr_int(r->json, "/resource_version");
		kill_restart();
		snprintf(path, sizeof(path), "/v1/jails/%s", name);
		g = http_get(inst.url, path);
		CHECK_INT(g->status, 200);
		CHECK_STR(jptr_str(g->json, "/hostname"), jptr_str(r->json,
		    "/hostname"));
		CHECK_STR(jptr_str(g->json, "/labels/round"), jptr_str(r->json,
		    "/labels/round"));
		CHECK_STR(jptr_str(g->json, "/ips/0/address"), jptr_str(r->json,
		    "/ips/0/address"));
		CHECK_STR(jptr_str(g->json, "/created_at"), jptr_str(r->json,
		    "/created_at"));
		CHECK_INT(jptr_int(g->json, "/generation"), 1);
		CHECK(jptr_int(g->json, "/resource_version") >= rv);
		http_free(g);
		http_free(r);
	}
	/* The label index came back with the rows. */
	r = http_get(inst.url, "/v1/jails?label=round=1");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 1);
	CHECK_STR(jptr_str(r->json, "/items/0/name"), "k1");
	http_free(r);

	/* A replace. */
	r = req("PUT", "/v1/jails/k0", "{\"path\":\"/j/k0\","
	    "\"hostname\":\"replaced.example\"}");
	CHECK_INT(r->status, 200);
	CHECK_INT(jptr_int(r->json, "/generation"), 2);
	http_free(r);
	kill_restart();
	g = http_get(inst.url, "/v1/jails/k0");
	CHECK_STR(jptr_str(g->json, "/hostname"), "replaced.example");
	CHECK_INT(jptr_int(g->json, "/generation"), 2);
	CHECK(jptr(g->json, "/labels/round") == NULL);
	http_free(g);

	/* A merge-patch. */
	r = req("PATCH", "/v1/jails/k1", "{\"labels\":{\"round\":null,"
	    "\"patched\":\"yes\"}}");
	CHECK_INT(r->status, 200);
	http_free(r);
	kill_restart();
	g = http_get(inst.url, "/v1/jails/k1");
	CHECK_STR(jptr_str(g->json, "/labels/patched"), "yes");
	CHECK(jptr(g->json, "/labels/round") == NULL);
	CHECK_INT(jptr_int(g->json, "/generation"), 2);
	http_free(g);

	/* A delete. */
	r = req("DELETE", "/v1/jails/k2", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	kill_restart();
	g = http_get(inst.url, "/v1/jails/k2");
	CHECK_INT(g->status, 404);
	http_free(g);
	/* Its address is free again (the satellite rows went with it). */
	r = req("PUT", "/v1/jails/k3", "{\"path\":\"/j/k3\","
	    "\"ips\":[{\"address\":\"10.9.0.3\"}]}");
	CHECK_INT(r->status, 201);
	http_free(r);
	kill_restart();
	r = http_get(inst.url, "/v1/jails?limit=10");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 3);
	http_free(r);
}

static int
query_text(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(out, outsz, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static void
test_database_file(void)
{
	char path[400], v[64], want[16], msg[64];
	static char log[1 << 20];
	sqlite3 *db = NULL;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/jaild.db", inst.datadir);
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	CHECK(query_text(db, "PRAGMA journal_mode", v, sizeof(v)) == 0);
	CHECK_STR(v, "wal");
	CHECK(query_text(db, "PRAGMA user_version", v, sizeof(v)) == 0);
	snprintf(want, sizeof(want), "%d", db_schema_version());
	CHECK_STR(v, want);
	CHECK(query_text(db, "PRAGMA integrity_check", v, sizeof(v)) == 0);
	CHECK_STR(v, "ok");
	CHECK(query_text(db, "SELECT count(*) FROM jails", v, sizeof(v)) == 0);
	CHECK_STR(v, "3");

	/* A database from a newer jaild: refused at start, with reason. */
	harness_kill(&inst, SIGTERM);
	snprintf(want, sizeof(want), "%d", db_schema_version() + 1);
	{
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %s", want);
		CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	}
	sqlite3_close(db);
	CHECK(harness_restart(&inst) == -1);
	f = fopen(inst.log, "r");
	CHECK(f != NULL);
	n = fread(log, 1, sizeof(log) - 1, f);
	fclose(f);
	log[n] = '\0';
	snprintf(msg, sizeof(msg), "schema version %s is newer", want);
	CHECK_CONTAINS(log, msg);

	/* Put the version back: it starts and the jails are there. */
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK);
	{
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    db_schema_version());
		CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	}
	sqlite3_close(db);
	CHECK(harness_restart(&inst) == 0);
	{
		struct http_resp *r = http_get(inst.url, "/v1/jails/k0");
		CHECK_INT(r->status, 200);
		http_free(r);
	}
}

int
main(void)
{
	/* No proxy: it would stand between jaild's answer and the kill,
	 * widening the window the test is about. */
	CHECK(harness_start(&inst, NULL, NULL, 0) == 0);
	test_writes_survive();
	test_database_file();
	harness_stop(&inst);
	return check_done();
}

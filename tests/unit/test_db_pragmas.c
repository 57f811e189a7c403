/*
 * test_db_pragmas.c - the pragmas jaild's durability rests on, as
 * db_open() sets them (synchronous is per connection, so only the
 * connection itself can show it), and db_migrate()'s versioning: a fresh
 * file gets every migration, a second run changes nothing, a database from
 * a newer jaild is refused with a message naming both versions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db/db.h"
#include "tests/lib/check.h"

static int
pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int v = -999;

	CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
pragma_text(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, outsz, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void
test_writer_pragmas(const char *path)
{
	struct jd_error err;
	sqlite3 *w = NULL, *r = NULL;
	char mode[32];

	jd_error_clear(&err);
	CHECK(db_open(path, 1, &w, &err) == 0);
	CHECK(w != NULL);
	/* 2 is FULL: every commit is fsynced before it returns. */
	CHECK_INT(pragma_int(w, "PRAGMA synchronous"), 2);
	pragma_text(w, "PRAGMA journal_mode", mode, sizeof(mode));
	CHECK_STR(mode, "wal");
	CHECK_INT(pragma_int(w, "PRAGMA foreign_keys"), 1);

	/* A reader on the same file sees WAL (a property of the file) and
	 * enforces foreign keys too. */
	CHECK(db_open(path, 0, &r, &err) == 0);
	pragma_text(r, "PRAGMA journal_mode", mode, sizeof(mode));
	CHECK_STR(mode, "wal");
	CHECK_INT(pragma_int(r, "PRAGMA foreign_keys"), 1);
	db_close(r);
	db_close(w);

	/* Opening a path in a missing directory fails with an error. */
	jd_error_clear(&err);
	CHECK(db_open("/nonexistent-dir/x/jaild.db", 1, &w, &err) == -1);
	CHECK(w == NULL);
	CHECK(err.code != JD_OK);
	CHECK(err.message[0] != '\0');
}

static void
test_migrate(const char *path)
{
	struct jd_error err;
	sqlite3 *w = NULL;
	char sql[64], table[64];
	int want = db_schema_version();

	CHECK(want >= 1);
	jd_error_clear(&err);
	CHECK(db_open(path, 1, &w, &err) == 0);
	CHECK_INT(pragma_int(w, "PRAGMA user_version"), 0);
	CHECK(db_migrate(w, &err) == 0);
	CHECK_INT(pragma_int(w, "PRAGMA user_version"), want);
	pragma_text(w, "SELECT name FROM sqlite_master WHERE name = 'jails'",
	    table, sizeof(table));
	CHECK_STR(table, "jails");
	CHECK(db_integrity_check(w, &err) == 0);

	/* Again: nothing to do, nothing changes. */
	CHECK(db_exec(w, "INSERT INTO counters VALUES ('test_marker', 7)",
	    &err) == 0);
	CHECK(db_migrate(w, &err) == 0);
	CHECK_INT(pragma_int(w, "PRAGMA user_version"), want);
	CHECK_INT(pragma_int(w, "SELECT value FROM counters WHERE name = "
	    "'test_marker'"), 7);

	/* From a newer jaild: refused, untouched, both versions named. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", want + 5);
	CHECK(db_exec(w, sql, &err) == 0);
	jd_error_clear(&err);
	CHECK(db_migrate(w, &err) == -1);
	CHECK(err.code != JD_OK);
	snprintf(sql, sizeof(sql), "version %d", want + 5);
	CHECK_CONTAINS(err.message, sql);
	CHECK_CONTAINS(err.message, "newer");
	snprintf(sql, sizeof(sql), "(%d)", want);
	CHECK_CONTAINS(err.message, sql);
	CHECK_INT(pragma_int(w, "PRAGMA user_version"), want + 5);
	db_close(w);
}

static void
remove_db(const char *path)
{
	char p[128];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int
main(void)
{
	char dir[] = "/tmp/jd-pragmas-XXXXXX", a[64], b[64];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(a, sizeof(a), "%s/a.db", dir);
	snprintf(b, sizeof(b), "%s/b.db", dir);
	test_writer_pragmas(a);
	test_migrate(b);
	remove_db(a);
	remove_db(b);
	rmdir(dir);
	return check_done();
}

/*
 * db.c - opening connections and the pragmas jaild's durability rests on.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"

int
db_error(sqlite3 *db, int rc, struct jd_error *err, const char *what)
{
	int prim = rc & 0xff;
	enum jd_errcode code = JD_E_IO;

	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED ||
	    prim == SQLITE_FULL)
		code = JD_E_UNAVAILABLE;
	else if (prim == SQLITE_NOMEM)
		code = JD_E_NOMEM;
	return jd_error_set(err, code, NULL, "%s: %s", what,
	    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int
db_exec(sqlite3 *db, const char *sql, struct jd_error *err)
{
	int rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "sql");
	return 0;
}

int
db_open(const char *path, int writer, sqlite3 **out, struct jd_error *err)
{
	sqlite3 *db = NULL;
	int rc;

	*out = NULL;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | (writer ? SQLITE_OPEN_NOMUTEX :
	    SQLITE_OPEN_FULLMUTEX), NULL);
	if (rc != SQLITE_OK) {
		jd_error_set(err, JD_E_IO, NULL, "open %s: %s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_extended_result_codes(db, 1);
	if (writer && db_exec(db, "PRAGMA journal_mode=WAL", err) == -1)
		goto fail;
	if (db_exec(db, "PRAGMA synchronous=FULL", err) == -1 ||
	    db_exec(db, "PRAGMA foreign_keys=ON", err) == -1)
		goto fail;
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return -1;
}

int
db_integrity_check(sqlite3 *db, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	rc = db_prepare(db, "PRAGMA integrity_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "integrity_check");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ret = db_error(db, rc, err, "integrity_check");
	} else if (strcmp((const char *)sqlite3_column_text(st, 0),
	    "ok") != 0) {
		ret = jd_error_set(err, JD_E_IO, NULL,
		    "database integrity check failed: %s",
		    sqlite3_column_text(st, 0));
	}
	db_finish(st);
	return ret;
}

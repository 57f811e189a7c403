/*
 * dbfile.c - integrity of jaild's SQLite file as seen from outside the
 * server (see dbfile.h); shared by the SIGKILL and fault tests.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "check.h"
#include "dbfile.h"

void
dbfile_check_integrity(const char *datadir)
{
	char path[320];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	const char *res = NULL;

	snprintf(path, sizeof(path), "%s/jaild.db", datadir);
	CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q,
	    NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		res = (const char *)sqlite3_column_text(q, 0);
	CHECK_STR(res, "ok");
	sqlite3_finalize(q);
	sqlite3_close(db);
}

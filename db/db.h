/*
 * db.h - opening jaild's SQLite database: pragmas, migrations, checks.
 *
 * One writer connection (WAL, synchronous=FULL, so a committed write is on
 * disk before jaild answers 2xx) and a fixed pool of reader connections
 * opened at start, one per HTTP worker thread.  The schema lives in
 * db/schema.c as numbered migrations applied in one transaction each and
 * recorded in PRAGMA user_version; a database written by a newer jaild is
 * refused.  Threads: a connection is used by one thread at a time.
 */
#ifndef JD_DB_H
#define JD_DB_H

#include <sqlite3.h>

#include "common/error.h"

/*
 * Open (creating if needed) the database at path with jaild's pragmas:
 * foreign_keys=ON, busy_timeout, synchronous=FULL; the writer also switches
 * the journal to WAL.  *out is NULL on failure.
 */
int	db_open(const char *path, int writer, sqlite3 **out,
	    struct jd_error *err);

/*
 * Bring the schema to the newest version.  A fresh file gets every
 * migration; an older one the missing ones, each in its own transaction;
 * a newer one (user_version above what this jaild knows) is refused with a
 * message naming both versions.  Writer connection only.
 */
int	db_migrate(sqlite3 *db, struct jd_error *err);

/* The schema version this build writes. */
int	db_schema_version(void);

/* PRAGMA integrity_check; -1 with the first complaint when not "ok". */
int	db_integrity_check(sqlite3 *db, struct jd_error *err);

/* Map an SQLite result code to a jd_error (busy/full -> unavailable). */
int	db_error(sqlite3 *db, int rc, struct jd_error *err, const char *what);

/*
 * Prepared statements cached per connection (db/stmt.c): db_prepare has
 * sqlite3_prepare_v2's signature and results; release the statement with
 * db_finish (never sqlite3_finalize), and close connections with db_close.
 * The SQL text must be the same string for the cache to hit.
 */
int	db_prepare(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
	    const char **tail);
void	db_finish(sqlite3_stmt *st);
void	db_close(sqlite3 *db);

/* Convenience: exec SQL without results; -1 with err filled. */
int	db_exec(sqlite3 *db, const char *sql, struct jd_error *err);

#endif

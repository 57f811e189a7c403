/*
 * sqlite_ceiling.c - the durable-write ceiling: how many single-row
 * transactions SQLite commits per second here, in WAL mode with
 * synchronous=FULL (jaild's settings), on a temporary database in the
 * directory given (run.sh passes one on the filesystem of jaild's data
 * directory, since fsync cost is a property of the filesystem).
 *
 * Each transaction inserts one row of about the size of a stored jail
 * document.  With --batch N, N rows go in each transaction instead (the
 * rows/s a group commit could reach).  The WAL is warmed up first (see
 * warm_up), and the table holds only the rows of the timed run.
 *
 * usage: bench_sqlite_ceiling --dir DIR [-d seconds] [--batch N] [--json]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_sqlite_ceiling: %s: %s\n", sql,
		    msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Bring the WAL to its steady state before timing: a long-running
 * database (jaild's) overwrites a WAL file that already has its size,
 * while a fresh one grows with every commit, and on ext4 each fdatasync
 * of a growing file also commits the file's new size to the journal,
 * which roughly halves the commit rate.  One large transaction grows
 * the WAL past the auto-checkpoint threshold; the checkpoint then lets
 * the next commits start over at the front of the file.
 */
static int
warm_up(sqlite3 *db, const char *doc)
{
	sqlite3_stmt *st = NULL;
	int i;

	if (exec(db, "CREATE TABLE warm (doc TEXT)") == -1 ||
	    exec(db, "BEGIN") == -1 ||
	    sqlite3_prepare_v2(db, "INSERT INTO warm VALUES (?1)", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < 6000; i++) {
		sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (exec(db, "COMMIT") == -1 ||
	    exec(db, "PRAGMA wal_checkpoint(PASSIVE)") == -1 ||
	    exec(db, "DROP TABLE warm") == -1 ||
	    exec(db, "PRAGMA wal_checkpoint(PASSIVE)") == -1)
		return -1;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_sqlite_ceiling --dir DIR [-d seconds] "
	    "[--batch N] [--json]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "batch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	char path[4096], doc[700], name[32], side[4200];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	double secs = 3, t0, t1;
	long batch = 1, commits = 0, rows = 0, i;
	int ch, json = 0, rc = 1;

	while ((ch = getopt_long(argc, argv, "d:", lo, NULL)) != -1) {
		switch (ch) {
		case 'D': dir = optarg; break;
		case 'b': batch = atol(optarg); break;
		case 'j': json = 1; break;
		case 'd': secs = atof(optarg); break;
		default: usage();
		}
	}
	if (dir == NULL || batch < 1 || secs <= 0)
		usage();
	snprintf(path, sizeof(path), "%s/sqlite-ceiling-%ld.db", dir,
	    (long)getpid());
	memset(doc, 'x', sizeof(doc) - 1);
	doc[sizeof(doc) - 1] = '\0';

	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto done;
	if (exec(db, "PRAGMA journal_mode=WAL") == -1 ||
	    exec(db, "PRAGMA synchronous=FULL") == -1 ||
	    exec(db, "CREATE TABLE t (name TEXT PRIMARY KEY, doc TEXT "
	    "NOT NULL, rv INTEGER NOT NULL)") == -1)
		goto done;
	if (warm_up(db, doc) == -1)
		goto done;
	if (sqlite3_prepare_v2(db, "INSERT INTO t (name, doc, rv) "
	    "VALUES (?1, ?2, ?3)", -1, &ins, NULL) != SQLITE_OK)
		goto done;
	t0 = now_s();
	do {
		if (exec(db, "BEGIN IMMEDIATE") == -1)
			goto done;
		for (i = 0; i < batch; i++) {
			snprintf(name, sizeof(name), "j%ld", rows);
			sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, doc, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 3, rows + 1);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				fprintf(stderr, "bench_sqlite_ceiling: insert: "
				    "%s\n", sqlite3_errmsg(db));
				goto done;
			}
			sqlite3_reset(ins);
			rows++;
		}
		if (exec(db, "COMMIT") == -1)
			goto done;
		commits++;
		t1 = now_s();
	} while (t1 - t0 < secs);
	if (json)
		printf("{\"batch\":%ld,\"seconds\":%.3f,\"commits\":%ld,"
		    "\"commits_per_s\":%.1f,\"rows_per_s\":%.1f}\n", batch,
		    t1 - t0, commits, (double)commits / (t1 - t0),
		    (double)rows / (t1 - t0));
	else
		printf("sqlite WAL synchronous=FULL, %ld row(s) per "
		    "transaction: %.0f commits/s, %.0f rows/s\n", batch,
		    (double)commits / (t1 - t0), (double)rows / (t1 - t0));
	rc = 0;
done:
	if (rc != 0 && db != NULL)
		fprintf(stderr, "bench_sqlite_ceiling: %s\n",
		    sqlite3_errmsg(db));
	sqlite3_finalize(ins);
	sqlite3_close(db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return rc;
}

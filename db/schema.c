/*
 * schema.c - jaild's schema as numbered migrations.
 *
 * Migration N brings user_version from N-1 to N.  Never edit a released
 * migration: add a new one.  Each runs in one transaction together with the
 * user_version bump, so a crash leaves the database at N-1 or N.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"

static const char *const migrations[] = {
	/* 1: jails, their indexes, events, idempotency keys, counters */
	"CREATE TABLE counters ("
	"  name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL);"
	"INSERT INTO counters VALUES ('resource_version', 0);"
	"CREATE TABLE jails ("
	"  name TEXT PRIMARY KEY,"
	"  spec TEXT NOT NULL,"			/* canonical desired part */
	"  state TEXT NOT NULL,"		/* copy of spec.state for filters */
	"  generation INTEGER NOT NULL,"
	"  resource_version INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  phase TEXT NOT NULL DEFAULT 'pending',"
	"  jid INTEGER,"
	"  observed_generation INTEGER NOT NULL DEFAULT 0,"
	"  message TEXT,"
	"  last_transition_at TEXT,"
	"  drift TEXT NOT NULL DEFAULT '[]',"
	"  deleting INTEGER NOT NULL DEFAULT 0,"
	"  restart_generation INTEGER NOT NULL DEFAULT 0,"
	"  applied_spec TEXT"		/* the spec the prison was made from */
	") WITHOUT ROWID;"
	"CREATE INDEX jails_state ON jails(state, name);"
	"CREATE INDEX jails_phase ON jails(phase, name);"
	"CREATE TABLE jail_labels ("
	"  jail TEXT NOT NULL REFERENCES jails(name) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (jail, key)) WITHOUT ROWID;"
	"CREATE INDEX jail_labels_kv ON jail_labels(key, value, jail);"
	"CREATE TABLE jail_ips ("
	"  address TEXT PRIMARY KEY,"		/* canonical, without prefix */
	"  jail TEXT NOT NULL REFERENCES jails(name) ON DELETE CASCADE"
	") WITHOUT ROWID;"
	"CREATE INDEX jail_ips_jail ON jail_ips(jail);"
	"CREATE TABLE jail_depends ("
	"  jail TEXT NOT NULL REFERENCES jails(name) ON DELETE CASCADE,"
	"  dep TEXT NOT NULL,"
	"  PRIMARY KEY (jail, dep)) WITHOUT ROWID;"
	"CREATE INDEX jail_depends_dep ON jail_depends(dep);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time TEXT NOT NULL,"
	"  jail TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  message TEXT,"
	"  generation INTEGER);"
	"CREATE INDEX events_jail ON events(jail, id);"
	"CREATE TABLE idempotency ("
	"  key TEXT PRIMARY KEY,"
	"  request_hash TEXT NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  etag TEXT,"
	"  location TEXT,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX idempotency_created ON idempotency(created);",

	/* 2: API tokens (secrets stored as SHA-256) and the audit log */
	"CREATE TABLE tokens ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  scope TEXT NOT NULL CHECK (scope IN ('read','write','admin')),"
	"  jails TEXT,"				/* JSON array or NULL */
	"  hash BLOB NOT NULL UNIQUE,"
	"  expires_at TEXT,"
	"  created_at TEXT NOT NULL,"
	"  last_used_at TEXT);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time TEXT NOT NULL,"
	"  principal TEXT NOT NULL,"
	"  client_addr TEXT NOT NULL,"
	"  request_id TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  resource TEXT NOT NULL,"
	"  generation_before INTEGER,"
	"  generation_after INTEGER);",

	/* 3: IP pools that jail addresses are allocated from */
	"CREATE TABLE ip_pools ("
	"  name TEXT PRIMARY KEY,"
	"  interface TEXT NOT NULL,"
	"  cidr TEXT NOT NULL,"			/* canonical ADDR/PREFIX */
	"  exclude TEXT NOT NULL DEFAULT '[]',"	/* JSON array */
	"  created_at TEXT NOT NULL"
	") WITHOUT ROWID;",

	/* 4: policies (named parameter and rctl limit sets) and which jails
	 * list them, in order */
	"CREATE TABLE policies ("
	"  name TEXT PRIMARY KEY,"
	"  spec TEXT NOT NULL,"			/* canonical desired part */
	"  resource_version INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE jail_policies ("
	"  jail TEXT NOT NULL REFERENCES jails(name) ON DELETE CASCADE,"
	"  policy TEXT NOT NULL REFERENCES policies(name),"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (jail, policy)) WITHOUT ROWID;"
	"CREATE INDEX jail_policies_policy ON jail_policies(policy, jail);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
db_schema_version(void)
{
	return NMIGRATIONS;
}

static int
user_version(sqlite3 *db, int *v, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "read user_version");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_finish(st);
		return db_error(db, rc, err, "read user_version");
	}
	*v = sqlite3_column_int(st, 0);
	db_finish(st);
	return 0;
}

int
db_migrate(sqlite3 *db, struct jd_error *err)
{
	char sql[64];
	int v = 0, i;

	if (user_version(db, &v, err) == -1)
		return -1;
	if (v > NMIGRATIONS)
		return jd_error_set(err, JD_E_UNAVAILABLE, NULL,
		    "database schema version %d is newer than this jaild "
		    "understands (%d): upgrade jaild or restore a backup",
		    v, NMIGRATIONS);
	for (i = v; i < NMIGRATIONS; i++) {
		if (db_exec(db, "BEGIN IMMEDIATE", err) == -1)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (db_exec(db, migrations[i], err) == -1 ||
		    db_exec(db, sql, err) == -1) {
			db_exec(db, "ROLLBACK", NULL);
			return -1;
		}
		if (db_exec(db, "COMMIT", err) == -1) {
			db_exec(db, "ROLLBACK", NULL);
			return -1;
		}
	}
	return 0;
}

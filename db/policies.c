/*
 * policies.c - the policies and jail_policies tables.  See policies.h.
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "db.h"
#include "policies.h"

#define POLICY_COLS "name, spec, resource_version, created_at, updated_at"

void
policy_row_free(struct policy_row *p)
{
	if (p == NULL)
		return;
	jd_free(p->spec);
	p->spec = NULL;
}

static void
copy_col(char *dst, size_t sz, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, sz, "%s", t ? (const char *)t : "");
}

static int
row_from(sqlite3_stmt *st, struct policy_row *p)
{
	const unsigned char *t;

	memset(p, 0, sizeof(*p));
	copy_col(p->name, sizeof(p->name), st, 0);
	t = sqlite3_column_text(st, 1);
	p->spec = jd_strdup(t ? (const char *)t : "{}");
	p->resource_version = sqlite3_column_int64(st, 2);
	copy_col(p->created_at, sizeof(p->created_at), st, 3);
	copy_col(p->updated_at, sizeof(p->updated_at), st, 4);
	return p->spec == NULL ? -1 : 0;
}

int
store_policy_get(sqlite3 *db, const char *name, struct policy_row *out,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, found = 0;

	rc = db_prepare(db, "SELECT " POLICY_COLS " FROM policies "
	    "WHERE name = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "read policy");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (row_from(st, out) == -1) {
			db_finish(st);
			policy_row_free(out);
			return jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		}
		found = 1;
	} else if (rc != SQLITE_DONE) {
		db_finish(st);
		return db_error(db, rc, err, "read policy");
	}
	db_finish(st);
	return found;
}

int
store_policy_put(sqlite3 *db, const struct policy_row *p, int insert,
    struct jd_error *err)
{
	struct policy_row cur;
	sqlite3_stmt *st = NULL;
	int rc;

	if (insert) {
		rc = store_policy_get(db, p->name, &cur, err);
		if (rc == -1)
			return -1;
		if (rc == 1) {
			policy_row_free(&cur);
			return jd_error_set(err, JD_E_CONFLICT, NULL, "a policy "
			    "named \"%s\" exists already", p->name);
		}
	}
	rc = db_prepare(db, insert ? "INSERT INTO policies (" POLICY_COLS
	    ") VALUES (?1,?2,?3,?4,?5)" : "UPDATE policies SET spec = ?2, "
	    "resource_version = ?3, created_at = ?4, updated_at = ?5 "
	    "WHERE name = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store policy");
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->spec, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->resource_version);
	sqlite3_bind_text(st, 4, p->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->updated_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "store policy");
	return 0;
}

int
store_policy_delete(sqlite3 *db, const char *name, int *deleted,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "DELETE FROM policies WHERE name = ?", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "delete policy");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "delete policy");
	*deleted = sqlite3_changes(db) > 0;
	return 0;
}

int
store_policy_foreach(sqlite3 *db,
    int (*cb)(void *arg, const struct policy_row *p), void *arg,
    struct jd_error *err)
{
	struct policy_row p;
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	rc = db_prepare(db, "SELECT " POLICY_COLS " FROM policies "
	    "ORDER BY name", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "list policies");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row_from(st, &p) == -1) {
			policy_row_free(&p);
			db_finish(st);
			return jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		}
		stop = cb(arg, &p);
		policy_row_free(&p);
	}
	db_finish(st);
	if (!stop && rc != SQLITE_DONE)
		return db_error(db, rc, err, "list policies");
	return 0;
}

int
store_policy_users(sqlite3 *db, const char *name, json_t **out,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t *a;
	int rc;

	*out = NULL;
	if ((a = json_array()) == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	rc = db_prepare(db, "SELECT jail FROM jail_policies WHERE policy = ? "
	    "ORDER BY jail", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		json_decref(a);
		return db_error(db, rc, err, "read policy users");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (json_array_append_new(a, json_string((const char *)
		    sqlite3_column_text(st, 0))) == -1) {
			db_finish(st);
			json_decref(a);
			return jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		}
	db_finish(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db_error(db, rc, err, "read policy users");
	}
	*out = a;
	return 0;
}

int
store_jail_set_policies(sqlite3 *db, const char *jail,
    const json_t *policies, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	json_t *p;
	int rc;

	rc = db_prepare(db, "DELETE FROM jail_policies WHERE jail = ?", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store policies");
	sqlite3_bind_text(st, 1, jail, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "store policies");
	if (!json_is_array(policies) || json_array_size(policies) == 0)
		return 0;
	rc = db_prepare(db, "INSERT INTO jail_policies VALUES (?,?,?)", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store policies");
	json_array_foreach(policies, i, p) {
		sqlite3_bind_text(st, 1, jail, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, json_string_value(p), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_finish(st);
			return db_error(db, rc, err, "store policies");
		}
	}
	db_finish(st);
	return 0;
}

int
store_policy_layers(sqlite3 *db, const json_t *names, json_t **out,
    json_t **missing, struct jd_error *err)
{
	struct policy_row p;
	json_t *a, *spec, *n;
	size_t i;
	int rc;

	*out = NULL;
	if (missing != NULL && (*missing = json_array()) == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	if ((a = json_array()) == NULL)
		goto oom;
	json_array_foreach(names, i, n) {
		if (!json_is_string(n))
			continue;
		rc = store_policy_get(db, json_string_value(n), &p, err);
		if (rc == -1)
			goto fail;
		if (rc == 0) {
			if (missing != NULL && json_array_append(*missing, n)
			    == -1)
				goto oom;
			continue;
		}
		spec = json_loads(p.spec, 0, NULL);
		policy_row_free(&p);
		if (spec == NULL)
			goto oom;
		if (json_object_set_new(spec, "name",
		    json_string(json_string_value(n))) == -1) {
			json_decref(spec);
			goto oom;
		}
		if (json_array_append_new(a, spec) == -1)
			goto oom;
	}
	*out = a;
	return 0;
oom:
	jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
fail:
	json_decref(a);
	if (missing != NULL) {
		json_decref(*missing);
		*missing = NULL;
	}
	return -1;
}

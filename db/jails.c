/*
 * jails.c - the jails table and its satellites (labels, addresses,
 * dependencies).
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "db.h"
#include "store.h"

#define JAIL_COLS "name, spec, state, generation, resource_version, " \
	"created_at, updated_at, phase, jid, observed_generation, message, " \
	"last_transition_at, drift, deleting, restart_generation, applied_spec"

void
jail_row_free(struct jail_row *row)
{
	if (row == NULL)
		return;
	jd_free(row->name);
	jd_free(row->spec);
	jd_free(row->message);
	jd_free(row->drift);
	jd_free(row->applied_spec);
	memset(row, 0, sizeof(*row));
}

static int
dupn(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = jd_strdup(src);
	return *dst == NULL ? -1 : 0;
}

int
jail_row_copy(struct jail_row *dst, const struct jail_row *src)
{
	*dst = *src;
	dst->name = dst->spec = dst->message = dst->drift = NULL;
	dst->applied_spec = NULL;
	if (dupn(&dst->applied_spec, src->applied_spec) == -1 ||
	    dupn(&dst->name, src->name) == -1 ||
	    dupn(&dst->spec, src->spec) == -1 ||
	    dupn(&dst->message, src->message) == -1 ||
	    dupn(&dst->drift, src->drift) == -1) {
		jail_row_free(dst);
		return -1;
	}
	return 0;
}

static void
col_copy(char *dst, size_t sz, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, sz, "%s", t ? (const char *)t : "");
}

static int
col_dup(char **dst, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	*dst = NULL;
	if (t == NULL)
		return 0;
	*dst = jd_strdup((const char *)t);
	return *dst == NULL ? -1 : 0;
}

static int
row_read(sqlite3_stmt *st, struct jail_row *r)
{
	memset(r, 0, sizeof(*r));
	if (col_dup(&r->name, st, 0) == -1 || col_dup(&r->spec, st, 1) == -1 ||
	    col_dup(&r->message, st, 10) == -1 ||
	    col_dup(&r->drift, st, 12) == -1 ||
	    col_dup(&r->applied_spec, st, 15) == -1) {
		jail_row_free(r);
		return -1;
	}
	col_copy(r->state, sizeof(r->state), st, 2);
	r->generation = sqlite3_column_int64(st, 3);
	r->resource_version = sqlite3_column_int64(st, 4);
	col_copy(r->created_at, sizeof(r->created_at), st, 5);
	col_copy(r->updated_at, sizeof(r->updated_at), st, 6);
	col_copy(r->phase, sizeof(r->phase), st, 7);
	r->jid = sqlite3_column_int64(st, 8);
	r->observed_generation = sqlite3_column_int64(st, 9);
	col_copy(r->last_transition_at, sizeof(r->last_transition_at), st, 11);
	r->deleting = sqlite3_column_int(st, 13);
	r->restart_generation = sqlite3_column_int64(st, 14);
	return 0;
}

int
store_jail_get(sqlite3 *db, const char *name, struct jail_row *out,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret;

	rc = db_prepare(db, "SELECT " JAIL_COLS
	    " FROM jails WHERE name = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "get jail");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret = row_read(st, out) == -1 ?
		    jd_error_set(err, JD_E_NOMEM, NULL, "out of memory") : 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else
		ret = db_error(db, rc, err, "get jail");
	db_finish(st);
	return ret;
}

int
store_jail_put(sqlite3 *db, const struct jail_row *r, int insert,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, insert ?
	    "INSERT INTO jails (" JAIL_COLS ") VALUES "
	    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)" :
	    "UPDATE jails SET spec=?2, state=?3, generation=?4, "
	    "resource_version=?5, created_at=?6, updated_at=?7, phase=?8, "
	    "jid=?9, observed_generation=?10, message=?11, "
	    "last_transition_at=?12, drift=?13, deleting=?14, "
	    "restart_generation=?15, applied_spec=?16 WHERE name=?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store jail");
	sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->spec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, r->generation);
	sqlite3_bind_int64(st, 5, r->resource_version);
	sqlite3_bind_text(st, 6, r->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->phase, -1, SQLITE_STATIC);
	if (r->jid > 0)
		sqlite3_bind_int64(st, 9, r->jid);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int64(st, 10, r->observed_generation);
	if (r->message != NULL)
		sqlite3_bind_text(st, 11, r->message, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 11);
	if (r->last_transition_at[0] != '\0')
		sqlite3_bind_text(st, 12, r->last_transition_at, -1,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 12);
	sqlite3_bind_text(st, 13, r->drift ? r->drift : "[]", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 14, r->deleting);
	sqlite3_bind_int64(st, 15, r->restart_generation);
	if (r->applied_spec != NULL)
		sqlite3_bind_text(st, 16, r->applied_spec, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 16);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "store jail");
	return 0;
}

static int
exec_name(sqlite3 *db, const char *sql, const char *name,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "sql");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "sql");
	return 0;
}

int
store_jail_delete(sqlite3 *db, const char *name, struct jd_error *err)
{
	return exec_name(db, "DELETE FROM jails WHERE name = ?", name, err);
}

int
store_jail_count(sqlite3 *db, int64_t *n, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "SELECT count(*) FROM jails", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "count jails");
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	db_finish(st);
	if (rc != SQLITE_ROW)
		return db_error(db, rc, err, "count jails");
	return 0;
}

int
store_next_rv(sqlite3 *db, int64_t *rv, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "UPDATE counters SET value = value + 1 "
	    "WHERE name = 'resource_version' RETURNING value", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "bump resource_version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*rv = sqlite3_column_int64(st, 0);
	db_finish(st);
	if (rc != SQLITE_ROW)
		return db_error(db, rc, err, "bump resource_version");
	return 0;
}

int
store_jail_set_labels(sqlite3 *db, const char *name, const json_t *labels,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *k;
	json_t *v;
	int rc;

	if (exec_name(db, "DELETE FROM jail_labels WHERE jail = ?", name,
	    err) == -1)
		return -1;
	if (!json_is_object(labels) || json_object_size(labels) == 0)
		return 0;
	rc = db_prepare(db, "INSERT INTO jail_labels VALUES (?,?,?)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store labels");
	json_object_foreach((json_t *)labels, k, v) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, k, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, json_string_value(v), -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_finish(st);
			return db_error(db, rc, err, "store labels");
		}
	}
	db_finish(st);
	return 0;
}

int
store_jail_set_ips(sqlite3 *db, const char *name, const json_t *ips,
    struct jd_error *err)
{
	sqlite3_stmt *q = NULL, *ins = NULL;
	char addr[128], field[32];
	const char *a, *slash;
	size_t i;
	json_t *ip;
	int rc, ret = -1;

	if (exec_name(db, "DELETE FROM jail_ips WHERE jail = ?", name,
	    err) == -1)
		return -1;
	if (!json_is_array(ips) || json_array_size(ips) == 0)
		return 0;
	if ((rc = db_prepare(db, "SELECT jail FROM jail_ips WHERE "
	    "address = ?", -1, &q, NULL)) != SQLITE_OK ||
	    (rc = db_prepare(db, "INSERT INTO jail_ips VALUES (?,?)",
	    -1, &ins, NULL)) != SQLITE_OK) {
		db_error(db, rc, err, "store addresses");
		goto done;
	}
	json_array_foreach(ips, i, ip) {
		a = json_string_value(json_object_get(ip, "address"));
		if (a == NULL)
			continue;
		slash = strchr(a, '/');
		snprintf(addr, sizeof(addr), "%.*s",
		    (int)(slash ? (size_t)(slash - a) : strlen(a)), a);
		sqlite3_bind_text(q, 1, addr, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			snprintf(field, sizeof(field), "/ips/%zu", i);
			jd_error_set(err, JD_E_CONFLICT, field,
			    "address %s is already assigned to jail \"%s\"",
			    addr, sqlite3_column_text(q, 0));
			goto done;
		}
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			db_error(db, rc, err, "store addresses");
			goto done;
		}
		sqlite3_bind_text(ins, 1, addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE) {
			db_error(db, rc, err, "store addresses");
			goto done;
		}
	}
	ret = 0;
done:
	db_finish(q);
	db_finish(ins);
	return ret;
}

int
store_jail_set_depends(sqlite3 *db, const char *name, const json_t *deps,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	json_t *d;
	int rc, ret = -1;

	if (exec_name(db, "DELETE FROM jail_depends WHERE jail = ?", name,
	    err) == -1)
		return -1;
	if (!json_is_array(deps) || json_array_size(deps) == 0)
		return 0;
	rc = db_prepare(db, "INSERT INTO jail_depends VALUES (?,?)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store depends");
	json_array_foreach(deps, i, d) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, json_string_value(d), -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_error(db, rc, err, "store depends");
			goto done;
		}
	}
	db_finish(st);
	st = NULL;
	/* Does anything we depend on (transitively) depend on us? */
	rc = db_prepare(db,
	    "WITH RECURSIVE r(n, path) AS ("
	    "  SELECT dep, ?1 || ' -> ' || dep FROM jail_depends WHERE jail = ?1"
	    "  UNION"
	    "  SELECT d.dep, r.path || ' -> ' || d.dep FROM jail_depends d"
	    "  JOIN r ON d.jail = r.n WHERE r.n <> ?1 AND length(r.path) < 4096)"
	    " SELECT path FROM r WHERE n = ?1 LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		db_error(db, rc, err, "check depends");
		goto done;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		jd_error_set(err, JD_E_INVALID, "/depends",
		    "dependency cycle: %s", sqlite3_column_text(st, 0));
		goto done;
	}
	if (rc != SQLITE_DONE) {
		db_error(db, rc, err, "check depends");
		goto done;
	}
	ret = 0;
done:
	db_finish(st);
	return ret;
}

int
store_jail_list(sqlite3 *db, const struct jail_filter *f, const char *after,
    int limit, int (*cb)(void *, const char *), void *arg,
    struct jd_error *err)
{
	char sql[2048];
	size_t n, i;
	sqlite3_stmt *st = NULL;
	int rc, b = 1, ret = 0;

	n = (size_t)snprintf(sql, sizeof(sql),
	    "SELECT name FROM jails j WHERE name > ?");
	if (f->state != NULL)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		    " AND state = ?");
	if (f->phase != NULL)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		    " AND phase = ?");
	for (i = 0; i < f->nlabels && i < 16; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		    " AND EXISTS (SELECT 1 FROM jail_labels l WHERE "
		    "l.jail = j.name AND l.key = ? AND l.value = ?)");
	if (f->names != NULL) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
		    " AND name IN (SELECT value FROM json_each(?))");
	}
	snprintf(sql + n, sizeof(sql) - n, " ORDER BY name LIMIT ?");
	rc = db_prepare(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "list jails");
	sqlite3_bind_text(st, b++, after ? after : "", -1, SQLITE_STATIC);
	if (f->state != NULL)
		sqlite3_bind_text(st, b++, f->state, -1, SQLITE_STATIC);
	if (f->phase != NULL)
		sqlite3_bind_text(st, b++, f->phase, -1, SQLITE_STATIC);
	for (i = 0; i < f->nlabels && i < 16; i++) {
		sqlite3_bind_text(st, b++, f->label_keys[i], -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, b++, f->label_values[i], -1,
		    SQLITE_STATIC);
	}
	if (f->names != NULL) {
		json_t *arr = json_array();
		char *txt;
		for (i = 0; f->names[i] != NULL; i++)
			json_array_append_new(arr, json_string(f->names[i]));
		txt = json_dumps(arr, JSON_COMPACT);
		json_decref(arr);
		if (txt == NULL) {
			db_finish(st);
			return jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		}
		sqlite3_bind_text(st, b++, txt, -1, SQLITE_TRANSIENT);
		jd_free(txt);
	}
	sqlite3_bind_int(st, b, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb(arg, (const char *)sqlite3_column_text(st, 0)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, rc, err, "list jails");
	db_finish(st);
	return ret;
}

int
store_jail_foreach(sqlite3 *db, int (*cb)(void *, const struct jail_row *),
    void *arg, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	struct jail_row row;
	int rc, ret = 0;

	rc = db_prepare(db, "SELECT " JAIL_COLS
	    " FROM jails ORDER BY name", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "read jails");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row_read(st, &row) == -1) {
			ret = jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
			break;
		}
		rc = cb(arg, &row);
		jail_row_free(&row);
		if (rc != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_error(db, rc, err, "read jails");
	db_finish(st);
	return ret;
}

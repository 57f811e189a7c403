/*
 * tokens.c - the tokens and audit tables.
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/timeutil.h"
#include "db.h"
#include "tokens.h"

void
token_row_free(struct token_row *t)
{
	if (t == NULL)
		return;
	jd_free(t->name);
	jd_free(t->jails);
	memset(t, 0, sizeof(*t));
}

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int
store_token_insert(sqlite3 *db, const struct token_row *t,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "INSERT INTO tokens (id, name, scope, "
	    "jails, hash, expires_at, created_at) VALUES (?,?,?,?,?,?,?)", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store token");
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->scope, -1, SQLITE_STATIC);
	bind_text_or_null(st, 4, t->jails);
	sqlite3_bind_blob(st, 5, t->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	bind_text_or_null(st, 6, t->expires_at);
	sqlite3_bind_text(st, 7, t->created_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "store token");
	return 0;
}

int
store_token_delete(sqlite3 *db, const char *id, int *deleted,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "DELETE FROM tokens WHERE id = ?", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "delete token");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "delete token");
	*deleted = sqlite3_changes(db) > 0;
	return 0;
}

static void
copy_col(char *dst, size_t sz, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, sz, "%s", t ? (const char *)t : "");
}

int
store_token_foreach(sqlite3 *db, int (*cb)(void *, const struct token_row *),
    void *arg, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	struct token_row t;
	const unsigned char *s;
	int rc, ret = 0;

	rc = db_prepare(db, "SELECT id, name, scope, jails, hash, "
	    "expires_at, created_at, last_used_at FROM tokens ORDER BY "
	    "created_at, id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "read tokens");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&t, 0, sizeof(t));
		copy_col(t.id, sizeof(t.id), st, 0);
		s = sqlite3_column_text(st, 1);
		t.name = jd_strdup(s ? (const char *)s : "");
		copy_col(t.scope, sizeof(t.scope), st, 2);
		s = sqlite3_column_text(st, 3);
		t.jails = s ? jd_strdup((const char *)s) : NULL;
		if (sqlite3_column_bytes(st, 4) == TOKEN_HASH_LEN)
			memcpy(t.hash, sqlite3_column_blob(st, 4),
			    TOKEN_HASH_LEN);
		copy_col(t.expires_at, sizeof(t.expires_at), st, 5);
		copy_col(t.created_at, sizeof(t.created_at), st, 6);
		copy_col(t.last_used_at, sizeof(t.last_used_at), st, 7);
		if (t.name == NULL || (s != NULL && t.jails == NULL)) {
			token_row_free(&t);
			ret = jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
			break;
		}
		rc = cb(arg, &t);
		token_row_free(&t);
		if (rc != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_error(db, rc, err, "read tokens");
	db_finish(st);
	return ret;
}

int
store_token_touch(sqlite3 *db, const char *id, const char *when,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "UPDATE tokens SET last_used_at = ? "
	    "WHERE id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "touch token");
	sqlite3_bind_text(st, 1, when, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "touch token");
	return 0;
}

int
store_token_count(sqlite3 *db, int64_t *n, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "SELECT count(*) FROM tokens", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "count tokens");
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	db_finish(st);
	return rc == SQLITE_ROW ? 0 : db_error(db, rc, err, "count tokens");
}

int
store_audit_add(sqlite3 *db, const struct audit_row *a, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	time_now_rfc3339(now, sizeof(now));
	rc = db_prepare(db, "INSERT INTO audit (time, principal, "
	    "client_addr, request_id, method, path, resource, "
	    "generation_before, generation_after) VALUES (?,?,?,?,?,?,?,?,?)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "audit");
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->principal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->client_addr ? a->client_addr : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->request_id ? a->request_id : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->resource, -1, SQLITE_STATIC);
	if (a->generation_before > 0)
		sqlite3_bind_int64(st, 8, a->generation_before);
	if (a->generation_after > 0)
		sqlite3_bind_int64(st, 9, a->generation_after);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "audit");
	return 0;
}

int
store_audit_list(sqlite3 *db, int64_t since, int limit,
    int (*cb)(void *, const struct audit_row *), void *arg,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	struct audit_row a;
	int rc, ret = 0;

	rc = db_prepare(db, "SELECT id, time, principal, client_addr, "
	    "request_id, method, path, resource, generation_before, "
	    "generation_after FROM audit WHERE id > ? ORDER BY id LIMIT ?",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "read audit");
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a.id = sqlite3_column_int64(st, 0);
		a.time = (const char *)sqlite3_column_text(st, 1);
		a.principal = (const char *)sqlite3_column_text(st, 2);
		a.client_addr = (const char *)sqlite3_column_text(st, 3);
		a.request_id = (const char *)sqlite3_column_text(st, 4);
		a.method = (const char *)sqlite3_column_text(st, 5);
		a.path = (const char *)sqlite3_column_text(st, 6);
		a.resource = (const char *)sqlite3_column_text(st, 7);
		a.generation_before = sqlite3_column_int64(st, 8);
		a.generation_after = sqlite3_column_int64(st, 9);
		if (cb(arg, &a) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		ret = db_error(db, rc, err, "read audit");
	db_finish(st);
	return ret;
}

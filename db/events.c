/*
 * events.c - the event history (GET /v1/events) and idempotency keys.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/timeutil.h"
#include "db.h"
#include "store.h"

int
store_event_add(sqlite3 *db, const char *jail, const char *type,
    const char *message, int64_t generation, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	time_now_rfc3339(now, sizeof(now));
	rc = db_prepare(db, "INSERT INTO events (time, jail, type, "
	    "message, generation) VALUES (?,?,?,?,?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "add event");
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, jail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	if (message != NULL)
		sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
	if (generation > 0)
		sqlite3_bind_int64(st, 5, generation);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "add event");
	return 0;
}

int
store_event_list(sqlite3 *db, int64_t since, const char *jail, int limit,
    int (*cb)(void *, const struct event_row *), void *arg,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	struct event_row ev;
	int rc, ret = 0;

	rc = db_prepare(db, jail != NULL ?
	    "SELECT id, time, jail, type, message, generation FROM events "
	    "WHERE id > ?1 AND jail = ?3 ORDER BY id LIMIT ?2" :
	    "SELECT id, time, jail, type, message, generation FROM events "
	    "WHERE id > ?1 ORDER BY id LIMIT ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "list events");
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int(st, 2, limit);
	if (jail != NULL)
		sqlite3_bind_text(st, 3, jail, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev.id = sqlite3_column_int64(st, 0);
		ev.time = (const char *)sqlite3_column_text(st, 1);
		ev.jail = (const char *)sqlite3_column_text(st, 2);
		ev.type = (const char *)sqlite3_column_text(st, 3);
		ev.message = (const char *)sqlite3_column_text(st, 4);
		ev.generation = sqlite3_column_int64(st, 5);
		if (cb(arg, &ev) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		ret = db_error(db, rc, err, "list events");
	db_finish(st);
	return ret;
}

void
idem_row_free(struct idem_row *r)
{
	if (r == NULL)
		return;
	jd_free(r->request_hash);
	jd_free(r->content_type);
	jd_free(r->body);
	jd_free(r->etag);
	jd_free(r->location);
	memset(r, 0, sizeof(*r));
}

static char *
coldup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? jd_strdup((const char *)t) : NULL;
}

int
store_idem_get(sqlite3 *db, const char *key, int64_t max_age_s,
    struct idem_row *out, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	memset(out, 0, sizeof(*out));
	rc = db_prepare(db, "SELECT request_hash, status, "
	    "content_type, body, etag, location FROM idempotency "
	    "WHERE key = ? AND created > ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "read idempotency key");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL) - max_age_s);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->request_hash = coldup(st, 0);
		out->status = sqlite3_column_int(st, 1);
		out->content_type = coldup(st, 2);
		out->body = coldup(st, 3);
		out->etag = coldup(st, 4);
		out->location = coldup(st, 5);
		if (out->request_hash == NULL || out->content_type == NULL ||
		    out->body == NULL) {
			idem_row_free(out);
			ret = jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		} else
			ret = 1;
	} else if (rc != SQLITE_DONE)
		ret = db_error(db, rc, err, "read idempotency key");
	db_finish(st);
	return ret;
}

int
store_idem_put(sqlite3 *db, const char *key, const struct idem_row *r,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "INSERT OR REPLACE INTO idempotency "
	    "(key, request_hash, status, content_type, body, etag, location, "
	    "created) VALUES (?,?,?,?,?,?,?,?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store idempotency key");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->request_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->status);
	sqlite3_bind_text(st, 4, r->content_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->body ? r->body : "", -1, SQLITE_STATIC);
	if (r->etag)
		sqlite3_bind_text(st, 6, r->etag, -1, SQLITE_STATIC);
	if (r->location)
		sqlite3_bind_text(st, 7, r->location, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "store idempotency key");
	return 0;
}

int
store_idem_purge(sqlite3 *db, int64_t max_age_s, struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "DELETE FROM idempotency WHERE "
	    "created <= ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "purge idempotency keys");
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL) - max_age_s);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "purge idempotency keys");
	return 0;
}

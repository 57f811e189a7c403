/*
 * tokens.h - API tokens and the audit log in SQLite.
 *
 * A token's secret is never stored: only its SHA-256 (hash, 32 bytes).
 * Same conventions as store.h: the caller passes the connection, 0 / -1
 * with err, lookups 1 found / 0 not.
 */
#ifndef JD_TOKENS_H
#define JD_TOKENS_H

#include <stdint.h>

#include <sqlite3.h>

#include "common/error.h"

#define TOKEN_HASH_LEN	32

struct token_row {
	char		 id[40];
	char		*name;
	char		 scope[8];		/* read, write, admin */
	char		*jails;			/* JSON array text or NULL */
	unsigned char	 hash[TOKEN_HASH_LEN];
	char		 expires_at[32];	/* "" when never */
	char		 created_at[32];
	char		 last_used_at[32];	/* "" when never */
};

void	token_row_free(struct token_row *t);
int	store_token_insert(sqlite3 *db, const struct token_row *t,
	    struct jd_error *err);
int	store_token_delete(sqlite3 *db, const char *id, int *deleted,
	    struct jd_error *err);
int	store_token_foreach(sqlite3 *db,
	    int (*cb)(void *arg, const struct token_row *t), void *arg,
	    struct jd_error *err);
int	store_token_touch(sqlite3 *db, const char *id, const char *when,
	    struct jd_error *err);
int	store_token_count(sqlite3 *db, int64_t *n, struct jd_error *err);

struct audit_row {
	int64_t		 id;
	const char	*time;
	const char	*principal;
	const char	*client_addr;
	const char	*request_id;
	const char	*method;
	const char	*path;
	const char	*resource;
	int64_t		 generation_before;	/* 0: none */
	int64_t		 generation_after;	/* 0: none */
};

int	store_audit_add(sqlite3 *db, const struct audit_row *a,
	    struct jd_error *err);
int	store_audit_list(sqlite3 *db, int64_t since, int limit,
	    int (*cb)(void *arg, const struct audit_row *a), void *arg,
	    struct jd_error *err);

#endif

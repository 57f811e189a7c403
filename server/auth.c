/*
 * auth.c - who is asking: peer credentials on the unix socket, Bearer
 * tokens everywhere, the first admin token, and the brake on guessing.
 *
 * Tokens live in SQLite as SHA-256 hashes; this file keeps them in memory
 * (reloaded after every committed token change) and compares the hash of a
 * presented secret with every stored one in constant time.  A wrong or
 * expired token gets the same 401 whatever the reason, so the answer never
 * says whether a token exists; repeated failures from one client address
 * get 429 with Retry-After.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "api/tokens.h"
#include "auth.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "db/db.h"
#include "db/tokens.h"
#include "server.h"
#include "writer.h"

#define FAIL_LIMIT	10		/* failures per window and address */
#define FAIL_WINDOW_S	60
#define FAIL_SLOTS	1024
#define TOUCH_EVERY_S	60

struct tok {
	unsigned char	 hash[TOKEN_HASH_LEN];
	char		 id[40];
	enum api_scope	 scope;
	char		**jails;	/* NULL-terminated or NULL */
	time_t		 expires;	/* 0: never */
	atomic_llong	 touched;	/* last last_used_at write */
};

struct fail_slot {
	char	addr[64];
	int	count;
	time_t	window_start;
};

struct auth {
	struct server	*srv;
	sqlite3		*db;		/* own reader, for reloads */
	pthread_rwlock_t toks_lock;	/* read-mostly: every request */
	struct tok	*toks;
	size_t		 ntoks;
	pthread_mutex_t	 lock;		/* the failure table */
	struct fail_slot fails[FAIL_SLOTS];
	atomic_llong	 last_fail;	/* time of the latest failure */
};

static void
jails_free(char **j)
{
	char **p;

	if (j == NULL)
		return;
	for (p = j; *p != NULL; p++)
		jd_free(*p);
	jd_free(j);
}

static char **
jails_copy(char *const *src)
{
	char **dst;
	size_t n = 0, i;

	if (src == NULL)
		return NULL;
	while (src[n] != NULL)
		n++;
	dst = jd_calloc(n + 1, sizeof(*dst));
	if (dst == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((dst[i] = jd_strdup(src[i])) == NULL) {
			jails_free(dst);
			return NULL;
		}
	return dst;
}

static enum api_scope
scope_of(const char *s)
{
	if (strcmp(s, "admin") == 0)
		return SCOPE_ADMIN;
	if (strcmp(s, "write") == 0)
		return SCOPE_WRITE;
	return SCOPE_READ;
}

struct load_acc {
	struct tok	*v;
	size_t		 n, cap;
	int		 oom;
};

static int
load_cb(void *arg, const struct token_row *t)
{
	struct load_acc *a = arg;
	struct tok *nv, *k;
	json_t *arr, *j;
	size_t i;

	if (a->n == a->cap) {
		nv = jd_realloc(a->v, (a->cap ? a->cap * 2 : 16) * sizeof(*nv));
		if (nv == NULL) {
			a->oom = 1;
			return 1;
		}
		a->v = nv;
		a->cap = a->cap ? a->cap * 2 : 16;
	}
	k = &a->v[a->n];
	memset(k, 0, sizeof(*k));
	memcpy(k->hash, t->hash, TOKEN_HASH_LEN);
	snprintf(k->id, sizeof(k->id), "%s", t->id);
	k->scope = scope_of(t->scope);
	if (t->expires_at[0] != '\0')
		time_parse_rfc3339(t->expires_at, &k->expires);
	if (t->jails != NULL) {
		arr = json_loads(t->jails, 0, NULL);
		k->jails = jd_calloc(json_array_size(arr) + 1,
		    sizeof(*k->jails));
		if (arr == NULL || k->jails == NULL) {
			json_decref(arr);
			jd_free(k->jails);
			a->oom = 1;
			return 1;
		}
		json_array_foreach(arr, i, j)
			k->jails[i] = jd_strdup(json_string_value(j));
		json_decref(arr);
	}
	atomic_init(&k->touched, 0);	/* the first use records it */
	a->n++;
	return 0;
}

static void
toks_free(struct tok *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		jails_free(v[i].jails);
		OPENSSL_cleanse(v[i].hash, sizeof(v[i].hash));
	}
	jd_free(v);
}

static int
reload(struct auth *a, sqlite3 *db, struct jd_error *err)
{
	struct load_acc acc = { 0 };
	struct tok *old;
	size_t nold;

	if (store_token_foreach(db, load_cb, &acc, err) == -1 || acc.oom) {
		toks_free(acc.v, acc.n);
		if (acc.oom)
			jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
		return -1;
	}
	pthread_rwlock_wrlock(&a->toks_lock);
	old = a->toks;
	nold = a->ntoks;
	a->toks = acc.v;
	a->ntoks = acc.n;
	pthread_rwlock_unlock(&a->toks_lock);
	toks_free(old, nold);
	return 0;
}

void
auth_reload(void *arg)
{
	struct auth *a = arg;
	struct jd_error err;

	if (reload(a, a->db, &err) == -1)
		log_warnx("auth: reload tokens: %s", err.message);
}

/*
 * The first admin token: DATADIR/admin.token (0600) holds a secret whose
 * hash is in the tokens table.  Made on first start, and again if the file
 * is gone or no longer matches (a restored database, a deleted token).
 */
static int
bootstrap(sqlite3 *wdb, const char *datadir, struct jd_error *err)
{
	char path[1100], tmp[1120], secret[64];
	unsigned char hash[TOKEN_HASH_LEN];
	struct token_row row;
	struct load_acc acc = { 0 };
	unsigned char idb[8];
	size_t i, n;
	FILE *f;
	int fd, found = 0;

	snprintf(path, sizeof(path), "%s/admin.token", datadir);
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(secret, 1, sizeof(secret) - 1, f);
		fclose(f);
		secret[n] = '\0';
		secret[strcspn(secret, "\r\n")] = '\0';
		if (token_hash(secret, hash) == 0 &&
		    store_token_foreach(wdb, load_cb, &acc, err) == 0) {
			for (i = 0; i < acc.n; i++)
				if (CRYPTO_memcmp(acc.v[i].hash, hash,
				    TOKEN_HASH_LEN) == 0 &&
				    acc.v[i].scope == SCOPE_ADMIN)
					found = 1;
		}
		toks_free(acc.v, acc.n);
		OPENSSL_cleanse(secret, sizeof(secret));
		if (found)
			return 0;
		log_warnx("auth: %s does not hold a valid admin token; "
		    "writing a new one", path);
	}
	memset(&row, 0, sizeof(row));
	if (token_secret_new(secret, sizeof(secret)) == -1 ||
	    token_hash(secret, row.hash) == -1 ||
	    RAND_bytes(idb, sizeof(idb)) != 1)
		return jd_error_set(err, JD_E_INTERNAL, NULL, "no randomness");
	for (i = 0; i < 8; i++)
		snprintf(row.id + 2 * i, 3, "%02x", idb[i]);
	row.name = (char *)"admin";
	snprintf(row.scope, sizeof(row.scope), "admin");
	time_now_rfc3339(row.created_at, sizeof(row.created_at));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return jd_error_sys(err, JD_E_IO, errno, "%s: %s", tmp,
		    strerror(errno));
	n = strlen(secret);
	secret[n] = '\n';
	if (write(fd, secret, n + 1) != (ssize_t)(n + 1) || fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		OPENSSL_cleanse(secret, sizeof(secret));
		return jd_error_sys(err, JD_E_IO, errno, "%s: %s", tmp,
		    strerror(errno));
	}
	close(fd);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (db_exec(wdb, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	if (store_token_insert(wdb, &row, err) == -1 ||
	    db_exec(wdb, "COMMIT", err) == -1) {
		db_exec(wdb, "ROLLBACK", NULL);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1)
		return jd_error_sys(err, JD_E_IO, errno, "%s: %s", path,
		    strerror(errno));
	log_info("admin token written to %s (mode 0600): use it with "
	    "Authorization: Bearer $(cat %s)", path, path);
	return 0;
}

int
auth_open(struct server *srv, sqlite3 *wdb, struct auth **out,
    struct jd_error *err)
{
	struct auth *a;

	if (bootstrap(wdb, srv->cfg.data_dir, err) == -1)
		return -1;
	a = jd_calloc(1, sizeof(*a));
	if (a == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	a->srv = srv;
	pthread_mutex_init(&a->lock, NULL);
	pthread_rwlock_init(&a->toks_lock, NULL);
	if (db_open(srv->db_path, 0, &a->db, err) == -1 ||
	    reload(a, wdb, err) == -1) {
		auth_close(a);
		return -1;
	}
	*out = a;
	return 0;
}

void
auth_close(struct auth *a)
{
	if (a == NULL)
		return;
	toks_free(a->toks, a->ntoks);
	if (a->db != NULL)
		db_close(a->db);
	pthread_mutex_destroy(&a->lock);
	pthread_rwlock_destroy(&a->toks_lock);
	jd_free(a);
}

/* ---- failure accounting ---- */

#define FAIL_PROBES	16

static size_t
fail_hash(const char *addr)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *addr != '\0'; addr++) {
		h ^= (unsigned char)*addr;
		h *= 1099511628211ULL;
	}
	return (size_t)(h % FAIL_SLOTS);
}

/* The slot for addr (a few probes from its hash), reusing the stalest.
 * Lock held. */
static struct fail_slot *
fail_slot(struct auth *a, const char *addr, time_t now)
{
	struct fail_slot *s, *oldest = NULL;
	size_t i, h = fail_hash(addr);

	for (i = 0; i < FAIL_PROBES; i++) {
		s = &a->fails[(h + i) % FAIL_SLOTS];
		if (strcmp(s->addr, addr) == 0)
			return s;
		if (oldest == NULL || s->window_start < oldest->window_start)
			oldest = s;
	}
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->window_start = now;
	return oldest;
}

/* Seconds to wait when addr is over the limit, else 0. */
static int
fail_blocked(struct auth *a, const char *addr, time_t now)
{
	struct fail_slot *s;
	size_t i, h;
	int wait = 0;

	/* No failure in the last window: nobody is blocked (the common
	 * case costs one atomic load, not a table walk). */
	if (now - (time_t)atomic_load(&a->last_fail) >= FAIL_WINDOW_S)
		return 0;
	h = fail_hash(addr);
	pthread_mutex_lock(&a->lock);
	for (i = 0; i < FAIL_PROBES; i++) {
		s = &a->fails[(h + i) % FAIL_SLOTS];
		if (strcmp(s->addr, addr) != 0)
			continue;
		if (now - s->window_start < FAIL_WINDOW_S &&
		    s->count >= FAIL_LIMIT)
			wait = (int)(FAIL_WINDOW_S - (now - s->window_start));
		break;
	}
	pthread_mutex_unlock(&a->lock);
	return wait;
}

static void
fail_note(struct auth *a, const char *addr, time_t now)
{
	struct fail_slot *s;

	pthread_mutex_lock(&a->lock);
	s = fail_slot(a, addr, now);
	if (now - s->window_start >= FAIL_WINDOW_S) {
		s->window_start = now;
		s->count = 0;
	}
	s->count++;
	pthread_mutex_unlock(&a->lock);
	atomic_store(&a->last_fail, (long long)now);
}

/* ---- last_used_at ---- */

struct touch_op {
	struct api_write	base;
	char			id[40];
	char			when[32];
};

static int
touch_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct touch_op *op = (struct touch_op *)w;
	struct jd_error err;

	resp->status = 200;
	return store_token_touch(db, op->id, op->when, &err);
}

static void
touch_done(struct api_write *w, int committed)
{
	(void)w;
	(void)committed;
}

static void
touch_free(struct api_write *w)
{
	jd_free(w);
}

static void
touch_complete(void *arg, struct api_response *resp)
{
	api_response_free(resp);
	jd_free(arg);
}

static void
touch_later(struct auth *a, const char *id, time_t now)
{
	struct touch_op *op;
	struct api_response *resp;

	op = jd_calloc(1, sizeof(*op));
	resp = jd_calloc(1, sizeof(*resp));
	if (op == NULL || resp == NULL || a->srv->writer == NULL) {
		jd_free(op);
		jd_free(resp);
		return;
	}
	op->base.run = touch_run;
	op->base.done = touch_done;
	op->base.free = touch_free;
	snprintf(op->id, sizeof(op->id), "%s", id);
	time_rfc3339(now, op->when, sizeof(op->when));
	writer_submit(a->srv->writer, &op->base, resp, touch_complete, resp);
}

/* ---- the check ---- */

int
auth_check(struct auth *a, const struct auth_input *in,
    struct api_principal *out, struct jd_error *err, int *retry_after)
{
	unsigned char hash[TOKEN_HASH_LEN];
	const char *secret;
	struct tok *k, *match = NULL;
	time_t now = time(NULL);
	char idcopy[40];
	long long seen;
	size_t i;
	int blocked, touch = 0;

	memset(out, 0, sizeof(*out));
	*retry_after = 0;
	snprintf(out->id, sizeof(out->id), "anonymous");
	if (in->authorization == NULL) {
		/* root on the unix socket is the admin */
		if (in->is_unix && in->peer_uid == 0) {
			out->scope = SCOPE_ADMIN;
			snprintf(out->id, sizeof(out->id), "uid:0");
		} else if (in->is_unix && in->peer_uid > 0)
			snprintf(out->id, sizeof(out->id), "uid:%ld",
			    in->peer_uid);
		return 0;
	}
	blocked = fail_blocked(a, in->client_addr, now);
	if (blocked > 0) {
		*retry_after = blocked;
		return jd_error_set(err, JD_E_RATELIMIT, NULL, "too many "
		    "failed attempts from this address; retry later");
	}
	if (strncasecmp(in->authorization, "Bearer ", 7) != 0) {
		fail_note(a, in->client_addr, now);
		return jd_error_set(err, JD_E_UNAUTHORIZED, NULL, "only "
		    "Authorization: Bearer TOKEN is accepted");
	}
	secret = in->authorization + 7;
	while (*secret == ' ')
		secret++;
	if (token_hash(secret, hash) == -1)
		return jd_error_set(err, JD_E_INTERNAL, NULL, "hash failed");
	pthread_rwlock_rdlock(&a->toks_lock);
	/* Every entry is compared, in constant time each. */
	for (i = 0; i < a->ntoks; i++) {
		k = &a->toks[i];
		if (CRYPTO_memcmp(k->hash, hash, TOKEN_HASH_LEN) == 0)
			match = k;
	}
	if (match != NULL && match->expires != 0 && match->expires <= now)
		match = NULL;
	if (match == NULL) {
		pthread_rwlock_unlock(&a->toks_lock);
		fail_note(a, in->client_addr, now);
		OPENSSL_cleanse(hash, sizeof(hash));
		return jd_error_set(err, JD_E_UNAUTHORIZED, NULL, "invalid "
		    "or expired credential");
	}
	out->scope = match->scope;
	snprintf(out->id, sizeof(out->id), "token:%s", match->id);
	out->jails = jails_copy(match->jails);
	if (match->jails != NULL && out->jails == NULL) {
		pthread_rwlock_unlock(&a->toks_lock);
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	}
	seen = atomic_load(&match->touched);
	if (now - seen >= TOUCH_EVERY_S &&
	    atomic_compare_exchange_strong(&match->touched, &seen,
	    (long long)now)) {
		touch = 1;
		snprintf(idcopy, sizeof(idcopy), "%s", match->id);
	}
	pthread_rwlock_unlock(&a->toks_lock);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (touch)
		touch_later(a, idcopy, now);
	return 0;
}

void
auth_principal_free(struct api_principal *p)
{
	jails_free(p->jails);
	p->jails = NULL;
}

/*
 * writer.c - the group-commit writer thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "api/problem.h"
#include "common/alloc.h"
#include "common/log.h"
#include "db/db.h"
#include "writer.h"

#define GROUP_MAX	256

struct wjob {
	struct api_write	*w;
	struct api_response	*resp;
	writer_complete_fn	 complete;
	void			*arg;
	int			 rc;
	struct wjob		*next;
};

struct writer {
	sqlite3		*db;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct wjob	*head, *tail;
	int		 stopping;
	_Atomic long	 groups, ops;
};

static void
fail_resp(struct api_write *w, struct api_response *resp,
    const struct jd_error *err)
{
	struct api_request req;

	memset(&req, 0, sizeof(req));
	req.request_id = w->request_id;
	api_response_free(resp);
	problem_from_error(resp, &req, err);
	if (err->code == JD_E_UNAVAILABLE)
		resp->retry_after = 1;
}

static void
run_group(struct writer *wr, struct wjob *jobs)
{
	struct jd_error err;
	struct wjob *j, *next;
	int committed = 1;

	jd_error_clear(&err);
	if (db_exec(wr->db, "BEGIN IMMEDIATE", &err) == -1) {
		committed = 0;
	} else {
		for (j = jobs; j != NULL; j = j->next) {
			if (db_exec(wr->db, "SAVEPOINT op", &err) == -1) {
				j->rc = -1;
				fail_resp(j->w, j->resp, &err);
				continue;
			}
			j->rc = j->w->run(j->w, wr->db, j->resp);
			wr->ops++;
			/*
			 * Some errors (SQLITE_FULL, SQLITE_IOERR, ...) make
			 * SQLite roll the whole transaction back by itself:
			 * then the group is lost, and running the rest would
			 * commit them outside it.
			 */
			if (sqlite3_get_autocommit(wr->db)) {
				jd_error_set(&err, JD_E_UNAVAILABLE, NULL,
				    "transaction aborted by the database");
				committed = 0;
				break;
			}
			if (j->rc == -1 && db_exec(wr->db, "ROLLBACK TO op",
			    &err) == -1) {
				committed = 0;
				break;
			}
			if (db_exec(wr->db, "RELEASE op", &err) == -1) {
				committed = 0;
				break;
			}
		}
		if (committed && db_exec(wr->db, "COMMIT", &err) == -1)
			committed = 0;
		if (!committed && !sqlite3_get_autocommit(wr->db))
			db_exec(wr->db, "ROLLBACK", NULL);
	}
	if (!committed) {
		log_warnx("writer: commit failed: %s", err.message);
		if (err.code != JD_E_UNAVAILABLE)
			err.code = JD_E_UNAVAILABLE;
		snprintf(err.message, sizeof(err.message), "the database "
		    "could not store the change; retry later");
	} else
		wr->groups++;
	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		if (!committed) {
			fail_resp(j->w, j->resp, &err);
			j->rc = -1;
		}
		j->w->done(j->w, committed && j->rc == 0);
		j->complete(j->arg, j->resp);
		j->w->free(j->w);
		jd_free(j);
	}
}

static void *
writer_main(void *arg)
{
	struct writer *wr = arg;
	struct wjob *jobs, *j;
	int n;

	pthread_mutex_lock(&wr->lock);
	for (;;) {
		while (wr->head == NULL && !wr->stopping)
			pthread_cond_wait(&wr->cond, &wr->lock);
		if (wr->head == NULL && wr->stopping)
			break;
		jobs = wr->head;
		for (j = jobs, n = 1; j->next != NULL && n < GROUP_MAX; n++)
			j = j->next;
		wr->head = j->next;
		if (wr->head == NULL)
			wr->tail = NULL;
		j->next = NULL;
		pthread_mutex_unlock(&wr->lock);
		run_group(wr, jobs);
		pthread_mutex_lock(&wr->lock);
	}
	pthread_mutex_unlock(&wr->lock);
	return NULL;
}

int
writer_start(sqlite3 *db, struct writer **out, struct jd_error *err)
{
	struct writer *wr;

	wr = jd_calloc(1, sizeof(*wr));
	if (wr == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	wr->db = db;
	pthread_mutex_init(&wr->lock, NULL);
	pthread_cond_init(&wr->cond, NULL);
	if (pthread_create(&wr->thread, NULL, writer_main, wr) != 0) {
		jd_free(wr);
		return jd_error_set(err, JD_E_INTERNAL, NULL,
		    "cannot start the writer thread");
	}
	*out = wr;
	return 0;
}

void
writer_submit(struct writer *wr, struct api_write *w,
    struct api_response *resp, writer_complete_fn complete, void *arg)
{
	struct wjob *j;
	struct jd_error err;

	j = jd_calloc(1, sizeof(*j));
	pthread_mutex_lock(&wr->lock);
	if (j == NULL || wr->stopping) {
		pthread_mutex_unlock(&wr->lock);
		jd_free(j);
		jd_error_set(&err, j == NULL ? JD_E_NOMEM : JD_E_UNAVAILABLE,
		    NULL, "jaild is shutting down");
		fail_resp(w, resp, &err);
		w->done(w, 0);
		complete(arg, resp);
		w->free(w);
		return;
	}
	j->w = w;
	j->resp = resp;
	j->complete = complete;
	j->arg = arg;
	if (wr->tail != NULL)
		wr->tail->next = j;
	else
		wr->head = j;
	wr->tail = j;
	pthread_cond_signal(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
}

struct sync_wait {
	pthread_mutex_t	lock;
	pthread_cond_t	cond;
	int		done;
};

static void
sync_complete(void *arg, struct api_response *resp)
{
	struct sync_wait *s = arg;

	(void)resp;
	pthread_mutex_lock(&s->lock);
	s->done = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int
writer_run_sync(struct writer *wr, struct api_write *w,
    struct api_response *resp)
{
	struct sync_wait s;

	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	s.done = 0;
	writer_submit(wr, w, resp, sync_complete, &s);
	pthread_mutex_lock(&s.lock);
	while (!s.done)
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
	pthread_mutex_destroy(&s.lock);
	pthread_cond_destroy(&s.cond);
	return resp->status >= 200 && resp->status < 300 ? 0 : -1;
}

void
writer_stop(struct writer *wr)
{
	if (wr == NULL)
		return;
	pthread_mutex_lock(&wr->lock);
	wr->stopping = 1;
	pthread_cond_signal(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
	pthread_join(wr->thread, NULL);
	db_close(wr->db);
	pthread_mutex_destroy(&wr->lock);
	pthread_cond_destroy(&wr->cond);
	jd_free(wr);
}

void
writer_stats(struct writer *wr, long *groups, long *ops)
{
	pthread_mutex_lock(&wr->lock);
	*groups = wr->groups;
	*ops = wr->ops;
	pthread_mutex_unlock(&wr->lock);
}

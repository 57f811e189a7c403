/*
 * writer.h - the one writer: group commit over the writer connection.
 *
 * Every change to the database goes through writer_submit.  The writer
 * thread takes all the operations queued at that moment, runs each in its
 * own savepoint of one transaction, commits once (synchronous=FULL: one
 * fsync for the group), and only then lets each operation answer.  So
 * concurrent clients share fsyncs while every 2xx is still on disk.
 */
#ifndef JD_WRITER_H
#define JD_WRITER_H

#include <sqlite3.h>

#include "api/api.h"

struct writer;

/* Called on the writer thread after the op's done(); resp is the answer. */
typedef void (*writer_complete_fn)(void *arg, struct api_response *resp);

/* Start the writer thread over db (which it then owns). */
int	writer_start(sqlite3 *db, struct writer **out, struct jd_error *err);
/*
 * Queue w; resp is filled by w->run (or with a 503 when the commit fails)
 * and handed to complete(arg, resp).  The writer frees w afterwards.
 * Thread-safe.  After writer_stop began, w is answered 503 at once.
 */
void	writer_submit(struct writer *wr, struct api_write *w,
	    struct api_response *resp, writer_complete_fn complete, void *arg);
/*
 * Run w synchronously from any thread (the reconciler): submit and wait.
 * Returns w->run's result, or -1 when the commit failed.
 */
int	writer_run_sync(struct writer *wr, struct api_write *w,
	    struct api_response *resp);
/* Finish the queue, stop the thread, close the connection. */
void	writer_stop(struct writer *wr);

/* Groups committed and operations run so far (for tests and benches). */
void	writer_stats(struct writer *wr, long *groups, long *ops);

#endif

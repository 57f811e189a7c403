/*
 * host_sim.c - the simulated host: a userspace model of the kernel's prison
 * table, with mounts, interface aliases and rctl rules, as the tests and
 * every non-FreeBSD jaild see it (DESIGN.md section 8).
 *
 * Semantics follow freebsd-jail-facts.md sections 4 and 11: jids are taken
 * from lastprid upwards and never reused while a live or dying prison holds
 * them; numeric names must be the jid; a dotted name means a parent, which
 * is refused for now; creating needs persist; create-only parameters are
 * refused on update even when equal; values are checked against the
 * parameter catalog; ip4.addr / ip6.addr keep their first address and sort
 * the rest, and clash with other restricted prisons; removal leaves the
 * prison dying for linger_ms before it disappears.
 *
 * Persistence.  The state lives in DATADIR/host-sim.state (a snapshot) and
 * DATADIR/host-sim.oplog (an operation log), both under an flock on
 * DATADIR/host-sim.lock that every call takes.  A call that changes the
 * state appends one line to the log, written with a single write(2): the
 * post-call value of every entry it touched ({"c":[["p","3",{...}],
 * ["m","17",null],["t","lastprid",3]]}: kind, key, value or null for
 * gone), so the cost of a call does not grow with the number of prisons.
 * Loading is the snapshot plus a replay of the log; a process that finds
 * the log grew since its last call replays only the new tail.  When the
 * log outgrows both SIM_LOG_COMPACT and the snapshot, it is compacted: a
 * new snapshot (generation G+1) and a new log whose first line names G+1
 * are written to temporary files and renamed into place, snapshot first; a
 * log whose header does not match the snapshot's generation is left over
 * from a compaction cut short and is ignored (the snapshot already holds
 * it).  Every process keeps its log descriptor open, so a compacted-away
 * log's inode cannot be reused and a changed inode always means "reload".
 * A line without its newline (the writer was killed mid-write) is ignored
 * and cut off by the next writer.  Read-only calls write nothing unless a
 * fault counts them; dying prisons whose linger time is over are dropped
 * in memory by every process alike and never logged.
 *
 * Nothing is fsync'ed: the guarantee is that a jaild killed with SIGKILL
 * finds the host exactly as after its last completed call (data written
 * with write(2) is in the page cache whatever happens to the process, and
 * rename(2) is atomic).  Surviving a power loss is not needed: the real
 * kernel's prison table, mounts and aliases do not survive a reboot
 * either, and an empty snapshot is read as an empty host.
 *
 * Other processes (jaild-sim, tests through the host_sim_* controls)
 * change the host under a running jaild the same way, and see its changes
 * before their next call.  Fault injection and delays are part of the
 * same state for the same reason.  In memory, prisons are indexed by jid
 * and by name, mounts by target and addresses by address, so a call costs
 * the same with 10 or 10,000 prisons (except those that list, search
 * address lists for a clash or match rctl filters).  Calls that change
 * the host or run something append one line each to
 * DATADIR/host-sim.journal, so tests can assert the order of steps.
 *
 * Commands: lifecycle hooks (HOST_EXEC_HOOK) are only recorded and
 * succeed; other commands really run as host child processes with the
 * prison's path as working directory (or "/" when that path does not
 * exist), so the exec endpoint returns real output.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "prison/catalog.h"
#include "prison/host.h"
#include "prison/rctl.h"

#define SIM_STATE	"host-sim.state"
#define SIM_LOCK	"host-sim.lock"
#define SIM_JOURNAL	"host-sim.journal"
#define SIM_OPLOG	"host-sim.oplog"
#define SIM_VERSION	2
#define SIM_LOG_COMPACT	(4L * 1024 * 1024)	/* and bigger than the
						   snapshot: compact */
#define SIM_JAIL_MAX	999999
#define SIM_MAX_AF_IPS	255
#define SIM_LINGER_MS	2000
#define SIM_OSRELEASE	"14.1-RELEASE"
#define SIM_OSRELDATE	"1401000"

struct sim {
	struct host	 base;
	char		*datadir;
	char		*state_path;
	char		*lock_path;
	char		*journal_path;
	char		*log_path;
	int		 lockfd;
	int		 locked;
	unsigned	 flags;
	json_t		*st;		/* the state: snapshot + log */
	json_t		*names;		/* name -> [prisons with it] */
	json_t		*mtargets;	/* mount target -> [mount keys] */
	json_t		*chg;		/* kind+key of entries this call
					   changed -> true */
	int		 lost;		/* a change could not be noted:
					   write everything */
	long long	 min_gone;	/* earliest gone_at of a dying prison */
	long long	 gen;		/* snapshot generation */
	int		 have_snap;
	struct stat	 snap_sb;	/* of the snapshot when read or written */
	int		 logfd;		/* the log, kept open; -1 if none */
	ino_t		 log_ino;
	dev_t		 log_dev;
	off_t		 log_off;	/* end of the last complete line */
	off_t		 log_size;	/* bytes seen (> log_off: torn line) */
	int		 log_stale;	/* no log of this snapshot: the next
					   write compacts */
	int		 reload;	/* memory may not match the files */
};

/*
 * Values a new top-level prison inherits from the simulated host where the
 * catalog has no default of its own.
 */
static const struct {
	const char	*name;
	const char	*value;
} sim_inherited[] = {
	{ "securelevel", "-1" },
	{ "osrelease", SIM_OSRELEASE },
	{ "osreldate", SIM_OSRELDATE },
	{ "path", "/" },
	{ "host.hostname", "" },
};

/* Operations as the fault table names them; mut: counts for "any". */
static const struct {
	const char	*name;
	int		 mut;
} sim_ops[] = {
	{ "create", 1 }, { "update", 1 }, { "remove", 1 }, { "exec", 1 },
	{ "signal", 1 }, { "mount", 1 }, { "unmount", 1 }, { "addr_add", 1 },
	{ "addr_del", 1 }, { "rctl_add", 1 }, { "rctl_remove", 1 },
	{ "get", 0 }, { "list", 0 }, { "mount_list", 0 }, { "addr_list", 0 },
	{ "rctl_list", 0 }, { "info", 0 },
};

static const char *
sim_op_canon(const char *op)
{
	size_t i;

	if (strcmp(op, "any") == 0)
		return "any";
	if (strncmp(op, "prison_", 7) == 0)
		op += 7;
	if (strcmp(op, "exec_jail") == 0 || strcmp(op, "exec_host") == 0)
		op = "exec";
	if (strcmp(op, "signal_jail") == 0)
		op = "signal";
	for (i = 0; i < sizeof(sim_ops) / sizeof(sim_ops[0]); i++)
		if (strcmp(sim_ops[i].name, op) == 0)
			return sim_ops[i].name;
	return NULL;
}

static int
sim_op_mutating(const char *op)
{
	size_t i;

	for (i = 0; i < sizeof(sim_ops) / sizeof(sim_ops[0]); i++)
		if (strcmp(sim_ops[i].name, op) == 0)
			return sim_ops[i].mut;
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static char *
path_join(const char *dir, const char *file)
{
	struct buf b = { 0 };

	if (buf_printf(&b, "%s/%s", dir, file) == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* State document. */

/*
 * In memory (and in a version 2 snapshot) the collections are objects
 * keyed for direct lookup, in insertion order: "prisons" by jid, "mounts"
 * by a sequence number (mount order), "addrs" by "family/address", "rctl"
 * by the rule without its amount for deny rules, the whole rule for the
 * others (rctl_rule_key).  A version 1 snapshot (arrays) is
 * converted when read.
 */
static json_t *
state_new(void)
{
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:{}, s:{}, s:{},"
	    " s:{}, s:[], s:{}}", "version", SIM_VERSION, "gen", (json_int_t)0,
	    "lastprid", (json_int_t)0, "lastdeadid", (json_int_t)0,
	    "linger_ms", (json_int_t)SIM_LINGER_MS, "mountseq", (json_int_t)0,
	    "prisons", "mounts", "addrs", "rctl", "faults", "delays");
}

static json_t *
st_arr(struct sim *s, const char *key)
{
	return json_object_get(s->st, key);
}

static long long
st_int(struct sim *s, const char *key)
{
	return (long long)json_integer_value(json_object_get(s->st, key));
}

static void
jid_key(char *buf, size_t sz, long long jid)
{
	snprintf(buf, sz, "%lld", jid);
}

static int
addr_key(struct buf *b, long long family, const char *canon)
{
	buf_reset(b);
	return buf_printf(b, "%lld/%s", family, canon);
}

static int	rctl_key_of(const char *text, struct buf *key);

/* Version 1 (arrays) to version 2 (keyed objects); NULL if no memory. */
static json_t *
state_upgrade(json_t *old)
{
	json_t *st, *o, *e;
	struct buf k = { 0 };
	char key[32];
	size_t i;
	long long seq = 0;

	if ((st = json_deep_copy(old)) == NULL)
		return NULL;
	o = json_object();
	json_array_foreach(json_object_get(old, "prisons"), i, e) {
		jid_key(key, sizeof(key),
		    json_integer_value(json_object_get(e, "jid")));
		if (o == NULL || json_object_set(o, key, e) == -1)
			goto fail;
	}
	if (json_object_set_new(st, "prisons", o) == -1)
		goto fail;
	o = json_object();
	json_array_foreach(json_object_get(old, "mounts"), i, e) {
		jid_key(key, sizeof(key), ++seq);
		if (o == NULL || json_object_set(o, key, e) == -1)
			goto fail;
	}
	if (json_object_set_new(st, "mounts", o) == -1 ||
	    json_object_set_new(st, "mountseq", json_integer(seq)) == -1)
		goto fail;
	o = json_object();
	json_array_foreach(json_object_get(old, "addrs"), i, e) {
		if (o == NULL || addr_key(&k, json_integer_value(
		    json_object_get(e, "family")), json_string_value(
		    json_object_get(e, "address"))) == -1 ||
		    json_object_set(o, k.data, e) == -1)
			goto fail;
	}
	if (json_object_set_new(st, "addrs", o) == -1)
		goto fail;
	o = json_object();
	json_array_foreach(json_object_get(old, "rctl"), i, e) {
		if (o == NULL)
			goto fail;
		if (rctl_key_of(json_string_value(e), &k) == -1)
			continue;	/* never stored by the simulation */
		if (json_object_set(o, k.data, e) == -1)
			goto fail;
	}
	if (json_object_set_new(st, "rctl", o) == -1 ||
	    json_object_set_new(st, "version", json_integer(SIM_VERSION)) ==
	    -1)
		goto fail;
	buf_free(&k);
	return st;
fail:
	buf_free(&k);
	json_decref(st);
	return NULL;
}

/*
 * Check the shape of a loaded snapshot and bring it to the current
 * version.  Returns the state (a new reference) or NULL with why set.
 */
static json_t *
state_check(json_t *st, const char **why)
{
	static const char *const colls[] = { "prisons", "mounts", "addrs",
	    "rctl" };
	json_int_t v;
	size_t i;

	*why = "bad shape";
	if (!json_is_object(st) ||
	    !json_is_array(json_object_get(st, "faults")) ||
	    !json_is_object(json_object_get(st, "delays")) ||
	    !json_is_integer(json_object_get(st, "lastprid")))
		return NULL;
	v = json_integer_value(json_object_get(st, "version"));
	for (i = 0; i < sizeof(colls) / sizeof(colls[0]); i++)
		if (v < 2 ? !json_is_array(json_object_get(st, colls[i])) :
		    !json_is_object(json_object_get(st, colls[i])))
			return NULL;
	if (v < 2) {
		*why = "out of memory";
		return state_upgrade(st);
	}
	return json_incref(st);
}

/* Indexes (not persisted): prisons by name, mount keys by target. */

static void
idx_add(struct sim *s, int kind, const char *key, json_t *v)
{
	json_t *idx, *arr, *item;
	const char *ik;
	long long g;

	if (kind == 'p') {
		idx = s->names;
		ik = json_string_value(json_object_get(v, "name"));
		item = json_incref(v);
		if (json_is_true(json_object_get(v, "dying"))) {
			g = json_integer_value(json_object_get(v, "gone_at"));
			if (g < s->min_gone)
				s->min_gone = g;
		}
	} else if (kind == 'm') {
		idx = s->mtargets;
		ik = json_string_value(json_object_get(v, "target"));
		item = json_string(key);
	} else
		return;
	if (ik == NULL || item == NULL) {
		json_decref(item);
		return;
	}
	if ((arr = json_object_get(idx, ik)) == NULL) {
		arr = json_array();
		if (arr == NULL || json_object_set_new(idx, ik, arr) == -1) {
			json_decref(item);
			s->reload = 1;	/* out of memory: rebuild next call */
			return;
		}
	}
	if (json_array_append_new(arr, item) == -1)
		s->reload = 1;
}

static void
idx_del(struct sim *s, int kind, const char *key, json_t *v)
{
	json_t *idx, *arr;
	const char *ik;
	size_t i;

	if (kind == 'p') {
		idx = s->names;
		ik = json_string_value(json_object_get(v, "name"));
	} else if (kind == 'm') {
		idx = s->mtargets;
		ik = json_string_value(json_object_get(v, "target"));
	} else
		return;
	if (ik == NULL || (arr = json_object_get(idx, ik)) == NULL)
		return;
	for (i = json_array_size(arr); i-- > 0; ) {
		if (kind == 'p' ? json_array_get(arr, i) == v :
		    strcmp(json_string_value(json_array_get(arr, i)), key) ==
		    0) {
			json_array_remove(arr, i);
			break;
		}
	}
	if (json_array_size(arr) == 0)
		json_object_del(idx, ik);
}

static json_t *
kind_obj(struct sim *s, int kind)
{
	switch (kind) {
	case 'p':
		return json_object_get(s->st, "prisons");
	case 'm':
		return json_object_get(s->st, "mounts");
	case 'a':
		return json_object_get(s->st, "addrs");
	case 'r':
		return json_object_get(s->st, "rctl");
	case 't':
		return s->st;
	}
	return NULL;
}

/* Note that entry (kind, key) changed: its value goes into the log. */
static void
touch(struct sim *s, int kind, const char *key)
{
	struct buf b = { 0 };

	if (buf_printf(&b, "%c%s", kind, key) == -1 ||
	    json_object_set_new(s->chg, b.data, json_true()) == -1)
		s->lost = 1;
	buf_free(&b);
}

/*
 * Set entry (kind, key) to v (borrowed; NULL deletes it), keeping the
 * indexes; with log, the change goes into this call's log record.
 */
static int
ent_put(struct sim *s, int kind, const char *key, json_t *v, int log)
{
	json_t *obj = kind_obj(s, kind), *old;
	int rc = 0;

	if (obj == NULL)
		return -1;
	if (log)
		touch(s, kind, key);	/* before key may be freed below */
	old = json_object_get(obj, key);
	if (old != v) {
		/* A new value goes last, wherever the old one was: the
		   order of mounts, addresses and rules is insertion order
		   in every process that replays the log. */
		if (old != NULL) {
			idx_del(s, kind, key, old);
			json_object_del(obj, key);
		}
		if (v != NULL && (rc = json_object_set(obj, key, v)) == 0)
			idx_add(s, kind, key, v);
	}
	return rc;
}

static int
st_set_int(struct sim *s, const char *key, long long v)
{
	json_t *j = json_integer(v);
	int rc = j == NULL ? -1 : ent_put(s, 't', key, j, 1);

	json_decref(j);
	return rc;
}

static int
sim_index(struct sim *s)
{
	json_t *v;
	const char *key;

	json_decref(s->names);
	json_decref(s->mtargets);
	s->names = json_object();
	s->mtargets = json_object();
	s->min_gone = LLONG_MAX;
	if (s->names == NULL || s->mtargets == NULL)
		return -1;
	json_object_foreach(json_object_get(s->st, "prisons"), key, v)
		idx_add(s, 'p', key, v);
	json_object_foreach(json_object_get(s->st, "mounts"), key, v)
		idx_add(s, 'm', key, v);
	return 0;
}

/* The log. */

/* Apply one log line (NUL-terminated, no newline). */
static int
log_apply(struct sim *s, const char *line, size_t len)
{
	json_t *rec, *c, *e, *v;
	const char *kind, *key;
	size_t i;
	int rc = -1;

	if ((rec = json_loadb(line, len, 0, NULL)) == NULL)
		return -1;
	if (!json_is_array(c = json_object_get(rec, "c")))
		goto done;
	json_array_foreach(c, i, e) {
		kind = json_string_value(json_array_get(e, 0));
		key = json_string_value(json_array_get(e, 1));
		v = json_array_get(e, 2);
		if (kind == NULL || strlen(kind) != 1 || key == NULL ||
		    v == NULL || strchr("pmart", *kind) == NULL)
			goto done;
		if (*kind == 't' && json_is_object(json_object_get(s->st,
		    key)) && strcmp(key, "delays") != 0)
			goto done;	/* never replace a collection */
		if (ent_put(s, *kind, key, json_is_null(v) ? NULL : v, 0) ==
		    -1)
			goto done;
	}
	rc = 0;
done:
	json_decref(rec);
	return rc;
}

/*
 * Read the log from s->log_off to its end and apply every complete line;
 * the first line of the file is the header naming the snapshot
 * generation it follows (a mismatch makes the log stale: ignored).  A
 * last line without its newline is left for the next writer to cut off.
 */
static int
log_replay(struct sim *s, struct jd_error *err)
{
	struct buf b = { 0 };
	char chunk[65536], *p, *nl;
	json_t *hdr;
	ssize_t n;
	off_t at = s->log_off;
	int rc = -1;

	for (;;) {
		n = pread(s->logfd, chunk, sizeof(chunk), at);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			jd_error_sys(err, JD_E_IO, errno, "read %s: %s",
			    s->log_path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) == -1) {
			jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
			goto done;
		}
		at += n;
	}
	s->log_size = at;
	p = b.data;
	while (p != NULL && (nl = memchr(p, '\n', b.len -
	    (size_t)(p - b.data))) != NULL) {
		if (s->log_off == 0) {
			hdr = json_loadb(p, (size_t)(nl - p), 0, NULL);
			if (!json_is_integer(json_object_get(hdr, "gen")) ||
			    json_integer_value(json_object_get(hdr, "gen")) !=
			    s->gen)
				s->log_stale = 1;
			json_decref(hdr);
			if (s->log_stale) {
				rc = 0;
				goto done;
			}
		} else if (log_apply(s, p, (size_t)(nl - p)) == -1) {
			jd_error_set(err, JD_E_IO, NULL, "%s: bad record at "
			    "offset %lld", s->log_path, (long long)s->log_off);
			goto done;
		}
		s->log_off += nl + 1 - p;
		p = nl + 1;
	}
	/* No header (an empty file): not a log of this snapshot. */
	if (s->log_off == 0)
		s->log_stale = 1;
	rc = 0;
done:
	buf_free(&b);
	return rc;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Read snapshot and log from scratch. */
static int
sim_reload(struct sim *s, struct jd_error *err)
{
	struct stat sb;
	json_error_t jerr;
	json_t *raw = NULL, *st;
	const char *why = "";
	int fd;

	if (s->logfd != -1)
		close(s->logfd);
	s->logfd = -1;
	s->log_off = s->log_size = 0;
	s->log_stale = 1;
	s->have_snap = 0;
	if (stat(s->state_path, &sb) == -1) {
		if (errno != ENOENT)
			return jd_error_sys(err, JD_E_IO, errno,
			    "stat %s: %s", s->state_path, strerror(errno));
		st = state_new();	/* never written */
	} else if (sb.st_size == 0) {
		/* Emptied by a crash of the machine: a rebooted host. */
		st = state_new();
		s->have_snap = 1;
		s->snap_sb = sb;
	} else {
		raw = json_load_file(s->state_path, JSON_REJECT_DUPLICATES,
		    &jerr);
		if (raw == NULL)
			why = jerr.text;
		st = raw != NULL ? state_check(raw, &why) : NULL;
		json_decref(raw);
		if (st == NULL)
			return jd_error_set(err, JD_E_IO, NULL,
			    "%s: not a simulated-host state file (%s)",
			    s->state_path, why);
		s->have_snap = 1;
		s->snap_sb = sb;
	}
	if (st == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	json_decref(s->st);
	s->st = st;
	s->gen = st_int(s, "gen");
	json_object_clear(s->chg);
	s->lost = 0;
	s->reload = 1;		/* until this completes */
	if (sim_index(s) == -1)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	fd = open(s->log_path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd == -1 && errno != ENOENT)
		return jd_error_sys(err, JD_E_IO, errno, "open %s: %s",
		    s->log_path, strerror(errno));
	if (fd != -1) {
		if (fstat(fd, &sb) == -1) {
			close(fd);
			return jd_error_sys(err, JD_E_IO, errno,
			    "stat %s: %s", s->log_path, strerror(errno));
		}
		s->logfd = fd;
		s->log_ino = sb.st_ino;
		s->log_dev = sb.st_dev;
		s->log_stale = 0;
		if (log_replay(s, err) == -1)
			return -1;
	}
	s->reload = 0;
	return 0;
}

/*
 * Bring the state up to date before a call: nothing to do if neither file
 * changed, the new tail of the log if only it grew, else a full reload.
 */
static int
sim_load(struct sim *s, struct jd_error *err)
{
	struct stat sb;
	int have;

	if (s->st == NULL || s->reload)
		return sim_reload(s, err);
	if (stat(s->state_path, &sb) == -1) {
		if (errno != ENOENT)
			return jd_error_sys(err, JD_E_IO, errno, "stat %s: %s",
			    s->state_path, strerror(errno));
		have = 0;
	} else
		have = 1;
	if (have != s->have_snap || (have && !same_file(&sb, &s->snap_sb)))
		return sim_reload(s, err);
	if (stat(s->log_path, &sb) == -1) {
		if (errno != ENOENT)
			return jd_error_sys(err, JD_E_IO, errno, "stat %s: %s",
			    s->log_path, strerror(errno));
		return s->logfd == -1 ? 0 : sim_reload(s, err);
	}
	if (s->logfd == -1 || sb.st_ino != s->log_ino ||
	    sb.st_dev != s->log_dev || sb.st_size < s->log_off)
		return sim_reload(s, err);
	if (s->log_stale || sb.st_size == s->log_off)
		return 0;
	if (log_replay(s, err) == -1) {
		s->reload = 1;
		return -1;
	}
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write text to a new file path (O_EXCL); no fsync (see the top). */
static int
file_create(const char *path, const char *text, size_t len)
{
	int fd, saved;

	(void)unlink(path);	/* left by a process that died */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if (write_all(fd, text, len) == -1) {
		saved = errno;
		close(fd);
		(void)unlink(path);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1) {
		saved = errno;
		(void)unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * Compact: the whole state as snapshot generation G+1, a log with only
 * its header, both renamed into place (snapshot first).
 */
static int
sim_compact(struct sim *s, struct jd_error *err)
{
	struct buf stmp = { 0 }, ltmp = { 0 }, hdr = { 0 };
	struct stat sb;
	char *text = NULL;
	long long gen = s->gen + 1;
	int fd = -1, saved, rc = -1;

	s->reload = 1;		/* until this completes */
	if (json_object_set_new(s->st, "gen", json_integer(gen)) == -1 ||
	    (text = json_dumps(s->st, JSON_COMPACT)) == NULL ||
	    buf_printf(&stmp, "%s.tmp.%ld", s->state_path,
	    (long)getpid()) == -1 || buf_printf(&ltmp, "%s.tmp.%ld",
	    s->log_path, (long)getpid()) == -1 ||
	    buf_printf(&hdr, "{\"gen\":%lld}\n", gen) == -1) {
		jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (file_create(stmp.data, text, strlen(text)) == -1 ||
	    file_create(ltmp.data, hdr.data, hdr.len) == -1 ||
	    rename(stmp.data, s->state_path) == -1 ||
	    rename(ltmp.data, s->log_path) == -1)
		goto syserr;
	if ((fd = open(s->log_path, O_RDWR | O_APPEND | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1)
		goto syserr;
	if (s->logfd != -1)
		close(s->logfd);
	s->logfd = fd;
	fd = -1;
	s->log_ino = sb.st_ino;
	s->log_dev = sb.st_dev;
	s->log_off = s->log_size = (off_t)hdr.len;
	s->log_stale = 0;
	if (stat(s->state_path, &s->snap_sb) == -1)
		goto syserr;
	s->have_snap = 1;
	s->gen = gen;
	s->reload = 0;
	rc = 0;
	goto done;
syserr:
	saved = errno;
	jd_error_sys(err, JD_E_IO, saved, "write %s: %s", s->state_path,
	    strerror(saved));
	if (fd != -1)
		close(fd);
	(void)unlink(stmp.data);
	(void)unlink(ltmp.data);
done:
	free(text);
	buf_free(&stmp);
	buf_free(&ltmp);
	buf_free(&hdr);
	return rc;
}

/*
 * Make this call's changes durable: one log line with the value of every
 * touched entry, or a compaction when there is no usable log (or it grew
 * too big).  On failure the memory no longer matches the files, so the
 * next call reloads them.
 */
static int
sim_flush(struct sim *s, struct jd_error *err)
{
	json_t *rec = NULL, *c, *e, *v, *t;
	struct jd_error cerr;
	const char *k;
	char *line = NULL;
	size_t len;
	ssize_t w;
	int rc = -1, saved;

	if (json_object_size(s->chg) == 0 && !s->lost)
		return 0;
	if (s->lost || s->logfd == -1 || s->log_stale) {
		rc = sim_compact(s, err);
		goto done;
	}
	if ((rec = json_pack("{s:[]}", "c")) == NULL)
		goto nomem;
	c = json_object_get(rec, "c");
	json_object_foreach(s->chg, k, t) {
		v = k[0] == 't' ? json_object_get(s->st, k + 1) :
		    json_object_get(kind_obj(s, k[0]), k + 1);
		e = json_pack("[s#, s, O?]", k, 1, k + 1, v);
		if (e == NULL || json_array_append_new(c, e) == -1)
			goto nomem;
	}
	if ((line = json_dumps(rec, JSON_COMPACT)) == NULL)
		goto nomem;
	len = strlen(line);
	line[len++] = '\n';	/* replaces the NUL; written by length */
	/* Cut off a line left unfinished by a writer that was killed. */
	if (s->log_size != s->log_off &&
	    ftruncate(s->logfd, s->log_off) == -1)
		goto syserr;
	s->log_size = s->log_off;
	do {
		w = write(s->logfd, line, len);
	} while (w == -1 && errno == EINTR);
	if (w != (ssize_t)len) {
		if (w >= 0)
			errno = ENOSPC;
		saved = errno;
		(void)ftruncate(s->logfd, s->log_off);
		errno = saved;
		goto syserr;
	}
	s->log_off += (off_t)len;
	s->log_size = s->log_off;
	rc = 0;
	if (s->log_off > SIM_LOG_COMPACT && s->log_off > s->snap_sb.st_size)
		(void)sim_compact(s, &cerr);	/* the line is durable */
	goto done;
nomem:
	jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	goto done;
syserr:
	jd_error_sys(err, JD_E_IO, errno, "write %s: %s", s->log_path,
	    strerror(errno));
done:
	if (rc == -1)
		s->reload = 1;
	json_object_clear(s->chg);
	s->lost = 0;
	json_decref(rec);
	free(line);
	return rc;
}

static int
sim_lock(struct sim *s, struct jd_error *err)
{
	while (flock(s->lockfd, LOCK_EX) == -1) {
		if (errno != EINTR)
			return jd_error_sys(err, JD_E_IO, errno, "flock %s: %s",
			    s->lock_path, strerror(errno));
	}
	s->locked = 1;
	if (sim_load(s, err) == -1) {
		flock(s->lockfd, LOCK_UN);
		s->locked = 0;
		return -1;
	}
	return 0;
}

static void
sim_unlock(struct sim *s)
{
	if (s->locked) {
		flock(s->lockfd, LOCK_UN);
		s->locked = 0;
	}
}

/*
 * Drop dying prisons whose linger time is over.  Every process does this
 * at the start of each call from the same gone_at, so it is not logged.
 */
static void
sim_prune(struct sim *s)
{
	json_t *p;
	const char *key;
	void *it;
	long long now = now_ms(), g, next = LLONG_MAX;

	if (now < s->min_gone)
		return;
	json_object_foreach_safe(json_object_get(s->st, "prisons"), it, key,
	    p) {
		if (!json_is_true(json_object_get(p, "dying")))
			continue;
		g = json_integer_value(json_object_get(p, "gone_at"));
		if (g <= now)
			(void)ent_put(s, 'p', key, NULL, 0);
		else if (g < next)
			next = g;
	}
	s->min_gone = next;
}

static void
sim_journal(struct sim *s, const char *line)
{
	struct buf b = { 0 };
	int fd;

	if (buf_printf(&b, "%s%s\n", (s->flags & HOST_OPEN_ADMIN) ?
	    "admin " : "", line) == -1)
		goto done;
	fd = open(s->journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (fd != -1) {
		(void)write_all(fd, b.data, b.len);
		close(fd);
	}
done:
	buf_free(&b);
}

/*
 * Start a call: take the lock, load, apply delays (sleeping without the
 * lock) and count faults.  Returns 0, or -1 with err filled: either the
 * lock or load failed (*faulted = 0) or an injected fault fires
 * (*faulted = its errno, the lock still held).
 */
static int
sim_begin(struct sim *s, const char *op, int *faulted, struct jd_error *err)
{
	json_t *faults, *f, *d;
	const char *fop;
	long long count, n, delay = 0;
	int mut = sim_op_mutating(op), fire = 0, every;
	size_t i;

	*faulted = 0;
	if (sim_lock(s, err) == -1)
		return -1;
	sim_prune(s);
	if (s->flags & HOST_OPEN_ADMIN)
		return 0;
	d = json_object_get(s->st, "delays");
	if (json_is_integer(json_object_get(d, op)))
		delay += json_integer_value(json_object_get(d, op));
	if (mut && json_is_integer(json_object_get(d, "any")))
		delay += json_integer_value(json_object_get(d, "any"));
	if (delay > 0) {
		if (sim_flush(s, err) == -1) {
			sim_unlock(s);
			return -1;
		}
		sim_unlock(s);
		sleep_ms((long)delay);
		if (sim_lock(s, err) == -1)
			return -1;
		sim_prune(s);
	}
	faults = st_arr(s, "faults");
	for (i = 0; i < json_array_size(faults); ) {
		f = json_array_get(faults, i);
		fop = json_string_value(json_object_get(f, "op"));
		if (fop == NULL || !(strcmp(fop, op) == 0 ||
		    (mut && strcmp(fop, "any") == 0))) {
			i++;
			continue;
		}
		count = json_integer_value(json_object_get(f, "count")) + 1;
		n = json_integer_value(json_object_get(f, "n"));
		every = json_is_true(json_object_get(f, "every"));
		json_object_set_new(f, "count", json_integer(count));
		touch(s, 't', "faults");
		if (count == n || (every && count >= n)) {
			if (fire == 0)
				fire = (int)json_integer_value(
				    json_object_get(f, "errno"));
			if (!every) {
				json_array_remove(faults, i);
				continue;
			}
		}
		i++;
	}
	if (fire != 0) {
		*faulted = fire;
		return host_error(err, fire, NULL);
	}
	return 0;
}

/*
 * Finish a call: journal line (with " -> ENAME" when rc is -1), save if
 * the state changed, unlock.  Returns rc, or -1 if saving failed.
 */
static int
sim_end(struct sim *s, const char *line, int rc, struct jd_error *err)
{
	struct buf b = { 0 };
	const char *en;

	if (line != NULL) {
		if (rc == -1) {
			en = host_errno_name(err != NULL ? err->sys_errno : 0);
			if (buf_printf(&b, "%s -> %s", line,
			    en != NULL ? en : "error") == 0)
				sim_journal(s, b.data);
			buf_free(&b);
		} else
			sim_journal(s, line);
	}
	if (s->locked) {
		struct jd_error serr;

		if (sim_flush(s, &serr) == -1 && rc == 0) {
			if (err != NULL)
				*err = serr;
			rc = -1;
		}
	}
	sim_unlock(s);
	return rc;
}

/* Prisons. */

static json_t *
prison_by_jid(struct sim *s, long long jid, int include_dying)
{
	char key[32];
	json_t *p;

	jid_key(key, sizeof(key), jid);
	p = json_object_get(json_object_get(s->st, "prisons"), key);
	if (p != NULL && !include_dying &&
	    json_is_true(json_object_get(p, "dying")))
		return NULL;
	return p;
}

/* Live by name first; a dying one only if include_dying and none live. */
static json_t *
prison_by_name(struct sim *s, const char *name, int include_dying)
{
	json_t *p, *dead = NULL;
	size_t i;

	json_array_foreach(json_object_get(s->names, name), i, p) {
		if (!json_is_true(json_object_get(p, "dying")))
			return p;
		if (dead == NULL)
			dead = p;
	}
	return include_dying ? dead : NULL;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A canonical jid in text: no leading zero, 1..JAIL_MAX. */
static long long
canonical_jid(const char *s)
{
	long long v;

	if (!all_digits(s) || s[0] == '0' || strlen(s) > 6)
		return -1;
	v = strtoll(s, NULL, 10);
	return v >= 1 && v <= SIM_JAIL_MAX ? v : -1;
}

static int
jid_in_use(struct sim *s, long long jid)
{
	return prison_by_jid(s, jid, 1) != NULL;
}

/* get_next_prid: lastprid % JAIL_MAX + 1 upwards, wrapping once. */
static long long
next_jid(struct sim *s)
{
	long long start = st_int(s, "lastprid") % SIM_JAIL_MAX + 1, j = start;

	do {
		if (!jid_in_use(s, j))
			return j;
		j = j % SIM_JAIL_MAX + 1;
	} while (j != start);
	return -1;
}

/* A dying prison loses its jid to a new one: renumber it downwards. */
static void
renumber_dying(struct sim *s, json_t *p)
{
	long long d = st_int(s, "lastdeadid");
	char key[32];

	if (d <= 0)
		d = SIM_JAIL_MAX + 1;
	do {
		d--;
	} while (d > 0 && jid_in_use(s, d));
	(void)st_set_int(s, "lastdeadid", d);
	/* Re-key it: the old jid's entry goes, the new one comes. */
	json_incref(p);
	jid_key(key, sizeof(key), json_integer_value(json_object_get(p,
	    "jid")));
	(void)ent_put(s, 'p', key, NULL, 1);
	json_object_set_new(p, "jid", json_integer(d));
	jid_key(key, sizeof(key), d);
	if (ent_put(s, 'p', key, p, 1) == -1)
		s->lost = 1;
	json_decref(p);
}

/* Parameter values. */

struct ipset {
	int		v6;
	size_t		n;
	unsigned char	a[SIM_MAX_AF_IPS][16];
};

static int
ip_cmp4(const void *x, const void *y)
{
	uint32_t a = ntohl(*(const uint32_t *)x), b = ntohl(*(const uint32_t *)y);

	return a < b ? -1 : a > b;
}

static int
ip_cmp6(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

/* Parse an address list; on success the set is in kernel order. */
static int
ipset_parse(const char *name, const char *text, int v6, struct ipset *set,
    struct jd_error *err)
{
	char one[INET6_ADDRSTRLEN + 1];
	const char *p = text, *comma;
	size_t len, i, asz = v6 ? 16 : 4;
	unsigned char tmp[SIM_MAX_AF_IPS][16];

	memset(set, 0, sizeof(*set));
	set->v6 = v6;
	if (*text == '\0' || strcmp(text, "-") == 0)
		return 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (set->n == SIM_MAX_AF_IPS)
			return host_error(err, EINVAL, v6 ?
			    "too many IPv6 addresses" :
			    "too many IPv4 addresses");
		if (len == 0 || len >= sizeof(one))
			goto bad;
		memcpy(one, p, len);
		one[len] = '\0';
		if (inet_pton(v6 ? AF_INET6 : AF_INET, one,
		    set->a[set->n]) != 1)
			goto bad;
		if ((!v6 && (memcmp(set->a[set->n], "\0\0\0\0", 4) == 0 ||
		    memcmp(set->a[set->n], "\377\377\377\377", 4) == 0)) ||
		    (v6 && memcmp(set->a[set->n], &in6addr_any, 16) == 0))
			return host_error(err, EINVAL, NULL);
		for (i = 0; i < set->n; i++)
			if (memcmp(set->a[i], set->a[set->n], asz) == 0)
				return host_error(err, EINVAL, NULL);
		set->n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	/* The first address is the primary; the rest are kept sorted. */
	if (set->n > 2) {
		for (i = 1; i < set->n; i++)
			memcpy(tmp[i - 1], set->a[i], asz);
		qsort(tmp, set->n - 1, sizeof(tmp[0]), v6 ? ip_cmp6 : ip_cmp4);
		for (i = 1; i < set->n; i++)
			memcpy(set->a[i], tmp[i - 1], asz);
	}
	return 0;
bad:
	{
		char msg[128];

		snprintf(msg, sizeof(msg), "%s: not an %s address", name,
		    v6 ? "IPv6" : "IPv4");
		return host_error(err, EINVAL, msg);
	}
}

static int
ipset_text(const struct ipset *set, struct buf *b)
{
	char one[INET6_ADDRSTRLEN];
	size_t i;

	buf_reset(b);
	if (buf_puts(b, "") == -1)
		return -1;
	for (i = 0; i < set->n; i++) {
		inet_ntop(set->v6 ? AF_INET6 : AF_INET, set->a[i], one,
		    sizeof(one));
		if ((i > 0 && buf_putc(b, ',') == -1) || buf_puts(b, one) == -1)
			return -1;
	}
	return 0;
}

static int
ipset_overlap(const struct ipset *x, const struct ipset *y)
{
	size_t i, j, asz = x->v6 ? 16 : 4;

	for (i = 0; i < x->n; i++)
		for (j = 0; j < y->n; j++)
			if (memcmp(x->a[i], y->a[j], asz) == 0)
				return 1;
	return 0;
}

/*
 * Canonical text of a value of def (not an address list) into out.
 * Errors are the kernel's: EINVAL for bad values, ENAMETOOLONG for
 * strings too long.
 */
static int
value_canon(const struct param_def *def, const char *value, char *out,
    size_t outsz, struct jd_error *err)
{
	char msg[JD_ERR_MSG_MAX];
	const char *name = def->name;
	long long v;
	char *end;

	switch (def->type) {
	case PARAM_BOOL:
		if (strcasecmp(value, "true") == 0)
			v = 1;
		else if (strcasecmp(value, "false") == 0 || *value == '\0')
			v = 0;
		else {
			errno = 0;
			v = strtoll(value, &end, 10);
			if (errno != 0 || *end != '\0') {
				snprintf(msg, sizeof(msg),
				    "%s: unknown boolean value \"%s\"", name,
				    value);
				return host_error(err, EINVAL, msg);
			}
		}
		snprintf(out, outsz, "%s", v ? "true" : "false");
		return 0;
	case PARAM_JAILSYS:
		if (*value == '\0' || strcasecmp(value, "new") == 0 ||
		    strcmp(value, "1") == 0)
			snprintf(out, outsz, "new");
		else if (strcasecmp(value, "inherit") == 0 ||
		    strcmp(value, "2") == 0)
			snprintf(out, outsz, "inherit");
		else if (strcasecmp(value, "disable") == 0 ||
		    strcmp(value, "0") == 0) {
			if (def->flags & PARAM_F_NO_DISABLE)
				return host_error(err, EINVAL, NULL);
			snprintf(out, outsz, "disable");
		} else {
			snprintf(msg, sizeof(msg),
			    "%s: unknown jailsys value \"%s\"", name, value);
			return host_error(err, EINVAL, msg);
		}
		return 0;
	case PARAM_INT:
	case PARAM_UINT:
	case PARAM_ULONG:
		errno = 0;
		v = strtoll(value, &end, 10);
		if (*value == '\0' || errno != 0 || *end != '\0') {
			snprintf(msg, sizeof(msg), "%s: non-integer value "
			    "\"%s\"", name, value);
			return host_error(err, EINVAL, msg);
		}
		if (strcmp(name, "osreldate") == 0 && v == 0)
			return host_error(err, EINVAL, "osreldate cannot be 0");
		if (strcmp(name, "jid") == 0 && v < 0)
			return host_error(err, EINVAL, "negative jid");
		if (v < def->min || v > def->max) {
			snprintf(msg, sizeof(msg), "%s: value %lld out of "
			    "range %lld..%lld", name, v, def->min, def->max);
			return host_error(err, EINVAL, msg);
		}
		snprintf(out, outsz, "%lld", v);
		return 0;
	case PARAM_STRING:
		if (strcmp(name, "osrelease") == 0 &&
		    (*value == '\0' || strlen(value) > def->maxlen))
			return host_error(err, ENAMETOOLONG,
			    "osrelease string must be 1-31 bytes long");
		if (strlen(value) > def->maxlen)
			return host_error(err, ENAMETOOLONG, NULL);
		if (strlen(value) >= outsz)
			return host_error(err, ENAMETOOLONG, NULL);
		snprintf(out, outsz, "%s", value);
		return 0;
	case PARAM_IP4LIST:
	case PARAM_IP6LIST:
		break;
	}
	return host_error(err, EINVAL, NULL);
}

/*
 * Check every parameter of a jail_set call and put the canonical text of
 * each into norm (a JSON object name -> text).  "noX" booleans become
 * X=false.  Unknown and read-only names are "unknown parameter: X".  With
 * update, create-only parameters (other than jid, the lookup key) are
 * refused before anything else, as the kernel does.
 */
static int
params_normalize(const struct host_params *in, int update, json_t *norm,
    struct jd_error *err)
{
	char msg[JD_ERR_MSG_MAX], val[1100];
	const struct param_def *def;
	const char *name, *value, *dot;
	char pos[300];
	size_t i;

	for (i = 0; i < in->n; i++) {
		name = in->v[i].name;
		value = in->v[i].value != NULL ? in->v[i].value : "";
		def = catalog_lookup(name);
		if (def == NULL) {
			/* allow.nomount, nopersist: the "no" boolean form */
			dot = strrchr(name, '.');
			dot = dot != NULL ? dot + 1 : name;
			if (strncmp(dot, "no", 2) == 0 &&
			    strlen(name) < sizeof(pos)) {
				snprintf(pos, sizeof(pos), "%.*s%s",
				    (int)(dot - name), name, dot + 2);
				def = catalog_lookup(pos);
				if (def != NULL && def->type == PARAM_BOOL &&
				    !(def->flags & PARAM_F_READONLY)) {
					/* libjail: noX=v sets X to !v, and
					   "" reads as false */
					if (value_canon(def, value, val,
					    sizeof(val), err) == -1)
						return -1;
					if (json_object_set_new(norm, def->name,
					    json_string(strcmp(val, "true") ==
					    0 ? "false" : "true")) == -1)
						return host_error(err, ENOMEM,
						    NULL);
					continue;
				}
				def = NULL;
			}
		}
		if (def == NULL || (def->flags & PARAM_F_READONLY)) {
			snprintf(msg, sizeof(msg), "unknown parameter: %s",
			    name);
			return host_error(err, EINVAL, msg);
		}
		if (update && (def->flags & PARAM_F_CREATE_ONLY) &&
		    strcmp(def->name, "jid") != 0) {
			snprintf(msg, sizeof(msg),
			    "%s cannot be changed after creation", def->name);
			return host_error(err, EINVAL, msg);
		}
		if (def->type == PARAM_IP4LIST || def->type == PARAM_IP6LIST ||
		    strcmp(def->name, "name") == 0) {
			/* checked by the caller, which knows the prison */
			if (json_object_set_new(norm, def->name,
			    json_string(value)) == -1)
				return host_error(err, ENOMEM, NULL);
			continue;
		}
		if (value_canon(def, value, val, sizeof(val), err) == -1)
			return -1;
		if (json_object_set_new(norm, def->name, json_string(val)) == -1)
			return host_error(err, ENOMEM, NULL);
	}
	return 0;
}

/* The prison's address set of one family (mode "inherit": none). */
static int
prison_ipset(json_t *p, int v6, struct ipset *set)
{
	json_t *params = json_object_get(p, "params");
	const char *t = json_string_value(json_object_get(params,
	    v6 ? "ip6.addr" : "ip4.addr"));

	memset(set, 0, sizeof(*set));
	set->v6 = v6;
	if (t == NULL)
		return 0;
	return ipset_parse("ip", t, v6, set, NULL);
}

static int
prison_restricted(json_t *p, int v6)
{
	json_t *params = json_object_get(p, "params");
	const char *m = json_string_value(json_object_get(params,
	    v6 ? "ip6" : "ip4"));
	const char *vnet = json_string_value(json_object_get(params, "vnet"));

	if (vnet != NULL && strcmp(vnet, "new") == 0)
		return 0;
	return m == NULL || strcmp(m, "inherit") != 0;
}

/* Does set clash with another live restricted prison (not self)? */
static int
ip_clash(struct sim *s, json_t *self, const struct ipset *set)
{
	json_t *p;
	const char *key;
	struct ipset other;

	if (set->n == 0)
		return 0;
	json_object_foreach(json_object_get(s->st, "prisons"), key, p) {
		if (p == self || json_is_true(json_object_get(p, "dying")) ||
		    !prison_restricted(p, set->v6))
			continue;
		if (prison_ipset(p, set->v6, &other) == -1)
			continue;
		if (set->n == 1 && other.n == 1)
			continue;
		if (ipset_overlap(set, &other))
			return 1;
	}
	return 0;
}

/*
 * Apply the address lists in norm to prison params (object), checking
 * them; restricted tells whether the prison is restricted per family.
 */
static int
apply_iplists(struct sim *s, json_t *self, json_t *norm, json_t *params,
    const int restricted[2], struct jd_error *err)
{
	static const char *const keys[2] = { "ip4.addr", "ip6.addr" };
	struct ipset set;
	struct buf b = { 0 };
	const char *t;
	char msg[64];
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		t = json_string_value(json_object_get(norm, keys[v6]));
		if (t == NULL)
			continue;
		if (!restricted[v6]) {
			snprintf(msg, sizeof(msg),
			    "ip%d cannot be changed after creation",
			    v6 ? 6 : 4);
			return host_error(err, EINVAL, msg);
		}
		if (ipset_parse(keys[v6], t, v6, &set, err) == -1)
			return -1;
		if (ip_clash(s, self, &set))
			return host_error(err, EADDRINUSE, v6 ?
			    "IPv6 addresses clash" : "IPv4 addresses clash");
		if (ipset_text(&set, &b) == -1 ||
		    json_object_set_new(params, keys[v6], json_string(b.data))
		    == -1) {
			buf_free(&b);
			return host_error(err, ENOMEM, NULL);
		}
	}
	buf_free(&b);
	return 0;
}

/*
 * Check a new name for a prison that has (or will get) jid.  *jidp: in, the
 * requested jid (0 = none); out, the jid a numeric name asks for.
 */
static int
name_check(struct sim *s, json_t *self, const char *name, long long *jidp,
    struct jd_error *err)
{
	char msg[JD_ERR_MSG_MAX];
	const char *dot;
	json_t *other;
	long long n;

	if (strlen(name) >= 256)
		return host_error(err, ENAMETOOLONG, NULL);
	if ((dot = strrchr(name, '.')) != NULL) {
		char parent[256];

		/* The parent part is looked up as the kernel does. */
		snprintf(parent, sizeof(parent), "%.*s", (int)(dot - name),
		    name);
		if ((other = prison_by_name(s, parent, 1)) == NULL) {
			snprintf(msg, sizeof(msg), "jail \"%s\" not found",
			    parent);
			return host_error(err, ENOENT, msg);
		}
		if (json_is_true(json_object_get(other, "dying"))) {
			snprintf(msg, sizeof(msg), "jail \"%s\" is dying",
			    parent);
			return host_error(err, ENOENT, msg);
		}
		return host_error(err, EINVAL, "hierarchical jails are not "
		    "supported by the simulated host");
	}
	if (all_digits(name)) {
		n = canonical_jid(name);
		if (n == -1 || (*jidp != 0 && n != *jidp))
			return host_error(err, EINVAL,
			    "name cannot be numeric (unless it is the jid)");
		*jidp = n;
	}
	if (*name != '\0' && (other = prison_by_name(s, name, 0)) != NULL &&
	    other != self) {
		snprintf(msg, sizeof(msg), "jail \"%s\" already exists", name);
		return host_error(err, EEXIST, msg);
	}
	return 0;
}

static int
sim_create_locked(struct sim *s, const struct host_params *in, int *jidp,
    struct jd_error *err)
{
	json_t *norm = NULL, *params = NULL, *p = NULL, *old, *v;
	const struct param_def *def;
	const char *name = NULL, *persist, *key, *m4, *m6;
	char msg[JD_ERR_MSG_MAX], jidtext[16];
	long long jid = 0, want;
	int restricted[2], rc = -1;
	size_t i;

	if ((norm = json_object()) == NULL ||
	    (params = json_object()) == NULL) {
		host_error(err, ENOMEM, NULL);
		goto done;
	}
	if (params_normalize(in, 0, norm, err) == -1)
		goto done;
	persist = json_string_value(json_object_get(norm, "persist"));
	if (persist == NULL || strcmp(persist, "true") != 0) {
		host_error(err, EINVAL, "new jail must persist or attach");
		goto done;
	}
	if ((v = json_object_get(norm, "jid")) != NULL)
		jid = strtoll(json_string_value(v), NULL, 10);
	if (jid != 0 && prison_by_jid(s, jid, 0) != NULL) {
		snprintf(msg, sizeof(msg), "jail %lld already exists", jid);
		host_error(err, EEXIST, msg);
		goto done;
	}
	name = json_string_value(json_object_get(norm, "name"));
	want = jid;
	if (name != NULL && name_check(s, NULL, name, &want, err) == -1)
		goto done;
	if (want != jid) {
		/* an all-digit name asks for that jid */
		jid = want;
		if (prison_by_jid(s, jid, 0) != NULL) {
			snprintf(msg, sizeof(msg), "jail %lld already exists",
			    jid);
			host_error(err, EEXIST, msg);
			goto done;
		}
	}
	/* Defaults for a new top-level prison, then the caller's values. */
	for (i = 0; i < catalog_count(); i++) {
		def = catalog_at(i);
		if (def->dflt != NULL && !(def->flags & PARAM_F_READONLY) &&
		    strcmp(def->name, "vnet") != 0 &&
		    json_object_set_new(params, def->name,
		    json_string(def->dflt)) == -1)
			goto nomem;
	}
	for (i = 0; i < sizeof(sim_inherited) / sizeof(sim_inherited[0]); i++)
		if (json_object_set_new(params, sim_inherited[i].name,
		    json_string(sim_inherited[i].value)) == -1)
			goto nomem;
	if (json_object_set_new(params, "vnet", json_string("inherit")) == -1)
		goto nomem;
	json_object_foreach(norm, key, v) {
		if (strcmp(key, "jid") == 0 || strcmp(key, "name") == 0 ||
		    strcmp(key, "ip4.addr") == 0 || strcmp(key, "ip6.addr") == 0)
			continue;
		if (json_object_set(params, key, v) == -1)
			goto nomem;
	}
	/* ip4 / ip6: restricted unless inherit; reported as disable. */
	m4 = json_string_value(json_object_get(norm, "ip4"));
	m6 = json_string_value(json_object_get(norm, "ip6"));
	restricted[0] = m4 == NULL || strcmp(m4, "inherit") != 0;
	restricted[1] = m6 == NULL || strcmp(m6, "inherit") != 0;
	if (strcmp(json_string_value(json_object_get(params, "vnet")),
	    "new") == 0 && ((json_object_get(norm, "ip4.addr") != NULL &&
	    *json_string_value(json_object_get(norm, "ip4.addr")) != '\0') ||
	    (json_object_get(norm, "ip6.addr") != NULL &&
	    *json_string_value(json_object_get(norm, "ip6.addr")) != '\0'))) {
		host_error(err, EINVAL,
		    "vnet jails cannot have IP address restrictions");
		goto done;
	}
	if (json_object_set_new(params, "ip4", json_string(restricted[0] ?
	    "disable" : "inherit")) == -1 || json_object_set_new(params, "ip6",
	    json_string(restricted[1] ? "disable" : "inherit")) == -1 ||
	    json_object_set_new(params, "ip4.addr", json_string("")) == -1 ||
	    json_object_set_new(params, "ip6.addr", json_string("")) == -1)
		goto nomem;
	if (!restricted[0])
		json_object_del(params, "ip4.addr");
	if (!restricted[1])
		json_object_del(params, "ip6.addr");
	if (apply_iplists(s, NULL, norm, params, restricted, err) == -1)
		goto done;
	/* Pick the jid; a dying holder of a requested one is renumbered. */
	if (jid == 0) {
		if ((jid = next_jid(s)) == -1) {
			host_error(err, EAGAIN, "no available jail IDs");
			goto done;
		}
		(void)st_set_int(s, "lastprid", jid);
	} else if ((old = prison_by_jid(s, jid, 1)) != NULL)
		renumber_dying(s, old);
	snprintf(jidtext, sizeof(jidtext), "%lld", jid);
	if (name == NULL || *name == '\0')
		name = jidtext;
	p = json_pack("{s:I, s:s, s:b, s:I, s:O}", "jid", (json_int_t)jid,
	    "name", name, "dying", 0, "gone_at", (json_int_t)0, "params",
	    params);
	if (p == NULL || ent_put(s, 'p', jidtext, p, 1) == -1)
		goto nomem;
	*jidp = (int)jid;
	rc = 0;
	goto done;
nomem:
	host_error(err, ENOMEM, NULL);
done:
	json_decref(p);
	json_decref(norm);
	json_decref(params);
	return rc;
}

/* Journal text of a parameter list: "name=value ..." */
static void
params_line(struct buf *b, const char *op, const char *key,
    const struct host_params *in)
{
	size_t i;

	(void)buf_puts(b, op);
	if (key != NULL)
		(void)buf_printf(b, " %s", key);
	for (i = 0; i < in->n; i++)
		(void)buf_printf(b, " %s=%s", in->v[i].name,
		    in->v[i].value != NULL ? in->v[i].value : "");
}

static int
sim_prison_create(struct host *h, const struct host_params *in, int *jidp,
    struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 };
	int rc, faulted;

	params_line(&line, "create", NULL, in);
	rc = sim_begin(s, "create", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0)
		rc = sim_create_locked(s, in, jidp, err);
	if (rc == 0)
		(void)buf_printf(&line, " -> jid %d", *jidp);
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&line);
	return rc;
}

/* Find the live prison an update or get names by key. */
static json_t *
prison_by_key(struct sim *s, const char *key, int include_dying,
    struct jd_error *err)
{
	char msg[JD_ERR_MSG_MAX];
	json_t *p;
	long long jid;

	if (key == NULL || *key == '\0') {
		host_error(err, ENOENT, "update specified no jail");
		return NULL;
	}
	if (all_digits(key)) {
		jid = strtoll(key, NULL, 10);
		if ((p = prison_by_jid(s, jid, include_dying)) != NULL)
			return p;
		if (prison_by_jid(s, jid, 1) != NULL)
			snprintf(msg, sizeof(msg), "jail %lld is dying", jid);
		else
			snprintf(msg, sizeof(msg), "jail %lld not found", jid);
		host_error(err, ENOENT, msg);
		return NULL;
	}
	if ((p = prison_by_name(s, key, include_dying)) != NULL)
		return p;
	if ((p = prison_by_name(s, key, 1)) != NULL)
		snprintf(msg, sizeof(msg), "jail \"%s\" (%lld) is dying", key,
		    (long long)json_integer_value(json_object_get(p, "jid")));
	else
		snprintf(msg, sizeof(msg), "jail \"%s\" not found", key);
	host_error(err, ENOENT, msg);
	return NULL;
}

static void
prison_kill(struct sim *s, json_t *p)
{
	json_t *params = json_object_get(p, "params");
	char key[32];
	long long g;

	json_object_set_new(p, "dying", json_true());
	json_object_set_new(p, "gone_at", json_integer(now_ms() +
	    st_int(s, "linger_ms")));
	json_object_set_new(params, "persist", json_string("false"));
	g = json_integer_value(json_object_get(p, "gone_at"));
	if (g < s->min_gone)
		s->min_gone = g;
	jid_key(key, sizeof(key), json_integer_value(json_object_get(p,
	    "jid")));
	touch(s, 'p', key);
}

static int
sim_update_locked(struct sim *s, const char *key, const struct host_params *in,
    int *jidp, struct jd_error *err)
{
	json_t *norm = NULL, *p, *params = NULL, *v;
	const char *k, *newname;
	char jkey[32];
	long long jid;
	int restricted[2], rc = -1;

	if ((norm = json_object()) == NULL) {
		host_error(err, ENOMEM, NULL);
		goto done;
	}
	if (params_normalize(in, 1, norm, err) == -1)
		goto done;
	if ((p = prison_by_key(s, key, 0, err)) == NULL)
		goto done;
	jid = json_integer_value(json_object_get(p, "jid"));
	if ((v = json_object_get(norm, "jid")) != NULL &&
	    strtoll(json_string_value(v), NULL, 10) != jid) {
		host_error(err, EINVAL, "cannot change jid");
		goto done;
	}
	newname = json_string_value(json_object_get(norm, "name"));
	if (newname != NULL) {
		long long want = jid;

		if (*newname == '\0') {
			host_error(err, EINVAL, NULL);
			goto done;
		}
		if (name_check(s, p, newname, &want, err) == -1)
			goto done;
	}
	/* Work on a copy so a failure leaves the prison untouched. */
	if ((params = json_deep_copy(json_object_get(p, "params"))) == NULL) {
		host_error(err, ENOMEM, NULL);
		goto done;
	}
	restricted[0] = prison_restricted(p, 0);
	restricted[1] = prison_restricted(p, 1);
	if (apply_iplists(s, p, norm, params, restricted, err) == -1)
		goto done;
	json_object_foreach(norm, k, v) {
		if (strcmp(k, "jid") == 0 || strcmp(k, "name") == 0 ||
		    strcmp(k, "ip4.addr") == 0 || strcmp(k, "ip6.addr") == 0)
			continue;
		if (json_object_set(params, k, v) == -1) {
			host_error(err, ENOMEM, NULL);
			goto done;
		}
	}
	json_object_set(p, "params", params);
	jid_key(jkey, sizeof(jkey), jid);
	if (newname != NULL) {
		/* Renamed: move it in the name index. */
		idx_del(s, 'p', jkey, p);
		json_object_set_new(p, "name", json_string(newname));
		idx_add(s, 'p', jkey, p);
	}
	touch(s, 'p', jkey);
	/* No processes in the simulation: without persist it dies. */
	if (strcmp(json_string_value(json_object_get(params, "persist")),
	    "true") != 0)
		prison_kill(s, p);
	*jidp = (int)jid;
	rc = 0;
done:
	json_decref(norm);
	json_decref(params);
	return rc;
}

static int
sim_prison_update(struct host *h, const char *key,
    const struct host_params *in, int *jidp, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 };
	int rc, faulted;

	params_line(&line, "update", key != NULL ? key : "-", in);
	rc = sim_begin(s, "update", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0)
		rc = sim_update_locked(s, key, in, jidp, err);
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&line);
	return rc;
}

static int
sim_prison_remove(struct host *h, int jid, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 };
	json_t *p;
	int rc, faulted;

	(void)buf_printf(&line, "remove %d", jid);
	rc = sim_begin(s, "remove", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0) {
		if ((p = prison_by_jid(s, jid, 1)) == NULL)
			rc = host_error(err, EINVAL, NULL);
		else {
			(void)buf_printf(&line, " (%s)", json_string_value(
			    json_object_get(p, "name")));
			if (!json_is_true(json_object_get(p, "dying")))
				prison_kill(s, p);
		}
	}
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&line);
	return rc;
}

static int
param_cmp(const void *a, const void *b)
{
	return strcmp(((const struct host_param *)a)->name,
	    ((const struct host_param *)b)->name);
}

/* An owned host_prison from a state entry. */
static int
prison_export(json_t *p, struct host_prison *out)
{
	json_t *params = json_object_get(p, "params"), *v;
	const char *k;
	char num[32];

	memset(out, 0, sizeof(*out));
	out->jid = (int)json_integer_value(json_object_get(p, "jid"));
	out->dying = json_is_true(json_object_get(p, "dying"));
	out->name = jd_strdup(json_string_value(json_object_get(p, "name")));
	out->path = jd_strdup(json_string_value(json_object_get(params,
	    "path")));
	out->hostname = jd_strdup(json_string_value(json_object_get(params,
	    "host.hostname")));
	if (out->name == NULL || out->path == NULL || out->hostname == NULL)
		goto fail;
	json_object_foreach(params, k, v) {
		if (strcmp(k, "path") == 0 || strcmp(k, "host.hostname") == 0)
			continue;
		if (host_params_set(&out->params, k, json_string_value(v)) == -1)
			goto fail;
	}
	snprintf(num, sizeof(num), "%d", out->jid + 1);
	if (host_params_set(&out->params, "parent", "0") == -1 ||
	    host_params_set(&out->params, "children.cur", "0") == -1 ||
	    host_params_set(&out->params, "cpuset.id", num) == -1)
		goto fail;
	qsort(out->params.v, out->params.n, sizeof(out->params.v[0]),
	    param_cmp);
	return 0;
fail:
	host_prison_free(out);
	return -1;
}

static int
jid_cmp(const void *a, const void *b)
{
	const struct host_prison *x = a, *y = b;

	return x->jid < y->jid ? -1 : x->jid > y->jid;
}

static int
sim_prison_list(struct host *h, int include_dying,
    struct host_prison_list *out, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	json_t *prisons, *p;
	const char *key;
	int rc, faulted;

	rc = sim_begin(s, "list", &faulted, err);
	if (rc == -1 && !faulted)
		return -1;
	if (rc == 0) {
		prisons = st_arr(s, "prisons");
		out->v = jd_calloc(json_object_size(prisons) + 1,
		    sizeof(out->v[0]));
		if (out->v == NULL)
			rc = host_error(err, ENOMEM, NULL);
		json_object_foreach(prisons, key, p) {
			if (rc == -1)
				break;
			if (!include_dying &&
			    json_is_true(json_object_get(p, "dying")))
				continue;
			if (prison_export(p, &out->v[out->n]) == -1) {
				rc = host_error(err, ENOMEM, NULL);
				break;
			}
			out->n++;
		}
		if (rc == 0)
			qsort(out->v, out->n, sizeof(out->v[0]), jid_cmp);
		else
			host_prison_list_free(out);
	}
	return sim_end(s, NULL, rc, err);
}

static int
sim_prison_get(struct host *h, const char *key, int include_dying,
    struct host_prison *out, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	json_t *p;
	int rc, faulted;

	rc = sim_begin(s, "get", &faulted, err);
	if (rc == -1 && !faulted)
		return -1;
	if (rc == 0) {
		if (key == NULL || *key == '\0')
			rc = host_error(err, ENOENT, "no jail specified");
		else if ((p = prison_by_key(s, key, include_dying, err)) ==
		    NULL)
			rc = -1;
		else if (prison_export(p, out) == -1)
			rc = host_error(err, ENOMEM, NULL);
	}
	return sim_end(s, NULL, rc, err);
}

/* Commands. */

static void
argv_line(struct buf *b, const char *const *argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		(void)buf_printf(b, " %s", argv[i]);
}

static int
sim_exec(struct sim *s, int jid, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	struct buf line = { 0 };
	struct stat sb;
	char *cwd = NULL;
	json_t *p;
	int rc, faulted, run;

	if (jid > 0)
		(void)buf_printf(&line, "exec_jail %d", jid);
	else
		(void)buf_puts(&line, "exec_host");
	(void)buf_printf(&line, " %s", req->label != NULL ? req->label : "-");
	if (req->user != NULL)
		(void)buf_printf(&line, " user=%s", req->user);
	argv_line(&line, req->argv);
	(void)host_exec_req_describe(req, &line);
	run = !(req->flags & HOST_EXEC_HOOK);
	rc = sim_begin(s, "exec", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0 && (req->argv == NULL || req->argv[0] == NULL))
		rc = host_error(err, EINVAL, "empty command");
	/* A hook's console log is real only where its directory is. */
	if (rc == 0 && !run && host_consolelog_touch(req, err) == -1)
		rc = -1;
	if (rc == 0 && jid > 0) {
		if ((p = prison_by_jid(s, jid, 0)) == NULL)
			rc = host_error(err, EINVAL, NULL);
		else if (run) {
			const char *path = json_string_value(json_object_get(
			    json_object_get(p, "params"), "path"));

			if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
				cwd = jd_strdup(path);
			else
				cwd = jd_strdup("/");
			if (cwd == NULL)
				rc = host_error(err, ENOMEM, NULL);
		}
	}
	rc = sim_end(s, line.data, rc, err);
	if (rc == -1)
		goto out;
	memset(out, 0, sizeof(*out));
	if (!run) {
		out->out = jd_strdup("");
		out->err = jd_strdup("");
		if (out->out == NULL || out->err == NULL) {
			host_exec_result_free(out);
			rc = host_error(err, ENOMEM, NULL);
		}
		goto out;
	}
	/* The simulation runs as jaild's own user; user is only recorded. */
	rc = host_run(req, cwd, NULL, NULL, NULL, out, err);
out:
	jd_free(cwd);
	buf_free(&line);
	return rc;
}

static int
sim_exec_jail(struct host *h, int jid, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	if (jid <= 0)
		return host_error(err, EINVAL, NULL);
	return sim_exec((struct sim *)h, jid, req, out, err);
}

static int
sim_exec_host(struct host *h, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	return sim_exec((struct sim *)h, 0, req, out, err);
}

static int
sim_signal_jail(struct host *h, int jid, int sig, int *countp,
    struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 };
	int rc, faulted;

	(void)buf_printf(&line, "signal %d %d", jid, sig);
	rc = sim_begin(s, "signal", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0 && prison_by_jid(s, jid, 1) == NULL)
		rc = host_error(err, ESRCH, NULL);
	*countp = 0;		/* simulated prisons have no processes */
	rc = sim_end(s, sig != 0 ? line.data : NULL, rc, err);
out:
	buf_free(&line);
	return rc;
}

/* Mounts. */

static int
sim_mount(struct host *h, const struct host_mount *m, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 };
	json_t *e;
	char key[32];
	long long seq;
	int rc, faulted;
	const char *src = m->source != NULL && *m->source != '\0' ?
	    m->source : m->type;
	const char *opts = m->options != NULL ? m->options : "";

	(void)buf_printf(&line, "mount %s %s %s %s", m->type, src, m->target,
	    *opts != '\0' ? opts : "-");
	rc = sim_begin(s, "mount", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0 && (m->type == NULL || *m->type == '\0' ||
	    m->target == NULL || m->target[0] != '/'))
		rc = host_error(err, EINVAL, NULL);
	if (rc == 0) {
		e = json_pack("{s:s, s:s, s:s, s:s}", "type", m->type,
		    "source", src, "target", m->target, "options", opts);
		seq = st_int(s, "mountseq") + 1;
		jid_key(key, sizeof(key), seq);
		if (e == NULL || st_set_int(s, "mountseq", seq) == -1 ||
		    ent_put(s, 'm', key, e, 1) == -1)
			rc = host_error(err, ENOMEM, NULL);
		json_decref(e);
	}
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&line);
	return rc;
}

static int
sim_unmount(struct host *h, const char *target, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 };
	json_t *keys;
	char key[32];
	int rc, faulted;

	(void)buf_printf(&line, "unmount %s", target);
	rc = sim_begin(s, "unmount", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0) {
		/* The most recent mount on target. */
		keys = json_object_get(s->mtargets, target);
		if (target == NULL || json_array_size(keys) == 0)
			rc = host_error(err, EINVAL, NULL);
		else {
			snprintf(key, sizeof(key), "%s", json_string_value(
			    json_array_get(keys, json_array_size(keys) - 1)));
			(void)ent_put(s, 'm', key, NULL, 1);
		}
	}
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&line);
	return rc;
}

static int
sim_mount_list(struct host *h, struct host_mount_list *out,
    struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	json_t *mounts, *e;
	struct host_mount *m;
	const char *key;
	int rc, faulted;

	rc = sim_begin(s, "mount_list", &faulted, err);
	if (rc == -1 && !faulted)
		return -1;
	if (rc == 0) {
		mounts = st_arr(s, "mounts");
		out->v = jd_calloc(json_object_size(mounts) + 1,
		    sizeof(out->v[0]));
		if (out->v == NULL)
			rc = host_error(err, ENOMEM, NULL);
		json_object_foreach(mounts, key, e) {
			if (rc == -1)
				break;
			m = &out->v[out->n++];
			m->type = jd_strdup(json_string_value(
			    json_object_get(e, "type")));
			m->source = jd_strdup(json_string_value(
			    json_object_get(e, "source")));
			m->target = jd_strdup(json_string_value(
			    json_object_get(e, "target")));
			m->options = jd_strdup(json_string_value(
			    json_object_get(e, "options")));
			if (m->type == NULL || m->source == NULL ||
			    m->target == NULL || m->options == NULL)
				rc = host_error(err, ENOMEM, NULL);
		}
		if (rc == -1)
			host_mount_list_free(out);
	}
	return sim_end(s, NULL, rc, err);
}

/* Interface addresses. */

static int
addr_canon(const struct host_addr *a, char *out, size_t outsz,
    struct jd_error *err)
{
	unsigned char bin[16];
	int af = a->family == HOST_AF_INET6 ? AF_INET6 : AF_INET;

	if ((a->family != HOST_AF_INET && a->family != HOST_AF_INET6) ||
	    a->address == NULL || inet_pton(af, a->address, bin) != 1)
		return host_error(err, EINVAL, NULL);
	inet_ntop(af, bin, out, (socklen_t)outsz);
	return 0;
}

static int
ifname_valid(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 15 ||
	    !isalpha((unsigned char)s[0]))
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_')
			return 0;
	return 1;
}

/* The entry of an address (on ifname unless NULL), or NULL. */
static json_t *
addr_find(struct sim *s, int family, const char *canon, const char *ifname,
    struct buf *key)
{
	json_t *e;

	if (addr_key(key, family, canon) == -1)
		return NULL;
	e = json_object_get(json_object_get(s->st, "addrs"), key->data);
	if (e != NULL && ifname != NULL && strcmp(json_string_value(
	    json_object_get(e, "ifname")), ifname) != 0)
		return NULL;
	return e;
}

static int
sim_addr_add(struct host *h, const struct host_addr *a, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 }, key = { 0 };
	char canon[INET6_ADDRSTRLEN];
	json_t *e;
	int rc, faulted, maxp = a->family == HOST_AF_INET6 ? 128 : 32;

	(void)buf_printf(&line, "addr_add %s %s %s/%d",
	    a->ifname != NULL ? a->ifname : "-",
	    a->family == HOST_AF_INET6 ? "inet6" : "inet",
	    a->address != NULL ? a->address : "-", a->prefixlen);
	rc = sim_begin(s, "addr_add", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0 && !ifname_valid(a->ifname))
		rc = host_error(err, ENXIO, NULL);
	if (rc == 0 && (addr_canon(a, canon, sizeof(canon), err) == -1 ||
	    a->prefixlen < 0 || a->prefixlen > maxp))
		rc = host_error(err, EINVAL, NULL);
	if (rc == 0 && addr_find(s, a->family, canon, NULL, &key) != NULL)
		rc = host_error(err, EEXIST, NULL);
	if (rc == 0) {
		e = json_pack("{s:s, s:i, s:s, s:i}", "ifname", a->ifname,
		    "family", a->family, "address", canon, "prefixlen",
		    a->prefixlen);
		if (e == NULL || key.data == NULL ||
		    ent_put(s, 'a', key.data, e, 1) == -1)
			rc = host_error(err, ENOMEM, NULL);
		json_decref(e);
	}
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&key);
	buf_free(&line);
	return rc;
}

static int
sim_addr_del(struct host *h, const struct host_addr *a, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct buf line = { 0 }, key = { 0 };
	char canon[INET6_ADDRSTRLEN];
	int rc, faulted;

	(void)buf_printf(&line, "addr_del %s %s %s",
	    a->ifname != NULL ? a->ifname : "-",
	    a->family == HOST_AF_INET6 ? "inet6" : "inet",
	    a->address != NULL ? a->address : "-");
	rc = sim_begin(s, "addr_del", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0 && addr_canon(a, canon, sizeof(canon), err) == -1)
		rc = -1;
	if (rc == 0 && addr_find(s, a->family, canon, a->ifname, &key) ==
	    NULL)
		rc = host_error(err, EADDRNOTAVAIL, NULL);
	if (rc == 0)
		(void)ent_put(s, 'a', key.data, NULL, 1);
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&key);
	buf_free(&line);
	return rc;
}

static int
sim_addr_list(struct host *h, struct host_addr_list *out,
    struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	json_t *addrs, *e;
	struct host_addr *a;
	const char *key;
	int rc, faulted;

	rc = sim_begin(s, "addr_list", &faulted, err);
	if (rc == -1 && !faulted)
		return -1;
	if (rc == 0) {
		addrs = st_arr(s, "addrs");
		out->v = jd_calloc(json_object_size(addrs) + 1,
		    sizeof(out->v[0]));
		if (out->v == NULL)
			rc = host_error(err, ENOMEM, NULL);
		json_object_foreach(addrs, key, e) {
			if (rc == -1)
				break;
			a = &out->v[out->n++];
			a->ifname = jd_strdup(json_string_value(
			    json_object_get(e, "ifname")));
			a->address = jd_strdup(json_string_value(
			    json_object_get(e, "address")));
			a->family = (int)json_integer_value(
			    json_object_get(e, "family"));
			a->prefixlen = (int)json_integer_value(
			    json_object_get(e, "prefixlen"));
			if (a->ifname == NULL || a->address == NULL)
				rc = host_error(err, ENOMEM, NULL);
		}
		if (rc == -1)
			host_addr_list_free(out);
	}
	return sim_end(s, NULL, rc, err);
}

/*
 * rctl rules: "subject:id:resource:action=amount[/per]".  Resources,
 * actions and amounts come from the shared table in prison/rctl.c, so the
 * simulation refuses what the kernel refuses: an unknown resource or
 * action is EINVAL, an action the resource does not take EOPNOTSUPP,
 * throttle with amount 0 EINVAL.
 */

struct rctl_rule {
	char		subject[16];
	char		id[256];
	char		resource[32];
	char		action[32];
	char		per[16];
	long long	amount;
	int		has_amount;
};

static const struct {
	const char	*alias;
	const char	*subject;
} rctl_subjects[] = {
	{ "jail", "jail" }, { "j", "jail" }, { "process", "process" },
	{ "p", "process" }, { "user", "user" }, { "u", "user" },
	{ "loginclass", "loginclass" }, { "l", "loginclass" },
	{ "c", "loginclass" }, { "class", "loginclass" },
};

static const char *
rctl_subject(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(rctl_subjects) / sizeof(rctl_subjects[0]); i++)
		if (strcmp(rctl_subjects[i].alias, s) == 0)
			return rctl_subjects[i].subject;
	return NULL;
}

/*
 * Parse a rule, or with filter a filter whose fields may be empty or
 * missing.  Returns 0, or an errno: EINVAL for a malformed rule or an
 * unknown resource or action, EOPNOTSUPP (rules only) for an action the
 * resource does not take.
 */
static int
rctl_rule_parse(const char *text, int filter, struct rctl_rule *r)
{
	char copy[512], msg[128], *f[4] = { NULL, NULL, NULL, NULL }, *p;
	char *eq, *slash;
	const struct rctl_resource *res = NULL;
	const char *subj;
	int64_t amount;
	int n = 0;

	memset(r, 0, sizeof(*r));
	if (text == NULL || strlen(text) >= sizeof(copy))
		return EINVAL;
	snprintf(copy, sizeof(copy), "%s", text);
	p = copy;
	while (n < 4) {
		f[n++] = p;
		if (n == 4 || (p = strchr(p, ':')) == NULL)
			break;
		*p++ = '\0';
	}
	if (!filter && n < 4)
		return EINVAL;
	if (f[0] != NULL && *f[0] != '\0') {
		if ((subj = rctl_subject(f[0])) == NULL)
			return EINVAL;
		snprintf(r->subject, sizeof(r->subject), "%s", subj);
	} else if (!filter)
		return EINVAL;
	if (f[1] != NULL && *f[1] != '\0') {
		if (strlen(f[1]) >= sizeof(r->id))
			return EINVAL;
		snprintf(r->id, sizeof(r->id), "%s", f[1]);
	} else if (!filter)
		return EINVAL;
	if (f[2] != NULL && *f[2] != '\0') {
		if ((res = rctl_resource_lookup(f[2])) == NULL)
			return EINVAL;
		snprintf(r->resource, sizeof(r->resource), "%s", f[2]);
	} else if (!filter)
		return EINVAL;
	if (f[3] == NULL || *f[3] == '\0')
		return filter ? 0 : EINVAL;
	if ((slash = strchr(f[3], '/')) != NULL) {
		*slash++ = '\0';
		if ((subj = rctl_subject(slash)) == NULL)
			return EINVAL;
		snprintf(r->per, sizeof(r->per), "%s", subj);
	}
	if ((eq = strchr(f[3], '=')) != NULL)
		*eq++ = '\0';
	if (*f[3] != '\0') {
		if (!rctl_action_known(f[3]) ||
		    strlen(f[3]) >= sizeof(r->action))
			return EINVAL;
		snprintf(r->action, sizeof(r->action), "%s", f[3]);
	} else if (!filter)
		return EINVAL;
	if (eq != NULL && *eq != '\0') {
		if (rctl_amount_parse(eq, &amount) == -1)
			return EINVAL;
		r->amount = (long long)amount;
		r->has_amount = 1;
	} else if (!filter)
		return EINVAL;
	/* A rule's per defaults to its subject (and is listed without it);
	   a filter's given per is kept, matching only that per. */
	if (filter)
		return 0;
	if (r->per[0] != '\0' && strcmp(r->per, r->subject) == 0)
		r->per[0] = '\0';
	if (rctl_action_check(res, r->action, msg, sizeof(msg)) == -1)
		return EOPNOTSUPP;
	if (strcmp(r->action, "throttle") == 0 && r->amount == 0)
		return EINVAL;
	return 0;
}

static int
rctl_rule_format(const struct rctl_rule *r, struct buf *b)
{
	buf_reset(b);
	if (buf_printf(b, "%s:%s:%s:%s=%lld", r->subject, r->id, r->resource,
	    r->action, r->amount) == -1)
		return -1;
	if (r->per[0] != '\0' && buf_printf(b, "/%s", r->per) == -1)
		return -1;
	return 0;
}

/*
 * The key a rule is stored under.  As in the kernel's rctl_rule_add, a
 * deny rule replaces the deny rule that differs only in its amount, so
 * its key leaves the amount out; any other rule replaces only its exact
 * duplicate (the same rule with another amount is a separate rule).
 */
static int
rctl_rule_key(const struct rctl_rule *r, struct buf *b)
{
	buf_reset(b);
	if (strcmp(r->action, "deny") == 0)
		return buf_printf(b, "%s:%s:%s:%s/%s", r->subject, r->id,
		    r->resource, r->action, r->per);
	return buf_printf(b, "%s:%s:%s:%s=%lld/%s", r->subject, r->id,
	    r->resource, r->action, r->amount, r->per);
}

static int
rctl_key_of(const char *text, struct buf *key)
{
	struct rctl_rule r;

	if (text == NULL || rctl_rule_parse(text, 0, &r) != 0)
		return -1;
	return rctl_rule_key(&r, key);
}

/* Does rule r match filter f (empty filter fields match anything)? */
static int
rctl_rule_match(const struct rctl_rule *r, const struct rctl_rule *f)
{
	return (f->subject[0] == '\0' || strcmp(f->subject, r->subject) == 0) &&
	    (f->id[0] == '\0' || strcmp(f->id, r->id) == 0) &&
	    (f->resource[0] == '\0' ||
	    strcmp(f->resource, r->resource) == 0) &&
	    (f->action[0] == '\0' || strcmp(f->action, r->action) == 0) &&
	    (!f->has_amount || f->amount == r->amount) &&
	    (f->per[0] == '\0' || strcmp(f->per, r->per[0] != '\0' ?
	    r->per : r->subject) == 0);
}

static int
sim_rctl_add(struct host *h, const char *rule, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct rctl_rule r;
	struct buf line = { 0 }, canon = { 0 }, key = { 0 };
	json_t *v;
	int rc, faulted, e;

	(void)buf_printf(&line, "rctl_add %s", rule);
	rc = sim_begin(s, "rctl_add", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0 && (e = rctl_rule_parse(rule, 0, &r)) != 0)
		rc = host_error(err, e, NULL);
	if (rc == 0 && rctl_rule_format(&r, &canon) == -1)
		rc = host_error(err, ENOMEM, NULL);
	if (rc == 0) {
		/* A rule with the same key is replaced (the new one goes
		   last), see rctl_rule_key. */
		v = json_string(canon.data);
		if (v == NULL || rctl_rule_key(&r, &key) == -1 ||
		    ent_put(s, 'r', key.data, v, 1) == -1)
			rc = host_error(err, ENOMEM, NULL);
		json_decref(v);
	}
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&key);
	buf_free(&canon);
	buf_free(&line);
	return rc;
}

static int
sim_rctl_remove(struct host *h, const char *filter, struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct rctl_rule f, have;
	struct buf line = { 0 };
	json_t *rules, *e;
	const char *key;
	void *tmp;
	int rc, faulted, found = 0;

	(void)buf_printf(&line, "rctl_remove %s", filter);
	rc = sim_begin(s, "rctl_remove", &faulted, err);
	if (rc == -1 && !faulted)
		goto out;
	if (rc == 0 && rctl_rule_parse(filter, 1, &f) != 0)
		rc = host_error(err, EINVAL, NULL);
	if (rc == 0) {
		rules = st_arr(s, "rctl");
		json_object_foreach_safe(rules, tmp, key, e) {
			if (rctl_rule_parse(json_string_value(e), 0, &have) ==
			    0 && rctl_rule_match(&have, &f)) {
				(void)ent_put(s, 'r', key, NULL, 1);
				found = 1;
			}
		}
		if (!found)
			rc = host_error(err, ESRCH, NULL);
	}
	rc = sim_end(s, line.data, rc, err);
out:
	buf_free(&line);
	return rc;
}

static int
sim_rctl_list(struct host *h, const char *filter, struct host_strings *out,
    struct jd_error *err)
{
	struct sim *s = (struct sim *)h;
	struct rctl_rule f, have;
	json_t *rules, *e;
	const char *key;
	int rc, faulted;

	rc = sim_begin(s, "rctl_list", &faulted, err);
	if (rc == -1 && !faulted)
		return -1;
	if (filter == NULL)
		filter = "";
	if (rc == 0 && rctl_rule_parse(filter, 1, &f) != 0)
		rc = host_error(err, EINVAL, NULL);
	if (rc == 0) {
		rules = st_arr(s, "rctl");
		out->v = jd_calloc(json_object_size(rules) + 1,
		    sizeof(out->v[0]));
		if (out->v == NULL)
			rc = host_error(err, ENOMEM, NULL);
		json_object_foreach(rules, key, e) {
			if (rc == -1)
				break;
			if (rctl_rule_parse(json_string_value(e), 0, &have)
			    != 0 || !rctl_rule_match(&have, &f))
				continue;
			if ((out->v[out->n++] = jd_strdup(json_string_value(e)))
			    == NULL)
				rc = host_error(err, ENOMEM, NULL);
		}
		if (rc == -1)
			host_strings_free(out);
	}
	return sim_end(s, NULL, rc, err);
}

static int
sim_info(struct host *h, struct host_info *out, struct jd_error *err)
{
	(void)h;
	(void)err;
	snprintf(out->backend, sizeof(out->backend), "sim");
	snprintf(out->os_release, sizeof(out->os_release), "%s",
	    SIM_OSRELEASE);
	if (gethostname(out->hostname, sizeof(out->hostname) - 1) == -1)
		snprintf(out->hostname, sizeof(out->hostname), "localhost");
	return 0;
}

/* Open and close. */

static void
sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	if (s->lockfd != -1)
		close(s->lockfd);
	if (s->logfd != -1)
		close(s->logfd);
	json_decref(s->st);
	json_decref(s->names);
	json_decref(s->mtargets);
	json_decref(s->chg);
	jd_free(s->log_path);
	jd_free(s->datadir);
	jd_free(s->state_path);
	jd_free(s->lock_path);
	jd_free(s->journal_path);
	jd_free(s);
}

static void
sim_close(struct host *h)
{
	sim_free((struct sim *)h);
}

extern const struct host_ops host_sim_ops;

static struct sim *
sim_new(const char *datadir, unsigned flags, struct jd_error *err)
{
	struct sim *s;
	struct stat sb;

	if (datadir == NULL || stat(datadir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		jd_error_sys(err, JD_E_IO, errno, "data directory %s: %s",
		    datadir != NULL ? datadir : "(none)",
		    datadir == NULL ? "not set" : errno != 0 ?
		    strerror(errno) : "not a directory");
		return NULL;
	}
	if ((s = jd_calloc(1, sizeof(*s))) == NULL) {
		jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
		return NULL;
	}
	s->base.ops = &host_sim_ops;
	s->lockfd = -1;
	s->logfd = -1;
	s->flags = flags;
	if ((s->datadir = jd_strdup(datadir)) == NULL ||
	    (s->state_path = path_join(datadir, SIM_STATE)) == NULL ||
	    (s->lock_path = path_join(datadir, SIM_LOCK)) == NULL ||
	    (s->journal_path = path_join(datadir, SIM_JOURNAL)) == NULL ||
	    (s->log_path = path_join(datadir, SIM_OPLOG)) == NULL ||
	    (s->chg = json_object()) == NULL) {
		jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	s->lockfd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd == -1) {
		jd_error_sys(err, JD_E_IO, errno, "open %s: %s", s->lock_path,
		    strerror(errno));
		goto fail;
	}
	/* Read the state once now, so a corrupt file fails the open. */
	if (sim_lock(s, err) == -1)
		goto fail;
	sim_unlock(s);
	return s;
fail:
	sim_free(s);
	return NULL;
}

static int
sim_open(const char *datadir, unsigned flags, struct host **out,
    struct jd_error *err)
{
	struct sim *s;

	if ((s = sim_new(datadir, flags, err)) == NULL)
		return -1;
	*out = &s->base;
	return 0;
}

const struct host_ops host_sim_ops = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.info = sim_info,
	.prison_list = sim_prison_list,
	.prison_get = sim_prison_get,
	.prison_create = sim_prison_create,
	.prison_update = sim_prison_update,
	.prison_remove = sim_prison_remove,
	.exec_jail = sim_exec_jail,
	.exec_host = sim_exec_host,
	.signal_jail = sim_signal_jail,
	.mount = sim_mount,
	.unmount = sim_unmount,
	.mount_list = sim_mount_list,
	.addr_add = sim_addr_add,
	.addr_del = sim_addr_del,
	.addr_list = sim_addr_list,
	.rctl_add = sim_rctl_add,
	.rctl_remove = sim_rctl_remove,
	.rctl_list = sim_rctl_list,
};

/* Controls for tests and jaild-sim. */

/* Run fn on the locked, loaded state of datadir and save it. */
static int
sim_control(const char *datadir, int (*fn)(struct sim *, void *,
    struct jd_error *), void *arg, struct jd_error *err)
{
	struct sim *s;
	int rc;

	if ((s = sim_new(datadir, HOST_OPEN_ADMIN, err)) == NULL)
		return -1;
	if (sim_lock(s, err) == -1) {
		sim_free(s);
		return -1;
	}
	rc = fn(s, arg, err);
	if (sim_flush(s, rc == 0 ? err : NULL) == -1 && rc == 0)
		rc = -1;
	sim_unlock(s);
	sim_free(s);
	return rc;
}

struct fault_arg {
	const char	*op;
	long		 n;
	int		 errnum;
	int		 every;
	char		*text;
};

static int
fault_set_fn(struct sim *s, void *arg, struct jd_error *err)
{
	struct fault_arg *a = arg;
	json_t *f;

	f = json_pack("{s:s, s:I, s:i, s:b, s:I}", "op", a->op, "n",
	    (json_int_t)a->n, "errno", a->errnum, "every", a->every, "count",
	    (json_int_t)0);
	if (f == NULL || json_array_append_new(st_arr(s, "faults"), f) == -1)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	touch(s, 't', "faults");
	return 0;
}

int
host_sim_fault_set(const char *datadir, const char *op, long n, int errnum,
    int every, struct jd_error *err)
{
	struct fault_arg a = { 0 };

	if (op == NULL || (a.op = sim_op_canon(op)) == NULL)
		return jd_error_set(err, JD_E_INVALID, "/op",
		    "unknown operation \"%s\"", op != NULL ? op : "");
	if (n < 1)
		return jd_error_set(err, JD_E_INVALID, "/n",
		    "the call number must be 1 or more");
	if (errnum <= 0)
		return jd_error_set(err, JD_E_INVALID, "/errno",
		    "the errno must be positive");
	a.n = n;
	a.errnum = errnum;
	a.every = every;
	return sim_control(datadir, fault_set_fn, &a, err);
}

static int
delay_set_fn(struct sim *s, void *arg, struct jd_error *err)
{
	struct fault_arg *a = arg;
	json_t *d = json_object_get(s->st, "delays");

	if (a->n == 0)
		json_object_del(d, a->op);
	else if (json_object_set_new(d, a->op, json_integer(a->n)) == -1)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	touch(s, 't', "delays");
	return 0;
}

int
host_sim_delay_set(const char *datadir, const char *op, long ms,
    struct jd_error *err)
{
	struct fault_arg a = { 0 };

	if (op == NULL || (a.op = sim_op_canon(op)) == NULL)
		return jd_error_set(err, JD_E_INVALID, "/op",
		    "unknown operation \"%s\"", op != NULL ? op : "");
	if (ms < 0 || ms > 600000)
		return jd_error_set(err, JD_E_INVALID, "/ms",
		    "the delay must be 0 to 600000 milliseconds");
	a.n = ms;
	return sim_control(datadir, delay_set_fn, &a, err);
}

static int
fault_clear_fn(struct sim *s, void *arg, struct jd_error *err)
{
	(void)arg;
	if (json_object_set_new(s->st, "faults", json_array()) == -1 ||
	    json_object_set_new(s->st, "delays", json_object()) == -1)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	touch(s, 't', "faults");
	touch(s, 't', "delays");
	return 0;
}

int
host_sim_fault_clear(const char *datadir, struct jd_error *err)
{
	return sim_control(datadir, fault_clear_fn, NULL, err);
}

static int
linger_fn(struct sim *s, void *arg, struct jd_error *err)
{
	long *ms = arg;

	if (st_set_int(s, "linger_ms", *ms) == -1)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	return 0;
}

int
host_sim_linger_set(const char *datadir, long ms, struct jd_error *err)
{
	if (ms < 0)
		return jd_error_set(err, JD_E_INVALID, "/ms",
		    "the linger time must not be negative");
	return sim_control(datadir, linger_fn, &ms, err);
}

static int
fault_show_fn(struct sim *s, void *arg, struct jd_error *err)
{
	struct fault_arg *a = arg;
	struct buf b = { 0 };
	json_t *f, *v;
	const char *k, *en;
	size_t i;
	int bad = buf_puts(&b, "");

	json_array_foreach(st_arr(s, "faults"), i, f) {
		en = host_errno_name((int)json_integer_value(
		    json_object_get(f, "errno")));
		bad |= buf_printf(&b, "fault %s %lld %s%s (%lld calls so "
		    "far)\n", json_string_value(json_object_get(f, "op")),
		    (long long)json_integer_value(json_object_get(f, "n")),
		    en != NULL ? en : "?",
		    json_is_true(json_object_get(f, "every")) ? " --every" : "",
		    (long long)json_integer_value(json_object_get(f,
		    "count")));
	}
	json_object_foreach(json_object_get(s->st, "delays"), k, v)
		bad |= buf_printf(&b, "delay %s %lld\n", k,
		    (long long)json_integer_value(v));
	if (bad) {
		buf_free(&b);
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	}
	a->text = buf_detach(&b, NULL);
	return 0;
}

int
host_sim_fault_show(const char *datadir, char **out, struct jd_error *err)
{
	struct fault_arg a = { 0 };

	*out = NULL;
	if (sim_control(datadir, fault_show_fn, &a, err) == -1)
		return -1;
	*out = a.text;
	return 0;
}

static int
journal_read_fn(struct sim *s, void *arg, struct jd_error *err)
{
	struct fault_arg *a = arg;
	struct buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	int fd;

	if (buf_puts(&b, "") == -1)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	fd = open(s->journal_path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno != ENOENT) {
		buf_free(&b);
		return jd_error_sys(err, JD_E_IO, errno, "open %s: %s",
		    s->journal_path, strerror(errno));
	}
	while (fd != -1 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || buf_append(&b, chunk, (size_t)n) == -1) {
			close(fd);
			buf_free(&b);
			return jd_error_set(err, JD_E_IO, NULL,
			    "cannot read %s", s->journal_path);
		}
	}
	if (fd != -1)
		close(fd);
	a->text = buf_detach(&b, NULL);
	return 0;
}

int
host_sim_journal_read(const char *datadir, char **out, struct jd_error *err)
{
	struct fault_arg a = { 0 };

	*out = NULL;
	if (sim_control(datadir, journal_read_fn, &a, err) == -1)
		return -1;
	*out = a.text;
	return 0;
}

static int
journal_clear_fn(struct sim *s, void *arg, struct jd_error *err)
{
	int fd;

	(void)arg;
	fd = open(s->journal_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return jd_error_sys(err, JD_E_IO, errno, "open %s: %s",
		    s->journal_path, strerror(errno));
	close(fd);
	return 0;
}

int
host_sim_journal_clear(const char *datadir, struct jd_error *err)
{
	return sim_control(datadir, journal_clear_fn, NULL, err);
}

/*
 * jailconf.c - importing jail.conf(5) text and the old rc.conf jail_*
 * variables as jaild jail documents.
 *
 * Three stages, as jail(8) itself works (usr.sbin/jail/config.c):
 *  1. a parser turns the text into blocks of statements (the implicit `*`
 *     block for global statements included); the rc.conf reader builds the
 *     same statements from the variables, as rc.d/jail generates a
 *     jail.conf from them;
 *  2. each jail collects the statements of the blocks that match it in
 *     file order (`=` replaces, `+=` appends), then its variables expand;
 *  3. a table maps each parameter to a field of the document, to a kernel
 *     parameter through the catalog, or to the list of settings not
 *     imported with the reason.
 * Everything parsed lives in one arena freed at the end, so a malformed
 * input can stop anywhere without leaking.  Every size is capped
 * (jailconf.h) because the input comes from the network and is fuzzed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/names.h"
#include "common/utf8.h"
#include "prison/catalog.h"
#include "prison/jailconf.h"

#define MAX_DEPTH	32		/* variable references, nested */
#define MAX_APPLIED	2000000		/* statement applications, all jails */
#define MAX_RCVARS	4096		/* rc.conf assignments */
#define MAX_CMDS	64		/* commands per hook (the codec's) */
#define MAX_CMD_LEN	4096
#define MAX_MOUNTS	64
#define MAX_IPS		255
#define MAX_DEPENDS	64
#define PATH_MAX_LEN	1023

/* ---- arena ---- */

struct chunk {
	struct chunk	*next;
	size_t		 used, cap;
	max_align_t	 data[];
};

/* ---- the parsed configuration ---- */

struct jc_piece {
	struct jc_piece	*next;
	char		*s;		/* literal text, or a variable name */
	size_t		 len;
	int		 var;
};

struct jc_val {
	struct jc_val	*next;
	struct jc_piece	*p;
	int		 line, col;
};

enum { OP_SET, OP_APPEND };

struct jc_stmt {
	struct jc_stmt	*next;
	const char	*name;		/* canonical: "noX" forms resolved */
	int		 op;
	int		 novalue;	/* `name;` */
	int		 neg;		/* given as a "no" form */
	int		 isvar;		/* `$name = ...;` */
	struct jc_val	*v;
	int		 line, col;
};

struct jc_block {
	struct jc_block	*next;
	const char	*name;
	int		 wild;		/* the name is a pattern with '*' */
	int		 line, col;
	struct jc_stmt	*s, *stail;
};

/* One parameter of one jail while it is collected and expanded. */
struct jc_param {
	const char		*name;
	int			 isvar;
	int			 novalue, neg;
	const struct jc_stmt	*last;		/* for line and column */
	const struct jc_val	**v;
	size_t			 nv, cap;
	int			 state;		/* XS_* */
	char			**x;		/* expanded values */
	size_t			 nx;
};

enum { XS_NONE, XS_BUSY, XS_DONE, XS_FAILED };

struct jc_jail {
	const char		*name;
	const struct jc_block	*block;
	struct jc_param		*p;
	size_t			 np;
	int			 bad;
	int			 full;		/* too many params reported */
};

struct jc {
	struct chunk	*arena;
	int		 oom;
	json_t		*jails, *notimp, *errors;
	int		 nerr;
	size_t		 applied, expanded;
	struct jc_block	*blocks, *btail;
	size_t		 nblocks, nstmts;
};

/* ---- arena and errors ---- */

static void *
ar_alloc(struct jc *c, size_t n)
{
	struct chunk *k = c->arena;
	size_t cap;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (k == NULL || k->cap - k->used < n) {
		cap = n > 65536 ? n : 65536;
		k = jd_malloc(sizeof(*k) + cap);
		if (k == NULL) {
			c->oom = 1;
			return NULL;
		}
		k->used = 0;
		k->cap = cap;
		k->next = c->arena;
		c->arena = k;
	}
	p = (char *)k->data + k->used;
	k->used += n;
	memset(p, 0, n);
	return p;
}

static char *
ar_strndup(struct jc *c, const char *s, size_t n)
{
	char *p = ar_alloc(c, n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void
ar_free(struct jc *c)
{
	struct chunk *k, *next;

	for (k = c->arena; k != NULL; k = next) {
		next = k->next;
		jd_free(k);
	}
	c->arena = NULL;
}

static void
json_add(struct jc *c, json_t *arr, json_t *o)
{
	if (o == NULL || json_array_append_new(arr, o) != 0)
		c->oom = 1;
}

/* Record an error; jail may be NULL.  Always returns -1. */
static int
jc_error(struct jc *c, int line, int col, const char *jail,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
jc_error(struct jc *c, int line, int col, const char *jail,
    const char *fmt, ...)
{
	char msg[512], jbuf[256];
	va_list ap;
	json_t *o;

	if (c->nerr > JAILCONF_MAX_ERRORS)
		return -1;
	if (c->nerr++ == JAILCONF_MAX_ERRORS) {
		snprintf(msg, sizeof(msg), "too many errors; stopped "
		    "reporting after %d", JAILCONF_MAX_ERRORS);
		jail = NULL;
	} else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	/* Messages quote the input, which need not be UTF-8. */
	utf8_scrub(msg);
	o = json_pack("{s:i, s:i, s:s}", "line", line, "column",
	    col > 0 ? col : 1, "message", msg);
	if (o != NULL && jail != NULL) {
		snprintf(jbuf, sizeof(jbuf), "%s", jail);
		utf8_scrub(jbuf);
		if (json_object_set_new(o, "jail", json_string(jbuf)) != 0)
			c->oom = 1;
	}
	json_add(c, c->errors, o);
	return -1;
}

static void
jc_notimp(struct jc *c, const char *jail, const char *name, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
jc_notimp(struct jc *c, const char *jail, const char *name, int line,
    const char *fmt, ...)
{
	char msg[512], nbuf[256], jbuf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(nbuf, sizeof(nbuf), "%s", name);
	snprintf(jbuf, sizeof(jbuf), "%s", jail);
	utf8_scrub(msg);
	utf8_scrub(nbuf);
	utf8_scrub(jbuf);
	json_add(c, c->notimp, json_pack("{s:s, s:s, s:s, s:i}", "jail",
	    jbuf, "name", nbuf, "reason", msg, "line", line));
}

/* ---- building blocks and statements ---- */

static struct jc_block *
block_new(struct jc *c, const char *name, int line, int col)
{
	struct jc_block *b;

	if (c->nblocks >= JAILCONF_MAX_STMTS) {
		jc_error(c, line, col, NULL, "more than %d blocks",
		    JAILCONF_MAX_STMTS);
		return NULL;
	}
	if ((b = ar_alloc(c, sizeof(*b))) == NULL)
		return NULL;
	b->name = name;
	b->wild = strchr(name, '*') != NULL;
	b->line = line;
	b->col = col;
	if (c->btail != NULL)
		c->btail->next = b;
	else
		c->blocks = b;
	c->btail = b;
	c->nblocks++;
	return b;
}

static int
block_add(struct jc *c, struct jc_block *b, struct jc_stmt *s)
{
	if (++c->nstmts > JAILCONF_MAX_STMTS)
		return jc_error(c, s->line, s->col, NULL, "more than %d "
		    "statements", JAILCONF_MAX_STMTS);
	if (b->stail != NULL)
		b->stail->next = s;
	else
		b->s = s;
	b->stail = s;
	return 0;
}

/* ---- parameter names ---- */

/* jail(8) booleans that are not kernel parameters. */
static const char *const pseudo_bools[] = {
	"mount.devfs", "mount.fdescfs", "mount.procfs", "exec.clean",
	"exec.system_jail_user", "ip_hostname", "allow.dying", NULL
};

static int
name_boolish(const char *name)
{
	const struct param_def *d = catalog_lookup(name);
	size_t i;

	if (d != NULL)
		return d->type == PARAM_BOOL || d->type == PARAM_JAILSYS;
	for (i = 0; pseudo_bools[i] != NULL; i++)
		if (strcmp(name, pseudo_bools[i]) == 0)
			return 1;
	return 0;
}

/*
 * The canonical name of name: itself, or for "noX" / "allow.noX" of a
 * boolean the name without "no" (*neg set).
 */
static const char *
name_canon(struct jc *c, const char *name, int *neg)
{
	const char *dot, *last;
	char tmp[256];
	size_t pre;

	*neg = 0;
	if (name_boolish(name))
		return name;
	dot = strrchr(name, '.');
	last = dot ? dot + 1 : name;
	pre = (size_t)(last - name);
	if (strncmp(last, "no", 2) != 0 || strlen(name) >= sizeof(tmp))
		return name;
	memcpy(tmp, name, pre);
	snprintf(tmp + pre, sizeof(tmp) - pre, "%s", last + 2);
	if (!name_boolish(tmp))
		return name;
	*neg = 1;
	return ar_strndup(c, tmp, strlen(tmp));
}

/* ---- jail.conf lexer and parser ---- */

struct lex {
	struct jc	*c;
	const char	*s;
	size_t		 len, pos;
	int		 line, col;
};

static int
lx_peek(const struct lex *lx, size_t off)
{
	if (lx->pos + off >= lx->len)
		return -1;
	return (unsigned char)lx->s[lx->pos + off];
}

static void
lx_adv(struct lex *lx)
{
	if (lx->pos >= lx->len)
		return;
	if (lx->s[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else
		lx->col++;
	lx->pos++;
}

/* Skip blanks and the three kinds of comment. */
static int
lx_space(struct lex *lx)
{
	int ch, line, col;

	for (;;) {
		ch = lx_peek(lx, 0);
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		    ch == '\f' || ch == '\v')
			lx_adv(lx);
		else if (ch == '#' || (ch == '/' && lx_peek(lx, 1) == '/')) {
			while ((ch = lx_peek(lx, 0)) != -1 && ch != '\n')
				lx_adv(lx);
		} else if (ch == '/' && lx_peek(lx, 1) == '*') {
			line = lx->line;
			col = lx->col;
			lx_adv(lx);
			lx_adv(lx);
			for (;;) {
				ch = lx_peek(lx, 0);
				if (ch == -1)
					return jc_error(lx->c, line, col, NULL,
					    "unterminated /* comment");
				if (ch == '*' && lx_peek(lx, 1) == '/')
					break;
				lx_adv(lx);
			}
			lx_adv(lx);
			lx_adv(lx);
		} else
			return 0;
	}
}

static int
word_char(int ch)
{
	return ch != -1 && ((ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    strchr("_!%&()-.:<>?@[]^`|~", ch) != NULL);
}

struct pieces {
	struct jc_piece	*head, *tail;
	struct buf	 lit;
	size_t		 total;
};

static int
pc_lit_flush(struct lex *lx, struct pieces *ps)
{
	struct jc_piece *p;

	if (ps->lit.len == 0)
		return 0;
	if ((p = ar_alloc(lx->c, sizeof(*p))) == NULL ||
	    (p->s = ar_strndup(lx->c, ps->lit.data, ps->lit.len)) == NULL)
		return -1;
	p->len = ps->lit.len;
	buf_reset(&ps->lit);
	if (ps->tail)
		ps->tail->next = p;
	else
		ps->head = p;
	ps->tail = p;
	return 0;
}

/* An empty literal piece, so that "" is a value. */
static int
pc_empty(struct lex *lx, struct pieces *ps)
{
	struct jc_piece *p;

	if (ps->head != NULL || ps->lit.len != 0)
		return 0;
	if ((p = ar_alloc(lx->c, sizeof(*p))) == NULL ||
	    (p->s = ar_strndup(lx->c, "", 0)) == NULL)
		return -1;
	ps->head = ps->tail = p;
	return 0;
}

static int
pc_char(struct lex *lx, struct pieces *ps, int ch)
{
	if (ch == 0)
		return jc_error(lx->c, lx->line, lx->col, NULL, "NUL "
		    "character in a value");
	if (++ps->total > JAILCONF_MAX_VALUE)
		return jc_error(lx->c, lx->line, lx->col, NULL, "value "
		    "longer than %d bytes", JAILCONF_MAX_VALUE);
	if (buf_putc(&ps->lit, (char)ch) != 0) {
		lx->c->oom = 1;
		return -1;
	}
	return 0;
}

/* $name or ${name} at lx (which is at '$'). */
static int
pc_var(struct lex *lx, struct pieces *ps)
{
	struct jc_piece *p;
	int line = lx->line, col = lx->col, ch;
	size_t start, n;

	lx_adv(lx);
	if (lx_peek(lx, 0) == '{') {
		lx_adv(lx);
		start = lx->pos;
		while ((ch = lx_peek(lx, 0)) != -1 && ch != '}' &&
		    ch != '\n' && ch != '"' && ch != '\'')
			lx_adv(lx);
		if (ch != '}')
			return jc_error(lx->c, line, col, NULL,
			    "unterminated ${ variable");
		n = lx->pos - start;
		lx_adv(lx);
	} else {
		start = lx->pos;
		while ((ch = lx_peek(lx, 0)) != -1 && (ch == '_' ||
		    (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9')))
			lx_adv(lx);
		n = lx->pos - start;
	}
	if (n == 0 || n > 255)
		return jc_error(lx->c, line, col, NULL, "a variable name "
		    "must follow $ (1 to 255 characters)");
	if (memchr(lx->s + start, '\0', n) != NULL)
		return jc_error(lx->c, line, col, NULL, "NUL character in "
		    "a variable name");
	if (pc_lit_flush(lx, ps) != 0 ||
	    (p = ar_alloc(lx->c, sizeof(*p))) == NULL ||
	    (p->s = ar_strndup(lx->c, lx->s + start, n)) == NULL)
		return -1;
	p->len = n;
	p->var = 1;
	if (ps->tail)
		ps->tail->next = p;
	else
		ps->head = p;
	ps->tail = p;
	return 0;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A backslash escape at lx (just after the backslash). */
static int
pc_escape(struct lex *lx, struct pieces *ps)
{
	static const char from[] = "abfnrtv", to[] = "\a\b\f\n\r\t\v";
	const char *e;
	int ch = lx_peek(lx, 0), v, i;

	if (ch == -1)
		return jc_error(lx->c, lx->line, lx->col, NULL,
		    "backslash at the end of the input");
	if (ch == '\n') {		/* continues the line */
		lx_adv(lx);
		return 0;
	}
	if (ch >= '0' && ch <= '7') {
		for (v = 0, i = 0; i < 3 && (ch = lx_peek(lx, 0)) >= '0' &&
		    ch <= '7'; i++) {
			v = v * 8 + ch - '0';
			lx_adv(lx);
		}
		return pc_char(lx, ps, v & 0xff);
	}
	if (ch == 'x' && hexval(lx_peek(lx, 1)) >= 0) {
		lx_adv(lx);
		for (v = 0, i = 0; i < 2 && hexval(lx_peek(lx, 0)) >= 0;
		    i++) {
			v = v * 16 + hexval(lx_peek(lx, 0));
			lx_adv(lx);
		}
		return pc_char(lx, ps, v);
	}
	lx_adv(lx);
	if (ch != 0 && (e = strchr(from, ch)) != NULL)
		ch = to[e - from];
	return pc_char(lx, ps, ch);
}

/*
 * One string: adjacent unquoted words, "..." and '...' pieces, $vars and
 * the joining characters * + /.  *out is NULL when nothing was there.
 */
static int
lx_string(struct lex *lx, struct jc_val **out)
{
	struct pieces ps;
	struct jc_val *v;
	int ch, line = lx->line, col = lx->col, qline, qcol, got = 0;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	for (;;) {
		ch = lx_peek(lx, 0);
		if (word_char(ch)) {
			lx_adv(lx);
			if (pc_char(lx, &ps, ch) != 0)
				goto fail;
		} else if (ch == '\\') {
			lx_adv(lx);
			if (pc_escape(lx, &ps) != 0)
				goto fail;
		} else if (ch == '$') {
			if (pc_var(lx, &ps) != 0)
				goto fail;
		} else if (ch == '*' || (ch == '+' && lx_peek(lx, 1) != '=') ||
		    (ch == '/' && lx_peek(lx, 1) != '/' &&
		    lx_peek(lx, 1) != '*')) {
			lx_adv(lx);
			if (pc_char(lx, &ps, ch) != 0)
				goto fail;
		} else if (ch == '"') {
			qline = lx->line;
			qcol = lx->col;
			lx_adv(lx);
			if (pc_empty(lx, &ps) != 0)
				goto fail;
			for (;;) {
				ch = lx_peek(lx, 0);
				if (ch == -1) {
					jc_error(lx->c, qline, qcol, NULL,
					    "unterminated \" string");
					goto fail;
				}
				if (ch == '"')
					break;
				if (ch == '\\') {
					lx_adv(lx);
					if (pc_escape(lx, &ps) != 0)
						goto fail;
				} else if (ch == '$') {
					if (pc_var(lx, &ps) != 0)
						goto fail;
				} else {
					lx_adv(lx);
					if (pc_char(lx, &ps, ch) != 0)
						goto fail;
				}
			}
			lx_adv(lx);
		} else if (ch == '\'') {
			qline = lx->line;
			qcol = lx->col;
			lx_adv(lx);
			if (pc_empty(lx, &ps) != 0)
				goto fail;
			while ((ch = lx_peek(lx, 0)) != '\'') {
				if (ch == -1) {
					jc_error(lx->c, qline, qcol, NULL,
					    "unterminated ' string");
					goto fail;
				}
				lx_adv(lx);
				if (pc_char(lx, &ps, ch) != 0)
					goto fail;
			}
			lx_adv(lx);
		} else
			break;
		got = 1;
	}
	if (!got) {
		buf_free(&ps.lit);
		return 0;
	}
	if (pc_lit_flush(lx, &ps) != 0 ||
	    (v = ar_alloc(lx->c, sizeof(*v))) == NULL)
		goto fail;
	buf_free(&ps.lit);
	v->p = ps.head;
	v->line = line;
	v->col = col;
	*out = v;
	return 0;
fail:
	buf_free(&ps.lit);
	return -1;
}

/* The literal text of a value without variables (a name), or NULL. */
static const char *
val_literal(struct jc *c, const struct jc_val *v)
{
	const struct jc_piece *p;
	struct buf b;
	char *s = NULL;

	memset(&b, 0, sizeof(b));
	for (p = v->p; p != NULL; p = p->next) {
		if (p->var) {
			buf_free(&b);
			return NULL;
		}
		if (buf_append(&b, p->s, p->len) != 0) {
			c->oom = 1;
			buf_free(&b);
			return NULL;
		}
	}
	s = ar_strndup(c, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

/* A statement or block at lx; *cur is the open block or NULL. */
static int
parse_stmt(struct lex *lx, struct jc_block **cur)
{
	struct jc *c = lx->c;
	struct jc_val *nv, *v, *vtail = NULL;
	struct jc_stmt *s;
	const char *name;
	int line = lx->line, col = lx->col, ch, isvar = 0, neg;

	ch = lx_peek(lx, 0);
	if (ch == ';') {
		lx_adv(lx);
		return 0;
	}
	if (ch == '}') {
		if (*cur == NULL)
			return jc_error(c, line, col, NULL, "'}' without a "
			    "block to close");
		lx_adv(lx);
		*cur = NULL;
		return 0;
	}
	if (lx_string(lx, &nv) != 0)
		return -1;
	if (nv == NULL)
		return jc_error(c, line, col, NULL, "unexpected '%c'", ch);
	if (nv->p != NULL && nv->p->var && nv->p->next == NULL) {
		isvar = 1;
		name = nv->p->s;
	} else if ((name = val_literal(c, nv)) == NULL) {
		return c->oom ? -1 : jc_error(c, line, col, NULL,
		    "a parameter or jail name cannot contain variables");
	}
	if (name[0] == '\0')
		return jc_error(c, line, col, NULL, "empty parameter name");
	if (!isvar && strcmp(name, ".include") == 0)
		return jc_error(c, line, col, NULL, ".include cannot be "
		    "imported: paste the included files instead");
	if (lx_space(lx) != 0)
		return -1;
	ch = lx_peek(lx, 0);
	if (ch == '{') {
		if (isvar)
			return jc_error(c, line, col, NULL, "a variable "
			    "cannot name a block");
		if (*cur != NULL)
			return jc_error(c, line, col, NULL, "nested blocks "
			    "are not supported (inside \"%s\" from line %d)",
			    (*cur)->name, (*cur)->line);
		lx_adv(lx);
		*cur = block_new(c, name, line, col);
		return *cur == NULL ? -1 : 0;
	}
	if ((s = ar_alloc(c, sizeof(*s))) == NULL)
		return -1;
	s->line = line;
	s->col = col;
	s->isvar = isvar;
	s->name = isvar ? name : name_canon(c, name, &neg);
	if (s->name == NULL)
		return -1;
	s->neg = isvar ? 0 : neg;
	if (ch == ';') {
		if (isvar)
			return jc_error(c, line, col, NULL, "variable \"%s\" "
			    "needs a value", name);
		lx_adv(lx);
		s->novalue = 1;
	} else if (ch == '=' || (ch == '+' && lx_peek(lx, 1) == '=')) {
		s->op = ch == '=' ? OP_SET : OP_APPEND;
		lx_adv(lx);
		if (s->op == OP_APPEND)
			lx_adv(lx);
		for (;;) {
			if (lx_space(lx) != 0 || lx_string(lx, &v) != 0)
				return -1;
			if (v == NULL)
				return jc_error(c, lx->line, lx->col, NULL,
				    "expected a value for \"%s\"", name);
			if (vtail)
				vtail->next = v;
			else
				s->v = v;
			vtail = v;
			if (lx_space(lx) != 0)
				return -1;
			ch = lx_peek(lx, 0);
			if (ch == ',') {
				lx_adv(lx);
				continue;
			}
			if (ch == ';') {
				lx_adv(lx);
				break;
			}
			if (ch == -1)
				return jc_error(c, lx->line, lx->col, NULL,
				    "missing ';' after the value of \"%s\"",
				    name);
			return jc_error(c, lx->line, lx->col, NULL,
			    "expected ',' or ';' after a value of \"%s\"",
			    name);
		}
	} else if (ch == -1)
		return jc_error(c, lx->line, lx->col, NULL, "missing ';' "
		    "after \"%s\"", name);
	else
		return jc_error(c, lx->line, lx->col, NULL, "expected ';', "
		    "'=', '+=' or '{' after \"%s\"", name);

	if (*cur == NULL) {
		/* Global statements: an implicit "*" block at this point. */
		if (c->btail == NULL || strcmp(c->btail->name, "*") != 0 ||
		    c->btail->line != 0)
			if (block_new(c, "*", 0, 0) == NULL)
				return -1;
		return block_add(c, c->btail, s);
	}
	return block_add(c, *cur, s);
}

static int
parse_jailconf(struct jc *c, const char *text, size_t len)
{
	struct lex lx = { c, text, len, 0, 1, 1 };
	struct jc_block *cur = NULL;

	for (;;) {
		if (lx_space(&lx) != 0)
			return -1;
		if (lx_peek(&lx, 0) == -1)
			break;
		if (parse_stmt(&lx, &cur) != 0)
			return -1;
		if (c->oom)
			return -1;
	}
	if (cur != NULL)
		return jc_error(c, cur->line, cur->col, NULL, "block \"%s\" "
		    "is not closed with '}'", cur->name);
	return 0;
}

/* ---- rc.conf: sh assignments to statements ---- */

struct rcvar {
	char	*name;
	char	*val;
	int	 line;
	int	 used;
};

struct rc {
	struct jc	*c;
	struct rcvar	*v;
	size_t		 n;
};

static struct rcvar *
rc_find(struct rc *rc, const char *name)
{
	size_t i;

	for (i = 0; i < rc->n; i++)
		if (strcmp(rc->v[i].name, name) == 0)
			return &rc->v[i];
	return NULL;
}

static int
rc_name_char(int ch, int first)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z') || (!first && ch >= '0' && ch <= '9');
}

/* $NAME or ${NAME} in an rc.conf value, at lx (at '$'). */
static int
rc_expand(struct rc *rc, struct lex *lx, struct pieces *ps)
{
	struct rcvar *rv;
	char name[256];
	int line = lx->line, col = lx->col, brace = 0, ch;
	size_t n = 0;
	const char *s;

	lx_adv(lx);
	if (lx_peek(lx, 0) == '{') {
		brace = 1;
		lx_adv(lx);
	}
	while (rc_name_char(ch = lx_peek(lx, 0), n == 0)) {
		if (n + 1 >= sizeof(name))
			return jc_error(rc->c, line, col, NULL, "variable "
			    "name too long");
		name[n++] = (char)ch;
		lx_adv(lx);
	}
	name[n] = '\0';
	if (n == 0 && !brace)
		return pc_char(lx, ps, '$');
	if (brace) {
		if (lx_peek(lx, 0) != '}' || n == 0)
			return jc_error(rc->c, line, col, NULL, "only "
			    "${NAME} expansions are supported");
		lx_adv(lx);
	}
	rv = rc_find(rc, name);
	for (s = rv ? rv->val : ""; *s != '\0'; s++)
		if (pc_char(lx, ps, (unsigned char)*s) != 0)
			return -1;
	return 0;
}

/* The value of an assignment, at lx (just after '='), into ps.lit. */
static int
rc_value(struct rc *rc, struct lex *lx, struct pieces *ps)
{
	int ch, qline, qcol;

	for (;;) {
		ch = lx_peek(lx, 0);
		if (ch == -1 || ch == ' ' || ch == '\t' || ch == '\n' ||
		    ch == '\r' || ch == ';')
			return 0;
		if (ch == '\\') {
			lx_adv(lx);
			ch = lx_peek(lx, 0);
			if (ch == -1)
				return jc_error(rc->c, lx->line, lx->col,
				    NULL, "backslash at the end of the input");
			lx_adv(lx);
			if (ch != '\n' && pc_char(lx, ps, ch) != 0)
				return -1;
		} else if (ch == '$') {
			if (rc_expand(rc, lx, ps) != 0)
				return -1;
		} else if (ch == '\'') {
			qline = lx->line;
			qcol = lx->col;
			lx_adv(lx);
			while ((ch = lx_peek(lx, 0)) != '\'') {
				if (ch == -1)
					return jc_error(rc->c, qline, qcol,
					    NULL, "unterminated ' string");
				lx_adv(lx);
				if (pc_char(lx, ps, ch) != 0)
					return -1;
			}
			lx_adv(lx);
		} else if (ch == '"') {
			qline = lx->line;
			qcol = lx->col;
			lx_adv(lx);
			while ((ch = lx_peek(lx, 0)) != '"') {
				if (ch == -1)
					return jc_error(rc->c, qline, qcol,
					    NULL, "unterminated \" string");
				if (ch == '`')
					return jc_error(rc->c, lx->line,
					    lx->col, NULL, "command "
					    "substitution is not supported");
				if (ch == '$') {
					if (rc_expand(rc, lx, ps) != 0)
						return -1;
					continue;
				}
				lx_adv(lx);
				if (ch == '\\' && (lx_peek(lx, 0) == '$' ||
				    lx_peek(lx, 0) == '`' ||
				    lx_peek(lx, 0) == '"' ||
				    lx_peek(lx, 0) == '\\' ||
				    lx_peek(lx, 0) == '\n')) {
					ch = lx_peek(lx, 0);
					lx_adv(lx);
					if (ch == '\n')
						continue;
				}
				if (pc_char(lx, ps, ch) != 0)
					return -1;
			}
			lx_adv(lx);
		} else if (strchr("`|&<>()", ch) != NULL) {
			return jc_error(rc->c, lx->line, lx->col, NULL,
			    "'%c' is not allowed: only plain variable "
			    "assignments can be imported", ch);
		} else {
			lx_adv(lx);
			if (pc_char(lx, ps, ch) != 0)
				return -1;
		}
	}
}

static int
rc_assign(struct rc *rc, const char *name, const char *val, size_t vlen,
    int line)
{
	struct rcvar *rv, *nv;

	if ((rv = rc_find(rc, name)) == NULL) {
		if (rc->n >= MAX_RCVARS)
			return jc_error(rc->c, line, 1, NULL, "more than %d "
			    "variables", MAX_RCVARS);
		nv = jd_realloc(rc->v, (rc->n + 1) * sizeof(*nv));
		if (nv == NULL) {
			rc->c->oom = 1;
			return -1;
		}
		rc->v = nv;
		rv = &rc->v[rc->n++];
		memset(rv, 0, sizeof(*rv));
		if ((rv->name = ar_strndup(rc->c, name, strlen(name))) ==
		    NULL)
			return -1;
	}
	rv->line = line;
	if ((rv->val = ar_strndup(rc->c, val, vlen)) == NULL)
		return -1;
	return 0;
}

static int
parse_rcvars(struct rc *rc, const char *text, size_t len)
{
	struct lex lx = { rc->c, text, len, 0, 1, 1 };
	struct pieces ps;
	char name[256];
	int ch, line, col, rv = -1;
	size_t n;

	memset(&ps, 0, sizeof(ps));
	for (;;) {
		ch = lx_peek(&lx, 0);
		if (ch == -1)
			break;
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		    ch == ';') {
			lx_adv(&lx);
			continue;
		}
		if (ch == '\\' && lx_peek(&lx, 1) == '\n') {
			lx_adv(&lx);	/* a continued line */
			lx_adv(&lx);
			continue;
		}
		if (ch == '#') {
			while ((ch = lx_peek(&lx, 0)) != -1 && ch != '\n')
				lx_adv(&lx);
			continue;
		}
		line = lx.line;
		col = lx.col;
		n = 0;
		while (rc_name_char(ch = lx_peek(&lx, 0), n == 0) &&
		    n + 1 < sizeof(name)) {
			name[n++] = (char)ch;
			lx_adv(&lx);
		}
		name[n] = '\0';
		if (n == 0 || lx_peek(&lx, 0) != '=') {
			jc_error(rc->c, line, col, NULL, "not a variable "
			    "assignment (NAME=value)");
			goto done;
		}
		lx_adv(&lx);
		buf_reset(&ps.lit);
		ps.total = 0;
		if (rc_value(rc, &lx, &ps) != 0)
			goto done;
		if (rc_assign(rc, name, ps.lit.data ? ps.lit.data : "",
		    ps.lit.len, line) != 0)
			goto done;
		ch = lx_peek(&lx, 0);
		if (ch != -1 && ch != ' ' && ch != '\t' && ch != '\n' &&
		    ch != '\r' && ch != ';') {
			jc_error(rc->c, lx.line, lx.col, NULL, "unexpected "
			    "'%c' after the value of %s", ch, name);
			goto done;
		}
	}
	rv = 0;
done:
	buf_free(&ps.lit);
	return rv;
}

/* jail_NAME_KEY, else the global jail_KEY; marks it used. */
static struct rcvar *
rc_get(struct rc *rc, const char *jail, const char *key)
{
	struct rcvar *rv;
	char name[512];

	snprintf(name, sizeof(name), "jail_%s_%s", jail, key);
	if ((rv = rc_find(rc, name)) == NULL) {
		snprintf(name, sizeof(name), "jail_%s", key);
		rv = rc_find(rc, name);
	}
	if (rv != NULL)
		rv->used = 1;
	return rv;
}

/* A statement with literal values (n may be 0 for `name;`). */
static int
rc_stmt(struct jc *c, struct jc_block *b, const char *name, int op,
    const char *const *vals, size_t n, int neg, int line)
{
	struct jc_stmt *s;
	struct jc_val *v, *tail = NULL;
	struct jc_piece *p;
	size_t i;

	if ((s = ar_alloc(c, sizeof(*s))) == NULL ||
	    (s->name = ar_strndup(c, name, strlen(name))) == NULL)
		return -1;
	s->op = op;
	s->novalue = n == 0;
	s->neg = neg;
	s->line = line;
	s->col = 1;
	for (i = 0; i < n; i++) {
		if ((v = ar_alloc(c, sizeof(*v))) == NULL ||
		    (p = ar_alloc(c, sizeof(*p))) == NULL ||
		    (p->s = ar_strndup(c, vals[i], strlen(vals[i]))) == NULL)
			return -1;
		p->len = strlen(vals[i]);
		v->p = p;
		v->line = line;
		v->col = 1;
		if (tail)
			tail->next = v;
		else
			s->v = v;
		tail = v;
	}
	return block_add(c, b, s);
}

static int
rc_stmt1(struct jc *c, struct jc_block *b, const char *name, int op,
    const char *val, int line)
{
	return rc_stmt(c, b, name, op, &val, 1, 0, line);
}

/* checkyesno: 1 yes, 0 no, -1 neither (error reported). */
static int
rc_yesno(struct jc *c, const struct rcvar *rv, const char *jail)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(rv->val, yes[i]) == 0)
			return 1;
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(rv->val, no[i]) == 0)
			return 0;
	return jc_error(c, rv->line, 1, jail, "%s is \"%s\", not YES or NO",
	    rv->name, rv->val);
}

/* Numbered variables KEY0, KEY1, ... as `name +=` statements. */
static int
rc_numbered(struct rc *rc, struct jc_block *b, const char *jail,
    const char *key, const char *name)
{
	struct rcvar *rv;
	char k[128];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(k, sizeof(k), "%s%d", key, i);
		if ((rv = rc_get(rc, jail, k)) == NULL)
			break;
		if (rc_stmt1(rc->c, b, name, OP_APPEND, rv->val, rv->line)
		    != 0)
			return -1;
	}
	return 0;
}

/* The devfs rulesets of /etc/defaults/devfs.rules, by name. */
static const struct {
	const char	*name;
	const char	*num;
} devfs_rulesets[] = {
	{ "devfsrules_hide_all", "1" },
	{ "devfsrules_unhide_basic", "2" },
	{ "devfsrules_unhide_login", "3" },
	{ "devfsrules_jail", "4" },
	{ "devfsrules_jail_vnet", "5" },
};

/* An "ip" list: each entry to ip4.addr or ip6.addr by its form. */
static int
rc_ips(struct jc *c, struct jc_block *b, const struct rcvar *rv, int *n6)
{
	char item[512];
	const char *p = rv->val, *e, *addr;
	size_t n;

	while (*p != '\0') {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= sizeof(item))
			return jc_error(c, rv->line, 1, NULL, "address \"%.40s"
			    "...\" is too long", p);
		if (n > 0) {
			memcpy(item, p, n);
			item[n] = '\0';
			addr = strchr(item, '|') ? strchr(item, '|') + 1 :
			    item;
			if (strchr(addr, ':') != NULL)
				(*n6)++;
			if (rc_stmt1(c, b, strchr(addr, ':') ? "ip6.addr" :
			    "ip4.addr", OP_APPEND, item, rv->line) != 0)
				return -1;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return 0;
}

/* Boolean variables that become `name;` when YES. */
static const struct {
	const char	*key;
	const char	*param;
} rc_enables[] = {
	{ "devfs_enable", "mount.devfs" },
	{ "fdescfs_enable", "mount.fdescfs" },
	{ "procfs_enable", "mount.procfs" },
	{ "mount_enable", "allow.mount" },
};

/* Variables copied to a parameter when set. */
static const struct {
	const char	*key;
	const char	*param;
	int		 yesno;		/* 1: YES/NO to true/false */
} rc_copies[] = {
	{ "interface", "interface", 0 },
	{ "fib", "exec.fib", 0 },
	{ "fstab", "mount.fstab", 0 },
	{ "set_hostname_allow", "allow.set_hostname", 1 },
	{ "sysvipc_allow", "allow.sysvipc", 1 },
	{ "enforce_statfs", "enforce_statfs", 0 },
	{ "osreldate", "osreldate", 0 },
	{ "osrelease", "osrelease", 0 },
};

static int
rc_jail(struct rc *rc, const char *jail, int line)
{
	struct jc *c = rc->c;
	struct jc_block *b;
	struct rcvar *root, *host, *rv, *start;
	const char *w, *e, *eq;
	char defbuf[512], word[1024];
	size_t i, n;
	int n6 = 0, y;

	if ((b = block_new(c, ar_strndup(c, jail, strlen(jail)), line, 1))
	    == NULL)
		return -1;
	root = rc_get(rc, jail, "rootdir");
	host = rc_get(rc, jail, "hostname");
	if (root == NULL || host == NULL)
		return jc_error(c, line, 1, jail, "jail_%s_rootdir and "
		    "jail_%s_hostname must both be set", jail, jail);
	if (rc_stmt1(c, b, "path", OP_SET, root->val, root->line) != 0 ||
	    rc_stmt1(c, b, "host.hostname", OP_SET, host->val, host->line) !=
	    0)
		return -1;
	for (i = 0; i < sizeof(rc_copies) / sizeof(rc_copies[0]); i++) {
		if ((rv = rc_get(rc, jail, rc_copies[i].key)) == NULL)
			continue;
		if (!rc_copies[i].yesno) {
			if (rc_stmt1(c, b, rc_copies[i].param, OP_SET,
			    rv->val, rv->line) != 0)
				return -1;
			continue;
		}
		if ((y = rc_yesno(c, rv, jail)) < 0)
			continue;
		if (rc_stmt1(c, b, rc_copies[i].param, OP_SET, y ? "true" :
		    "false", rv->line) != 0)
			return -1;
	}
	if ((rv = rc_get(rc, jail, "ip")) != NULL &&
	    rc_ips(c, b, rv, &n6) != 0)
		return -1;
	for (i = 0; i < 1000; i++) {
		snprintf(word, sizeof(word), "ip_multi%zu", i);
		if ((rv = rc_get(rc, jail, word)) == NULL)
			break;
		if (rc_ips(c, b, rv, &n6) != 0)
			return -1;
	}
	if (rc_get(rc, jail, "ip") == NULL && rc_get(rc, jail, "ip_multi0")
	    == NULL) {
		/* rc.d/jail makes an address-less jail a vnet jail. */
		if (rc_stmt(c, b, "vnet", OP_SET, NULL, 0, 0, line) != 0)
			return -1;
		if ((rv = rc_get(rc, jail, "vnet_interface")) != NULL &&
		    rc_stmt1(c, b, "vnet.interface", OP_SET, rv->val,
		    rv->line) != 0)
			return -1;
	}
	if ((rv = rc_get(rc, jail, "socket_unixiproute_only")) != NULL &&
	    (y = rc_yesno(c, rv, jail)) >= 0 &&
	    rc_stmt1(c, b, "allow.raw_sockets", OP_SET, y ? "false" : "true",
	    rv->line) != 0)
		return -1;
	if (rc_stmt(c, b, "exec.clean", OP_SET, NULL, 0, 0, line) != 0 ||
	    rc_stmt1(c, b, "exec.system_user", OP_SET, "root", line) != 0 ||
	    rc_stmt1(c, b, "exec.jail_user", OP_SET, "root", line) != 0)
		return -1;
	if (rc_numbered(rc, b, jail, "exec_prestart", "exec.prestart") != 0 ||
	    rc_numbered(rc, b, jail, "exec_poststart", "exec.poststart") !=
	    0 ||
	    rc_numbered(rc, b, jail, "exec_prestop", "exec.prestop") != 0 ||
	    rc_numbered(rc, b, jail, "exec_poststop", "exec.poststop") != 0)
		return -1;
	/* IPv6 addresses: wait for duplicate address detection (dad_count
	 * is 1 by default, so rc.d sleeps 2 seconds). */
	if (n6 > 0 && rc_stmt1(c, b, "exec.start", OP_APPEND, "sleep 2",
	    line) != 0)
		return -1;
	start = rc_get(rc, jail, "exec_start");
	if (start == NULL)
		start = rc_get(rc, jail, "exec");
	if (rc_stmt1(c, b, "exec.start", OP_APPEND, start ? start->val :
	    "/bin/sh /etc/rc", start ? start->line : line) != 0)
		return -1;
	if (rc_numbered(rc, b, jail, "exec_afterstart", "exec.start") != 0)
		return -1;
	if ((rv = rc_get(rc, jail, "exec_stop")) != NULL) {
		if (rc_stmt1(c, b, "exec.stop", OP_SET, rv->val, rv->line) !=
		    0)
			return -1;
	} else if (start == NULL && rc_stmt1(c, b, "exec.stop", OP_SET,
	    "/bin/sh /etc/rc.shutdown jail", line) != 0)
		return -1;
	rv = rc_get(rc, jail, "consolelog");
	snprintf(defbuf, sizeof(defbuf), "/var/log/jail_%s_console.log",
	    jail);
	if (rc_stmt1(c, b, "exec.consolelog", OP_SET, rv ? rv->val : defbuf,
	    rv ? rv->line : line) != 0)
		return -1;
	for (i = 0; i < sizeof(rc_enables) / sizeof(rc_enables[0]); i++) {
		if ((rv = rc_get(rc, jail, rc_enables[i].key)) == NULL ||
		    (y = rc_yesno(c, rv, jail)) <= 0)
			continue;
		if (rc_stmt(c, b, rc_enables[i].param, OP_SET, NULL, 0, 0,
		    rv->line) != 0)
			return -1;
	}
	if ((rv = rc_get(rc, jail, "devfs_ruleset")) != NULL) {
		w = rv->val;
		for (i = 0; i < sizeof(devfs_rulesets) /
		    sizeof(devfs_rulesets[0]); i++)
			if (strcmp(rv->val, devfs_rulesets[i].name) == 0)
				w = devfs_rulesets[i].num;
		if (w[0] < '0' || w[0] > '9')
			jc_error(c, rv->line, 1, jail, "devfs ruleset \"%s\" "
			    "is neither a number nor a ruleset of "
			    "/etc/defaults/devfs.rules", rv->val);
		else if (rc_stmt1(c, b, "devfs_ruleset", OP_SET, w, rv->line)
		    != 0)
			return -1;
	}
	/* "parameters": extra `param=value` words, added verbatim. */
	if ((rv = rc_get(rc, jail, "parameters")) != NULL) {
		for (w = rv->val; *w != '\0'; w = e) {
			while (*w == ' ' || *w == '\t' || *w == '\n')
				w++;
			if (*w == '\0')
				break;
			e = w + strcspn(w, " \t\n");
			n = (size_t)(e - w);
			if (n > 0 && w[n - 1] == ';')
				n--;
			if (n == 0)
				continue;
			if (n >= sizeof(word))
				return jc_error(c, rv->line, 1, jail, "a word "
				    "of %s is too long", rv->name);
			memcpy(word, w, n);
			word[n] = '\0';
			if ((eq = strchr(word, '=')) != NULL) {
				word[eq - word] = '\0';
				if (rc_stmt1(c, b, word, OP_SET, eq + 1,
				    rv->line) != 0)
					return -1;
			} else {
				int neg;
				const char *cn = name_canon(c, word, &neg);

				if (cn == NULL || rc_stmt(c, b, cn, OP_SET,
				    NULL, 0, neg, rv->line) != 0)
					return -1;
			}
		}
	}
	for (i = 0; i < 2; i++) {
		static const char *const keys[] = { "flags", "program" };
		char full[300];

		snprintf(full, sizeof(full), "jail_%s_%s", jail, keys[i]);
		if ((rv = rc_find(rc, full)) != NULL) {
			rv->used = 1;
			jc_notimp(c, jail, rv->name, rv->line, "jail(8) "
			    "command-line flags are not modelled");
		}
	}
	return 0;
}

static int
parse_rcconf(struct jc *c, const char *text, size_t len)
{
	struct rc rc = { c, NULL, 0 };
	struct rcvar *list, *rv;
	const char *w, *e;
	char jail[256], prefix[300];
	size_t i, j, n;
	int rv_ = -1, line, dup;

	if (parse_rcvars(&rc, text, len) != 0)
		goto done;
	list = rc_find(&rc, "jail_list");
	if (list != NULL && strspn(list->val, " \t\n") != strlen(list->val)) {
		for (w = list->val; *w != '\0'; w = e) {
			while (*w == ' ' || *w == '\t' || *w == '\n')
				w++;
			e = w + strcspn(w, " \t\n");
			n = (size_t)(e - w);
			if (n == 0)
				break;
			if (n >= sizeof(jail)) {
				jc_error(c, list->line, 1, NULL, "jail name "
				    "\"%.40s...\" is too long", w);
				continue;
			}
			memcpy(jail, w, n);
			jail[n] = '\0';
			dup = 0;
			for (const struct jc_block *b = c->blocks; b != NULL;
			    b = b->next)
				dup |= strcmp(b->name, jail) == 0;
			if (dup)
				continue;
			if (rc_jail(&rc, jail, list->line) != 0 && c->oom)
				goto done;
		}
	} else {
		/* No jail_list: every jail with a jail_NAME_rootdir. */
		for (i = 0; i < rc.n; i++) {
			rv = &rc.v[i];
			n = strlen(rv->name);
			if (strncmp(rv->name, "jail_", 5) != 0 || n <= 13 ||
			    strcmp(rv->name + n - 8, "_rootdir") != 0)
				continue;
			snprintf(jail, sizeof(jail), "%.*s", (int)(n - 13),
			    rv->name + 5);
			line = rv->line;
			if (rc_jail(&rc, jail, line) != 0 && c->oom)
				goto done;
		}
	}
	/* jail_NAME_* variables nothing read. */
	for (const struct jc_block *b = c->blocks; b != NULL; b = b->next) {
		snprintf(prefix, sizeof(prefix), "jail_%s_", b->name);
		for (j = 0; j < rc.n; j++)
			if (!rc.v[j].used && strncmp(rc.v[j].name, prefix,
			    strlen(prefix)) == 0) {
				rc.v[j].used = 1;
				jc_notimp(c, b->name, rc.v[j].name,
				    rc.v[j].line, "not an rc.conf jail "
				    "variable jaild knows");
			}
	}
	rv_ = 0;
done:
	jd_free(rc.v);
	return rv_;
}

/* ---- collecting and expanding one jail ---- */

static struct jc_param *
jail_param(struct jc *c, struct jc_jail *j, const char *name, int line,
    int col)
{
	struct jc_param *np;
	size_t i;

	for (i = 0; i < j->np; i++)
		if (strcmp(j->p[i].name, name) == 0)
			return &j->p[i];
	if (j->np >= JAILCONF_MAX_PARAMS) {
		if (!j->full)
			jc_error(c, line, col, j->name, "more than %d "
			    "parameters", JAILCONF_MAX_PARAMS);
		j->full = j->bad = 1;
		return NULL;
	}
	if (j->np % 16 == 0) {
		np = jd_realloc(j->p, (j->np + 16) * sizeof(*np));
		if (np == NULL) {
			c->oom = 1;
			return NULL;
		}
		j->p = np;
	}
	np = &j->p[j->np++];
	memset(np, 0, sizeof(*np));
	np->name = name;
	return np;
}

static int
param_push(struct jc *c, struct jc_jail *j, struct jc_param *p,
    const struct jc_val *v)
{
	const struct jc_val **nv;

	if (p->nv >= JAILCONF_MAX_VALUES) {
		j->bad = 1;
		return jc_error(c, v->line, v->col, j->name, "more than %d "
		    "values for \"%s\"", JAILCONF_MAX_VALUES, p->name);
	}
	if (p->nv == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4;
		nv = jd_realloc(p->v, p->cap * sizeof(*nv));
		if (nv == NULL) {
			c->oom = 1;
			return -1;
		}
		p->v = nv;
	}
	p->v[p->nv++] = v;
	return 0;
}

static int
jail_apply(struct jc *c, struct jc_jail *j, const struct jc_stmt *s)
{
	struct jc_param *p;
	const struct jc_val *v;

	if (++c->applied > MAX_APPLIED) {
		if (c->applied == MAX_APPLIED + 1)
			jc_error(c, s->line, s->col, NULL, "the configuration "
			    "is too large (more than %d parameter settings "
			    "over all jails)", MAX_APPLIED);
		return -1;
	}
	if (!s->isvar && (strcmp(s->name, "name") == 0 ||
	    strcmp(s->name, "jid") == 0)) {
		j->bad = 1;
		return jc_error(c, s->line, s->col, j->name, "cannot "
		    "redefine parameter \"%s\" (the block name sets it)",
		    s->name);
	}
	if ((p = jail_param(c, j, s->name, s->line, s->col)) == NULL)
		return c->oom ? -1 : 0;
	if (p->last != NULL && p->isvar != s->isvar) {
		j->bad = 1;
		return jc_error(c, s->line, s->col, j->name, "variable \"%s\" "
		    "cannot share its name with a parameter", s->name);
	}
	p->isvar = s->isvar;
	p->last = s;
	if (s->op == OP_SET || s->novalue) {
		p->nv = 0;
		p->novalue = s->novalue;
		p->neg = s->neg;
	} else {
		p->novalue = 0;
		p->neg = 0;
	}
	for (v = s->v; v != NULL; v = v->next)
		if (param_push(c, j, p, v) != 0)
			return c->oom ? -1 : 0;
	return 0;
}

static struct jc_param *
jail_find(struct jc_jail *j, const char *name)
{
	size_t i;

	for (i = 0; i < j->np; i++)
		if (strcmp(j->p[i].name, name) == 0)
			return &j->p[i];
	return NULL;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF),
 * as jansson takes it. */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned long cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, cp = s[i] & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

static int
x_push(struct jc *c, struct jc_jail *j, struct jc_param *p,
    const char *s, size_t n, int line, int col)
{
	char **nx;

	if (!utf8_valid((const unsigned char *)s, n)) {
		j->bad = 1;
		return jc_error(c, line, col, j->name, "a value of \"%s\" is "
		    "not valid UTF-8", p->name);
	}

	if (p->nx >= JAILCONF_MAX_VALUES) {
		j->bad = 1;
		return jc_error(c, line, col, j->name, "more than %d values "
		    "for \"%s\"", JAILCONF_MAX_VALUES, p->name);
	}
	c->expanded += n + 1;
	if (c->expanded > JAILCONF_MAX_EXPANDED) {
		j->bad = 1;
		return jc_error(c, line, col, j->name, "the configuration "
		    "expands to more than %d bytes", JAILCONF_MAX_EXPANDED);
	}
	if ((nx = jd_realloc(p->x, (p->nx + 1) * sizeof(*nx))) == NULL) {
		c->oom = 1;
		return -1;
	}
	p->x = nx;
	if ((p->x[p->nx] = jd_strndup(s, n)) == NULL) {
		c->oom = 1;
		return -1;
	}
	p->nx++;
	return 0;
}

static int
expand(struct jc *c, struct jc_jail *j, struct jc_param *p, int depth);

/* The parameter a ${var} names, expanded; NULL after an error. */
static struct jc_param *
expand_ref(struct jc *c, struct jc_jail *j, const struct jc_piece *pc,
    const struct jc_val *v, int depth)
{
	struct jc_param *q = jail_find(j, pc->s);

	if (q == NULL) {
		j->bad = 1;
		jc_error(c, v->line, v->col, j->name, "variable \"%s\" not "
		    "found", pc->s);
		return NULL;
	}
	if (expand(c, j, q, depth + 1) != 0)
		return NULL;
	return q;
}

static int
expand(struct jc *c, struct jc_jail *j, struct jc_param *p, int depth)
{
	const struct jc_val *v;
	const struct jc_piece *pc;
	struct jc_param *q;
	struct buf b;
	size_t i, k;

	if (p->state == XS_DONE)
		return 0;
	if (p->state == XS_FAILED)
		return -1;
	if (p->state == XS_BUSY || depth > MAX_DEPTH) {
		j->bad = 1;
		p->state = XS_FAILED;
		return jc_error(c, p->last ? p->last->line : 0,
		    p->last ? p->last->col : 0, j->name, "variable loop "
		    "through \"%s\"", p->name);
	}
	p->state = XS_BUSY;
	memset(&b, 0, sizeof(b));
	for (i = 0; i < p->nv; i++) {
		v = p->v[i];
		pc = v->p;
		if (pc != NULL && pc->var && pc->next == NULL) {
			/* A whole value: a list splices in. */
			if ((q = expand_ref(c, j, pc, v, depth)) == NULL)
				goto fail;
			for (k = 0; k < q->nx; k++)
				if (x_push(c, j, p, q->x[k], strlen(q->x[k]),
				    v->line, v->col) != 0)
					goto fail;
			continue;
		}
		buf_reset(&b);
		for (; pc != NULL; pc = pc->next) {
			if (!pc->var) {
				if (buf_append(&b, pc->s, pc->len) != 0)
					goto oom;
				continue;
			}
			if ((q = expand_ref(c, j, pc, v, depth)) == NULL)
				goto fail;
			if (q->nx > 1) {
				j->bad = 1;
				jc_error(c, v->line, v->col, j->name, "array "
				    "\"%s\" cannot be substituted inline",
				    q->name);
				goto fail;
			}
			if (q->nx == 1 && buf_puts(&b, q->x[0]) != 0)
				goto oom;
			if (b.len > JAILCONF_MAX_VALUE) {
				j->bad = 1;
				jc_error(c, v->line, v->col, j->name, "value "
				    "of \"%s\" longer than %d bytes", p->name,
				    JAILCONF_MAX_VALUE);
				goto fail;
			}
		}
		if (x_push(c, j, p, b.data ? b.data : "", b.len, v->line,
		    v->col) != 0)
			goto fail;
	}
	buf_free(&b);
	p->state = XS_DONE;
	return 0;
oom:
	c->oom = 1;
fail:
	buf_free(&b);
	p->state = XS_FAILED;
	return -1;
}

static void
jail_free(struct jc_jail *j)
{
	size_t i, k;

	for (i = 0; i < j->np; i++) {
		for (k = 0; k < j->p[i].nx; k++)
			jd_free(j->p[i].x[k]);
		jd_free(j->p[i].x);
		jd_free(j->p[i].v);
	}
	jd_free(j->p);
	memset(j, 0, sizeof(*j));
}

/* ---- converting one jail to a document ---- */

enum jkind {
	JK_PATH, JK_HOST, JK_IP4, JK_IP6, JK_IFACE, JK_HOOK, JK_CLEAN,
	JK_JUSER, JK_SUSER, JK_TIMEOUT, JK_STOPTO, JK_CONSOLE, JK_DEPEND,
	JK_MOUNT, JK_DEVFS, JK_FDESC, JK_PROC, JK_RULESET, JK_PERSIST,
	JK_NOTIMP, JK_NAME
};

static const char *const hook_keys[] = {
	"prepare", "prestart", "created", "start", "poststart", "prestop",
	"stop", "poststop", "release"
};
#define NHOOKS	(sizeof(hook_keys) / sizeof(hook_keys[0]))

/* jail(8)'s own settings and the kernel parameters with a field. */
static const struct jrule {
	const char	*name;
	enum jkind	 kind;
	int		 arg;		/* hook index */
	const char	*reason;	/* JK_NOTIMP */
} jrules[] = {
	{ "name", JK_NAME, 0, NULL },
	{ "path", JK_PATH, 0, NULL },
	{ "host.hostname", JK_HOST, 0, NULL },
	{ "ip4.addr", JK_IP4, 0, NULL },
	{ "ip6.addr", JK_IP6, 0, NULL },
	{ "interface", JK_IFACE, 0, NULL },
	{ "exec.prepare", JK_HOOK, 0, NULL },
	{ "exec.prestart", JK_HOOK, 1, NULL },
	{ "exec.created", JK_HOOK, 2, NULL },
	{ "exec.start", JK_HOOK, 3, NULL },
	{ "exec.poststart", JK_HOOK, 4, NULL },
	{ "exec.prestop", JK_HOOK, 5, NULL },
	{ "exec.stop", JK_HOOK, 6, NULL },
	{ "exec.poststop", JK_HOOK, 7, NULL },
	{ "exec.release", JK_HOOK, 8, NULL },
	{ "exec.clean", JK_CLEAN, 0, NULL },
	{ "exec.jail_user", JK_JUSER, 0, NULL },
	{ "exec.system_user", JK_SUSER, 0, NULL },
	{ "exec.timeout", JK_TIMEOUT, 0, NULL },
	{ "stop.timeout", JK_STOPTO, 0, NULL },
	{ "exec.consolelog", JK_CONSOLE, 0, NULL },
	{ "depend", JK_DEPEND, 0, NULL },
	{ "mount", JK_MOUNT, 0, NULL },
	{ "mount.devfs", JK_DEVFS, 0, NULL },
	{ "mount.fdescfs", JK_FDESC, 0, NULL },
	{ "mount.procfs", JK_PROC, 0, NULL },
	{ "devfs_ruleset", JK_RULESET, 0, NULL },
	{ "persist", JK_PERSIST, 0, NULL },
	{ "exec.fib", JK_NOTIMP, 0,
	    "jaild does not set a FIB for commands in the jail" },
	{ "exec.system_jail_user", JK_NOTIMP, 0,
	    "jaild looks exec.jail_user up in the jail's own passwd" },
	{ "vnet.interface", JK_NOTIMP, 0,
	    "jaild does not move interfaces into vnet jails" },
	{ "zfs.dataset", JK_NOTIMP, 0,
	    "jaild does not attach ZFS datasets to jails" },
	{ "mount.fstab", JK_NOTIMP, 0,
	    "the file is on the host: list its lines as mount entries" },
	{ "ip_hostname", JK_NOTIMP, 0,
	    "jaild does not resolve the hostname into addresses: list them "
	    "in ip4.addr and ip6.addr" },
	{ "allow.dying", JK_NOTIMP, 0,
	    "deprecated and without effect" },
	{ "command", JK_NOTIMP, 0,
	    "jail(8) command-line setting: use exec.start" },
	{ "jid", JK_NOTIMP, 0, "jaild assigns jail ids" },
};

static const struct jrule *
jrule_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(jrules) / sizeof(jrules[0]); i++)
		if (strcmp(jrules[i].name, name) == 0)
			return &jrules[i];
	return NULL;
}

struct conv {
	struct jc		*c;
	struct jc_jail		*j;
	json_t			*doc, *params, *exec, *ips4, *ips6;
	json_t			*mounts, *depends;
	const char		*path;		/* normalised */
	const char		*iface;		/* interface, or NULL */
	int			 devfs, fdesc, proc;
	int			 devfs_line, fdesc_line, proc_line;
	long long		 ruleset;	/* -1: none given */
	char			 pathbuf[PATH_MAX_LEN + 1];
};

static int
cv_error(struct conv *cv, const struct jc_param *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cv_error(struct conv *cv, const struct jc_param *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cv->j->bad = 1;
	return jc_error(cv->c, p->last ? p->last->line : cv->j->block->line,
	    p->last ? p->last->col : cv->j->block->col, cv->j->name, "%s",
	    msg);
}

static int
p_line(const struct conv *cv, const struct jc_param *p)
{
	return p->last ? p->last->line : cv->j->block->line;
}

/* The last value of p (scalars keep the last of a list), or NULL. */
static const char *
p_scalar(struct conv *cv, const struct jc_param *p)
{
	if (p->novalue || p->nx == 0) {
		cv_error(cv, p, "\"%s\" needs a value", p->name);
		return NULL;
	}
	return p->x[p->nx - 1];
}

/* 1 / 0, or -1 after an error. */
static int
p_bool(struct conv *cv, const struct jc_param *p)
{
	const char *s;
	char *end;
	long long n;

	if (p->novalue)
		return !p->neg;
	if (p->neg)
		return cv_error(cv, p, "the \"no\" form of \"%s\" takes no "
		    "value", p->name);
	if ((s = p_scalar(cv, p)) == NULL)
		return -1;
	if (strcasecmp(s, "true") == 0)
		return 1;
	if (strcasecmp(s, "false") == 0)
		return 0;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (s[0] != '\0' && *end == '\0' && errno == 0)
		return n != 0;
	return cv_error(cv, p, "\"%s\" must be true or false, not \"%.100s\"",
	    p->name, s);
}

/* An integer in [lo, hi], or -1 after an error (with *ok 0). */
static long long
p_int(struct conv *cv, const struct jc_param *p, long long lo,
    long long hi, int *ok)
{
	const char *s;
	char *end;
	long long n;

	*ok = 0;
	if ((s = p_scalar(cv, p)) == NULL)
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi)
		return cv_error(cv, p, "\"%s\" must be an integer from %lld "
		    "to %lld, not \"%.100s\"", p->name, lo, hi, s);
	*ok = 1;
	return n;
}

/*
 * Normalise an absolute path into out: no repeated or trailing '/'.
 * NULL with *why on a relative path, "." or ".." components, control
 * characters or an overlong path.
 */
static const char *
path_norm(const char *in, char *out, size_t outsz, const char **why)
{
	const char *s = in, *e;
	size_t n, o = 0;

	*why = NULL;
	if (in[0] != '/') {
		*why = "must be an absolute path";
		return NULL;
	}
	for (e = in; *e != '\0'; e++)
		if ((unsigned char)*e < 0x20 || *e == 0x7f) {
			*why = "must not contain control characters";
			return NULL;
		}
	while (*s != '\0') {
		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.')) {
			*why = "must not contain \".\" or \"..\" components";
			return NULL;
		}
		if (o + n + 2 > outsz || o + n + 1 > PATH_MAX_LEN) {
			*why = "is too long";
			return NULL;
		}
		out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	if (o == 0) {
		if (outsz < 2) {
			*why = "is too long";
			return NULL;
		}
		out[o++] = '/';
	}
	out[o] = '\0';
	return out;
}

static int
ifname_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 15 || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) ==
		    NULL)
			return 0;
	return 1;
}

static int
user_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 32 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) ==
		    NULL)
			return 0;
	return 1;
}

static int
ip_dup(const json_t *arr, const char *canon)
{
	const json_t *o;
	const char *a;
	size_t i, n = strcspn(canon, "/");

	json_array_foreach((json_t *)arr, i, o) {
		a = json_string_value(json_object_get(o, "address"));
		if (a != NULL && strcspn(a, "/") == n &&
		    strncmp(a, canon, n) == 0)
			return 1;
	}
	return 0;
}

/* One "[iface|]addr[/mask] [ifconfig words]" entry of ip4/ip6.addr. */
static int
cv_ip(struct conv *cv, const struct jc_param *p, const char *text, int af)
{
	char item[256], addr[64], canon[INET6_ADDRSTRLEN + 8];
	char bin[16], mbin[4];
	const char *iface = cv->iface, *bar, *slash, *mask, *extra;
	int maxp = af == AF_INET ? 32 : 128, prefix, other, k;
	unsigned long m;
	size_t n, alen;
	char *end;
	json_t *o, *arr = af == AF_INET ? cv->ips4 : cv->ips6;

	text += strspn(text, " \t");
	n = strcspn(text, " \t");
	if (n == 0)
		return 0;		/* "" clears nothing, adds nothing */
	if (n >= sizeof(item))
		return cv_error(cv, p, "address \"%.40s...\" is too long",
		    text);
	memcpy(item, text, n);
	item[n] = '\0';
	extra = text + n;
	extra += strspn(extra, " \t");
	if (*extra != '\0')
		jc_notimp(cv->c, cv->j->name, p->name, p_line(cv, p),
		    "ifconfig arguments \"%.100s\" after %s are not "
		    "modelled", extra, item);
	bar = strchr(item, '|');
	if (bar != NULL) {
		item[bar - item] = '\0';
		iface = item;
		if (!ifname_ok(iface))
			return cv_error(cv, p, "\"%s\" is not an interface "
			    "name (1 to 15 of [A-Za-z0-9._-], starting with "
			    "a letter)", iface);
		bar++;
	} else
		bar = item;
	slash = strchr(bar, '/');
	alen = slash ? (size_t)(slash - bar) : strlen(bar);
	if (alen == 0 || alen >= sizeof(addr))
		return cv_error(cv, p, "\"%s\" is not an address", bar);
	memcpy(addr, bar, alen);
	addr[alen] = '\0';
	if (inet_pton(af, addr, bin) != 1) {
		other = af == AF_INET ? AF_INET6 : AF_INET;
		if (inet_pton(other, addr, bin) == 1)
			return cv_error(cv, p, "%s is an %s address; it "
			    "belongs in %s", addr, other == AF_INET ? "IPv4" :
			    "IPv6", other == AF_INET ? "ip4.addr" :
			    "ip6.addr");
		return cv_error(cv, p, "\"%s\" is not an %s address", addr,
		    af == AF_INET ? "IPv4" : "IPv6");
	}
	prefix = maxp;
	if (slash != NULL) {
		mask = slash + 1;
		if (af == AF_INET && strchr(mask, '.') != NULL) {
			if (inet_pton(AF_INET, mask, mbin) != 1)
				return cv_error(cv, p, "\"%s\" is not a "
				    "netmask", mask);
			m = ((unsigned long)(unsigned char)mbin[0] << 24) |
			    ((unsigned long)(unsigned char)mbin[1] << 16) |
			    ((unsigned long)(unsigned char)mbin[2] << 8) |
			    (unsigned long)(unsigned char)mbin[3];
			for (prefix = 0, k = 31; k >= 0 && (m >> k & 1); k--)
				prefix++;
			if ((m & (0xffffffffUL >> prefix)) != 0 &&
			    prefix < 32)
				return cv_error(cv, p, "netmask %s is not "
				    "contiguous", mask);
		} else {
			errno = 0;
			prefix = (int)strtol(mask, &end, 10);
			if (mask[0] < '0' || mask[0] > '9' || *end != '\0' ||
			    strlen(mask) > 3 || prefix > maxp)
				return cv_error(cv, p, "prefix \"%s\" must be "
				    "0 to %d", mask, maxp);
		}
	}
	if ((af == AF_INET && (memcmp(bin, "\0\0\0\0", 4) == 0 ||
	    memcmp(bin, "\xff\xff\xff\xff", 4) == 0)) ||
	    (af == AF_INET6 && memcmp(bin, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    16) == 0))
		return cv_error(cv, p, "%s cannot be a jail address", addr);
	inet_ntop(af, bin, canon, INET6_ADDRSTRLEN);
	n = strlen(canon);
	snprintf(canon + n, sizeof(canon) - n, "/%d", prefix);
	if (ip_dup(cv->ips4, canon) || ip_dup(cv->ips6, canon))
		return cv_error(cv, p, "address %s is listed twice", addr);
	if (json_array_size(arr) >= MAX_IPS)
		return cv_error(cv, p, "more than %d %s addresses", MAX_IPS,
		    af == AF_INET ? "IPv4" : "IPv6");
	o = json_pack("{s:s?, s:s, s:s}", "interface", iface, "address",
	    canon, "family", af == AF_INET ? "inet" : "inet6");
	json_add(cv->c, arr, o);
	return 0;
}

static int
cv_ips(struct conv *cv, const struct jc_param *p, int af)
{
	char item[512];
	const char *s, *e;
	size_t i, n;

	if (p->novalue)
		return cv_error(cv, p, "\"%s\" needs addresses", p->name);
	for (i = 0; i < p->nx; i++) {
		/* A value may itself be a comma-separated list. */
		for (s = p->x[i];; s = e + 1) {
			e = strchr(s, ',');
			n = e ? (size_t)(e - s) : strlen(s);
			if (n >= sizeof(item))
				return cv_error(cv, p, "address \"%.40s...\" "
				    "is too long", s);
			memcpy(item, s, n);
			item[n] = '\0';
			if (cv_ip(cv, p, item, af) != 0)
				return -1;
			if (e == NULL)
				break;
		}
	}
	return 0;
}

/* "name=value" from a comma-separated fstab options field. */
static const char *
opt_value(const char *opt, const char *key)
{
	size_t n = strlen(key);

	return strncmp(opt, key, n) == 0 && opt[n] == '=' ? opt + n + 1 :
	    NULL;
}

/* fstab(5) field escapes: \ooo octal (\040 is a blank), in place. */
static int
fstab_unescape(char *s)
{
	char *o = s;
	int v;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + s[3] - '0';
			if (v == 0)
				return -1;
			*o++ = (char)v;
			s += 3;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return 0;
}

/* One fstab line of "mount". */
static int
cv_mount(struct conv *cv, const struct jc_param *p, const char *line)
{
	static const char *const types[] = { "nullfs", "tmpfs", "devfs",
	    "procfs", "fdescfs", NULL };
	char *f[6], *copy, *save = NULL, *opt, *tok;
	char dst[PATH_MAX_LEN + 2];
	const char *why, *target, *sv;
	json_t *o = NULL, *opts;
	size_t nf = 0, i, plen;
	int ro = 0, rv = -1;

	if ((copy = jd_strdup(line)) == NULL) {
		cv->c->oom = 1;
		return -1;
	}
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && nf < 6;
	    tok = strtok_r(NULL, " \t", &save))
		f[nf++] = tok;
	if (nf == 0) {
		rv = 0;			/* an empty entry */
		goto done;
	}
	if (nf < 3 || tok != NULL) {
		cv_error(cv, p, "mount entry \"%.100s\" must be an fstab "
		    "line (source, mount point, type, options)", line);
		goto done;
	}
	for (i = 0; i < nf; i++)
		if (fstab_unescape(f[i]) != 0 ||
		    !utf8_valid((const unsigned char *)f[i], strlen(f[i]))) {
			cv_error(cv, p, "mount entry \"%.100s\" has a \\000 "
			    "escape or is not UTF-8", line);
			goto done;
		}
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(f[2], types[i]) == 0)
			break;
	if (types[i] == NULL) {
		jc_notimp(cv->c, cv->j->name, "mount", p_line(cv, p),
		    "file system type \"%.40s\" of \"%.100s\" is not modelled "
		    "(nullfs, tmpfs, devfs, procfs and fdescfs are)", f[2],
		    line);
		rv = 0;
		goto done;
	}
	if (path_norm(f[1], dst, sizeof(dst), &why) == NULL) {
		cv_error(cv, p, "mount point \"%.100s\" %s", f[1], why);
		goto done;
	}
	plen = strlen(cv->path);
	if (strncmp(dst, cv->path, plen) != 0 || dst[plen] != '/') {
		cv_error(cv, p, "mount point %.200s is not inside the jail's "
		    "path %.200s", dst, cv->path);
		goto done;
	}
	target = dst + plen;
	o = json_pack("{s:s}", "type", f[2]);
	if (o == NULL)
		goto oom;
	if (strcmp(f[2], "nullfs") == 0) {
		char src[PATH_MAX_LEN + 2];

		if (path_norm(f[0], src, sizeof(src), &why) == NULL) {
			cv_error(cv, p, "nullfs source \"%.100s\" %s", f[0],
			    why);
			goto done;
		}
		if (json_object_set_new(o, "source", json_string(src)) != 0)
			goto oom;
	}
	if (json_object_set_new(o, "target", json_string(target)) != 0)
		goto oom;
	save = NULL;
	for (opt = strtok_r(nf > 3 ? f[3] : NULL, ",", &save); opt != NULL;
	    opt = strtok_r(NULL, ",", &save)) {
		if (strcmp(opt, "ro") == 0 && strcmp(f[2], "nullfs") == 0)
			ro = 1;
		else if (strcmp(opt, "rw") == 0)
			ro = 0;
		else if (strcmp(f[2], "tmpfs") == 0 &&
		    (sv = opt_value(opt, "size")) != NULL) {
			if (json_object_set_new(o, "size", json_string(sv)) !=
			    0)
				goto oom;
		} else if (strcmp(f[2], "tmpfs") == 0 &&
		    (sv = opt_value(opt, "mode")) != NULL) {
			if (json_object_set_new(o, "mode", json_string(sv)) !=
			    0)
				goto oom;
		} else if (strcmp(f[2], "devfs") == 0 &&
		    (sv = opt_value(opt, "ruleset")) != NULL) {
			char *end;
			long r;

			errno = 0;
			r = strtol(sv, &end, 10);
			if (sv[0] < '0' || sv[0] > '9' || *end != '\0' ||
			    r > 65535) {
				cv_error(cv, p, "devfs ruleset \"%.40s\" must "
				    "be a number", sv);
				goto done;
			}
			if (json_object_set_new(o, "ruleset",
			    json_integer(r)) != 0)
				goto oom;
		} else
			jc_notimp(cv->c, cv->j->name, "mount", p_line(cv, p),
			    "option \"%.40s\" of the %s mount on %.100s is "
			    "not modelled", opt, f[2], target);
	}
	if (strcmp(f[2], "nullfs") == 0) {
		opts = json_pack("[s]", ro ? "ro" : "rw");
		if (opts == NULL || json_object_set_new(o, "options", opts)
		    != 0)
			goto oom;
	}
	if (strcmp(f[2], "devfs") == 0 && json_object_get(o, "ruleset") ==
	    NULL && json_object_set_new(o, "ruleset", json_integer(4)) != 0)
		goto oom;
	if (json_array_size(cv->mounts) >= MAX_MOUNTS) {
		cv_error(cv, p, "more than %d mounts", MAX_MOUNTS);
		goto done;
	}
	for (i = 0; i < json_array_size(cv->mounts); i++)
		if (json_equal(json_object_get(json_array_get(cv->mounts, i),
		    "target"), json_object_get(o, "target"))) {
			cv_error(cv, p, "two mounts on %.200s", target);
			goto done;
		}
	json_add(cv->c, cv->mounts, o);
	o = NULL;
	rv = 0;
	goto done;
oom:
	cv->c->oom = 1;
done:
	json_decref(o);
	jd_free(copy);
	return rv;
}

static int
cv_hook(struct conv *cv, const struct jc_param *p, int h)
{
	json_t *arr;
	size_t i, n;

	if (p->novalue)
		return cv_error(cv, p, "\"%s\" needs commands", p->name);
	arr = json_object_get(cv->exec, hook_keys[h]);
	for (i = 0; i < p->nx; i++) {
		n = strlen(p->x[i]);
		if (n == 0)
			continue;	/* "" runs nothing */
		if (n > MAX_CMD_LEN || strpbrk(p->x[i], "\n\r") != NULL)
			return cv_error(cv, p, "a command of \"%s\" must be "
			    "1 to %d bytes on one line", p->name,
			    MAX_CMD_LEN);
		if (json_array_size(arr) >= MAX_CMDS)
			return cv_error(cv, p, "more than %d commands in "
			    "\"%s\"", MAX_CMDS, p->name);
		json_add(cv->c, arr, json_string(p->x[i]));
	}
	return 0;
}

static int
cv_depend(struct conv *cv, const struct jc_param *p)
{
	size_t i, k;
	const char *d;

	for (i = 0; i < p->nx; i++) {
		d = p->x[i];
		if (d[0] == '\0')
			continue;
		if (!name_jail_valid(d))
			return cv_error(cv, p, "depend: \"%.100s\" is not a "
			    "jail name jaild accepts", d);
		if (strcmp(d, cv->j->name) == 0)
			return cv_error(cv, p, "a jail cannot depend on "
			    "itself");
		for (k = 0; k < json_array_size(cv->depends); k++)
			if (strcmp(json_string_value(json_array_get(
			    cv->depends, k)), d) == 0)
				break;
		if (k < json_array_size(cv->depends))
			continue;
		if (json_array_size(cv->depends) >= MAX_DEPENDS)
			return cv_error(cv, p, "more than %d dependencies",
			    MAX_DEPENDS);
		json_add(cv->c, cv->depends, json_string(d));
	}
	return 0;
}

/* A kernel parameter through the catalog. */
static int
cv_kparam(struct conv *cv, const struct jc_param *p)
{
	const struct param_def *d = catalog_lookup(p->name);
	const char *s;
	json_t *v = NULL;
	char msg[160], *end;
	long long n;
	int b;

	if (d == NULL) {
		jc_notimp(cv->c, cv->j->name, p->name, p_line(cv, p),
		    "unknown parameter");
		return 0;
	}
	if (d->flags & PARAM_F_READONLY) {
		jc_notimp(cv->c, cv->j->name, p->name, p_line(cv, p),
		    "read-only parameter");
		return 0;
	}
	if (d->type == PARAM_BOOL) {
		if ((b = p_bool(cv, p)) < 0)
			return -1;
		v = json_boolean(b);
	} else if (d->type == PARAM_JAILSYS && (p->novalue || p->neg)) {
		if (p->neg && !p->novalue)
			return cv_error(cv, p, "the \"no\" form of \"%s\" "
			    "takes no value", p->name);
		v = json_string(p->neg ? "disable" : "new");
	} else {
		if ((s = p_scalar(cv, p)) == NULL)
			return -1;
		if (d->type == PARAM_INT || d->type == PARAM_UINT ||
		    d->type == PARAM_ULONG) {
			errno = 0;
			n = strtoll(s, &end, 10);
			if (s[0] == '\0' || *end != '\0' || errno != 0)
				return cv_error(cv, p, "\"%s\" must be an "
				    "integer, not \"%.100s\"", p->name, s);
			v = json_integer(n);
		} else if (d->type == PARAM_JAILSYS) {
			v = catalog_value_from_text(d, s);
			if (v == NULL)
				return cv_error(cv, p, "\"%s\" must be new, "
				    "inherit or disable, not \"%.100s\"",
				    p->name, s);
		} else
			v = json_string(s);
	}
	if (v == NULL) {
		cv->c->oom = 1;
		return -1;
	}
	if (catalog_value_check(d, v, msg, sizeof(msg)) != 0) {
		json_decref(v);
		return cv_error(cv, p, "%s %s", p->name, msg);
	}
	if (json_object_set_new(cv->params, p->name, v) != 0)
		cv->c->oom = 1;
	return 0;
}

static int
cv_param(struct conv *cv, const struct jc_param *p)
{
	const struct jrule *r = jrule_find(p->name);
	const char *s, *why;
	char buf[PATH_MAX_LEN + 2];
	long long n;
	size_t i;
	int b, ok;

	if (p->isvar)
		return 0;
	if (r == NULL)
		return cv_kparam(cv, p);
	switch (r->kind) {
	case JK_NAME:
	case JK_PATH:
	case JK_IFACE:
	case JK_RULESET:
	case JK_DEVFS:
		return 0;		/* read before the others */
	case JK_HOST:
		if ((s = p_scalar(cv, p)) == NULL)
			return -1;
		if (strlen(s) > 255)
			return cv_error(cv, p, "host.hostname is longer than "
			    "255 bytes");
		for (i = 0; s[i] != '\0'; i++)
			if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
			    s[i] != '-')
				return cv_error(cv, p, "host.hostname "
				    "\"%.100s\" may hold only [A-Za-z0-9.-]",
				    s);
		json_object_set_new(cv->doc, "hostname", json_string(s));
		return 0;
	case JK_IP4:
		return cv_ips(cv, p, AF_INET);
	case JK_IP6:
		return cv_ips(cv, p, AF_INET6);
	case JK_HOOK:
		return cv_hook(cv, p, r->arg);
	case JK_CLEAN:
		if ((b = p_bool(cv, p)) < 0)
			return -1;
		json_object_set_new(cv->exec, "clean", json_boolean(b));
		return 0;
	case JK_JUSER:
	case JK_SUSER:
		if ((s = p_scalar(cv, p)) == NULL)
			return -1;
		if (!user_ok(s))
			return cv_error(cv, p, "\"%s\" must be a user name "
			    "(1 to 32 of [A-Za-z0-9._-])", p->name);
		json_object_set_new(cv->exec, r->kind == JK_JUSER ?
		    "jail_user" : "system_user", json_string(s));
		return 0;
	case JK_TIMEOUT:
		n = p_int(cv, p, 0, 86400, &ok);
		if (!ok)
			return -1;
		json_object_set_new(cv->exec, "timeout_s", n == 0 ?
		    json_null() : json_integer(n));
		return 0;
	case JK_STOPTO:
		n = p_int(cv, p, 0, 3600, &ok);
		if (!ok)
			return -1;
		json_object_set_new(cv->exec, "stop_timeout_s",
		    json_integer(n));
		return 0;
	case JK_CONSOLE:
		if ((s = p_scalar(cv, p)) == NULL)
			return -1;
		if (path_norm(s, buf, sizeof(buf), &why) == NULL ||
		    strcmp(buf, "/") == 0)
			return cv_error(cv, p, "exec.consolelog %s", why ?
			    why : "must not be \"/\"");
		json_object_set_new(cv->exec, "consolelog", json_string(buf));
		return 0;
	case JK_DEPEND:
		return cv_depend(cv, p);
	case JK_MOUNT:
		if (p->novalue)
			return cv_error(cv, p, "\"mount\" needs fstab lines");
		for (i = 0; i < p->nx; i++)
			if (cv_mount(cv, p, p->x[i]) != 0)
				return -1;
		return 0;
	case JK_FDESC:
	case JK_PROC:
		if ((b = p_bool(cv, p)) < 0)
			return -1;
		if (r->kind == JK_FDESC) {
			cv->fdesc = b;
			cv->fdesc_line = p_line(cv, p);
		} else {
			cv->proc = b;
			cv->proc_line = p_line(cv, p);
		}
		return 0;
	case JK_PERSIST:
		if ((b = p_bool(cv, p)) < 0)
			return -1;
		if (!b)
			jc_notimp(cv->c, cv->j->name, p->name, p_line(cv, p),
			    "jaild keeps its jails persistent");
		return 0;
	case JK_NOTIMP:
		jc_notimp(cv->c, cv->j->name, p->name, p_line(cv, p), "%s",
		    r->reason);
		return 0;
	}
	return 0;
}

/* A fixed mount (mount.devfs, ...) appended after the fstab ones. */
static int
cv_fixed(struct conv *cv, const char *type, const char *target,
    long long ruleset, int line)
{
	size_t i;
	json_t *o;

	for (i = 0; i < json_array_size(cv->mounts); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(
		    cv->mounts, i), "target")), target) == 0) {
			cv->j->bad = 1;
			return jc_error(cv->c, line, 1, cv->j->name, "mount.%s "
			    "and a mount entry both mount on %s", type,
			    target);
		}
	if (json_array_size(cv->mounts) >= MAX_MOUNTS) {
		cv->j->bad = 1;
		return jc_error(cv->c, line, 1, cv->j->name, "more than %d "
		    "mounts", MAX_MOUNTS);
	}
	o = ruleset >= 0 ? json_pack("{s:s, s:s, s:I}", "type", type,
	    "target", target, "ruleset", (json_int_t)ruleset) :
	    json_pack("{s:s, s:s}", "type", type, "target", target);
	json_add(cv->c, cv->mounts, o);
	return 0;
}

static json_t *
exec_defaults(void)
{
	json_t *e = json_object();
	size_t i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < NHOOKS; i++)
		json_object_set_new(e, hook_keys[i], json_array());
	json_object_set_new(e, "clean", json_false());
	json_object_set_new(e, "jail_user", json_null());
	json_object_set_new(e, "system_user", json_null());
	json_object_set_new(e, "timeout_s", json_null());
	json_object_set_new(e, "stop_timeout_s", json_integer(10));
	json_object_set_new(e, "consolelog", json_null());
	if (json_object_size(e) != NHOOKS + 6) {
		json_decref(e);
		return NULL;
	}
	return e;
}

/* json_object_set_new, which takes *v even when it fails. */
static int
attach(json_t *o, const char *key, json_t **v)
{
	int rv = json_object_set_new(o, key, *v);

	*v = NULL;
	return rv;
}

static void
jail_convert(struct jc *c, struct jc_jail *j)
{
	struct conv cv;
	struct jc_param *p;
	const char *s, *why;
	size_t i;
	int ok, b;
	json_t *ips = NULL;

	memset(&cv, 0, sizeof(cv));
	cv.c = c;
	cv.j = j;
	cv.ruleset = -1;
	cv.doc = json_object();
	cv.params = json_object();
	cv.exec = exec_defaults();
	cv.ips4 = json_array();
	cv.ips6 = json_array();
	cv.mounts = json_array();
	cv.depends = json_array();
	if (cv.doc == NULL || cv.params == NULL || cv.exec == NULL ||
	    cv.ips4 == NULL || cv.ips6 == NULL || cv.mounts == NULL ||
	    cv.depends == NULL)
		goto oom;
	if (json_object_set_new(cv.doc, "name", json_string(j->name)) != 0 ||
	    json_object_set_new(cv.doc, "path", json_null()) != 0 ||
	    json_object_set_new(cv.doc, "hostname", json_string("")) != 0 ||
	    json_object_set_new(cv.doc, "state", json_string("running")) != 0)
		goto oom;

	/* First what the others depend on: path, interface, devfs. */
	if ((p = jail_find(j, "path")) == NULL || p->isvar) {
		j->bad = 1;
		jc_error(c, j->block->line, j->block->col, j->name, "jail "
		    "\"%s\" has no path", j->name);
	} else if ((s = p_scalar(&cv, p)) != NULL) {
		if (path_norm(s, cv.pathbuf, sizeof(cv.pathbuf), &why) ==
		    NULL || strcmp(cv.pathbuf, "/") == 0)
			cv_error(&cv, p, "path \"%.100s\" %s", s, why ? why :
			    "must not be \"/\"");
		else {
			cv.path = cv.pathbuf;
			json_object_set_new(cv.doc, "path",
			    json_string(cv.path));
		}
	}
	if ((p = jail_find(j, "interface")) != NULL && !p->isvar &&
	    (s = p_scalar(&cv, p)) != NULL) {
		if (!ifname_ok(s))
			cv_error(&cv, p, "interface \"%.100s\" is not an "
			    "interface name", s);
		else
			cv.iface = s;
	}
	if ((p = jail_find(j, "mount.devfs")) != NULL &&
	    (b = p_bool(&cv, p)) >= 0) {
		cv.devfs = b;
		cv.devfs_line = p_line(&cv, p);
	}
	if ((p = jail_find(j, "devfs_ruleset")) != NULL && !p->isvar) {
		if (cv.devfs) {
			cv.ruleset = p_int(&cv, p, 0, 65535, &ok);
			if (!ok)
				cv.ruleset = -1;
		} else
			cv_kparam(&cv, p);
	}
	if (j->bad || c->oom)
		goto done;
	for (i = 0; i < j->np && !c->oom; i++)
		cv_param(&cv, &j->p[i]);
	if (cv.devfs)
		cv_fixed(&cv, "devfs", "/dev", cv.ruleset >= 0 ? cv.ruleset :
		    4, cv.devfs_line);
	if (cv.fdesc)
		cv_fixed(&cv, "fdescfs", "/dev/fd", -1, cv.fdesc_line);
	if (cv.proc)
		cv_fixed(&cv, "procfs", "/proc", -1, cv.proc_line);
	if (j->bad || c->oom)
		goto done;
	if ((ips = json_array()) == NULL ||
	    json_array_extend(ips, cv.ips4) != 0 ||
	    json_array_extend(ips, cv.ips6) != 0)
		goto oom;
	if (attach(cv.doc, "params", &cv.params) != 0 ||
	    attach(cv.doc, "exec", &cv.exec) != 0 ||
	    attach(cv.doc, "ips", &ips) != 0 ||
	    attach(cv.doc, "mounts", &cv.mounts) != 0 ||
	    attach(cv.doc, "depends", &cv.depends) != 0)
		goto oom;
	json_add(c, c->jails, cv.doc);
	cv.doc = NULL;
	goto done;
oom:
	c->oom = 1;
done:
	json_decref(ips);
	json_decref(cv.doc);
	json_decref(cv.params);
	json_decref(cv.exec);
	json_decref(cv.ips4);
	json_decref(cv.ips6);
	json_decref(cv.mounts);
	json_decref(cv.depends);
}

/*
 * jail(8)'s wildcard match: components split on '.'; a '*' component in
 * the middle matches exactly one, a final one matches one or more.
 */
static int
wild_match(const char *pat, const char *name)
{
	const char *pe, *ne;
	size_t pl, nl;

	for (;;) {
		pe = strchr(pat, '.');
		ne = strchr(name, '.');
		pl = pe ? (size_t)(pe - pat) : strlen(pat);
		nl = ne ? (size_t)(ne - name) : strlen(name);
		if (pl == 1 && pat[0] == '*') {
			if (pe == NULL)
				return 1;
		} else if (pl != nl || strncmp(pat, name, pl) != 0)
			return 0;
		if (pe == NULL)
			return ne == NULL;
		if (ne == NULL)
			return 0;
		pat = pe + 1;
		name = ne + 1;
	}
}

/* Collect, expand and convert every named block. */
static void
convert_all(struct jc *c)
{
	const struct jc_block *b, *o;
	const struct jc_stmt *s;
	struct jc_jail j;
	struct jc_param *np;
	struct jc_val *nv;
	struct jc_piece *pc;
	size_t njails = 0, i;

	for (b = c->blocks; b != NULL && !c->oom; b = b->next) {
		if (b->wild)
			continue;
		for (o = c->blocks; o != b; o = o->next)
			if (!o->wild && strcmp(o->name, b->name) == 0)
				break;
		if (o != b) {
			jc_error(c, b->line, b->col, b->name, "jail \"%s\" is "
			    "defined twice (first at line %d)", b->name,
			    o->line);
			continue;
		}
		if (++njails > JAILCONF_MAX_JAILS) {
			jc_error(c, b->line, b->col, NULL, "more than %d "
			    "jails", JAILCONF_MAX_JAILS);
			return;
		}
		if (!name_jail_valid(b->name)) {
			jc_error(c, b->line, b->col, NULL, "\"%.100s\" is not a "
			    "jail name jaild accepts: %s", b->name,
			    name_jail_rule());
			continue;
		}
		memset(&j, 0, sizeof(j));
		j.name = b->name;
		j.block = b;
		/* The block name is the parameter (and variable) "name". */
		if ((np = jail_param(c, &j, "name", b->line, b->col)) ==
		    NULL || (nv = ar_alloc(c, sizeof(*nv))) == NULL ||
		    (pc = ar_alloc(c, sizeof(*pc))) == NULL)
			goto next;
		pc->s = (char *)b->name;
		pc->len = strlen(b->name);
		nv->p = pc;
		nv->line = b->line;
		nv->col = b->col;
		if (param_push(c, &j, np, nv) != 0)
			goto next;
		for (o = c->blocks; o != NULL; o = o->next) {
			if (o->wild ? !wild_match(o->name, b->name) : o != b)
				continue;
			for (s = o->s; s != NULL; s = s->next)
				if (jail_apply(c, &j, s) != 0 && (c->oom ||
				    c->applied > MAX_APPLIED))
					goto next;
		}
		for (i = 0; i < j.np && !c->oom; i++)
			if (!j.p[i].isvar)
				expand(c, &j, &j.p[i], 0);
		if (!j.bad && !c->oom)
			jail_convert(c, &j);
next:
		jail_free(&j);
		if (c->applied > MAX_APPLIED)
			return;
	}
}

void
jailconf_result_free(struct jailconf_result *r)
{
	if (r == NULL)
		return;
	json_decref(r->jails);
	json_decref(r->not_imported);
	json_decref(r->errors);
	memset(r, 0, sizeof(*r));
}

int
jailconf_import(const char *text, size_t len, int rcconf,
    struct jailconf_result *out, struct jd_error *err)
{
	struct jc c;
	const char *nul;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.jails = json_array();
	c.notimp = json_array();
	c.errors = json_array();
	if (c.jails == NULL || c.notimp == NULL || c.errors == NULL)
		goto oom;
	if (len > JAILCONF_MAX_INPUT)
		jc_error(&c, 1, 1, NULL, "the text is larger than %d bytes",
		    JAILCONF_MAX_INPUT);
	else if (text == NULL && len > 0)
		jc_error(&c, 1, 1, NULL, "no text");
	else if (len > 0 && (nul = memchr(text, '\0', len)) != NULL) {
		int line = 1, col = 1;
		const char *p;

		for (p = text; p < nul; p++) {
			if (*p == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		jc_error(&c, line, col, NULL, "NUL byte in the text");
	} else if ((rcconf ? parse_rcconf(&c, text, len) :
	    parse_jailconf(&c, text, len)) == 0 && !c.oom &&
	    json_array_size(c.errors) == 0)
		convert_all(&c);
	if (c.oom)
		goto oom;
	ar_free(&c);
	out->jails = c.jails;
	out->not_imported = c.notimp;
	out->errors = c.errors;
	if (json_array_size(c.errors) != 0)
		return jd_error_set(err, JD_E_INVALID, NULL, "the %s has %zu "
		    "error%s", rcconf ? "rc.conf text" : "jail.conf text",
		    json_array_size(c.errors), json_array_size(c.errors) ==
		    1 ? "" : "s");
	return 0;
oom:
	ar_free(&c);
	json_decref(c.jails);
	json_decref(c.notimp);
	json_decref(c.errors);
	return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
}

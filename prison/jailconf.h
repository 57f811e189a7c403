/*
 * jailconf.h - jail.conf(5) and the old rc.conf jail_* variables in, jail
 * documents out; jail documents in, jail.conf text out.
 *
 * Import parses the text (jail.conf grammar of freebsd-jail-facts.md
 * section 6, or the rc.conf variables of section 10), collects each jail's
 * parameters as jail(8) does (global statements and wildcard blocks in file
 * order, `=` replaces, `+=` appends, variables expanded last) and converts
 * them to the desired part of jaild's jail document (/tmp/jaild-api.md).
 * Settings jaild does not model are listed by name, never dropped
 * silently.  Export renders a document as a block jail(8) accepts.
 *
 * prison/ knows nothing of HTTP: the caller (api/) validates the documents
 * with codec_jail_decode and refuses the whole import when any error was
 * reported.  Pure functions, no globals; thread-safe.
 */
#ifndef JD_JAILCONF_H
#define JD_JAILCONF_H

#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/error.h"

/* Limits: input beyond them is an error, never a crash or a stall. */
#define JAILCONF_MAX_INPUT	(1024 * 1024)	/* bytes of text */
#define JAILCONF_MAX_JAILS	1024		/* jails in one text */
#define JAILCONF_MAX_STMTS	20000		/* statements in one text */
#define JAILCONF_MAX_PARAMS	256		/* distinct names per jail */
#define JAILCONF_MAX_VALUE	65536		/* bytes of one value */
#define JAILCONF_MAX_VALUES	1024		/* values of one parameter */
#define JAILCONF_MAX_EXPANDED	(16 * 1024 * 1024) /* bytes, all jails */
#define JAILCONF_MAX_ERRORS	100		/* then "too many errors" */

/* What jailconf_import produced.  Zero it before the call. */
struct jailconf_result {
	/*
	 * Desired parts of jail documents, in file order (name, path,
	 * hostname, state "running", params, exec with every key, ips,
	 * mounts without ids, depends).  Only jails that converted without
	 * an error are here.
	 */
	json_t	*jails;
	/* [{"jail", "name", "reason", "line"}]: settings not imported. */
	json_t	*not_imported;
	/* [{"line", "column", "message"}], 1-based; "jail" when known. */
	json_t	*errors;
};

/*
 * Import text (len bytes, need not be NUL-terminated; NUL bytes are an
 * error).  rcconf 0 reads jail.conf, 1 reads rc.conf jail_* variables.
 * Fills out (three new arrays, also on failure unless out of memory) and
 * returns 0 when errors is empty.  Returns -1 with err JD_E_INVALID when
 * the text has errors (each in out->errors with its line; the caller must
 * not create anything then), or JD_E_NOMEM with out freed.
 * Free with jailconf_result_free.
 */
int	jailconf_import(const char *text, size_t len, int rcconf,
	    struct jailconf_result *out, struct jd_error *err);
void	jailconf_result_free(struct jailconf_result *r); /* NULL: no-op */

/*
 * Append to out one jail block for doc (a jail document as the API
 * renders it, borrowed): a comment line, then `NAME {`, path,
 * host.hostname, ip4.addr / ip6.addr as "iface|addr/prefix" lists, mount
 * entries as fstab lines and mount.devfs / mount.fdescfs / mount.procfs
 * with devfs_ruleset, exec.* hooks (`=` then `+=`), the exec options,
 * depend, the kernel parameters and `persist;`, then `}`.
 * effective_params (borrowed, may be NULL) is a params object whose
 * members override the document's.  An effective document
 * (prison/policy.h) carries "limits": each becomes a comment line
 * "# rctl: jail:NAME:RESOURCE:ACTION=AMOUNT", since jail.conf has no
 * place for rctl rules.  Every value is
 * quoted and escaped.  Returns 0, or -1 with err JD_E_INVALID (doc lacks
 * a valid name or path) or JD_E_NOMEM; out may then hold part of a block.
 */
int	jailconf_emit(const json_t *doc, const json_t *effective_params,
	    struct buf *out, struct jd_error *err);

/*
 * A whole file: a header comment and one block per document of docs (an
 * array), separated by blank lines.  effective (may be NULL) maps jail
 * names to effective params objects.  Errors as jailconf_emit.
 */
int	jailconf_emit_file(const json_t *docs, const json_t *effective,
	    struct buf *out, struct jd_error *err);

#endif

/*
 * catalog.h - the jail parameter catalog (FreeBSD 14), as data.
 *
 * One row per kernel parameter jaild knows: its name, type, bounds, whether
 * it can only be set at creation, whether it is read-only, whether only an
 * admin may set it, and which jaild field replaces it when jaild manages it
 * itself.  Validation, the host backends, the reconciler's drift check, the
 * jail.conf emitter and GET /v1/host/params all read this one table.
 * Source: ../shared/freebsd-jail-facts.md section 1.
 *
 * Values travel as JSON (jansson): integers as JSON integers, booleans as
 * JSON booleans, jailsys as "new" / "inherit" / "disable", strings as JSON
 * strings.  The text form is what jail(8), libjail and jail.conf use.
 * All functions are pure and thread-safe.
 */
#ifndef JD_CATALOG_H
#define JD_CATALOG_H

#include <stddef.h>

#include <jansson.h>

#include "common/verr.h"

enum param_type {
	PARAM_INT,		/* signed int, [min, max] */
	PARAM_UINT,		/* unsigned int, [min, max] */
	PARAM_ULONG,		/* unsigned long, [min, max] */
	PARAM_BOOL,		/* true / false */
	PARAM_STRING,		/* at most maxlen bytes, no NUL */
	PARAM_JAILSYS,		/* "new", "inherit", "disable" */
	PARAM_IP4LIST,		/* comma-separated IPv4 addresses */
	PARAM_IP6LIST,		/* comma-separated IPv6 addresses */
};

/* flags */
#define PARAM_F_CREATE_ONLY	0x0001	/* CTLFLAG_RDTUN: fixed after creation */
#define PARAM_F_READONLY	0x0002	/* CTLFLAG_RD: reported, never set */
#define PARAM_F_ADMIN		0x0004	/* some values need an admin principal;
					   catalog_needs_admin says which */
#define PARAM_F_OWN_FIELD	0x0008	/* set through a jaild field (own_field) */
#define PARAM_F_MANAGED		0x0010	/* jaild sets it itself (persist, jid) */
#define PARAM_F_NO_DISABLE	0x0020	/* jailsys without "disable" (host, vnet) */
#define PARAM_F_MODULE		0x0040	/* exists only while a module is loaded */

struct param_def {
	const char	*name;		/* "allow.raw_sockets" */
	enum param_type	 type;
	long long	 min, max;	/* for the integer types; for strings,
					   min is the least length in bytes */
	size_t		 maxlen;	/* for strings, bytes excluding NUL */
	unsigned	 flags;
	const char	*own_field;	/* with PARAM_F_OWN_FIELD: "/path", ... */
	const char	*dflt;		/* text default for a new top-level jail,
					   or NULL when it is inherited, is
					   read-only or jaild sets it (own
					   field, managed, ip4/ip6 from ips) */
	const char	*desc;		/* one line for /v1/host/params */
};

/* Exact-name lookup; NULL when unknown. */
const struct param_def *catalog_lookup(const char *name);
size_t	catalog_count(void);
const struct param_def *catalog_at(size_t i);
/* "int", "uint", "ulong", "bool", "string", "jailsys", "ip4list", "ip6list" */
const char *catalog_type_name(enum param_type t);

/*
 * Check one value against its definition.  Returns 0, or -1 with a
 * lower-case sentence in msg (e.g. "must be an integer from -1 to 3").
 * Integers must be JSON integers (3.0 and "3" are refused); IP lists are
 * one JSON string "a,b" ("" is the empty list) of distinct addresses of
 * the family, at most 255, none unspecified or broadcast.
 */
int	catalog_value_check(const struct param_def *def, const json_t *value,
	    char *msg, size_t msgsz);

/*
 * Validate a whole "params" object of a jail or policy document, adding
 * one verrs entry per bad member under the JSON Pointer base (e.g.
 * "/params"): not an object, unknown names (with the nearest known name
 * when one is close), the no-prefixed boolean forms ("allow.nomount": use
 * "allow.mount": false), parameters that have their own field, that jaild
 * manages or that are read-only (each message names the right field or
 * says why), and bad values.  Unknown names that are jail(8) settings
 * (exec.*, mount.*, depend, ...) or FreeBSD 15 parameters say so.
 * Out of memory shows as errs->oom, as verrs_add records it.
 */
void	catalog_validate_params(const json_t *params, const char *base,
	    struct verrs *errs);

/*
 * Text form of a checked value, as jail(8) and libjail take it: integers in
 * decimal, booleans "true" / "false", jailsys names, strings as they are.
 * Returns 0, or -1 if the value does not fit outsz or does not match def.
 */
int	catalog_value_to_text(const struct param_def *def, const json_t *value,
	    char *out, size_t outsz);

/*
 * The JSON value for a text form reported by a host (new reference), or
 * NULL when text is not a valid value of def.  Booleans accept
 * "true"/"false"/"1"/"0"; jailsys accepts the names and "0"/"1"/"2"
 * (disable/new/inherit, the kernel's numbers).
 */
json_t	*catalog_value_from_text(const struct param_def *def, const char *text);

/*
 * Whether setting value needs an admin principal, and why (a static
 * sentence), for the privilege model: allow.mount*, allow.raw_sockets,
 * enforce_statfs below 2, securelevel below 0, children.max above 0, vnet
 * "new", devfs_ruleset, and everything flagged PARAM_F_ADMIN.
 * Returns 1 with *why set, or 0 with *why NULL (why may be NULL).  Safe
 * values (false, enforce_statfs 2, ...) return 0; so does a value of the
 * wrong type, which catalog_value_check refuses anyway.
 */
int	catalog_needs_admin(const struct param_def *def, const json_t *value,
	    const char **why);

/*
 * The whole catalog as {"items": [...]} for GET /v1/host/params (new ref,
 * NULL when out of memory), in catalog order.  Each item has name, type,
 * create_only, read_only, admin_only (PARAM_F_ADMIN), default (the
 * JSON-typed default or null) and description; min and max only for the
 * integer types, maxlen only for strings, own_field only with
 * PARAM_F_OWN_FIELD.
 */
json_t	*catalog_schema_json(void);

#endif

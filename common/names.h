/*
 * names.h - the syntax rules for names jaild accepts (DESIGN.md section 3).
 *
 * Jail names: 1 to 63 of [A-Za-z0-9_-], starting with a letter or digit,
 * not all digits (stricter than the kernel so names are safe in paths, URLs
 * and rctl subjects).  Label keys: 1-63 of [A-Za-z0-9._/-]; label values:
 * 0-63 of [A-Za-z0-9._-].  Request ids: 1-64 of [A-Za-z0-9._-].
 */
#ifndef JD_NAMES_H
#define JD_NAMES_H

#include <stddef.h>

#define JD_NAME_MAX	63

int	name_jail_valid(const char *s);
int	name_label_key_valid(const char *s);
int	name_label_value_valid(const char *s);
int	name_request_id_valid(const char *s);
/* Same rules as jail names, for policies, pools and tokens. */
int	name_object_valid(const char *s);

/* A human sentence saying why name_jail_valid failed (static string). */
const char *name_jail_rule(void);

#endif

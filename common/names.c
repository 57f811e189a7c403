/*
 * names.c - name syntax checks, table-free: each rule is a character class
 * and a length range.
 */
#include <string.h>

#include "names.h"

static int
in_class(char c, const char *extra)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr(extra, c) != NULL;
}

static int
all_in(const char *s, const char *extra, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (n >= max || !in_class(s[n], extra))
			return 0;
	}
	return n >= min;
}

int
name_jail_valid(const char *s)
{
	const char *p;
	int digits_only = 1;

	if (s == NULL || !all_in(s, "_-", 1, JD_NAME_MAX))
		return 0;
	if (s[0] == '_' || s[0] == '-')
		return 0;
	for (p = s; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			digits_only = 0;
	return !digits_only;
}

int
name_object_valid(const char *s)
{
	return name_jail_valid(s);
}

const char *
name_jail_rule(void)
{
	return "must be 1 to 63 of [A-Za-z0-9_-], start with a letter or "
	    "digit and not be all digits";
}

int
name_label_key_valid(const char *s)
{
	return s != NULL && all_in(s, "._/-", 1, 63);
}

int
name_label_value_valid(const char *s)
{
	return s != NULL && all_in(s, "._-", 0, 63);
}

int
name_request_id_valid(const char *s)
{
	return s != NULL && all_in(s, "._-", 1, 64);
}

/*
 * etag.c - entity tags and conditional-request checks.  See etag.h.
 */
#include <stdio.h>
#include <string.h>

#include "etag.h"

/*
 * Whether the entity-tag list in header names resource_version rv.  With
 * weak, W/ tags compare too (If-None-Match); If-Match compares strongly.
 * "*" matches any existing version.
 */
static int
etag_list_has(const char *header, int64_t rv, int weak)
{
	char want[32];
	const char *p;
	size_t n;

	snprintf(want, sizeof(want), "\"%lld\"", (long long)rv);
	n = strlen(want);
	for (p = header; *p != '\0';) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return 1;
		if (weak && strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, want, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return 1;
		p = strchr(p, ',');
		if (p == NULL)
			break;
	}
	return 0;
}

int
etag_matches(const char *header, int64_t rv)
{
	return header != NULL && etag_list_has(header, rv, 1);
}

int
etag_if_match_ok(const char *header, int64_t rv, int exists)
{
	if (header == NULL)
		return 1;
	return exists && etag_list_has(header, rv, 0);
}

void
etag_set(struct api_response *resp, int64_t rv)
{
	snprintf(resp->etag, sizeof(resp->etag), "\"%lld\"", (long long)rv);
}

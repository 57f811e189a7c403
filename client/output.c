/*
 * output.c - jailctl's printing: tables fitted to the terminal (jls-like,
 * never wrapping), JSON in the server's key order for scripts, problem
 * documents rendered for people, and the progress line on stderr.
 */
#include <sys/ioctl.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "ctl.h"
#include "output.h"

#define TABLE_GAP	2

void
table_init(struct table *t, size_t ncols, const char *const *hdr)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
	table_add(t, hdr);
}

void
table_add(struct table *t, const char *const *cells)
{
	size_t i;
	char **n;

	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		n = jd_realloc(t->cells, t->cap * t->ncols * sizeof(*n));
		if (n == NULL)
			ctl_oom();
		t->cells = n;
	}
	for (i = 0; i < t->ncols; i++) {
		n = &t->cells[t->nrows * t->ncols + i];
		*n = jd_strdup(cells[i] != NULL ? cells[i] : "-");
		if (*n == NULL)
			ctl_oom();
	}
	t->nrows++;
}

void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		jd_free(t->cells[i]);
	jd_free(t->cells);
	memset(t, 0, sizeof(*t));
}

void
table_print(const struct table *t, FILE *fp, size_t width)
{
	size_t w[TABLE_MAX_COLS], floor_w, total, over, cut, i, r, len;
	const char *cell;

	for (i = 0; i < t->ncols; i++) {
		w[i] = 0;
		for (r = 0; r < t->nrows; r++) {
			len = strlen(t->cells[r * t->ncols + i]);
			if (len > w[i])
				w[i] = len;
		}
	}
	total = 0;
	for (i = 0; i < t->ncols; i++)
		total += w[i] + (i > 0 ? TABLE_GAP : 0);
	/*
	 * Too wide: take from the last column first, down to its header's
	 * width, then from the one before it; the first column (the name)
	 * is never cut.  Whatever still overflows is cut at the margin.
	 */
	for (i = t->ncols; width > 0 && total > width && i-- > 1;) {
		floor_w = strlen(t->cells[i]);
		if (floor_w < 4)
			floor_w = 4;
		if (w[i] <= floor_w)
			continue;
		over = total - width;
		cut = w[i] - floor_w < over ? w[i] - floor_w : over;
		w[i] -= cut;
		total -= cut;
	}
	for (r = 0; r < t->nrows; r++) {
		size_t col = 0;

		for (i = 0; i < t->ncols; i++) {
			cell = t->cells[r * t->ncols + i];
			len = strlen(cell);
			if (len > w[i])
				len = w[i];
			if (i > 0) {
				if (width > 0 && col + TABLE_GAP >= width)
					break;
				fprintf(fp, "%*s", TABLE_GAP, "");
				col += TABLE_GAP;
			}
			if (width > 0 && col + len > width)
				len = width - col;
			fwrite(cell, 1, len, fp);
			col += len;
			/* Pad to the column, except after the last one. */
			if (i + 1 < t->ncols && len < w[i]) {
				size_t pad = w[i] - len;

				if (width > 0 && col + pad > width)
					pad = width - col;
				fprintf(fp, "%*s", (int)pad, "");
				col += pad;
			}
		}
		fputc('\n', fp);
	}
}

size_t
output_width(void)
{
	struct winsize ws;
	const char *s;
	char *end;
	long v;

	if ((s = getenv("COLUMNS")) != NULL && *s != '\0') {
		v = strtol(s, &end, 10);
		if (*end == '\0' && v > 0)
			return (size_t)v;
	}
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

void
output_json(FILE *fp, const json_t *v)
{
	if (json_dumpf(v, fp, JSON_INDENT(2) | JSON_ENCODE_ANY) == -1)
		ctl_oom();
	fputc('\n', fp);
}

const char *
output_cell(const json_t *v, char *buf, size_t n)
{
	if (v == NULL || json_is_null(v))
		return "-";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	if (json_is_real(v)) {
		snprintf(buf, n, "%g", json_real_value(v));
		return buf;
	}
	return "...";
}

/*
 * What jailctl adds under an authentication or rate-limit answer: where
 * the credential came from (never the credential), how to give one, and
 * when to try again.
 */
static void
output_auth_hint(const struct http_resp *resp)
{
	const char *ra = resp->retry_after;
	char *end;
	long secs;

	if (resp->status == 401 && resp->auth_src == NULL)
		fputs("jailctl: no token was sent: give one with --token-file "
		    "FILE, JAILD_TOKEN or --token (see jailctl(1))\n", stderr);
	else if (resp->status == 401)
		fprintf(stderr, "jailctl: the token from %s was refused "
		    "(unknown, revoked or expired)\n", resp->auth_src);
	else if (resp->status == 403 && resp->auth_src != NULL)
		fprintf(stderr, "jailctl: (the token sent came from %s)\n",
		    resp->auth_src);
	if (resp->status != 429 && ra[0] == '\0')
		return;
	secs = strtol(ra, &end, 10);
	if (ra[0] != '\0' && *end == '\0' && secs >= 0)
		fprintf(stderr, "jailctl: retry in %ld second%s\n", secs,
		    secs == 1 ? "" : "s");
	else if (ra[0] != '\0')
		fprintf(stderr, "jailctl: retry after %s\n", ra);
	else
		fputs("jailctl: retry later\n", stderr);
}

void
output_problem(const struct http_resp *resp, const char *what)
{
	const json_t *p = resp->json, *errs, *e;
	const char *title, *detail, *field, *msg;
	size_t i, n;

	title = json_string_value(json_object_get(p, "title"));
	detail = json_string_value(json_object_get(p, "detail"));
	if (!json_is_object(p) || (title == NULL && detail == NULL)) {
		/* Not a problem document: show what came back. */
		fprintf(stderr, "jailctl: %s%sjaild answered HTTP %ld",
		    what != NULL ? what : "", what != NULL ? ": " : "",
		    resp->status);
		n = resp->body.len;
		if (n > 0) {
			/* The first line is enough to tell what answered. */
			n = strcspn(resp->body.data, "\r\n");
			if (n > 200)
				n = 200;
			fprintf(stderr, ": %.*s", (int)n, resp->body.data);
		}
		fputc('\n', stderr);
		output_auth_hint(resp);
		return;
	}
	fprintf(stderr, "jailctl: %s%s%s", what != NULL ? what : "",
	    what != NULL ? ": " : "", title != NULL ? title : "error");
	if (detail != NULL && *detail != '\0')
		fprintf(stderr, ": %s", detail);
	fputc('\n', stderr);
	errs = json_object_get(p, "errors");
	json_array_foreach(errs, i, e) {
		field = json_string_value(json_object_get(e, "field"));
		msg = json_string_value(json_object_get(e, "message"));
		fprintf(stderr, "  %s: %s\n",
		    field != NULL && *field != '\0' ? field : "(document)",
		    msg != NULL ? msg : "invalid");
	}
	if (json_is_integer(json_object_get(p, "line")))
		fprintf(stderr, "  at line %" JSON_INTEGER_FORMAT
		    ", column %" JSON_INTEGER_FORMAT "\n",
		    json_integer_value(json_object_get(p, "line")),
		    json_integer_value(json_object_get(p, "column")));
	output_auth_hint(resp);
}

void
output_progress(int enabled, const char *text)
{
	if (!enabled)
		return;
	/* \033[K clears to the end of the line on every terminal we know. */
	if (text == NULL)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\r%s\033[K", text);
	fflush(stderr);
}

int
output_items_plain(const struct ctl *ctl, const json_t *items,
    const char *key)
{
	const json_t *it;
	char cell[64];
	size_t i;

	if (ctl->output == CTL_OUT_JSON) {
		output_json(stdout, items);
		return 1;
	}
	if (ctl->output != CTL_OUT_NAME)
		return 0;
	json_array_foreach(items, i, it)
		printf("%s\n", output_cell(json_object_get(it, key), cell,
		    sizeof(cell)));
	return 1;
}

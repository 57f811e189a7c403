/*
 * output.h - how jailctl prints: tables fitted to the terminal, JSON for
 * scripts, problem documents for people, the progress line.
 */
#ifndef JD_CLIENT_OUTPUT_H
#define JD_CLIENT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "http.h"

#define TABLE_MAX_COLS	12

/*
 * A table: a header row, then rows of cells (copied).  Printed with the
 * columns as wide as their widest cell, two spaces between, no trailing
 * blanks; when wider than the terminal the last column is cut first, then
 * the ones before it (never the first), so no line ever wraps.
 */
struct table {
	size_t	  ncols;
	size_t	  nrows;	/* including the header */
	size_t	  cap;
	char	**cells;	/* nrows * ncols */
};

/* Start a table with ncols (<= TABLE_MAX_COLS) header names. */
void	table_init(struct table *t, size_t ncols, const char *const *hdr);
/* Append a row of ncols cells; a NULL cell prints as "-". */
void	table_add(struct table *t, const char *const *cells);
/* Print to fp, fitted to width columns (0: unlimited). */
void	table_print(const struct table *t, FILE *fp, size_t width);
void	table_free(struct table *t);

/*
 * The width stdout should be fitted to: $COLUMNS when set to a positive
 * number, else the terminal's width when stdout is a terminal, else 0
 * (no limit).
 */
size_t	output_width(void);

/* Print v as JSON, indent 2, keys in the server's order, newline. */
void	output_json(FILE *fp, const json_t *v);

/*
 * The -o json and -o name forms of a list of items: the array as JSON, or
 * each item's member key ("name", "id") on a line.  Returns 1 when ctl
 * asks for one of those and the list was printed, 0 for the table form,
 * which the caller prints.
 */
struct ctl;
int	output_items_plain(const struct ctl *ctl, const json_t *items,
	    const char *key);

/*
 * Render a failed answer on stderr: "jailctl: TITLE: DETAIL", then each
 * bad field as "  /pointer: message", and the line/column of malformed
 * JSON.  what (may be NULL) prefixes the detail, e.g. the jail name.
 * A body that is not a problem document is shown as its status and text.
 * Under a 401 or 403 a line says where the credential sent came from (or
 * that none was), never the credential; under a 429 (or any answer with
 * Retry-After) a line says when to retry.
 */
void	output_problem(const struct http_resp *resp, const char *what);

/*
 * A cell for a JSON value: strings as is, integers in decimal, true/false,
 * null as "-".  Returns a pointer into buf (size n) or into v.
 */
const char *output_cell(const json_t *v, char *buf, size_t n);

/*
 * The progress line on stderr (only when ctl->progress): show "\rTEXT"
 * padded to erase what was there, or with text NULL erase it.
 */
void	output_progress(int enabled, const char *text);

#endif

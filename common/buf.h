/*
 * buf.h - a growable byte buffer (git's strbuf in spirit).
 *
 * A zeroed struct buf is empty and valid.  The data is always NUL-terminated
 * once anything was appended.  Appends return 0 or -1 on out-of-memory, after
 * which the buffer stays valid with its old contents.
 */
#ifndef JD_BUF_H
#define JD_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

int	buf_append(struct buf *b, const void *p, size_t n);
int	buf_puts(struct buf *b, const char *s);
int	buf_putc(struct buf *b, char c);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_reset(struct buf *b);	/* len = 0, keeps memory */
/* Hand the data to the caller (free with jd_free); b becomes empty. */
char	*buf_detach(struct buf *b, size_t *len);
void	buf_free(struct buf *b);

#endif

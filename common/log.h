/*
 * log.h - the daemon's small logging module (httpd(8)'s log.c in spirit).
 *
 * Lines go to stderr as "LEVEL message"; rc.d runs jaild under daemon(8),
 * which sends them to syslog.  Messages are lower-case, without a trailing
 * period, and name the jail or request id they are about.  Thread-safe:
 * each line is written with one write(2).
 */
#ifndef JD_LOG_H
#define JD_LOG_H

/* verbose != 0 enables log_debug.  Call once at startup. */
void	log_init(int verbose);
int	log_verbose(void);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Startup and CLI only: log and exit(1).  fatal adds strerror(errno). */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif

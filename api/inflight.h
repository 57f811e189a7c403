/*
 * inflight.h - Idempotency-Keys whose first request is still running.
 * Thread-safe.
 */
#ifndef JD_INFLIGHT_H
#define JD_INFLIGHT_H

struct idem_inflight;

struct idem_inflight *inflight_new(void);
void	inflight_free(struct idem_inflight *f);
/* 0 when key was added, -1 when it is already in flight (or no memory). */
int	inflight_add(struct idem_inflight *f, const char *key);
void	inflight_remove(struct idem_inflight *f, const char *key);

#endif

/*
 * sim.h - the simulated host as the admin at the console sees it.
 *
 * Tests that check what jaild did to the host run `jaild-sim --data-dir
 * DATADIR ...` on a started instance's data directory (build/jaild-sim, or
 * $JAILD_SIM_BIN as ctest sets it) and read what it prints: live prisons
 * (`ls --json`), addresses (`addrs`), mounts (`mounts`), the journal of host
 * calls (`journal`).  Helpers here fail the test (check_fail) when the tool
 * cannot be run or, where they say so, exits non-zero; they are meant for
 * the test's main thread only (they are not synchronised with each other).
 */
#ifndef JD_TEST_SIM_H
#define JD_TEST_SIM_H

#include <stddef.h>

#include <jansson.h>

#include "harness.h"

/*
 * Run `jaild-sim --data-dir inst->datadir ARGS`, ARGS formatted from fmt
 * (at most 1 KiB).  Returns its exit status (-1 when it did not exit
 * normally).  With out non-NULL, *out is its standard output, never NULL
 * (caller frees with free()); with out NULL the output is dropped.  Fails
 * the test when the command cannot be started.
 */
int	sim_run(const struct jd_instance *inst, char **out, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/*
 * sim_run() that must exit 0: counts as one passed check, or fails the
 * test at file:line ("jaild-sim succeeds: jaild-sim ARGS exited N").
 * Returns the output (caller frees with free()).  Use SIM_OK(inst, fmt,
 * ...), which passes the caller's position.
 */
char	*sim_ok_at(const char *file, int line, const struct jd_instance *inst,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define SIM_OK(inst, ...)						\
	sim_ok_at(__FILE__, __LINE__, (inst), __VA_ARGS__)

/*
 * The live (not dying) prison called name in `jaild-sim ls --json`, or
 * NULL when there is none.  New reference: the caller json_decref()s it.
 * Costs one passed check for the jaild-sim run and one for the parse.
 */
json_t	*sim_prison(const struct jd_instance *inst, const char *name);

/* The jid of the live prison called name, or 0 when there is none. */
int	sim_prison_jid(const struct jd_instance *inst, const char *name);

/*
 * The string parameter param of the live prison name as jaild-sim reports
 * it, copied into out (outsz bytes, truncated); "" when there is no such
 * prison or parameter.
 */
void	sim_prison_param(const struct jd_instance *inst, const char *name,
	    const char *param, char *out, size_t outsz);

/*
 * How many lines of text (jaild-sim output such as the journal) start with
 * prefix and contain needle (NULL: any line with the prefix).  Lines are
 * compared in their first 4095 bytes.  Pure, any thread.
 */
int	sim_count_lines(const char *text, const char *prefix,
	    const char *needle);

#endif

/*
 * fuzz_config.c - libFuzzer target for jaild's configuration-file reader.
 *
 * The input is the file.  It is written to an anonymous memfd, and
 * config_load_file reads it through /proc/self/fd/N, so nothing in server/
 * needs a from-memory variant and nothing touches the disk.  Then
 * config_finish.  Whatever the bytes, both must return 0 or -1 (never
 * crash), a failure must carry a message, and a configuration that passed
 * config_finish must be usable: NUL-terminated strings, numbers inside the
 * table's bounds, and 1 to 16 devfs rulesets.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/alloc.h"
#include "fuzz_common.h"
#include "server/config.h"

static int memfd = -1;
static char memfd_path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	jd_alloc_init();
	memfd = memfd_create("jaild-fuzz-config", 0);
	if (memfd == -1)
		fuzz_fail("memfd_create failed");
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void
check_str(const char *what, const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		fuzz_fail("%s is not NUL-terminated", what);
}

static void
check_config(const struct config *c)
{
	int rs[16];
	int n;

	check_str("data_dir", c->data_dir, sizeof(c->data_dir));
	check_str("listen", c->listen, sizeof(c->listen));
	check_str("socket", c->socket, sizeof(c->socket));
	check_str("host_backend", c->host_backend, sizeof(c->host_backend));
	check_str("devfs_rulesets", c->devfs_rulesets,
	    sizeof(c->devfs_rulesets));
	check_str("file", c->file, sizeof(c->file));
	if (c->data_dir[0] == '\0')
		fuzz_fail("finished with an empty data_dir");
	if (c->socket[0] == '\0' && c->listen[0] == '\0')
		fuzz_fail("finished without a listener");
	if (c->host_backend[0] == '\0')
		fuzz_fail("finished without a host backend");
	if (c->socket_mode < 0 || c->socket_mode > 0777)
		fuzz_fail("socket_mode %o", c->socket_mode);
	if (c->resync_interval_s < 1 || c->resync_interval_s > 86400 ||
	    c->threads < 0 || c->threads > 64 ||
	    c->max_body < 1024 || c->max_body > (1L << 30) ||
	    c->max_header < 1024 || c->max_header > (1L << 20) ||
	    c->max_connections < 1 || c->max_connections > 100000 ||
	    c->max_connections_per_ip < 0 ||
	    c->max_connections_per_ip > 100000 ||
	    c->idle_timeout_s < 1 || c->idle_timeout_s > 86400 ||
	    c->max_wait_s < 0 || c->max_wait_s > 86400 ||
	    (c->debug != 0 && c->debug != 1) ||
	    c->db_max_pages < 0 || c->db_max_pages > (1L << 40))
		fuzz_fail("a number outside its bounds passed");
	n = config_devfs_rulesets(c, rs, 16);
	if (n < 1 || n > 16)
		fuzz_fail("finished with %d devfs rulesets", n);
	while (n-- > 0)
		if (rs[n] < 0 || rs[n] > 65535)
			fuzz_fail("devfs ruleset %d", rs[n]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct jd_error err;
	int rc;

	if (ftruncate(memfd, 0) == -1 ||
	    (size > 0 && pwrite(memfd, data, size, 0) != (ssize_t)size))
		fuzz_fail("cannot write the memfd");
	config_defaults(&c);
	jd_error_clear(&err);
	rc = config_load_file(&c, memfd_path, 1, &err);
	if (rc != 0 && rc != -1)
		fuzz_fail("config_load_file returned %d", rc);
	if (rc == -1) {
		check_str("error message", err.message, sizeof(err.message));
		if (err.message[0] == '\0')
			fuzz_fail("config_load_file failed without a message");
		return 0;
	}
	if (strcmp(c.file, memfd_path) != 0)
		fuzz_fail("file is \"%s\"", c.file);
	rc = config_finish(&c, &err);
	if (rc != 0 && rc != -1)
		fuzz_fail("config_finish returned %d", rc);
	if (rc == -1) {
		check_str("error message", err.message, sizeof(err.message));
		if (err.message[0] == '\0')
			fuzz_fail("config_finish failed without a message");
		return 0;
	}
	check_config(&c);
	return 0;
}

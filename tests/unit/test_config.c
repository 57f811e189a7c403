/*
 * test_config.c - server/config.c: the file reader (comments, quotes,
 * escapes, errors naming the line), config_set's types and bounds,
 * config_finish's derived values and devfs_rulesets parsing.  Files are
 * written to a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "server/config.h"
#include "tests/lib/check.h"

struct tmp {
	char	dir[64];
	char	path[128];
};

static void
write_file(struct tmp *t, const char *text)
{
	FILE *f;

	snprintf(t->path, sizeof(t->path), "%s/jaild.conf", t->dir);
	f = fopen(t->path, "w");
	CHECK(f != NULL);
	fputs(text, f);
	CHECK_INT(fclose(f), 0);
}

/* Load text as a file into c (defaults first); returns the result. */
static int
load_text(struct tmp *t, const char *text, struct config *c,
    struct jd_error *err)
{
	config_defaults(c);
	write_file(t, text);
	jd_error_clear(err);
	return config_load_file(c, t->path, 1, err);
}

static void
test_defaults(void)
{
	struct config c;

	config_defaults(&c);
	CHECK_STR(c.listen, "127.0.0.1:8080");
	CHECK_STR(c.socket, "");
	CHECK_INT(c.socket_mode, 0660);
	CHECK_INT(c.resync_interval_s, 5);
	CHECK_INT(c.max_body, 1L << 20);
	CHECK_INT(c.max_wait_s, 3600);
	CHECK_STR(c.devfs_rulesets, "4");
	CHECK_STR(c.host_backend, "");
	CHECK_STR(c.file, "");
	CHECK(c.data_dir[0] != '\0');
}

static void
test_file(struct tmp *t)
{
	struct config c;
	struct jd_error err;

	CHECK_INT(load_text(t,
	    "# jaild configuration\n"
	    "\n"
	    "   # indented comment\n"
	    "data_dir = \"/var/db/jaild # not a comment\"   # a comment\n"
	    "listen=127.0.0.1:9000\n"
	    "\tsocket\t=\t\"/tmp/a \\\"quoted\\\" \\\\ name\"\n"
	    "resync_interval_s = 7 # seconds\n"
	    "threads = 0\n"
	    "max_body = 2048\n"
	    "debug = yes\n"
	    "socket_mode = 0600\n"
	    "host_backend = \"sim\"\n"
	    "devfs_rulesets = \"4, 5,10\"\n"
	    "max_wait_s = 0\r\n"
	    "idle_timeout_s = 30", &c, &err), 0);
	CHECK_STR(c.data_dir, "/var/db/jaild # not a comment");
	CHECK_STR(c.listen, "127.0.0.1:9000");
	CHECK_STR(c.socket, "/tmp/a \"quoted\" \\ name");
	CHECK_INT(c.resync_interval_s, 7);
	CHECK_INT(c.threads, 0);
	CHECK_INT(c.max_body, 2048);
	CHECK_INT(c.debug, 1);
	CHECK_INT(c.socket_mode, 0600);
	CHECK_STR(c.host_backend, "sim");
	CHECK_STR(c.devfs_rulesets, "4, 5,10");
	CHECK_INT(c.max_wait_s, 0);
	CHECK_INT(c.idle_timeout_s, 30);
	CHECK_STR(c.file, t->path);
	/* Untouched options keep their defaults. */
	CHECK_INT(c.max_connections, 1024);

	/* An empty value in quotes, and a bare empty string value. */
	CHECK_INT(load_text(t, "listen = \"\"\nsocket =\n", &c, &err), 0);
	CHECK_STR(c.listen, "");
	CHECK_STR(c.socket, "");

	/* Later lines win. */
	CHECK_INT(load_text(t, "threads = 2\nthreads = 3\n", &c, &err), 0);
	CHECK_INT(c.threads, 3);
}

static void
test_file_errors(struct tmp *t)
{
	struct config c;
	struct jd_error err;
	char want[256];

	CHECK_INT(load_text(t, "# one\nlisten = x\nbogus = 1\n", &c, &err),
	    -1);
	snprintf(want, sizeof(want), "%s:3:", t->path);
	CHECK_CONTAINS(err.message, want);
	CHECK_CONTAINS(err.message, "unknown option \"bogus\"");

	CHECK_INT(load_text(t, "threads = abc\n", &c, &err), -1);
	snprintf(want, sizeof(want), "%s:1:", t->path);
	CHECK_CONTAINS(err.message, want);
	CHECK_CONTAINS(err.message, "threads: must be an integer from 0 to 64");
	CHECK_INT(load_text(t, "\n\nthreads = 65\n", &c, &err), -1);
	snprintf(want, sizeof(want), "%s:3:", t->path);
	CHECK_CONTAINS(err.message, want);
	CHECK_INT(load_text(t, "threads = 12x\n", &c, &err), -1);
	CHECK_INT(load_text(t, "threads = \n", &c, &err), -1);
	CHECK_INT(load_text(t, "max_body = 99999999999999999999999\n", &c,
	    &err), -1);

	CHECK_INT(load_text(t, "listen 127.0.0.1:80\n", &c, &err), -1);
	CHECK_CONTAINS(err.message, ":1: expected key = value");
	CHECK_INT(load_text(t, "data_dir = \"/var/db\n", &c, &err), -1);
	CHECK_CONTAINS(err.message, ":1: unterminated quote");
	CHECK_INT(load_text(t, "data_dir = \"/a\" trailing\n", &c, &err), -1);
	CHECK_CONTAINS(err.message, ":1:");
	CHECK_INT(load_text(t, "debug = maybe\n", &c, &err), -1);
	CHECK_CONTAINS(err.message, "debug: must be yes or no");

	/* Missing files: fine unless named. */
	config_defaults(&c);
	CHECK_INT(config_load_file(&c, "/nonexistent/jaild.conf", 0, &err), 0);
	CHECK_STR(c.file, "");
	CHECK_INT(config_load_file(&c, "/nonexistent/jaild.conf", 1, &err),
	    -1);
	CHECK_CONTAINS(err.message, "/nonexistent/jaild.conf");
}

static void
test_set(void)
{
	static const struct {
		const char	*key;
		const char	*value;
		int		 ok;
	} cases[] = {
		{ "resync_interval_s", "0", 0 },
		{ "resync_interval_s", "1", 1 },
		{ "resync_interval_s", "86400", 1 },
		{ "resync_interval_s", "86401", 0 },
		{ "resync_interval_s", "-1", 0 },
		{ "resync_interval_s", "", 0 },
		{ "threads", "64", 1 },
		{ "threads", "65", 0 },
		{ "max_body", "1023", 0 },
		{ "max_body", "1024", 1 },
		{ "max_body", "1073741824", 1 },
		{ "max_body", "1073741825", 0 },
		{ "max_header", "1048577", 0 },
		{ "max_connections", "0", 0 },
		{ "max_connections", "100000", 1 },
		{ "max_connections_per_ip", "0", 1 },
		{ "idle_timeout_s", "0", 0 },
		{ "max_wait_s", "86401", 0 },
		{ "socket_mode", "0777", 1 },
		{ "socket_mode", "777", 1 },
		{ "socket_mode", "0778", 0 },
		{ "socket_mode", "1000", 0 },
		{ "socket_mode", "rw", 0 },
		{ "debug", "true", 1 },
		{ "debug", "0", 1 },
		{ "debug", "no", 1 },
		{ "debug", "2", 0 },
		{ "debug", "YES", 0 },
		{ "host_backend", "1234567890123456789012345678901", 1 },
		{ "host_backend", "12345678901234567890123456789012", 0 },
		{ "nonsense", "1", 0 },
		{ "Data_Dir", "/x", 0 },
	};
	struct config c;
	struct jd_error err;
	char big[CONFIG_STR_MAX + 1];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_defaults(&c);
		jd_error_clear(&err);
		rc = config_set(&c, cases[i].key, cases[i].value, &err);
		if (rc != (cases[i].ok ? 0 : -1))
			check_fail(__FILE__, __LINE__, cases[i].key,
			    cases[i].value);
		check_pass();
		if (!cases[i].ok) {
			CHECK_INT(err.code, JD_E_INVALID);
			CHECK_STR(err.field, cases[i].key);
		}
	}
	config_defaults(&c);
	CHECK_INT(config_set(&c, "socket_mode", "0640", &err), 0);
	CHECK_INT(c.socket_mode, 0640);
	CHECK_INT(config_set(&c, "max_body", "1073741824", &err), 0);
	CHECK_INT(c.max_body, 1073741824L);
	CHECK_INT(config_set(&c, "debug", "on", &err), -1);
	CHECK_INT(c.debug, 0);
	/* A refused value leaves the old one. */
	CHECK_INT(config_set(&c, "threads", "7", &err), 0);
	CHECK_INT(config_set(&c, "threads", "70", &err), -1);
	CHECK_INT(c.threads, 7);
	CHECK_CONTAINS(err.message, "from 0 to 64");
	CHECK_INT(config_set(&c, "socket_mode", "9", &err), -1);
	CHECK_CONTAINS(err.message, "octal");
	/* Strings: CONFIG_STR_MAX - 1 bytes fit. */
	memset(big, 'd', sizeof(big));
	big[CONFIG_STR_MAX - 1] = '\0';
	CHECK_INT(config_set(&c, "data_dir", big, &err), 0);
	CHECK_INT(strlen(c.data_dir), CONFIG_STR_MAX - 1);
	big[CONFIG_STR_MAX - 1] = 'd';
	big[CONFIG_STR_MAX] = '\0';
	CHECK_INT(config_set(&c, "data_dir", big, &err), -1);
	CHECK_CONTAINS(err.message, "too long");
	CHECK_INT(strlen(c.data_dir), CONFIG_STR_MAX - 1);
}

static void
test_finish(void)
{
	struct config c;
	struct jd_error err;
	int rs[16];
	char big[CONFIG_STR_MAX];

	/* The socket path comes from data_dir. */
	config_defaults(&c);
	CHECK_INT(config_set(&c, "data_dir", "/tmp/jd-data", &err), 0);
	CHECK_INT(config_finish(&c, &err), 0);
	CHECK_STR(c.socket, "/tmp/jd-data/jaild.sock");
	CHECK_STR(c.host_backend, "sim");
	CHECK_STR(c.listen, "127.0.0.1:8080");

	/* An explicit socket stays; "none" disables either listener. */
	config_defaults(&c);
	CHECK_INT(config_set(&c, "socket", "/run/j.sock", &err), 0);
	CHECK_INT(config_set(&c, "listen", "none", &err), 0);
	CHECK_INT(config_finish(&c, &err), 0);
	CHECK_STR(c.socket, "/run/j.sock");
	CHECK_STR(c.listen, "");
	config_defaults(&c);
	CHECK_INT(config_set(&c, "socket", "none", &err), 0);
	CHECK_INT(config_finish(&c, &err), 0);
	CHECK_STR(c.socket, "");
	CHECK_STR(c.listen, "127.0.0.1:8080");
	config_defaults(&c);
	CHECK_INT(config_set(&c, "socket", "none", &err), 0);
	CHECK_INT(config_set(&c, "listen", "none", &err), 0);
	jd_error_clear(&err);
	CHECK_INT(config_finish(&c, &err), -1);
	CHECK_STR(err.field, "listen");
	CHECK_CONTAINS(err.message, "no listener");
	/* An explicit host backend stays. */
	config_defaults(&c);
	CHECK_INT(config_set(&c, "host_backend", "freebsd", &err), 0);
	CHECK_INT(config_finish(&c, &err), 0);
	CHECK_STR(c.host_backend, "freebsd");

	config_defaults(&c);
	CHECK_INT(config_set(&c, "data_dir", "", &err), 0);
	CHECK_INT(config_finish(&c, &err), -1);
	CHECK_STR(err.field, "data_dir");
	/* data_dir so long the derived socket does not fit. */
	config_defaults(&c);
	memset(big, 'd', sizeof(big));
	big[0] = '/';
	big[CONFIG_STR_MAX - 5] = '\0';
	CHECK_INT(config_set(&c, "data_dir", big, &err), 0);
	CHECK_INT(config_finish(&c, &err), -1);
	CHECK_STR(err.field, "socket");

	config_defaults(&c);
	CHECK_INT(config_set(&c, "devfs_rulesets", "", &err), 0);
	CHECK_INT(config_finish(&c, &err), -1);
	CHECK_STR(err.field, "devfs_rulesets");
	config_defaults(&c);
	CHECK_INT(config_set(&c, "devfs_rulesets", "4,x", &err), 0);
	CHECK_INT(config_finish(&c, &err), -1);
	CHECK_STR(err.field, "devfs_rulesets");

	/* devfs_rulesets parsing. */
	config_defaults(&c);
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), 1);
	CHECK_INT(rs[0], 4);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets), "4,5");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), 2);
	CHECK_INT(rs[0], 4);
	CHECK_INT(rs[1], 5);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets), " 4 , 5,,10 ");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), 3);
	CHECK_INT(rs[2], 10);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets), "0,65535");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), 2);
	CHECK_INT(rs[1], 65535);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets), "65536");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), -1);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets), "-1");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), -1);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets), "4;5");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), -1);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets), "4x");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), -1);
	c.devfs_rulesets[0] = '\0';
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), 0);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets),
	    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), 16);
	CHECK_INT(rs[15], 16);
	snprintf(c.devfs_rulesets, sizeof(c.devfs_rulesets),
	    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
	CHECK_INT(config_devfs_rulesets(&c, rs, 16), -1);
	CHECK_INT(config_devfs_rulesets(&c, rs, 2), -1);
}

/*
 * A quoted value that ends in an escaped backslash, followed by a comment:
 * "C:\\" is the two-byte string C:\ and the '#' after the closing quote
 * starts a comment.  Last in main: a failure ends the run.
 */
static void
test_escaped_backslash_then_comment(struct tmp *t)
{
	struct config c;
	struct jd_error err;
	int rc;

	CHECK_INT(load_text(t, "data_dir = \"/srv/x\\\\\"\n", &c, &err), 0);
	CHECK_STR(c.data_dir, "/srv/x\\");
	rc = load_text(t, "data_dir = \"/srv/x\\\\\" # trailing comment\n", &c,
	    &err);
	unlink(t->path);
	rmdir(t->dir);
	if (rc != 0)
		check_fail(__FILE__, __LINE__, "\"/srv/x\\\\\" # comment",
		    err.message);
	check_pass();
	CHECK_STR(c.data_dir, "/srv/x\\");
}

int
main(void)
{
	struct tmp t;

	jd_alloc_init();
	snprintf(t.dir, sizeof(t.dir), "/tmp/jd-test-config-XXXXXX");
	CHECK(mkdtemp(t.dir) != NULL);
	test_defaults();
	test_file(&t);
	test_file_errors(&t);
	test_set();
	test_finish();
	test_escaped_backslash_then_comment(&t);	/* removes t.dir */
	return check_done();
}

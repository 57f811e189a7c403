/*
 * test_security_tls.c - jaild's TLS identity, checked from the outside.
 *
 * With -o tls=on jaild generates an EC P-256 key and a self-signed
 * certificate in its data directory (key 0600) and shows the certificate's
 * SHA-256 fingerprint and the public key's pin at GET /v1/host.  Here: the
 * fingerprint is what `openssl x509 -fingerprint -sha256` prints and the
 * pin is the base64 SHA-256 of the DER public key that openssl computes;
 * libcurl with CURLOPT_PINNEDPUBLICKEY set to the pin connects and with a
 * wrong pin does not; CURLOPT_CAINFO set to the certificate verifies host
 * 127.0.0.1; plain HTTP to the TLS port gets no answer.  Finally jaild
 * refuses to listen off loopback without TLS unless insecure_tcp is set,
 * and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;

static size_t
sink(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/*
 * GET /healthz at url with libcurl: pin (or NULL), cainfo (or NULL: then
 * the peer is not verified).  Returns the CURLcode; *status gets the
 * HTTP status when there was one.
 */
static CURLcode
probe(const char *url, const char *pin, const char *cainfo, long *status)
{
	CURL *c = curl_easy_init();
	CURLcode rc;

	*status = 0;
	if (c == NULL)
		return CURLE_FAILED_INIT;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	if (cainfo != NULL) {
		curl_easy_setopt(c, CURLOPT_CAINFO, cainfo);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	} else {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (pin != NULL)
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return rc;
}

/* Run a shell command; its first output line, trimmed (caller frees). */
static char *
run_line(const char *cmd)
{
	char line[1024];
	FILE *f = popen(cmd, "r");

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	pclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return strdup(line);
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = calloc(1, (size_t)n + 1);
	if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n)
		b[0] = '\0';
	fclose(f);
	return b;
}

static void
test_identity(void)
{
	char crt[320], key[320], cmd[1024], url[160], wrong[80];
	char *openssl_fp, *openssl_pin, *text, *log;
	const char *fp, *pin, *eq;
	struct http_resp *r;
	struct stat st;
	long status;
	CURLcode rc;

	CHECK(strncmp(inst.url, "https://", 8) == 0);
	r = http_get(inst.url, "/v1/host");
	CHECK_INT(r->status, 200);
	fp = json_string_value(jptr(r->json, "/tls/fingerprint_sha256"));
	pin = json_string_value(jptr(r->json, "/tls/pin"));
	CHECK(fp != NULL && pin != NULL);
	CHECK_INT(strlen(fp), 32 * 3 - 1);
	CHECK(strncmp(pin, "sha256//", 8) == 0);
	CHECK_INT(strlen(pin), 8 + 44);

	snprintf(crt, sizeof(crt), "%s/tls.crt", inst.datadir);
	snprintf(key, sizeof(key), "%s/tls.key", inst.datadir);

	/* The fingerprint, as openssl prints it. */
	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -fingerprint "
	    "-sha256 2>&1", crt);
	openssl_fp = run_line(cmd);
	CHECK(openssl_fp != NULL);
	eq = strchr(openssl_fp, '=');
	CHECK(eq != NULL);
	CHECK_STR(fp, eq + 1);
	free(openssl_fp);

	/* The pin: base64 of the SHA-256 of the DER SubjectPublicKeyInfo. */
	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -pubkey | "
	    "openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | "
	    "openssl base64 -A", crt);
	openssl_pin = run_line(cmd);
	CHECK(openssl_pin != NULL);
	CHECK_STR(pin + 8, openssl_pin);
	free(openssl_pin);

	/* An EC P-256 key, a certificate for the loopback addresses. */
	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -text | "
	    "grep -c -e 'prime256v1' -e 'P-256' -e 'IP Address:127.0.0.1'",
	    crt);
	text = run_line(cmd);
	CHECK(text != NULL && atoi(text) >= 2);
	free(text);

	/* The key is the owner's alone. */
	CHECK(stat(key, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	text = read_all(key);
	CHECK(text != NULL);
	CHECK_CONTAINS(text, "PRIVATE KEY");
	free(text);

	/* The log says both too, and the key stays out of it. */
	log = read_all(inst.log);
	CHECK(log != NULL);
	CHECK_CONTAINS(log, fp);
	CHECK_CONTAINS(log, pin);
	CHECK(strstr(log, "PRIVATE KEY") == NULL);
	free(log);

	/* curl with the pin connects; with another pin it does not. */
	snprintf(url, sizeof(url), "%s/healthz", inst.url);
	rc = probe(url, pin, NULL, &status);
	CHECK_INT(rc, CURLE_OK);
	CHECK_INT(status, 200);
	snprintf(wrong, sizeof(wrong), "sha256//%s",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	rc = probe(url, wrong, NULL, &status);
	CHECK_INT(rc, CURLE_SSL_PINNEDPUBKEYNOTMATCH);
	CHECK_INT(status, 0);

	/* The certificate as the trust anchor verifies 127.0.0.1... */
	rc = probe(url, NULL, crt, &status);
	if (rc != CURLE_OK)
		printf("# CAINFO verify: %s\n", curl_easy_strerror(rc));
	CHECK_INT(rc, CURLE_OK);
	CHECK_INT(status, 200);
	/* ...and both together too. */
	rc = probe(url, pin, crt, &status);
	CHECK_INT(rc, CURLE_OK);
	/* Without it, verification fails (it is self-signed). */
	rc = probe(url, NULL, "/dev/null", &status);
	CHECK(rc != CURLE_OK);
	http_free(r);
}

static void
test_plain_to_tls(void)
{
	char plain[200];
	struct http_resp r;
	int rc;

	snprintf(plain, sizeof(plain), "http://%.120s", inst.url + 8);
	rc = http_do(plain, "GET", "/healthz", NULL, NULL, NULL, &r);
	if (rc == 0)
		printf("# plain HTTP got status %ld\n", r.status);
	CHECK(rc == -1 || (r.status != 200 && r.status / 100 != 2));
	if (rc == 0)
		http_resp_free(&r);
	/* Still serving TLS. */
	rc = http_do(inst.url, "GET", "/healthz", NULL, NULL, NULL, &r);
	CHECK_INT(rc, 0);
	CHECK_INT(r.status, 200);
	http_resp_free(&r);
}

/*
 * Start jaild on 0.0.0.0:0 with tls=off (plus extra, or NULL) in a fresh
 * directory.  Returns its exit status if it exits within 10 s, or -1 if
 * it comes up listening (then it is stopped with SIGTERM); its output is
 * in *out (caller frees).
 */
static int
start_off_loopback(const char *extra_o, char **out)
{
	char dir[] = "/tmp/jaild-tls-XXXXXX", logp[320], sock[320],
	    addr[320];
	const char *bin = getenv("JAILD_BIN");
	pid_t pid;
	int st, i, fd, result = -1;
	struct timespec ts = { 0, 50 * 1000000L };

	CHECK(mkdtemp(dir) != NULL);
	snprintf(logp, sizeof(logp), "%s/jaild.log", dir);
	snprintf(sock, sizeof(sock), "%s/jaild.sock", dir);
	pid = fork();
	CHECK(pid != -1);
	if (pid == 0) {
		fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (extra_o != NULL)
			execl(bin ? bin : "build/jaild", "jaild", "--data-dir",
			    dir, "--socket", sock, "--listen", "0.0.0.0:0",
			    "-o", "tls=off", "-o", extra_o, (char *)NULL);
		else
			execl(bin ? bin : "build/jaild", "jaild", "--data-dir",
			    dir, "--socket", sock, "--listen", "0.0.0.0:0",
			    "-o", "tls=off", (char *)NULL);
		_exit(127);
	}
	snprintf(addr, sizeof(addr), "%s/listen.addr", dir);
	for (i = 0; i < 200; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			result = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
			break;
		}
		if (access(addr, F_OK) == 0)
			break;		/* it is up and listening */
		nanosleep(&ts, NULL);
	}
	if (result == -1) {
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
	}
	*out = read_all(logp);
	return result;
}

static void
test_insecure_refused(void)
{
	char *out = NULL;
	int rc;

	rc = start_off_loopback(NULL, &out);
	printf("# off loopback without TLS: exit %d: %s\n", rc,
	    out ? out : "");
	CHECK(rc > 0);
	CHECK(out != NULL);
	CHECK_CONTAINS(out, "insecure_tcp");
	free(out);

	/* With the explicit option it starts, with a warning. */
	out = NULL;
	rc = start_off_loopback("insecure_tcp=yes", &out);
	CHECK_INT(rc, -1);
	CHECK(out != NULL);
	CHECK_CONTAINS(out, "insecure_tcp");
	free(out);
}

int
main(void)
{
	static const char *const extra[] = { "-o", "tls=on", NULL };

	if (harness_start(&inst, NULL, extra, 0) == -1) {
		printf("not ok - harness_start\n");
		return 1;
	}
	test_identity();
	test_plain_to_tls();
	CHECK_INT(harness_kill(&inst, SIGTERM), 0);
	harness_stop(&inst);
	test_insecure_refused();
	return check_done();
}

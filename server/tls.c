/*
 * tls.c - the TLS identity: a configured key and certificate, or an EC
 * P-256 key and self-signed certificate made with OpenSSL on first start
 * (DATADIR/tls.key, mode 0600, and DATADIR/tls.crt).  It also computes what
 * clients pin: the certificate's SHA-256 fingerprint as
 * `openssl x509 -fingerprint -sha256` prints it, and the public key's pin
 * in curl's sha256//BASE64 form.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/log.h"
#include "tls.h"

static char *
read_file(const char *path, struct jd_error *err)
{
	FILE *f;
	char *buf;
	long n;

	f = fopen(path, "r");
	if (f == NULL) {
		jd_error_sys(err, JD_E_IO, errno, "%s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    n > 1 << 20 || fseek(f, 0, SEEK_SET) == -1) {
		fclose(f);
		jd_error_set(err, JD_E_IO, NULL, "%s: unreadable", path);
		return NULL;
	}
	buf = jd_malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		jd_free(buf);
		jd_error_set(err, JD_E_IO, NULL, "%s: unreadable", path);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
write_file(const char *path, const char *data, int mode, struct jd_error *err)
{
	char tmp[1100];
	size_t n = strlen(data);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1)
		return jd_error_sys(err, JD_E_IO, errno, "%s: %s", tmp,
		    strerror(errno));
	if (write(fd, data, n) != (ssize_t)n || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		return jd_error_sys(err, JD_E_IO, errno, "%s: %s", path,
		    strerror(errno));
	}
	return 0;
}

static char *
bio_string(BIO *b)
{
	char *p, *s;
	long n;

	n = BIO_get_mem_data(b, &p);
	if (n <= 0)
		return NULL;
	s = jd_malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	return s;
}

static int
add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

/* A new key and self-signed certificate as PEM strings. */
static int
generate(const char *hostname, char **key_pem, char **cert_pem,
    struct jd_error *err)
{
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	X509_NAME *name;
	BIO *kb = NULL, *cb = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	char san[512];
	int ret = -1;

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	cert = X509_new();
	if (pkey == NULL || cert == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert))
	    == NULL)
		goto fail;
	X509_set_version(cert, 2);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
	X509_set_pubkey(cert, pkey);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"jaild", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)hostname, -1, -1, 0);
	X509_set_issuer_name(cert, name);
	snprintf(san, sizeof(san), "DNS:%s,DNS:localhost,IP:127.0.0.1,"
	    "IP:::1", hostname);
	if (add_ext(cert, NID_subject_alt_name, san) == -1 ||
	    add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    add_ext(cert, NID_key_usage, "critical,digitalSignature") == -1 ||
	    add_ext(cert, NID_ext_key_usage, "serverAuth") == -1)
		goto fail;
	if (X509_sign(cert, pkey, EVP_sha256()) == 0)
		goto fail;
	kb = BIO_new(BIO_s_mem());
	cb = BIO_new(BIO_s_mem());
	if (kb == NULL || cb == NULL ||
	    PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509(cb, cert) != 1)
		goto fail;
	*key_pem = bio_string(kb);
	*cert_pem = bio_string(cb);
	if (*key_pem == NULL || *cert_pem == NULL) {
		jd_free(*key_pem);
		jd_free(*cert_pem);
		goto fail;
	}
	ret = 0;
fail:
	if (ret == -1)
		jd_error_set(err, JD_E_INTERNAL, NULL, "cannot generate a TLS "
		    "key and certificate");
	BN_free(bn);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(cert);
	EVP_PKEY_free(pkey);
	return ret;
}

static int
identity(const char *cert_pem, struct tls_identity *id, struct jd_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int n = 0, i;
	X509 *cert;
	BIO *b;
	int len;
	size_t o = 0;
	char b64[64];

	b = BIO_new_mem_buf(cert_pem, -1);
	cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (cert == NULL)
		return jd_error_set(err, JD_E_INVALID, NULL, "the TLS "
		    "certificate cannot be read");
	X509_digest(cert, EVP_sha256(), md, &n);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(id->fingerprint + o,
		    sizeof(id->fingerprint) - o, "%s%02X", i ? ":" : "",
		    md[i]);
	len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
	X509_free(cert);
	if (len <= 0)
		return jd_error_set(err, JD_E_INVALID, NULL, "the TLS "
		    "certificate has no public key");
	EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL);
	OPENSSL_free(der);
	EVP_EncodeBlock((unsigned char *)b64, md, (int)n);
	snprintf(id->pin, sizeof(id->pin), "sha256//%s", b64);
	return 0;
}

int
tls_prepare(const char *datadir, const char *cfg_key, const char *cfg_cert,
    const char *hostname, struct tls_identity *id, struct jd_error *err)
{
	char kpath[1100], cpath[1100];
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (cfg_key[0] != '\0' || cfg_cert[0] != '\0') {
		if (cfg_key[0] == '\0' || cfg_cert[0] == '\0')
			return jd_error_set(err, JD_E_INVALID, "tls_key",
			    "set both tls_key and tls_cert, or neither");
		snprintf(kpath, sizeof(kpath), "%s", cfg_key);
		snprintf(cpath, sizeof(cpath), "%s", cfg_cert);
	} else {
		snprintf(kpath, sizeof(kpath), "%s/tls.key", datadir);
		snprintf(cpath, sizeof(cpath), "%s/tls.crt", datadir);
		if (stat(kpath, &st) == -1 && errno == ENOENT) {
			if (generate(hostname, &id->key_pem, &id->cert_pem,
			    err) == -1)
				return -1;
			if (write_file(kpath, id->key_pem, 0600, err) == -1 ||
			    write_file(cpath, id->cert_pem, 0644, err) == -1) {
				tls_identity_free(id);
				return -1;
			}
			log_info("generated a self-signed TLS certificate "
			    "%s", cpath);
		}
	}
	if (id->key_pem == NULL) {
		if (stat(kpath, &st) == 0 && (st.st_mode & 077) != 0)
			log_warnx("%s is readable by others (mode %03o); "
			    "chmod 600 it", kpath, st.st_mode & 0777);
		if ((id->key_pem = read_file(kpath, err)) == NULL ||
		    (id->cert_pem = read_file(cpath, err)) == NULL) {
			tls_identity_free(id);
			return -1;
		}
	}
	if (identity(id->cert_pem, id, err) == -1) {
		tls_identity_free(id);
		return -1;
	}
	return 0;
}

void
tls_identity_free(struct tls_identity *id)
{
	if (id->key_pem != NULL)
		OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
	jd_free(id->key_pem);
	jd_free(id->cert_pem);
	id->key_pem = id->cert_pem = NULL;
}

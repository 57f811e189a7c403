/*
 * tls.h - jaild's TLS key and certificate, and the fingerprints clients
 * pin.
 */
#ifndef JD_TLS_H
#define JD_TLS_H

#include "common/error.h"

struct tls_identity {
	char	*key_pem;		/* wiped on free */
	char	*cert_pem;
	char	 fingerprint[100];	/* "AB:CD:...", 32 bytes */
	char	 pin[80];		/* "sha256//BASE64" */
};

/*
 * Load cfg_key / cfg_cert when configured, else DATADIR/tls.key and
 * tls.crt, generating them (EC P-256, self-signed for hostname, localhost,
 * 127.0.0.1 and ::1, ten years) when absent.  Fills id.
 */
int	tls_prepare(const char *datadir, const char *cfg_key,
	    const char *cfg_cert, const char *hostname,
	    struct tls_identity *id, struct jd_error *err);
void	tls_identity_free(struct tls_identity *id);

#endif

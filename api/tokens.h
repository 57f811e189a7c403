/*
 * tokens.h - token secrets and documents, shared by the /v1/tokens
 * handlers and server/auth.c (which makes the first admin token).
 */
#ifndef JD_API_TOKENS_H
#define JD_API_TOKENS_H

#include <stddef.h>

#include <jansson.h>

#include "db/tokens.h"

/* A new secret "jd_" + base64url(32 random bytes) into out (>= 48). */
int	token_secret_new(char *out, size_t outsz);
/* SHA-256 of the secret. */
int	token_hash(const char *secret, unsigned char out[TOKEN_HASH_LEN]);
/* The token document (no secret, no hash); new reference. */
json_t	*token_doc(const struct token_row *t);

#endif

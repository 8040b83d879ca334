/* Self-signed X.509 certificates for root (and delegation) keys, with the
 * profile notary generates, and the checks notary applies to root keys. */
#ifndef TUFSIGN_CERT_H
#define TUFSIGN_CERT_H

#include <stddef.h>
#include <time.h>

#include "tufsign/error.h"
#include "tufsign/export.h"
#include "tufsign/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of tufsign_cert_create(); a NULL options pointer or zero members
 * select the defaults. */
typedef struct tufsign_cert_options {
	time_t not_before;           /* start of validity; 0 means now */
	unsigned days;               /* validity in days from not_before; 0 means 3650 */
	const unsigned char *serial; /* big-endian serial; NULL: 128 random bits, positive */
	size_t serial_len;
} tufsign_cert_options;

/* Build a self-signed certificate for the signer's key: subject and issuer
 * CN = common_name (the GUN for a root key), the serial, validity,
 * KeyUsage digitalSignature+keyEncipherment (critical), ExtKeyUsage
 * codeSigning, basicConstraints CA:FALSE (critical). It is signed through
 * signer->sign with ecdsa-with-SHA256 (the raw r||s the signer returns is
 * converted to DER) or sha256WithRSAEncryption (PKCS#1 v1.5); Ed25519
 * signers are rejected because notary cannot use Ed25519 certificates. The
 * signature is verified before returning. *pem is malloc'd, NUL-terminated
 * PEM as Go writes it (64 columns, LF, final newline); the caller frees it. */
TUFSIGN_API tufsign_status tufsign_cert_create(const tufsign_signer *signer,
					       const char *common_name,
					       const tufsign_cert_options *opts, char **pem,
					       size_t *pem_len, tufsign_error *err);

/* Apply notary's root key checks to certificate PEM text: only CERTIFICATE
 * blocks; the first is the only non-CA certificate; its CN equals gun or is a
 * "prefix*" wildcard that gun starts with; notBefore <= notAfter; now + 1 day
 * >= notBefore; with check_expiry, now <= notAfter; no SHA-1 signature
 * algorithm; RSA keys of at least 2048 bits. Returns TUFSIGN_ERR_UNTRUSTED
 * (or TUFSIGN_ERR_EXPIRED) with the reason in err. */
TUFSIGN_API tufsign_status tufsign_cert_check_root(const char *pem, size_t pem_len, const char *gun,
						   time_t now, int check_expiry,
						   tufsign_error *err);

/* Re-encode every CERTIFICATE block of pem the way Go's PEM encoder writes
 * it. *out is malloc'd and NUL-terminated; the caller frees it. */
TUFSIGN_API tufsign_status tufsign_cert_normalize_pem(const char *pem, size_t pem_len, char **out,
						      size_t *out_len, tufsign_error *err);

#ifdef __cplusplus
}
#endif

#endif

/* Certificate list helpers of the metadata core. */
#ifndef TF_CERT_INTERNAL_H
#define TF_CERT_INTERNAL_H

#include <time.h>

#include <openssl/x509.h>

#include "internal.h"

typedef struct tf_cert_list {
	X509 **certs;
	size_t count;
} tf_cert_list;

/* Parse every PEM block of pem; each must be a CERTIFICATE. */
tufsign_status tf_cert_list_parse(const char *pem, size_t pem_len, tf_cert_list *list,
				  tufsign_error *err);
void tf_cert_list_free(tf_cert_list *list);
/* Encode certificates as Go's PEM encoder does; *out is malloc'd. */
tufsign_status tf_cert_list_pem(X509 *const *certs, size_t count, char **out, size_t *out_len,
				tufsign_error *err);
int tf_cert_is_ca(X509 *cert);
/* Validity window (one day of leeway on notBefore), no SHA-1, RSA >= 2048. */
tufsign_status tf_cert_check_times(X509 *cert, time_t now, int check_expiry, tufsign_error *err);
/* Run notary's root key checks and return the leaf plus the still-valid
 * intermediates, from which notary rebuilds the key it counts. */
tufsign_status tf_cert_root_chain(const char *pem, size_t pem_len, const char *gun, time_t now,
				  int check_expiry, tf_cert_list *valid, tufsign_error *err);

#endif

/* CK_RV values and mechanisms by name: the one translation table that every
 * PKCS#11 message of the engine goes through. */
#include <stdarg.h>
#include <stdio.h>

#include "pkcs11/p11.h"

struct rv_name {
	CK_RV rv;
	const char *name;
};

/* clang-format off */
#define RV(x) {x, #x}
/* clang-format on */
static const struct rv_name rv_names[] = {
	RV(CKR_OK),
	RV(CKR_CANCEL),
	RV(CKR_HOST_MEMORY),
	RV(CKR_SLOT_ID_INVALID),
	RV(CKR_GENERAL_ERROR),
	RV(CKR_FUNCTION_FAILED),
	RV(CKR_ARGUMENTS_BAD),
	RV(CKR_NO_EVENT),
	RV(CKR_NEED_TO_CREATE_THREADS),
	RV(CKR_CANT_LOCK),
	RV(CKR_ATTRIBUTE_READ_ONLY),
	RV(CKR_ATTRIBUTE_SENSITIVE),
	RV(CKR_ATTRIBUTE_TYPE_INVALID),
	RV(CKR_ATTRIBUTE_VALUE_INVALID),
	RV(CKR_ACTION_PROHIBITED),
	RV(CKR_DATA_INVALID),
	RV(CKR_DATA_LEN_RANGE),
	RV(CKR_DEVICE_ERROR),
	RV(CKR_DEVICE_MEMORY),
	RV(CKR_DEVICE_REMOVED),
	RV(CKR_ENCRYPTED_DATA_INVALID),
	RV(CKR_ENCRYPTED_DATA_LEN_RANGE),
	RV(CKR_FUNCTION_CANCELED),
	RV(CKR_FUNCTION_NOT_PARALLEL),
	RV(CKR_FUNCTION_NOT_SUPPORTED),
	RV(CKR_KEY_HANDLE_INVALID),
	RV(CKR_KEY_SIZE_RANGE),
	RV(CKR_KEY_TYPE_INCONSISTENT),
	RV(CKR_KEY_NOT_NEEDED),
	RV(CKR_KEY_CHANGED),
	RV(CKR_KEY_NEEDED),
	RV(CKR_KEY_INDIGESTIBLE),
	RV(CKR_KEY_FUNCTION_NOT_PERMITTED),
	RV(CKR_KEY_NOT_WRAPPABLE),
	RV(CKR_KEY_UNEXTRACTABLE),
	RV(CKR_MECHANISM_INVALID),
	RV(CKR_MECHANISM_PARAM_INVALID),
	RV(CKR_OBJECT_HANDLE_INVALID),
	RV(CKR_OPERATION_ACTIVE),
	RV(CKR_OPERATION_NOT_INITIALIZED),
	RV(CKR_PIN_INCORRECT),
	RV(CKR_PIN_INVALID),
	RV(CKR_PIN_LEN_RANGE),
	RV(CKR_PIN_EXPIRED),
	RV(CKR_PIN_LOCKED),
	RV(CKR_SESSION_CLOSED),
	RV(CKR_SESSION_COUNT),
	RV(CKR_SESSION_HANDLE_INVALID),
	RV(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
	RV(CKR_SESSION_READ_ONLY),
	RV(CKR_SESSION_EXISTS),
	RV(CKR_SESSION_READ_ONLY_EXISTS),
	RV(CKR_SESSION_READ_WRITE_SO_EXISTS),
	RV(CKR_SIGNATURE_INVALID),
	RV(CKR_SIGNATURE_LEN_RANGE),
	RV(CKR_TEMPLATE_INCOMPLETE),
	RV(CKR_TEMPLATE_INCONSISTENT),
	RV(CKR_TOKEN_NOT_PRESENT),
	RV(CKR_TOKEN_NOT_RECOGNIZED),
	RV(CKR_TOKEN_WRITE_PROTECTED),
	RV(CKR_USER_ALREADY_LOGGED_IN),
	RV(CKR_USER_NOT_LOGGED_IN),
	RV(CKR_USER_PIN_NOT_INITIALIZED),
	RV(CKR_USER_TYPE_INVALID),
	RV(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
	RV(CKR_USER_TOO_MANY_TYPES),
	RV(CKR_DOMAIN_PARAMS_INVALID),
	RV(CKR_CURVE_NOT_SUPPORTED),
	RV(CKR_BUFFER_TOO_SMALL),
	RV(CKR_SAVED_STATE_INVALID),
	RV(CKR_INFORMATION_SENSITIVE),
	RV(CKR_STATE_UNSAVEABLE),
	RV(CKR_CRYPTOKI_NOT_INITIALIZED),
	RV(CKR_CRYPTOKI_ALREADY_INITIALIZED),
	RV(CKR_MUTEX_BAD),
	RV(CKR_MUTEX_NOT_LOCKED),
	RV(CKR_FUNCTION_REJECTED),
};

static const struct rv_name mech_names[] = {
	RV(CKM_RSA_PKCS_KEY_PAIR_GEN),
	RV(CKM_RSA_PKCS),
	RV(CKM_SHA256_RSA_PKCS),
	RV(CKM_RSA_PKCS_PSS),
	RV(CKM_SHA256_RSA_PKCS_PSS),
	RV(CKM_EC_KEY_PAIR_GEN),
	RV(CKM_ECDSA),
	RV(CKM_ECDSA_SHA256),
	RV(CKM_EC_EDWARDS_KEY_PAIR_GEN),
	RV(CKM_EDDSA),
};
#undef RV

const char *tf_p11_rv_name(CK_RV rv)
{
	static char unknown[40];
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(rv_names); i++)
		if (rv_names[i].rv == rv)
			return rv_names[i].name;
	/* Vendor-defined and unlisted values still print, in hex. */
	snprintf(unknown, sizeof(unknown), "CKR_0x%08lx", (unsigned long)rv);
	return unknown;
}

const char *tf_p11_mech_name(CK_MECHANISM_TYPE mech)
{
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(mech_names); i++)
		if (mech_names[i].rv == mech)
			return mech_names[i].name;
	return "CKM_(unknown)";
}

tufsign_status tf_p11_error(tufsign_error *err, tufsign_status status, CK_RV rv, const char *fmt,
			    ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT)
		return tufsign_error_set(err, TUFSIGN_ERR_TOKEN,
					 "%s: %s; reconnect the token and run the command again",
					 what, tf_p11_rv_name(rv));
	return tufsign_error_set(err, status, "%s: %s", what, tf_p11_rv_name(rv));
}

tufsign_status tf_p11_login_status(CK_RV rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
		return TUFSIGN_ERR_PIN_INCORRECT;
	case CKR_PIN_LOCKED:
		return TUFSIGN_ERR_PIN_LOCKED;
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_INVALID:
		return TUFSIGN_ERR_PIN_INVALID;
	case CKR_PIN_EXPIRED:
		return TUFSIGN_ERR_PIN_EXPIRED;
	default:
		return TUFSIGN_ERR_TOKEN;
	}
}

/* A PKCS#11 module for tests that wraps SoftHSM. Every call goes to the real
 * module, C_OpenSession, C_Login and C_Sign calls are logged to a file, and
 * chosen calls fail with a chosen CK_RV. Configured by environment variables:
 *   TUFSIGN_FAULT_MODULE     module to wrap (default SoftHSM's)
 *   TUFSIGN_FAULT_LOG        file that gets one line per C_OpenSession, C_Login
 *                            (with the user type) and C_Sign (with its number)
 *   TUFSIGN_FAULT_LOGIN_RV   CK_RV (decimal or 0x hex) every C_Login returns;
 *                            CKR_USER_ALREADY_LOGGED_IN logs in first, as if
 *                            another application had
 *   TUFSIGN_FAULT_SIGN_RV    CK_RV that a C_Sign returns ...
 *   TUFSIGN_FAULT_SIGN_AT    ... at its Nth call (1-based, default 1)
 *   TUFSIGN_FAULT_HIDE_MECHS comma-separated mechanisms (0x hex) that
 *                            C_GetMechanismInfo reports as missing
 *   TUFSIGN_FAULT_KEYPAD_PIN when set, tokens report a protected
 *                            authentication path, and a C_Login without a PIN
 *                            logs in with this PIN, as a PIN pad would
 *   TUFSIGN_FAULT_SLOT_LIST  "empty": C_GetSlotList lists no slot, as SoftHSM2
 *                            does after dropping a token file it read while
 *                            another process rewrote it; or a CK_RV that
 *                            C_GetSlotList returns
 *   TUFSIGN_FAULT_TOKEN_INFO_RV CK_RV that C_GetTokenInfo returns
 *   TUFSIGN_FAULT_INITS      the two faults above last for this many
 *                            C_Initialize calls of the process (default: all),
 *                            like a dropped token that the module reads again
 *                            only when initialized again
 *   TUFSIGN_FAULT_INIT_LOG   file that gets one line per C_Initialize, with
 *                            its number
 * A faulted C_Sign still ends the operation, as a failing C_Sign does. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST real;
static CK_FUNCTION_LIST wrapped;
static void *library;
static unsigned long sign_calls;
static unsigned long init_calls;

static CK_RV env_rv(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] ? (CK_RV)strtoul(v, NULL, 0) : CKR_OK;
}

static void log_to(const char *variable, const char *what, unsigned long arg)
{
	const char *path = getenv(variable);
	FILE *f = path ? fopen(path, "a") : NULL;

	if (f == NULL)
		return;
	fprintf(f, "%s %lu\n", what, arg);
	fclose(f);
}

static void log_call(const char *what, unsigned long arg)
{
	log_to("TUFSIGN_FAULT_LOG", what, arg);
}

static CK_RV fault_login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
			 CK_ULONG pin_len)
{
	CK_RV rv = env_rv("TUFSIGN_FAULT_LOGIN_RV");

	const char *keypad = getenv("TUFSIGN_FAULT_KEYPAD_PIN");

	log_call("C_Login", user);
	if (rv == CKR_USER_ALREADY_LOGGED_IN) {
		real.C_Login(s, user, pin, pin_len);
		return rv;
	}
	if (rv != CKR_OK)
		return rv;
	if (keypad != NULL && pin == NULL) {
		pin = (CK_UTF8CHAR_PTR)keypad;
		pin_len = strlen(keypad);
	} else if (keypad != NULL) {
		/* A PIN pad token takes no PIN from the host. */
		return CKR_ARGUMENTS_BAD;
	}
	return real.C_Login(s, user, pin, pin_len);
}

static int mechanism_hidden(CK_MECHANISM_TYPE mech)
{
	const char *list = getenv("TUFSIGN_FAULT_HIDE_MECHS");
	char *end = NULL;

	while (list != NULL && *list != '\0') {
		if (strtoul(list, &end, 0) == mech)
			return 1;
		if (end == list)
			break;
		list = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static CK_RV fault_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE mech,
				  CK_MECHANISM_INFO_PTR info)
{
	if (mechanism_hidden(mech))
		return CKR_MECHANISM_INVALID;
	return real.C_GetMechanismInfo(slot, mech, info);
}

static CK_RV fault_initialize(CK_VOID_PTR args)
{
	log_to("TUFSIGN_FAULT_INIT_LOG", "C_Initialize", ++init_calls);
	return real.C_Initialize(args);
}

/* Whether the slot list and token info faults apply in this initialization. */
static int discovery_faulted(void)
{
	const char *inits = getenv("TUFSIGN_FAULT_INITS");

	return inits == NULL || inits[0] == '\0' || init_calls <= strtoul(inits, NULL, 0);
}

static CK_RV fault_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	const char *fault = getenv("TUFSIGN_FAULT_SLOT_LIST");

	if (fault == NULL || fault[0] == '\0' || !discovery_faulted())
		return real.C_GetSlotList(present, list, count);
	if (strcmp(fault, "empty") != 0)
		return (CK_RV)strtoul(fault, NULL, 0);
	*count = 0;
	return CKR_OK;
}

static CK_RV fault_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	CK_RV rv = env_rv("TUFSIGN_FAULT_TOKEN_INFO_RV");

	if (rv != CKR_OK && discovery_faulted())
		return rv;
	rv = real.C_GetTokenInfo(slot, info);

	if (rv == CKR_OK && getenv("TUFSIGN_FAULT_KEYPAD_PIN") != NULL)
		info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	return rv;
}

static CK_RV fault_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
				CK_SESSION_HANDLE_PTR session)
{
	log_call("C_OpenSession", (unsigned long)slot);
	return real.C_OpenSession(slot, flags, app, notify, session);
}

static CK_RV fault_sign(CK_SESSION_HANDLE s, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
			CK_ULONG_PTR sig_len)
{
	CK_RV rv = env_rv("TUFSIGN_FAULT_SIGN_RV");
	const char *at = getenv("TUFSIGN_FAULT_SIGN_AT");
	unsigned long n = ++sign_calls;

	log_call("C_Sign", n);
	if (rv != CKR_OK && n == (at && at[0] ? strtoul(at, NULL, 0) : 1)) {
		/* End the real operation so the session stays usable. */
		unsigned char scratch[1024];
		CK_ULONG scratch_len = sizeof(scratch);

		real.C_Sign(s, data, len, scratch, &scratch_len);
		return rv;
	}
	return real.C_Sign(s, data, len, sig, sig_len);
}

/* Keep init_calls across a release and a new load of the module. p11-kit
 * 0.24.1 keeps a released module mapped, but its documentation does not
 * promise that. */
static void stay_loaded(void)
{
	Dl_info self;

	if (dladdr((void *)stay_loaded, &self) != 0 && self.dli_fname != NULL)
		dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	const char *path = getenv("TUFSIGN_FAULT_MODULE");
	CK_C_GetFunctionList get = NULL;
	CK_FUNCTION_LIST_PTR inner = NULL;
	CK_RV rv;

	if (library == NULL) {
		stay_loaded();
		library = dlopen(path && path[0] ? path : "/usr/lib/softhsm/libsofthsm2.so",
				 RTLD_NOW | RTLD_LOCAL);
		if (library == NULL)
			return CKR_GENERAL_ERROR;
	}
	get = (CK_C_GetFunctionList)dlsym(library, "C_GetFunctionList");
	if (get == NULL)
		return CKR_GENERAL_ERROR;
	rv = get(&inner);
	if (rv != CKR_OK)
		return rv;
	real = *inner;
	wrapped = *inner;
	wrapped.C_Initialize = fault_initialize;
	wrapped.C_GetSlotList = fault_slot_list;
	wrapped.C_GetMechanismInfo = fault_mechanism_info;
	wrapped.C_GetTokenInfo = fault_token_info;
	wrapped.C_OpenSession = fault_open_session;
	wrapped.C_Login = fault_login;
	wrapped.C_Sign = fault_sign;
	*list = &wrapped;
	return CKR_OK;
}

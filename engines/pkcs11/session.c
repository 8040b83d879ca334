/* Token selection, the session and the one C_Login per token per process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/p11.h"
#include "tufsign/pkcs11.h"

static tf_p11_token *opened;

/* A token whose C_Login failed. A second key opened on it in the same
 * process gets the recorded error instead of another C_Login, because every
 * failed login counts against the token's retry limit. */
typedef struct failed_login {
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	tufsign_status status;
	char message[sizeof(((tufsign_error *)0)->message)];
	struct failed_login *next;
} failed_login;

static failed_login *failed_logins;

static int is_login_failure(tufsign_status st)
{
	return st == TUFSIGN_ERR_PIN_INCORRECT || st == TUFSIGN_ERR_PIN_LOCKED ||
	       st == TUFSIGN_ERR_PIN_INVALID || st == TUFSIGN_ERR_PIN_EXPIRED;
}

/* Remember a failed login; out of memory only costs the protection. */
static void remember_failed_login(const tf_p11_token *t, const tufsign_error *err)
{
	failed_login *fl;

	if (err == NULL || !is_login_failure(err->status))
		return;
	fl = calloc(1, sizeof(*fl));
	if (fl == NULL)
		return;
	fl->f = t->f;
	fl->slot = t->slot;
	fl->status = err->status;
	memcpy(fl->message, err->message, sizeof(fl->message));
	fl->next = failed_logins;
	failed_logins = fl;
}

static const failed_login *find_failed_login(CK_FUNCTION_LIST *f, CK_SLOT_ID slot)
{
	const failed_login *fl;

	for (fl = failed_logins; fl != NULL; fl = fl->next)
		if (fl->f == f && fl->slot == slot)
			return fl;
	return NULL;
}

static int slot_matches(CK_FUNCTION_LIST *f, CK_SLOT_ID slot, const tf_p11_uri *u,
			CK_TOKEN_INFO *info)
{
	CK_INFO minfo;

	if (u->slot_id != (CK_SLOT_ID)-1 && u->slot_id != slot)
		return 0;
	if (f->C_GetTokenInfo(slot, info) != CKR_OK)
		return 0;
	if (f->C_GetInfo(&minfo) == CKR_OK && !p11_kit_uri_match_module_info(u->uri, &minfo))
		return 0;
	return p11_kit_uri_match_token_info(u->uri, info);
}

static void append_candidate(tf_buf *list, const CK_TOKEN_INFO *info, CK_SLOT_ID slot)
{
	char *uri = tf_p11_token_uri(info);

	tf_buf_printf(list, "%s%s (slot %lu)", list->len ? ", " : "", uri ? uri : "?",
		      (unsigned long)slot);
	free(uri);
}

/* Visit the slots with a token of every module; stop early on error. */
static tufsign_status scan_module(CK_FUNCTION_LIST *f, const tf_p11_uri *u, size_t *matches,
				  CK_FUNCTION_LIST **mf, CK_SLOT_ID *mslot, tf_buf *list,
				  tufsign_error *err)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0, i;
	CK_TOKEN_INFO info;
	CK_RV rv;

	rv = f->C_GetSlotList(CK_TRUE, NULL, &n);
	if (rv == CKR_OK && n > 0) {
		slots = calloc(n, sizeof(*slots));
		if (slots == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		rv = f->C_GetSlotList(CK_TRUE, slots, &n);
	}
	if (rv != CKR_OK) {
		free(slots);
		return tf_p11_error(err, TUFSIGN_ERR_MODULE, rv,
				    "cannot list the slots of a module");
	}
	for (i = 0; i < n; i++) {
		if (!slot_matches(f, slots[i], u, &info))
			continue;
		(*matches)++;
		*mf = f;
		*mslot = slots[i];
		append_candidate(list, &info, slots[i]);
	}
	free(slots);
	return TUFSIGN_OK;
}

tufsign_status tf_p11_token_select(const tf_p11_modules *mods, const tf_p11_uri *u,
				   CK_FUNCTION_LIST **f, CK_SLOT_ID *slot, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	size_t matches = 0, i;
	tf_buf list;

	*f = NULL;
	tf_buf_init(&list);
	for (i = 0; mods->funcs[i] != NULL && st == TUFSIGN_OK; i++)
		st = scan_module(mods->funcs[i], u, &matches, f, slot, &list, err);
	if (st == TUFSIGN_OK && matches == 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_TOKEN_NOT_FOUND,
				       "no token matches '%s'; 'tufsign token list' shows the "
				       "tokens and their URIs",
				       u->text);
	else if (st == TUFSIGN_OK && matches > 1)
		st = tufsign_error_set(err, TUFSIGN_ERR_AMBIGUOUS,
				       "%zu tokens match '%s': %s; add serial= or slot-id= to the "
				       "URI",
				       matches, u->text, list.data ? (char *)list.data : "");
	tf_buf_release(&list, 0);
	if (st != TUFSIGN_OK)
		*f = NULL;
	return st;
}

/* Record a failed C_Login. The message names where the PIN came from, so
 * the user knows which source to correct, but never the PIN. */
static tufsign_status login_failed(const tf_p11_token *t, CK_RV rv, tufsign_error *err)
{
	const char *pin = t->pin_origin[0] != '\0' ? t->pin_origin : "the PIN";
	const char *problem;

	switch (rv) {
	case CKR_PIN_INCORRECT:
		problem = "is wrong. tufsign does not retry, because every failed login counts "
			  "against the token's retry limit";
		break;
	case CKR_PIN_LOCKED:
		pin = "the user PIN";
		problem = "is locked after too many failed logins. Unlock it with the security "
			  "officer PIN";
		break;
	case CKR_PIN_LEN_RANGE:
		problem = "is shorter or longer than the token accepts";
		break;
	case CKR_PIN_INVALID:
		problem = "contains characters that the token does not accept";
		break;
	case CKR_PIN_EXPIRED:
		pin = "the PIN";
		problem = "has expired. Set a new PIN on the token";
		break;
	default:
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv, "login to token '%s' failed",
				    t->label);
	}
	return tufsign_error_set(err, tf_p11_login_status(rv),
				 "login to token '%s' failed: %s; %s %s", t->label,
				 tf_p11_rv_name(rv), pin, problem);
}

/* Log in as the user unless the session already is. pin is NULL for a
 * token with a protected authentication path (PIN pad). */
static tufsign_status login(tf_p11_token *t, const char *pin, tufsign_error *err)
{
	CK_SESSION_INFO si;
	CK_RV rv;

	if (t->f->C_GetSessionInfo(t->session, &si) == CKR_OK &&
	    (si.state == CKS_RO_USER_FUNCTIONS || si.state == CKS_RW_USER_FUNCTIONS)) {
		t->logged_in = 1;
		return TUFSIGN_OK;
	}
	if (pin == NULL)
		TF_INFO("pkcs11", "enter the PIN on the keypad of token '%s'", t->label);
	TF_DEBUG("pkcs11", "C_Login on token '%s'", t->label);
	rv = t->f->C_Login(t->session, CKU_USER, (CK_UTF8CHAR *)pin, pin ? strlen(pin) : 0);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return login_failed(t, rv, err);
	t->logged_in = 1;
	return TUFSIGN_OK;
}

static tufsign_status open_session(tf_p11_token *t, tufsign_error *err)
{
	CK_RV rv;

	rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				 &t->session);
	/* A write-protected token still signs in a read-only session. */
	if (rv == CKR_TOKEN_WRITE_PROTECTED)
		rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION, NULL, NULL, &t->session);
	if (rv != CKR_OK)
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv,
				    "cannot open a session on token '%s'", t->label);
	return TUFSIGN_OK;
}

static int needs_pin(const CK_TOKEN_INFO *info)
{
	return (info->flags & CKF_LOGIN_REQUIRED) &&
	       !(info->flags & CKF_PROTECTED_AUTHENTICATION_PATH);
}

/* Read the PIN first: without a source and a terminal this fails before any
 * session exists on the token. */
static tufsign_status token_start(tf_p11_token *t, const tf_p11_uri *u,
				  const tufsign_key_options *opts, tufsign_error *err)
{
	tufsign_status st;
	CK_RV rv;

	rv = t->f->C_GetTokenInfo(t->slot, &t->info);
	if (rv != CKR_OK)
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv, "cannot read the token in slot %lu",
				    (unsigned long)t->slot);
	tf_p11_trim(t->info.label, sizeof(t->info.label), t->label, sizeof(t->label));
	if (t->info.flags & CKF_PROTECTED_AUTHENTICATION_PATH)
		snprintf(t->pin_origin, sizeof(t->pin_origin), "the PIN entered on the PIN pad");
	if (needs_pin(&t->info)) {
		st = tf_p11_pin_read(u->pin_source, opts, t->label, &t->pin, t->pin_origin, err);
		if (st != TUFSIGN_OK)
			return st;
	}
	st = open_session(t, err);
	if (st == TUFSIGN_OK && (t->info.flags & CKF_LOGIN_REQUIRED))
		st = login(t, t->pin, err);
	return st;
}

static void token_free(tf_p11_token *t)
{
	if (t == NULL)
		return;
	if (t->session != CK_INVALID_HANDLE)
		t->f->C_CloseSession(t->session);
	tf_free_secret(t->pin);
	free(t);
}

tufsign_status tf_p11_token_open(const tf_p11_uri *u, const tufsign_key_options *opts,
				 tf_p11_token **out, tufsign_error *err)
{
	tf_p11_modules *mods = NULL;
	const failed_login *failed = NULL;
	tf_p11_token *t = NULL;
	CK_FUNCTION_LIST *f = NULL;
	CK_SLOT_ID slot = 0;
	tufsign_status st;

	*out = NULL;
	st = tf_p11_modules_get(u, opts ? opts->module_path : NULL, &mods, err);
	if (st == TUFSIGN_OK)
		st = tf_p11_token_select(mods, u, &f, &slot, err);
	if (st != TUFSIGN_OK)
		return st;
	for (t = opened; t != NULL; t = t->next)
		if (t->f == f && t->slot == slot) {
			*out = t;
			return TUFSIGN_OK;
		}
	failed = find_failed_login(f, slot);
	if (failed != NULL)
		return tufsign_error_set(err, failed->status,
					 "%s (not tried again in this process)", failed->message);
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	t->f = f;
	t->slot = slot;
	t->session = CK_INVALID_HANDLE;
	st = token_start(t, u, opts, err);
	if (st != TUFSIGN_OK) {
		remember_failed_login(t, err);
		token_free(t);
		return st;
	}
	t->next = opened;
	opened = t;
	*out = t;
	return TUFSIGN_OK;
}

void tf_p11_token_drop_pin(tf_p11_token *t)
{
	if (t->pin_users == 0 && t->pin != NULL) {
		tf_free_secret(t->pin);
		t->pin = NULL;
	}
}

void tf_p11_token_hold_pin(tf_p11_token *t)
{
	t->pin_users++;
}

void tf_p11_token_release_pin(tf_p11_token *t)
{
	if (t->pin_users > 0)
		t->pin_users--;
	tf_p11_token_drop_pin(t);
}

tufsign_status tf_p11_context_login(tf_p11_token *t, tufsign_error *err)
{
	CK_RV rv;

	if (t->pin == NULL && needs_pin(&t->info))
		return tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
					 "the key on token '%s' needs its PIN for every signature, "
					 "and the PIN is no longer available",
					 t->label);
	TF_DEBUG("pkcs11", "context-specific C_Login on token '%s'", t->label);
	rv = t->f->C_Login(t->session, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)t->pin,
			   t->pin ? strlen(t->pin) : 0);
	if (rv != CKR_OK)
		return login_failed(t, rv, err);
	return TUFSIGN_OK;
}

int tf_p11_token_has_mechanism(tf_p11_token *t, CK_MECHANISM_TYPE mech)
{
	CK_MECHANISM_INFO info;

	return t->f->C_GetMechanismInfo(t->slot, mech, &info) == CKR_OK && (info.flags & CKF_SIGN);
}

void tufsign_pkcs11_shutdown(void)
{
	while (opened != NULL) {
		tf_p11_token *next = opened->next;

		token_free(opened);
		opened = next;
	}
	while (failed_logins != NULL) {
		failed_login *next = failed_logins->next;

		free(failed_logins);
		failed_logins = next;
	}
	tf_p11_modules_release_all();
}

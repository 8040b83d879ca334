/* Token selection, the session and the one C_Login per token per process. */
#include <errno.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "pkcs11/p11.h"
#include "tufsign/pkcs11.h"

/* Token searches per lookup: the first and up to 3 more after transient
 * failures, 50 to 150 ms apart (see tf_p11_modules_search). A URI that
 * names no token thus fails after 0.15 to 0.45 s of pauses. */
#define SEARCH_TRIES           4
#define SEARCH_RETRY_MIN_MS    50
#define SEARCH_RETRY_SPREAD_MS 100

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

/* Most candidates an ambiguous token URI's message lists, so the message
 * fits the error buffer whatever the labels. */
#define MAX_LISTED_TOKENS 4

/* Append a URI attribute value, percent-encoding all but RFC 3986's
 * unreserved characters. */
static void append_encoded(tf_buf *list, const char *value)
{
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			tf_buf_printf(list, "%c", *p);
		else
			tf_buf_printf(list, "%%%02X", *p);
	}
}

/* Add a candidate by the two attributes that tell matching tokens apart,
 * label and serial, and its slot. */
static void append_candidate(tf_buf *list, const CK_TOKEN_INFO *info, CK_SLOT_ID slot)
{
	char label[sizeof(info->label) + 1], serial[sizeof(info->serialNumber) + 1];

	tf_p11_trim(info->label, sizeof(info->label), label, sizeof(label));
	tf_p11_trim(info->serialNumber, sizeof(info->serialNumber), serial, sizeof(serial));
	tf_buf_printf(list, "%stoken=", list->len ? ", " : "");
	append_encoded(list, label);
	tf_buf_printf(list, ";serial=");
	append_encoded(list, serial);
	tf_buf_printf(list, " (slot-id=%lu)", (unsigned long)slot);
}

int tf_p11_slot_list_rv_transient(CK_RV rv)
{
	return rv == CKR_GENERAL_ERROR || rv == CKR_DEVICE_ERROR;
}

/* The token a URI selects, with the CK_TOKEN_INFO read while matching. */
typedef struct token_match {
	const tf_p11_uri *u;
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO info;
	size_t count;      /* tokens that matched */
	tf_buf candidates; /* their URIs and slots, for the message of an ambiguous URI */
} token_match;

/* Visit the slots with a token of a module; stop early on error. */
static tufsign_status scan_module(CK_FUNCTION_LIST *f, token_match *match, int *transient,
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
		*transient = tf_p11_slot_list_rv_transient(rv);
		return tf_p11_error(err, TUFSIGN_ERR_MODULE, rv,
				    "cannot list the slots of a module");
	}
	for (i = 0; i < n; i++) {
		if (!slot_matches(f, slots[i], match->u, &info))
			continue;
		match->count++;
		match->f = f;
		match->slot = slots[i];
		match->info = info;
		if (match->count <= MAX_LISTED_TOKENS)
			append_candidate(&match->candidates, &info, slots[i]);
	}
	free(slots);
	return TUFSIGN_OK;
}

/* One search for the token of match->u, which exactly one token must
 * match. No match counts as transient: SoftHSM2 leaves out a token whose
 * file it read while another process was rewriting it. */
static tufsign_status search_token(const tf_p11_modules *mods, void *ctx, int *transient,
				   tufsign_error *err)
{
	token_match *match = ctx;
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	match->f = NULL;
	match->count = 0;
	tf_buf_release(&match->candidates, 0);
	for (i = 0; mods->funcs[i] != NULL && st == TUFSIGN_OK; i++)
		st = scan_module(mods->funcs[i], match, transient, err);
	if (st != TUFSIGN_OK)
		return st;
	if (match->count == 0) {
		*transient = 1;
		return tufsign_error_set(err, TUFSIGN_ERR_TOKEN_NOT_FOUND,
					 "no token matches '%s'; 'tufsign token list' shows the "
					 "tokens and their URIs",
					 match->u->text);
	}
	if (match->count > MAX_LISTED_TOKENS)
		tf_buf_printf(&match->candidates, ", and %zu more",
			      match->count - MAX_LISTED_TOKENS);
	if (match->count > 1)
		return tufsign_error_set(
			err, TUFSIGN_ERR_AMBIGUOUS,
			"%zu tokens match '%s'; add serial= or slot-id= to the URI: %s",
			match->count, match->u->text,
			match->candidates.data ? (char *)match->candidates.data : "");
	return TUFSIGN_OK;
}

/* Whether the process has a session or a remembered failed login on a
 * token. Finalizing a module would close the one and lose the other, which
 * is found by function list and slot. Any module counts, not only those
 * of the set searched: one library loaded under two paths can be one
 * instance, whose C_Finalize ends the sessions opened through either. */
static int sessions_exist(void)
{
	return opened != NULL || failed_logins != NULL;
}

/* Sleep a random 50 to 150 ms, so that parallel processes that collided
 * on a token file do not collide again at once. */
static void pause_before_retry(void)
{
	unsigned char r[2] = {0, 0};
	long ms = SEARCH_RETRY_MIN_MS;
	struct timespec ts;

	if (RAND_bytes(r, sizeof(r)) == 1)
		ms += ((unsigned)r[0] << 8 | r[1]) % SEARCH_RETRY_SPREAD_MS;
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

tufsign_status tf_p11_modules_search(const tf_p11_uri *u, const char *option_path,
				     tf_p11_search_fn search, void *ctx, tufsign_error *err)
{
	tf_p11_modules *mods = NULL;
	tufsign_status st = TUFSIGN_OK;
	tufsign_error last;
	unsigned attempt;
	int transient;

	for (attempt = 1;; attempt++) {
		tufsign_error_clear(&last);
		transient = 0;
		st = tf_p11_modules_get(u, option_path, &mods, &last);
		if (st == TUFSIGN_OK)
			st = search(mods, ctx, &transient, &last);
		if (st == TUFSIGN_OK || !transient || attempt == SEARCH_TRIES)
			break;
		if (sessions_exist()) {
			/* NOTE: SoftHSM2 reads a token it left out again only in
			 * C_Initialize, so this search only helps where a read
			 * failed, not where a token is missing. */
			TF_DEBUG("pkcs11",
				 "token search %u of %u failed, so it runs again without "
				 "loading the PKCS#11 modules again, which would end the "
				 "open sessions: %s",
				 attempt, SEARCH_TRIES, last.message);
		} else {
			TF_DEBUG("pkcs11",
				 "token search %u of %u failed, so the PKCS#11 modules are "
				 "loaded again: %s",
				 attempt, SEARCH_TRIES, last.message);
			tf_p11_modules_unload(mods);
		}
		pause_before_retry();
	}
	if (st != TUFSIGN_OK)
		tufsign_error_set(err, last.status, "%s", last.message);
	return st;
}

/* Return 1 when a failed login of t may come from another process
 * rewriting a SoftHSM2 token file at the same moment, which shows up as
 * these two codes. */
static int softhsm_collision(const tf_p11_token *t, CK_RV rv)
{
	char manufacturer[sizeof(t->info.manufacturerID) + 1];

	if (rv != CKR_GENERAL_ERROR && rv != CKR_USER_PIN_NOT_INITIALIZED)
		return 0;
	tf_p11_trim(t->info.manufacturerID, sizeof(t->info.manufacturerID), manufacturer,
		    sizeof(manufacturer));
	return strstr(manufacturer, "SoftHSM") != NULL;
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
		if (softhsm_collision(t, rv))
			return tufsign_error_set(
				err, TUFSIGN_ERR_TOKEN,
				"login to token '%s' failed: %s; if other jobs use this SoftHSM2 "
				"token at the same time, its file store can fail a login this way: "
				"give each job its own copy of the token or serialize them with "
				"flock(1)",
				t->label, tf_p11_rv_name(rv));
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
 * session exists on the token. t->info is the one the search read: a
 * second C_GetTokenInfo here could fail for the same transient reasons,
 * and nothing would repeat it. */
static tufsign_status token_start(tf_p11_token *t, const tf_p11_uri *u,
				  const tufsign_key_options *opts, tufsign_error *err)
{
	tufsign_status st;

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
	const failed_login *failed = NULL;
	tf_p11_token *t = NULL;
	token_match match;
	tufsign_status st;

	*out = NULL;
	memset(&match, 0, sizeof(match));
	match.u = u;
	tf_buf_init(&match.candidates);
	st = tf_p11_modules_search(u, opts ? opts->module_path : NULL, search_token, &match, err);
	tf_buf_release(&match.candidates, 0);
	if (st != TUFSIGN_OK)
		return st;
	for (t = opened; t != NULL; t = t->next)
		if (t->f == match.f && t->slot == match.slot) {
			*out = t;
			return TUFSIGN_OK;
		}
	failed = find_failed_login(match.f, match.slot);
	if (failed != NULL)
		return tufsign_error_set(err, failed->status,
					 "%s (not tried again in this process)", failed->message);
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	t->f = match.f;
	t->slot = match.slot;
	t->info = match.info;
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

/* Loading PKCS#11 modules through p11-kit. A module is loaded once per
 * process and stays loaded until tufsign_pkcs11_shutdown(), so every key on
 * a token shares one session and one login. */
#include <stdlib.h>
#include <string.h>

#include "pkcs11/p11.h"

static tf_p11_modules *loaded;

/* p11-kit refuses to load its own proxy as a module, so the default takes
 * the registered modules and keeps those the proxy would offer. */
static int proxy_offers(CK_FUNCTION_LIST *f)
{
	char *enable = p11_kit_config_option(f, "enable-in");
	char *disable = p11_kit_config_option(f, "disable-in");
	int offered = 1;

	if (enable != NULL && strstr(enable, "p11-kit-proxy") == NULL)
		offered = 0;
	if (disable != NULL && strstr(disable, "p11-kit-proxy") != NULL)
		offered = 0;
	free(enable);
	free(disable);
	return offered;
}

static int module_selected(CK_FUNCTION_LIST *f, const char *name)
{
	char *mname = NULL;
	int keep;

	if (name == NULL)
		return proxy_offers(f);
	mname = p11_kit_module_get_name(f);
	keep = mname != NULL && strcmp(mname, name) == 0;
	free(mname);
	return keep;
}

static tufsign_status load_registry(tf_p11_modules *m, const char *name, tufsign_error *err)
{
	size_t i, n = 0;

	m->from_registry = 1;
	m->all = p11_kit_modules_load_and_initialize(0);
	if (m->all == NULL)
		return tufsign_error_set(
			err, TUFSIGN_ERR_MODULE,
			"cannot load the PKCS#11 modules registered with p11-kit: %s",
			p11_kit_message() ? p11_kit_message() : "unknown error");
	for (i = 0; m->all[i] != NULL; i++)
		;
	m->funcs = calloc(i + 1, sizeof(*m->funcs));
	if (m->funcs == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	for (i = 0; m->all[i] != NULL; i++)
		if (module_selected(m->all[i], name))
			m->funcs[n++] = m->all[i];
	if (name != NULL && n == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_MODULE,
					 "no PKCS#11 module named '%s' is registered with p11-kit; "
					 "'p11-kit list-modules' shows the names",
					 name);
	return TUFSIGN_OK;
}

static tufsign_status load_path(tf_p11_modules *m, const char *path, tufsign_error *err)
{
	CK_FUNCTION_LIST *f = p11_kit_module_load(path, 0);
	CK_RV rv;

	if (f == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_MODULE,
					 "cannot load PKCS#11 module '%s': %s", path,
					 p11_kit_message() ? p11_kit_message() : "unknown error");
	rv = p11_kit_module_initialize(f);
	if (rv != CKR_OK) {
		p11_kit_module_release(f);
		return tf_p11_error(err, TUFSIGN_ERR_MODULE, rv,
				    "cannot initialize PKCS#11 module '%s'", path);
	}
	m->all = calloc(2, sizeof(*m->all));
	m->funcs = calloc(2, sizeof(*m->funcs));
	if (m->all == NULL || m->funcs == NULL) {
		p11_kit_module_finalize(f);
		p11_kit_module_release(f);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	m->all[0] = f;
	m->funcs[0] = f;
	return TUFSIGN_OK;
}

static void modules_free(tf_p11_modules *m)
{
	size_t i;

	if (m == NULL)
		return;
	if (m->all != NULL && m->from_registry) {
		p11_kit_modules_finalize_and_release(m->all);
	} else if (m->all != NULL) {
		for (i = 0; m->all[i] != NULL; i++) {
			p11_kit_module_finalize(m->all[i]);
			p11_kit_module_release(m->all[i]);
		}
		free(m->all);
	}
	free(m->funcs);
	free(m->key);
	free(m);
}

/* Module precedence: the URI's module-path or module-name, then the
 * --module option, then what p11-kit's proxy offers. */
tufsign_status tf_p11_modules_get(const tf_p11_uri *u, const char *option_path,
				  tf_p11_modules **out, tufsign_error *err)
{
	const char *path = u != NULL && u->module_path ? u->module_path : NULL;
	const char *name = u != NULL && !path ? u->module_name : NULL;
	tf_p11_modules *m = NULL;
	tufsign_status st;
	char *key = NULL;

	*out = NULL;
	if (path == NULL && name == NULL)
		path = option_path;
	key = path   ? tf_asprintf("path:%s", path)
	      : name ? tf_asprintf("name:%s", name)
		     : tf_strdup("proxy");
	if (key == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	for (m = loaded; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0) {
			free(key);
			*out = m;
			return TUFSIGN_OK;
		}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		free(key);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	m->key = key;
	st = path ? load_path(m, path, err) : load_registry(m, name, err);
	if (st != TUFSIGN_OK) {
		modules_free(m);
		return st;
	}
	TF_DEBUG("pkcs11", "loaded PKCS#11 module %s", key);
	m->next = loaded;
	loaded = m;
	*out = m;
	return TUFSIGN_OK;
}

void tf_p11_modules_unload(tf_p11_modules *m)
{
	tf_p11_modules **link = &loaded;

	while (*link != NULL && *link != m)
		link = &(*link)->next;
	if (*link == NULL)
		return;
	*link = m->next;
	TF_DEBUG("pkcs11", "unloaded PKCS#11 module %s", m->key);
	modules_free(m);
}

void tf_p11_modules_release_all(void)
{
	while (loaded != NULL) {
		tf_p11_modules *next = loaded->next;

		modules_free(loaded);
		loaded = next;
	}
}

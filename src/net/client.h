/* The authenticated request path shared by the files of the Notary client. */
#ifndef TF_NET_CLIENT_H
#define TF_NET_CLIENT_H

#include "net/net.h"

/* One call of the server API. */
typedef struct tf_api_call {
	const char *gun;
	const char *actions; /* token scope actions: "pull", "push,pull" or "*" */
	const char *what;    /* for messages: "GET 'root.json' of 'example.com/app'" */
	tf_http_request req; /* authorization is filled in by tf_notary_call() */
} tf_api_call;

/* Send call, pinging the server first if needed, with the authorization
 * the server's challenge requires. After a 401 with a usable challenge it
 * authenticates for it and sends once more. A final 401 or 403 becomes
 * TUFSIGN_ERR_AUTH; other statuses are left to the caller in resp. */
tufsign_status tf_notary_call(tufsign_notary *client, tf_api_call *call, tf_http_response *resp,
			      tufsign_error *err);

/* URL of file under <gun>/_trust/tuf/; file "" gives the upload URL.
 * malloc'd. */
char *tf_notary_tuf_url(const tufsign_notary *client, const char *gun, const char *file);

/* Server URL the client was made for, without trailing '/'; for messages.
 * Owned by client. */
const char *tf_notary_base_url(const tufsign_notary *client);

#endif

/* libcurl transport of the Notary client: one easy handle reused across
 * requests, size-capped bodies, retries with exponential backoff, and the
 * mapping of libcurl failures to tufsign statuses. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "net/net.h"
#include "tufsign/version.h"

#define COMPONENT "http"

/* Receives the body of one attempt. */
typedef struct body_sink {
	CURL *curl;
	tf_buf buf;
	size_t max_len;
	int too_large;
} body_sink;

/* Bytes kept of an error response. The rest is dropped, because the cap
 * of a request applies to the document it requests, not to error text. */
#define ERROR_BODY_MAX ((size_t)64 << 10)

static char *dup_or_null(const char *s)
{
	return s != NULL ? tf_strdup(s) : NULL;
}

tufsign_status tf_http_init(tf_http *http, const tufsign_notary_config *cfg, tufsign_error *err)
{
	memset(http, 0, sizeof(*http));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return tufsign_error_set(err, TUFSIGN_ERR_INTERNAL,
					 "libcurl initialisation failed");
	http->curl = curl_easy_init();
	http->ca_file = dup_or_null(cfg->ca_file);
	http->client_cert = dup_or_null(cfg->client_cert);
	http->client_key = dup_or_null(cfg->client_key);
	http->user_agent = cfg->user_agent != NULL ? tf_strdup(cfg->user_agent)
						   : tf_asprintf("tufsign/%s", tufsign_version());
	if (http->curl == NULL || http->user_agent == NULL ||
	    (cfg->ca_file != NULL && http->ca_file == NULL) ||
	    (cfg->client_cert != NULL && http->client_cert == NULL) ||
	    (cfg->client_key != NULL && http->client_key == NULL)) {
		tf_http_release(http);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory creating the client");
	}
	http->allow_plain_http = cfg->insecure_plain_http;
	http->connect_timeout_ms = cfg->connect_timeout_ms;
	http->timeout_ms = cfg->timeout_ms;
	http->retries = cfg->retries;
	http->retry_delay_ms = cfg->retry_delay_ms;
	http->retry_delay_max_ms = cfg->retry_delay_max_ms;
	return TUFSIGN_OK;
}

void tf_http_release(tf_http *http)
{
	if (http->curl != NULL) {
		curl_easy_cleanup(http->curl);
		curl_global_cleanup();
	}
	free(http->ca_file);
	free(http->client_cert);
	free(http->client_key);
	free(http->user_agent);
	memset(http, 0, sizeof(*http));
}

void tf_http_response_release(tf_http_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	free(resp->www_authenticate);
	memset(resp, 0, sizeof(*resp));
}

static size_t write_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	body_sink *sink = userdata;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		size_t room = sink->buf.len < ERROR_BODY_MAX ? ERROR_BODY_MAX - sink->buf.len : 0;

		if (tf_buf_append(&sink->buf, ptr, n < room ? n : room) != 0)
			return 0;
		return n;
	}
	if (sink->buf.cap == 0) {
		curl_off_t expected = -1;

		/* One allocation of the announced size instead of doubling. */
		curl_easy_getinfo(sink->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
		if (expected > 0 && (curl_off_t)sink->max_len >= expected)
			tf_buf_reserve(&sink->buf, (size_t)expected);
	}
	if (n > sink->max_len - sink->buf.len) {
		sink->too_large = 1;
		return 0;
	}
	if (tf_buf_append(&sink->buf, ptr, n) != 0)
		return 0;
	return n;
}

/* Keep the first WWW-Authenticate header of the final response. */
static size_t read_header(char *buffer, size_t size, size_t nitems, void *userdata)
{
	tf_http_response *resp = userdata;
	size_t n = size * nitems;
	static const char name[] = "WWW-Authenticate:";
	size_t start = sizeof(name) - 1;

	if (n >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
		/* A new status line: headers of an interim response are dropped. */
		free(resp->www_authenticate);
		resp->www_authenticate = NULL;
		return n;
	}
	if (resp->www_authenticate != NULL || n < start || strncasecmp(buffer, name, start) != 0)
		return n;
	while (start < n && (buffer[start] == ' ' || buffer[start] == '\t'))
		start++;
	while (n > start && isspace((unsigned char)buffer[n - 1]))
		n--;
	resp->www_authenticate = tf_strndup(buffer + start, n - start);
	return size * nitems;
}

/* Log one header block line by line, with credentials replaced. */
static void trace_headers(char prefix, const char *data, size_t size)
{
	while (size > 0) {
		const char *eol = memchr(data, '\n', size);
		size_t line = eol ? (size_t)(eol - data) : size;
		size_t shown = line;

		if (shown > 0 && data[shown - 1] == '\r')
			shown--;
		if (shown >= 14 && strncasecmp(data, "Authorization:", 14) == 0)
			TF_TRACE(COMPONENT, "%c Authorization: <redacted>", prefix);
		else if (shown > 0)
			TF_TRACE(COMPONENT, "%c %.*s", prefix, (int)shown, data);
		line += eol ? 1 : 0;
		data += line;
		size -= line;
	}
}

/* Route libcurl's verbose output to the log. Bodies are never logged,
 * because token responses carry secrets; only their sizes are. */
static int trace_curl(CURL *handle, curl_infotype type, char *data, size_t size, void *userp)
{
	switch (type) {
	case CURLINFO_TEXT:
		while (size > 0 && isspace((unsigned char)data[size - 1]))
			size--;
		TF_TRACE(COMPONENT, "* %.*s", (int)size, data);
		break;
	case CURLINFO_HEADER_OUT:
		trace_headers('>', data, size);
		break;
	case CURLINFO_HEADER_IN:
		trace_headers('<', data, size);
		break;
	case CURLINFO_DATA_OUT:
		TF_TRACE(COMPONENT, "> [%zu bytes of body]", size);
		break;
	case CURLINFO_DATA_IN:
		TF_TRACE(COMPONENT, "< [%zu bytes of body]", size);
		break;
	default:
		break;
	}
	return 0;
}

static void set_protocols(tf_http *http)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(http->curl, CURLOPT_PROTOCOLS_STR,
			 http->allow_plain_http ? "http,https" : "https");
#else
	curl_easy_setopt(http->curl, CURLOPT_PROTOCOLS,
			 (long)(CURLPROTO_HTTPS | (http->allow_plain_http ? CURLPROTO_HTTP : 0)));
#endif
}

static void set_tls(tf_http *http)
{
	curl_easy_setopt(http->curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(http->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(http->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (http->ca_file != NULL) {
		/* The given bundle replaces the system store, as notary's
		 * --tlscacert does. */
		curl_easy_setopt(http->curl, CURLOPT_CAINFO, http->ca_file);
		curl_easy_setopt(http->curl, CURLOPT_CAPATH, NULL);
	}
	if (http->client_cert != NULL)
		curl_easy_setopt(http->curl, CURLOPT_SSLCERT, http->client_cert);
	if (http->client_key != NULL)
		curl_easy_setopt(http->curl, CURLOPT_SSLKEY, http->client_key);
}

/* Position of the upload in req->parts while libcurl reads it. */
typedef struct part_reader {
	const tf_http_part *parts;
	size_t nparts;
	size_t index;
	size_t offset;
} part_reader;

static size_t read_parts(char *buffer, size_t size, size_t nitems, void *userdata)
{
	part_reader *reader = userdata;
	size_t room = size * nitems;
	size_t copied = 0;

	while (copied < room && reader->index < reader->nparts) {
		const tf_http_part *part = &reader->parts[reader->index];
		size_t n = part->len - reader->offset;

		if (n > room - copied)
			n = room - copied;
		memcpy(buffer + copied, part->data + reader->offset, n);
		copied += n;
		reader->offset += n;
		if (reader->offset == part->len) {
			reader->index++;
			reader->offset = 0;
		}
	}
	return copied;
}

static void set_method(tf_http *http, const tf_http_request *req, part_reader *reader)
{
	size_t i, total = 0;

	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(http->curl, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "POST") == 0 && req->parts != NULL) {
		for (i = 0; i < req->nparts; i++)
			total += req->parts[i].len;
		*reader = (part_reader){.parts = req->parts, .nparts = req->nparts};
		curl_easy_setopt(http->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(http->curl, CURLOPT_READFUNCTION, read_parts);
		curl_easy_setopt(http->curl, CURLOPT_READDATA, reader);
		curl_easy_setopt(http->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)total);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(http->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(http->curl, CURLOPT_POSTFIELDS,
				 req->body ? (const char *)req->body : "");
		curl_easy_setopt(http->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
	} else {
		curl_easy_setopt(http->curl, CURLOPT_CUSTOMREQUEST, req->method);
	}
}

/* Wipe every header string, then free the list: one may carry a secret.
 * NOTE: libcurl copies the headers into its own request buffer, which it
 * frees without wiping. */
static void free_headers(struct curl_slist *list)
{
	struct curl_slist *node;

	for (node = list; node != NULL; node = node->next)
		tf_wipe(node->data, strlen(node->data));
	curl_slist_free_all(list);
}

/* Append "name: value" to *list; returns -1 on allocation failure. */
static int append_header(struct curl_slist **list, const char *name, const char *value)
{
	char *line = tf_asprintf("%s: %s", name, value);
	struct curl_slist *next = line ? curl_slist_append(*list, line) : NULL;

	tf_free_secret(line);
	if (next == NULL)
		return -1;
	*list = next;
	return 0;
}

static struct curl_slist *build_headers(const tf_http_request *req, int *failed)
{
	struct curl_slist *list = NULL;

	/* An empty Expect header: no "100-continue" round trip before uploads. */
	*failed = append_header(&list, "Expect", "") != 0 ||
		  (req->content_type != NULL &&
		   append_header(&list, "Content-Type", req->content_type) != 0) ||
		  (req->authorization != NULL &&
		   append_header(&list, "Authorization", req->authorization) != 0);
	if (*failed) {
		free_headers(list);
		return NULL;
	}
	return list;
}

static tufsign_status curl_failure_status(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
#if LIBCURL_VERSION_NUM >= 0x074d00
	case CURLE_SSL_CLIENTCERT:
#endif
		return TUFSIGN_ERR_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return TUFSIGN_ERR_URI;
	case CURLE_OUT_OF_MEMORY:
		return TUFSIGN_ERR_NOMEM;
	case CURLE_FILESIZE_EXCEEDED:
		return TUFSIGN_ERR_TOO_LARGE;
	default:
		return TUFSIGN_ERR_NETWORK;
	}
}

/* With TLS 1.3 the server rejects a client certificate after the
 * handshake, so libcurl reports a receive error carrying the TLS alert.
 * NOTE: the alert is recognised by OpenSSL's wording; with another TLS
 * backend of libcurl it is reported as a network error. */
static int tls_alert(CURLcode rc, const char *detail)
{
	return (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) &&
	       strstr(detail, "SSL routines") != NULL;
}

/* Record the failure rc of req. The hint for a server that cannot be
 * reached goes only into the error of the last attempt, not into the
 * warning before each retry. */
static tufsign_status report_curl_failure(tufsign_error *err, const tf_http_request *req,
					  CURLcode rc, const char *detail, const body_sink *sink,
					  int last_attempt)
{
	tufsign_status st = tls_alert(rc, detail) ? TUFSIGN_ERR_TLS : curl_failure_status(rc);
	const char *why = detail[0] != '\0' ? detail : curl_easy_strerror(rc);

	if (sink->too_large || st == TUFSIGN_ERR_TOO_LARGE)
		return tufsign_error_set(
			err, TUFSIGN_ERR_TOO_LARGE,
			"%s %s: the response is larger than the limit of %zu bytes", req->method,
			req->url, req->max_len);
	if (rc == CURLE_WRITE_ERROR && sink->buf.failed)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "%s %s: out of memory",
					 req->method, req->url);
	switch (st) {
	case TUFSIGN_ERR_TLS:
		return tufsign_error_set(err, st,
					 "TLS connection for %s %s failed: %s; check the CA file "
					 "(--tls-ca) and the client certificate",
					 req->method, req->url, why);
	case TUFSIGN_ERR_URI:
		return tufsign_error_set(err, st, "cannot request '%s': %s", req->url, why);
	case TUFSIGN_ERR_NETWORK:
		if (last_attempt &&
		    (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST))
			return tufsign_error_set(
				err, st,
				"%s %s failed: %s; check that this URL is right and "
				"its server is running (the Notary server URL comes "
				"from -s, TUFSIGN_SERVER or DOCKER_CONTENT_TRUST_SERVER)",
				req->method, req->url, why);
		return tufsign_error_set(err, st, "%s %s failed: %s", req->method, req->url, why);
	default:
		return tufsign_error_set(err, st, "%s %s failed: %s", req->method, req->url, why);
	}
}

static void set_request(tf_http *http, const tf_http_request *req, struct curl_slist *headers,
			body_sink *sink, part_reader *reader, tf_http_response *resp, char *errbuf)
{
	CURL *c = http->curl;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, http->user_agent);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, http->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, http->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (tf_log_enabled(TUFSIGN_LOG_TRACE, COMPONENT)) {
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace_curl);
	}
	/* libcurl silently resends a request once when a reused connection
	 * turns out to be closed. A fresh connection rules that out for a
	 * request that must not be repeated. */
	if (!req->retry)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	set_protocols(http);
	set_tls(http);
	set_method(http, req, reader);
}

static tufsign_status perform_once(tf_http *http, const tf_http_request *req,
				   tf_http_response *resp, int last_attempt, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	body_sink sink;
	part_reader reader = {0};
	CURLcode rc;
	int failed = 0;

	memset(resp, 0, sizeof(*resp));
	tf_buf_init(&sink.buf);
	sink.curl = http->curl;
	sink.max_len = req->max_len;
	sink.too_large = 0;
	headers = build_headers(req, &failed);
	if (failed) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a request");
		goto out;
	}
	set_request(http, req, headers, &sink, &reader, resp, errbuf);
	rc = curl_easy_perform(http->curl);
	if (rc != CURLE_OK) {
		st = report_curl_failure(err, req, rc, errbuf, &sink, last_attempt);
		goto out;
	}
	curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body = tf_buf_steal(&sink.buf, &resp->len);
	if (resp->body == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading a response");
	TF_DEBUG(COMPONENT, "%s %s: %ld, %zu bytes", req->method, req->url, resp->status,
		 resp->len);
out:
	/* The handle keeps pointers to the header list and the sink. */
	curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
	free_headers(headers);
	tf_buf_release(&sink.buf, 1);
	if (st != TUFSIGN_OK)
		tf_http_response_release(resp);
	return st;
}

/* A negative delay from the configuration sleeps not at all: nanosleep
 * rejects it with EINVAL, which the loop must not retry forever. */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	if (ms <= 0)
		return;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

tufsign_status tf_http_perform(tf_http *http, const tf_http_request *req, tf_http_response *resp,
			       tufsign_error *err)
{
	tufsign_status st;
	long delay = http->retry_delay_ms;
	unsigned attempt;
	tufsign_error attempt_err;

	for (attempt = 0;; attempt++) {
		int retryable;

		tufsign_error_clear(&attempt_err);
		st = perform_once(http, req, resp, !req->retry || attempt >= http->retries,
				  &attempt_err);
		retryable = st == TUFSIGN_ERR_NETWORK || (st == TUFSIGN_OK && resp->status >= 500);
		if (!req->retry || !retryable || attempt >= http->retries)
			break;
		if (st == TUFSIGN_OK)
			TF_WARN(COMPONENT, "%s %s: server error %ld; retry %u of %u in %ld ms",
				req->method, req->url, resp->status, attempt + 1, http->retries,
				delay);
		else
			TF_WARN(COMPONENT, "%s; retry %u of %u in %ld ms", attempt_err.message,
				attempt + 1, http->retries, delay);
		tf_http_response_release(resp);
		sleep_ms(delay);
		delay = delay > http->retry_delay_max_ms / 2 ? http->retry_delay_max_ms : delay * 2;
	}
	if (st != TUFSIGN_OK)
		tufsign_error_set(err, st, "%s", attempt_err.message);
	return st;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * sink_webhook.c - alerts POSTed as JSON to an HTTP(S) endpoint with
 * libcurl: vigil's alert object as is, or Falco's payload (falco.h) for
 * falcosidekick. A 2xx answer is a delivery; any other status or a transport
 * error is a failure, retried later by sink.c (the record is kept).
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/falco.h"
#include "output/sink_impl.h"

struct webhook_sink {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	enum sink_webhook_mode mode;
	char curl_err[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

/* curl_global_init is not thread-safe and must run once per process. */
static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int webhook_render(struct sink *s, const struct out_record *r, struct json *out)
{
	struct webhook_sink *w = s->priv;

	if (w->mode == SINK_WEBHOOK_FALCO) {
		falco_payload(out, r, s->hostname);
	} else {
		const char *js = sink_str(r->json);

		json_appendf(out, "%.*s", (int)(r->json_len ? r->json_len : strlen(js)), js);
	}
	return 0;
}

/* The answer's body is not used; reading it keeps the connection reusable. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	return size * nmemb;
}

static int webhook_send(struct sink *s, const char *buf, size_t len)
{
	struct webhook_sink *w = s->priv;
	long status = 0;
	CURLcode rc;

	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, buf);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	w->curl_err[0] = '\0';
	rc = curl_easy_perform(w->curl);
	if (rc != CURLE_OK) {
		snprintf(s->error, sizeof(s->error), "webhook '%s': %s", w->url,
			 w->curl_err[0] ? w->curl_err : curl_easy_strerror(rc));
		return -EIO;
	}
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(s->error, sizeof(s->error), "webhook '%s': HTTP status %ld", w->url,
			 status);
		return -EPROTO;
	}
	return 0;
}

static void webhook_destroy(struct sink *s)
{
	struct webhook_sink *w = s->priv;

	if (!w)
		return;
	if (w->curl)
		curl_easy_cleanup(w->curl);
	curl_slist_free_all(w->headers);
	free(w->url);
	free(w);
	s->priv = NULL;
}

static const struct sink_ops webhook_ops = {
	.render = webhook_render,
	.send = webhook_send,
	.destroy = webhook_destroy,
};

/* http(s)://host[:port][/path], checked with curl's own URL parser. */
static int check_url(const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	CURLUcode rc;
	int ret = 0;

	if (!u)
		return -ENOMEM;
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "webhook: bad url '%s': %s", url, curl_url_strerror(rc));
		ret = -EINVAL;
	} else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		   (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		snprintf(err, errlen, "webhook: bad url '%s': the scheme must be http or https",
			 url);
		ret = -EINVAL;
	}
	curl_free(scheme);
	curl_url_cleanup(u);
	return ret;
}

static int add_headers(struct webhook_sink *w, const struct sink_webhook_options *o, char *err,
		       size_t errlen)
{
	struct curl_slist *l;

	w->headers = curl_slist_append(NULL, "Content-Type: application/json");
	for (size_t i = 0; w->headers && i < o->nheaders; i++) {
		const char *h = o->headers[i], *colon = h ? strchr(h, ':') : NULL;

		if (!colon || colon == h || strpbrk(h, "\r\n")) {
			snprintf(err, errlen, "webhook: bad header '%s': expected 'Name: value'",
				 h ? h : "(null)");
			return -EINVAL;
		}
		l = curl_slist_append(w->headers, h);
		if (!l)
			return -ENOMEM;
		w->headers = l;
	}
	return w->headers ? 0 : -ENOMEM;
}

static void set_tls(struct webhook_sink *w, const struct sink_webhook_options *o)
{
	if (o->ca_file)
		curl_easy_setopt(w->curl, CURLOPT_CAINFO, o->ca_file);
	if (o->cert_file)
		curl_easy_setopt(w->curl, CURLOPT_SSLCERT, o->cert_file);
	if (o->key_file)
		curl_easy_setopt(w->curl, CURLOPT_SSLKEY, o->key_file);
	if (o->insecure) {
		curl_easy_setopt(w->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(w->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static void set_request(struct webhook_sink *w, const struct sink_webhook_options *o)
{
	long timeout = o->timeout_ms ? o->timeout_ms : 5000;

	curl_easy_setopt(w->curl, CURLOPT_URL, w->url);
	curl_easy_setopt(w->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, w->headers);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 o->connect_timeout_ms ? (long)o->connect_timeout_ms : timeout);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);	/* we run in a thread */
	curl_easy_setopt(w->curl, CURLOPT_ERRORBUFFER, w->curl_err);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(w->curl, CURLOPT_USERAGENT, "vigil");
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(w->curl, CURLOPT_FOLLOWLOCATION, 0L);
}

static int check_readable(const char *what, const char *path, char *err, size_t errlen)
{
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "webhook: cannot read %s '%s': %s", what, path, strerror(e));
		return -e;
	}
	fclose(f);
	return 0;
}

int sink_webhook_init(struct sink *s, const struct sink_webhook_options *o, char *err,
		      size_t errlen)
{
	struct webhook_sink *w;
	int rc;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "webhook: libcurl: %s", curl_easy_strerror(curl_init_rc));
		return -EIO;
	}
	if (!o->url || !*o->url) {
		snprintf(err, errlen, "webhook: no url given");
		return -EINVAL;
	}
	if ((rc = check_url(o->url, err, errlen)) ||
	    (rc = check_readable("ca_file", o->ca_file, err, errlen)) ||
	    (rc = check_readable("cert_file", o->cert_file, err, errlen)) ||
	    (rc = check_readable("key_file", o->key_file, err, errlen)))
		return rc;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	s->priv = w;
	s->ops = &webhook_ops;
	w->mode = o->mode;
	w->url = strdup(o->url);
	w->curl = curl_easy_init();
	if (!w->url || !w->curl) {
		snprintf(err, errlen, "webhook: out of memory");
		return -ENOMEM;
	}
	rc = add_headers(w, o, err, errlen);
	if (rc)
		return rc;
	set_request(w, o);
	set_tls(w, o);
	return 0;
}

/* loopback_http.h: a tiny HTTP/1.1 server on 127.0.0.1 for unit tests (IMDS, container
 * credentials, the SSO portal, STS...). One thread serves one connection at a time and closes
 * it after each answer.
 *
 * Routes map (method, path) to a canned answer; the path is matched without its query string,
 * a NULL method matches any. A later route for the same method and path replaces the earlier
 * one. Unrouted requests get 404. Every request is recorded (method, target with query, headers,
 * body) and can be read back while the server runs. All functions are thread-safe. */
#ifndef SAGETOP_TEST_LOOPBACK_HTTP_H
#define SAGETOP_TEST_LOOPBACK_HTTP_H

#include <stddef.h>

struct loopback_http;

struct loopback_request {
    char method[16];
    char target[2048];      /* path with query, as sent */
    char headers[8192];     /* raw header lines, "Name: value\r\n" each */
    char body[16384];       /* NUL-terminated; truncated past the buffer */
    size_t body_len;
};

/* NULL on failure (no socket). */
struct loopback_http *loopback_http_start(void);
void loopback_http_stop(struct loopback_http *s);
int loopback_http_port(const struct loopback_http *s);
/* "http://127.0.0.1:PORT" (owned by s). */
const char *loopback_http_url(const struct loopback_http *s);

/* Copies method, path, content_type and body. content_type may be NULL (none sent). */
void loopback_http_route(struct loopback_http *s, const char *method, const char *path,
                         int status, const char *content_type, const char *body);
/* Waits delay_ms before answering this route (timeouts). */
void loopback_http_route_delay(struct loopback_http *s, const char *method, const char *path,
                               int delay_ms);

size_t loopback_http_count(struct loopback_http *s);
/* Copies request i (0-based); returns 0, or -1 when there is no such request. */
int loopback_http_request(struct loopback_http *s, size_t i, struct loopback_request *out);
/* The value of header `name` (case-insensitive) in r, copied to out; NULL when absent. */
const char *loopback_header(const struct loopback_request *r, const char *name, char *out,
                            size_t n);

#endif

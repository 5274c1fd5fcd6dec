/* loopback_http.c: the test HTTP server behind loopback_http.h.
 *
 * Owns a listening socket on 127.0.0.1:0, one serving thread and the recorded requests. Must not
 * be linked into the program: it is test support only, and it trusts its clients. */
#include "loopback_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LOOPBACK_MAX_ROUTES 64
#define LOOPBACK_MAX_REQUESTS 256

struct loopback_route {
    char method[16];        /* "" matches any */
    char path[512];
    int status;
    char content_type[128];
    char *body;
    int delay_ms;
};

struct loopback_http {
    int fd;
    int wake[2];
    int port;
    char url[64];
    pthread_t thread;
    pthread_mutex_t mu;
    struct loopback_route routes[LOOPBACK_MAX_ROUTES];
    size_t n_routes;
    struct loopback_request *reqs;
    size_t n_reqs;
};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

const char *loopback_header(const struct loopback_request *r, const char *name, char *out,
                            size_t n)
{
    const char *line = r->headers;
    size_t nl = strlen(name);

    while (*line) {
        const char *end = strstr(line, "\r\n");
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);

        if (len > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            size_t vl = len - nl - 1;

            while (vl > 0 && (*v == ' ' || *v == '\t')) {
                v++;
                vl--;
            }
            if (vl >= n)
                vl = n - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return out;
        }
        if (end == NULL)
            break;
        line = end + 2;
    }
    return NULL;
}

static int read_some(int fd, char *buf, size_t cap, size_t *len)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t r;

    if (poll(&p, 1, 5000) <= 0)
        return -1;
    r = read(fd, buf + *len, cap - *len);
    if (r <= 0)
        return -1;
    *len += (size_t)r;
    return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void serve(struct loopback_http *s, int c)
{
    static const size_t cap = 64 * 1024;
    char *buf = malloc(cap + 1), *hend, *line_end, val[64];
    struct loopback_request *rq = calloc(1, sizeof(*rq));
    size_t len = 0, hlen, clen = 0, i, plen;
    struct loopback_route *route = NULL;
    char head[512], *reply = NULL;
    const char *body = "not routed\n", *ctype = "text/plain";
    int status = 404, delay = 0, n;

    if (buf == NULL || rq == NULL)
        goto out;
    while ((hend = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
        if (len >= cap || read_some(c, buf, cap, &len) != 0)
            goto out;
    hlen = (size_t)(hend - buf) + 4;
    buf[len] = '\0';
    line_end = strstr(buf, "\r\n");
    if (sscanf(buf, "%15s %2047s", rq->method, rq->target) != 2)
        goto out;
    n = (int)(hlen - 2 - (size_t)(line_end + 2 - buf));
    if (n > 0)
        snprintf(rq->headers, sizeof(rq->headers), "%.*s", n, line_end + 2);
    if (loopback_header(rq, "Content-Length", val, sizeof(val)) != NULL)
        clen = strtoul(val, NULL, 10);
    if (loopback_header(rq, "Expect", val, sizeof(val)) != NULL &&
        strcasecmp(val, "100-continue") == 0)
        write_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    while (len - hlen < clen && len < cap)
        if (read_some(c, buf, cap, &len) != 0)
            break;
    rq->body_len = len - hlen < clen ? len - hlen : clen;
    if (rq->body_len >= sizeof(rq->body))
        rq->body_len = sizeof(rq->body) - 1;
    memcpy(rq->body, buf + hlen, rq->body_len);
    rq->body[rq->body_len] = '\0';

    plen = strcspn(rq->target, "?");
    pthread_mutex_lock(&s->mu);
    for (i = s->n_routes; i-- > 0;) {
        struct loopback_route *r = &s->routes[i];

        if ((r->method[0] == '\0' || strcmp(r->method, rq->method) == 0) &&
            strlen(r->path) == plen && strncmp(r->path, rq->target, plen) == 0) {
            route = r;
            break;
        }
    }
    if (route != NULL) {
        status = route->status;
        delay = route->delay_ms;
        reply = strdup(route->body != NULL ? route->body : "");
        ctype = route->content_type[0] != '\0' ? route->content_type : NULL;
    }
    if (s->n_reqs < LOOPBACK_MAX_REQUESTS)
        s->reqs[s->n_reqs++] = *rq;
    pthread_mutex_unlock(&s->mu);
    if (reply != NULL)
        body = reply;
    if (delay > 0)
        sleep_ms(delay);
    n = snprintf(head, sizeof(head),
                 "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s%s%sConnection: close\r\n\r\n",
                 status, strlen(body), ctype != NULL ? "Content-Type: " : "",
                 ctype != NULL ? ctype : "", ctype != NULL ? "\r\n" : "");
    write_all(c, head, (size_t)n);
    if (strcmp(rq->method, "HEAD") != 0)
        write_all(c, body, strlen(body));
out:
    free(reply);
    free(rq);
    free(buf);
}

static void *loop(void *arg)
{
    struct loopback_http *s = arg;

    for (;;) {
        struct pollfd p[2] = {{.fd = s->fd, .events = POLLIN},
                              {.fd = s->wake[0], .events = POLLIN}};
        int c;

        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents != 0)
            break;
        c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        serve(s, c);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

struct loopback_http *loopback_http_start(void)
{
    struct loopback_http *s = calloc(1, sizeof(*s));
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof(a);
    int one = 1;

    if (s == NULL)
        return NULL;
    s->reqs = calloc(LOOPBACK_MAX_REQUESTS, sizeof(*s->reqs));
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->reqs == NULL || s->fd < 0 || pipe(s->wake) != 0)
        goto fail;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 16) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &al) != 0)
        goto fail;
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
    pthread_mutex_init(&s->mu, NULL);
    if (pthread_create(&s->thread, NULL, loop, s) != 0)
        goto fail;
    return s;
fail:
    if (s->fd >= 0)
        close(s->fd);
    free(s->reqs);
    free(s);
    return NULL;
}

void loopback_http_stop(struct loopback_http *s)
{
    size_t i;

    if (s == NULL)
        return;
    while (write(s->wake[1], "x", 1) < 0 && errno == EINTR)
        ;
    pthread_join(s->thread, NULL);
    close(s->fd);
    close(s->wake[0]);
    close(s->wake[1]);
    for (i = 0; i < s->n_routes; i++)
        free(s->routes[i].body);
    pthread_mutex_destroy(&s->mu);
    free(s->reqs);
    free(s);
}

int loopback_http_port(const struct loopback_http *s)
{
    return s->port;
}

const char *loopback_http_url(const struct loopback_http *s)
{
    return s->url;
}

static struct loopback_route *route_slot(struct loopback_http *s, const char *method,
                                         const char *path)
{
    size_t i;

    for (i = 0; i < s->n_routes; i++)
        if (strcmp(s->routes[i].method, method != NULL ? method : "") == 0 &&
            strcmp(s->routes[i].path, path) == 0)
            return &s->routes[i];
    if (s->n_routes >= LOOPBACK_MAX_ROUTES)
        return NULL;
    i = s->n_routes++;
    memset(&s->routes[i], 0, sizeof(s->routes[i]));
    snprintf(s->routes[i].method, sizeof(s->routes[i].method), "%s", method ? method : "");
    snprintf(s->routes[i].path, sizeof(s->routes[i].path), "%s", path);
    return &s->routes[i];
}

void loopback_http_route(struct loopback_http *s, const char *method, const char *path,
                         int status, const char *content_type, const char *body)
{
    struct loopback_route *r;

    pthread_mutex_lock(&s->mu);
    r = route_slot(s, method, path);
    if (r != NULL) {
        r->status = status;
        snprintf(r->content_type, sizeof(r->content_type), "%s",
                 content_type != NULL ? content_type : "");
        free(r->body);
        r->body = strdup(body != NULL ? body : "");
    }
    pthread_mutex_unlock(&s->mu);
}

void loopback_http_route_delay(struct loopback_http *s, const char *method, const char *path,
                               int delay_ms)
{
    struct loopback_route *r;

    pthread_mutex_lock(&s->mu);
    r = route_slot(s, method, path);
    if (r != NULL)
        r->delay_ms = delay_ms;
    pthread_mutex_unlock(&s->mu);
}

size_t loopback_http_count(struct loopback_http *s)
{
    size_t n;

    pthread_mutex_lock(&s->mu);
    n = s->n_reqs;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int loopback_http_request(struct loopback_http *s, size_t i, struct loopback_request *out)
{
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if (i < s->n_reqs) {
        *out = s->reqs[i];
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

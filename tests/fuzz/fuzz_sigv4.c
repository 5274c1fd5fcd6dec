/* fuzz_sigv4.c: SigV4 canonicalisation of arbitrary method, path, query and headers.
 *
 * The input is split on NUL bytes into: method, path, query, flags byte, then header name /
 * value pairs. Every result must be well formed: sigv4_sign() either fails cleanly or returns
 * a canonical request with six newline-separated parts... and sigv4_uri_encode() agrees with
 * its own length prediction. Built by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"

#define MAX_FIELDS 40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t split(char *buf, size_t len, char **fields)
{
    size_t n = 0;

    fields[n++] = buf;
    for (size_t i = 0; i < len && n < MAX_FIELDS; i++) {
        if (buf[i] == '\0')
            fields[n++] = buf + i + 1;
    }
    return n;
}

static void check_encode(const char *s)
{
    size_t len = strlen(s);
    size_t need = sigv4_uri_encode(s, len, SIGV4_ENC_KEEP_SLASH, NULL, 0);
    char *dup = sigv4_uri_encode_dup(s, len, SIGV4_ENC_KEEP_SLASH);
    char small[7];

    if (dup == NULL || strlen(dup) != need)
        abort();
    sigv4_uri_encode(s, len, 0, small, sizeof(small));
    if (strlen(small) >= sizeof(small))
        abort();
    free(dup);
}

static void check_canonical(const char *creq)
{
    int newlines = 0;

    for (const char *p = creq; *p; p++)
        newlines += (*p == '\n');
    /* method, uri, query, >= 1 header line + blank, signed list, payload: at least 6 */
    if (newlines < 6)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *f[MAX_FIELDS];
    struct http_header h[MAX_FIELDS / 2];
    struct sigv4_credentials cr = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                   "token", "us-east-1", "service"};
    struct sigv4_request req = {0};
    struct sigv4_signed out;
    struct sigv4_trace t = {0};
    size_t n, nh = 0;
    unsigned flags;

    if (size > 1 << 16)
        return 0;
    buf = malloc(size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    n = split(buf, size, f);
    req.method = f[0];
    req.path = n > 1 ? f[1] : NULL;
    req.query = n > 2 ? f[2] : NULL;
    flags = n > 3 && f[3][0] ? (unsigned)(unsigned char)f[3][0] & SIGV4_S3 : 0;
    for (size_t i = 4; i + 1 < n && nh < MAX_FIELDS / 2; i += 2)
        h[nh++] = (struct http_header){f[i], f[i + 1]};
    req.headers = h;
    req.n_headers = nh;
    req.host = "example.amazonaws.com";
    if (flags & 2)
        cr.session_token = NULL;
    check_encode(f[0]);
    if (sigv4_sign(&cr, &req, 1677672000, flags, &out, &t, NULL) == 0) {
        check_canonical(t.canonical_request);
        if (strncmp(out.authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20230301/", 48))
            abort();
        sigv4_trace_clean(&t);
    }
    free(buf);
    return 0;
}

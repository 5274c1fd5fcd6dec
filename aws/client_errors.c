/* client_errors.c: AWS error answers made readable (client_internal.h): the code, message and
 * request id of a JSON, XML or query error, the retry kind botocore's standard mode gives each
 * code, the ERR_* code a final answer maps to, and the one-line message with its hint.
 *
 * Pure: no I/O, no globals; any thread. Must not put a secret into a message (an answer's text
 * is copied, never a request's headers). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/client_internal.h"
#include "aws/xml.h"

static void copy_str(char *dst, size_t n, const char *src, size_t len)
{
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void parse_json_error(const struct http_response *r, struct aws_error_info *out)
{
    json_t *doc = json_loadb(r->body, r->body_len, 0, NULL);
    static const char *const code_keys[] = {"__type", "code", "Code"};
    static const char *const msg_keys[] = {"message", "Message", "errorMessage"};
    const char *s;

    if (!json_is_object(doc))
        goto out;
    for (size_t i = 0; i < 3 && out->code[0] == '\0'; i++) {
        s = json_string_value(json_object_get(doc, code_keys[i]));
        if (s != NULL) {
            const char *hash = strrchr(s, '#');
            s = hash ? hash + 1 : s;
            copy_str(out->code, sizeof(out->code), s, strcspn(s, ":"));
        }
    }
    for (size_t i = 0; i < 3 && out->message[0] == '\0'; i++) {
        s = json_string_value(json_object_get(doc, msg_keys[i]));
        if (s != NULL)
            copy_str(out->message, sizeof(out->message), s, strlen(s));
    }
out:
    json_decref(doc);
}

static void parse_xml_error(const struct http_response *r, struct aws_error_info *out)
{
    if (out->code[0] == '\0')
        xml_text(r->body, r->body_len, "Code", out->code, sizeof(out->code), NULL);
    if (out->message[0] == '\0')
        xml_text(r->body, r->body_len, "Message", out->message, sizeof(out->message), NULL);
    if (out->request_id[0] == '\0')
        xml_text(r->body, r->body_len, "RequestId", out->request_id, sizeof(out->request_id),
                 NULL);
}

static const char *status_code_name(long status)
{
    switch (status) {
    case 301: return "PermanentRedirect";
    case 304: return "NotModified";
    case 400: return "BadRequest";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 412: return "PreconditionFailed";
    case 429: return "TooManyRequestsException";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    default: return NULL;
    }
}

static size_t first_nonspace(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && isspace((unsigned char)s[i]))
        i++;
    return i;
}

void aws_client_parse_error(const struct http_response *r, struct aws_error_info *out)
{
    memset(out, 0, sizeof(*out));
    copy_str(out->request_id, sizeof(out->request_id), r->request_id, strlen(r->request_id));
    if (r->query_error[0] != '\0')
        copy_str(out->code, sizeof(out->code), r->query_error, strcspn(r->query_error, ";"));
    if (r->body != NULL && r->body_len > 0) {
        size_t i = first_nonspace(r->body, r->body_len);
        if (i < r->body_len && r->body[i] == '{')
            parse_json_error(r, out);
        else if (i < r->body_len && r->body[i] == '<')
            parse_xml_error(r, out);
    }
    if (out->code[0] == '\0' && r->error_type[0] != '\0')
        copy_str(out->code, sizeof(out->code), r->error_type, strcspn(r->error_type, ":"));
    if (out->code[0] == '\0') {
        const char *name = status_code_name(r->status);
        if (name != NULL)
            copy_str(out->code, sizeof(out->code), name, strlen(name));
        else
            snprintf(out->code, sizeof(out->code), "HTTP %ld", r->status);
    }
}

static bool in_list(const char *code, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(code, list[i]) == 0)
            return true;
    }
    return false;
}

#define IN_LIST(code, list) in_list((code), (list), sizeof(list) / sizeof((list)[0]))

/* botocore's standard-mode throttling codes (retryhandler/standard.py) */
static const char *const throttle_codes[] = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
};
static const char *const transient_codes[] = {
    "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
    "ServiceUnavailable", "ServiceUnavailableException",
};
static const char *const skew_codes[] = {
    "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
};
static const char *const expired_codes[] = {
    "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired",
};
static const char *const auth_codes[] = {
    "SignatureDoesNotMatch", "InvalidSignatureException", "InvalidClientTokenId",
    "UnrecognizedClientException", "AccessDenied", "AccessDeniedException",
    "InvalidAccessKeyId", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
    "IncompleteSignature", "IncompleteSignatureException", "AuthFailure", "NotAuthorized",
    "Forbidden", "InvalidToken", "UnauthorizedException", "AuthorizationError",
    "InvalidIdentityToken",
};
static const char *const notfound_codes[] = {
    "ResourceNotFoundException", "ResourceNotFound", "NoSuchKey", "NoSuchBucket", "NotFound",
    "NoSuchEntity",
};

static bool is_skew(const struct aws_error_info *info)
{
    if (IN_LIST(info->code, skew_codes))
        return true;
    return strcmp(info->code, "InvalidSignatureException") == 0 &&
           (strstr(info->message, "Signature expired") != NULL ||
            strstr(info->message, "Signature not yet current") != NULL);
}

enum aws_retry_kind aws_client_classify(long status, const struct aws_error_info *info)
{
    if (IN_LIST(info->code, expired_codes))
        return AWS_RETRY_EXPIRED;
    if (is_skew(info))
        return AWS_RETRY_SKEW;
    if (status == 429 || IN_LIST(info->code, throttle_codes))
        return AWS_RETRY_THROTTLE;
    if (status == 500 || status == 502 || status == 503 || status == 504 ||
        IN_LIST(info->code, transient_codes))
        return AWS_RETRY_TRANSIENT;
    return AWS_RETRY_NONE;
}

int aws_client_error_code(long status, const struct aws_error_info *info)
{
    if (IN_LIST(info->code, auth_codes) || IN_LIST(info->code, expired_codes) || is_skew(info))
        return ERR_AUTH;
    if (status == 429 || IN_LIST(info->code, throttle_codes))
        return ERR_THROTTLED;
    if (status == 404 || IN_LIST(info->code, notfound_codes))
        return ERR_NOTFOUND;
    /* SageMaker's quirk: Describe* of a missing name is a ValidationException */
    if (strcmp(info->code, "ValidationException") == 0 &&
        strstr(info->message, "Requested resource not found") != NULL)
        return ERR_NOTFOUND;
    if (status == 403)
        return ERR_AUTH;
    return ERR_AWS;
}

static const char *error_hint(const struct aws_error_info *info)
{
    const char *c = info->code;

    if (IN_LIST(c, expired_codes))
        return "the session token has expired; refresh the profile's credentials";
    if (is_skew(info))
        return "the system clock is off; synchronise it (NTP)";
    if (strcmp(c, "SignatureDoesNotMatch") == 0 || strcmp(c, "InvalidSignatureException") == 0)
        return "check the secret access key for this profile";
    if (strcmp(c, "InvalidClientTokenId") == 0 || strcmp(c, "UnrecognizedClientException") == 0 ||
        strcmp(c, "InvalidAccessKeyId") == 0)
        return "the access key id is not valid; check the profile's credentials";
    if (strcmp(c, "AccessDenied") == 0 || strcmp(c, "AccessDeniedException") == 0)
        return "the identity in use lacks permission for this call (see whoami)";
    if (IN_LIST(c, throttle_codes))
        return "still throttled after every retry; try again later or raise AWS_MAX_ATTEMPTS";
    return NULL;
}

int aws_client_error_set(struct err *e, enum aws_service svc, const char *operation,
                         long status, const struct aws_error_info *info)
{
    char head[192], tail[200] = "", msg[AWS_MESSAGE_MAX];
    const char *hint = error_hint(info);
    int code = aws_client_error_code(status, info);
    size_t room;

    snprintf(head, sizeof(head), "%s %s: %.100s", aws_service_name(svc),
             operation ? operation : "", info->code);
    if (info->request_id[0] != '\0')
        snprintf(tail, sizeof(tail), " (request id %.80s)", info->request_id);
    if (hint != NULL)
        snprintf(tail + strlen(tail), sizeof(tail) - strlen(tail), ": %s", hint);
    snprintf(msg, sizeof(msg), "%s", info->message);
    /* the AWS message gives way first, so the code, request id and hint always show */
    room = ERR_MSG_MAX - 1 - strlen(head) - strlen(tail);
    if (msg[0] != '\0' && room > 8) {
        room -= 2;          /* ": " */
        if (strlen(msg) > room)
            memcpy(msg + room - 3, "...", 4);
        return err_set(e, code, "%s: %s%s", head, msg, tail);
    }
    return err_set(e, code, "%s%s", head, tail);
}


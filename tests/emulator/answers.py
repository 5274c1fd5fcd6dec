"""answers.py: the front server's answers made AWS's own where moto's differ.

moto refuses a bad signature with an XML body whatever the protocol; AWS's JSON-protocol services
(SageMaker, CloudWatch Logs: coral services) answer JSON with a coral __type, HTTP 400 and an
x-amzn-ErrorType header. moto also sends its own request id (not a UUID) beside ours and a stray
`status` header from the patched handlers. This module only rewrites answers; it decides nothing
about what is allowed (moto checks every signature and IAM policy)."""
import json
import re

AMZ_JSON = "application/x-amz-json-1.1"
CORAL_NS = "com.amazon.coral.service"
CORAL_TYPE_URL = "http://internal.amazon.com/coral/com.amazon.coral.service/"

SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you "
                     "provided. Check your AWS Secret Access Key and signing method. Consult the "
                     "service documentation for details.")
TOKEN_MESSAGE = "The security token included in the request is invalid."

# moto's XML code -> (AWS's JSON code, its message; None keeps moto's)
JSON_AUTH_ERRORS = {
    "SignatureDoesNotMatch": ("InvalidSignatureException", SIGNATURE_MESSAGE),
    "InvalidClientTokenId": ("UnrecognizedClientException", TOKEN_MESSAGE),
    "AccessDenied": ("AccessDeniedException", None),
}

# STS actions AWS serves without a signature: the token or assertion is the credential
UNSIGNED_STS_ACTIONS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")

_DROPPED = ("status", "x-amzn-requestid")


def coral_error(code, message, status=400):
    """A coral service's own refusal (authentication, before the operation runs)."""
    return status, [("Content-Type", AMZ_JSON), ("x-amzn-ErrorType", code + ":" + CORAL_TYPE_URL)], \
        json.dumps({"__type": CORAL_NS + "#" + code, "message": message}).encode()


def query_missing_token(rid):
    """An unsigned Query-protocol request (STS GetCallerIdentity, say): AWS's 403
    MissingAuthenticationToken; moto's server answers it with a 500 page."""
    body = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>"
            "<Message>Request is missing Authentication Token</Message></Error>"
            "<RequestId>%s</RequestId></ErrorResponse>" % rid)
    return 403, [("Content-Type", "text/xml")], body.encode()


def is_signed(headers, path):
    return bool(headers.get("Authorization")) or "X-Amz-Signature=" in path


def json_auth_error(status, body):
    """moto's XML authentication refusal of a JSON-protocol request as AWS's JSON one, or None."""
    if status not in (401, 403) or not body.lstrip().startswith(b"<"):
        return None
    m = re.search(rb"<Code>([^<]+)</Code>", body)
    if not m or m.group(1).decode() not in JSON_AUTH_ERRORS:
        return None
    code, message = JSON_AUTH_ERRORS[m.group(1).decode()]
    if message is None:
        mm = re.search(rb"<Message>(.*?)</Message>", body, re.S)
        message = mm.group(1).decode("utf-8", "replace") if mm else ""
    return coral_error(code, message)


def clean_headers(headers, rid):
    """One x-amzn-RequestId (ours), no `status`, no header twice."""
    out, seen = {}, set()
    for k, v in headers:
        lk = k.lower()
        if lk in _DROPPED or lk in seen:
            continue
        seen.add(lk)
        out[k] = v
    out["x-amzn-RequestId"] = rid
    return out


def same_request_id(body, rid):
    """A query-protocol (XML) body names the same request id as the header."""
    return re.sub(rb"<RequestId>[^<]*</RequestId>",
                  ("<RequestId>%s</RequestId>" % rid).encode(), body)

#!/bin/bash
# sagetop's messages for the authentication errors AWS's JSON-protocol services answer (the
# emulator answers as AWS does: HTTP 400, JSON coral __type, x-amzn-ErrorType): a wrong secret
# (InvalidSignatureException) and an unknown key id (UnrecognizedClientException), on a
# SageMaker call (jobs: ListTrainingJobs) and a CloudWatch Logs call (logs of a cached job:
# DescribeLogStreams). Each message names the service, operation and code, says what to check,
# carries the request id, and never shows the secret.
source "$SAGETOP_TOP/tests/lib.sh"

emu_start --scenario demo || { not_ok "emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null
job=$("$SAGETOP" jobs --status Completed --format csv | sed -n 2p | cut -d, -f1)
expect_match "a completed demo job" "$job" '^[a-z0-9-]+$'
"$SAGETOP" show "$job" >/dev/null 2>"$TMPD/err"
expect_eq "show caches the job (good credentials)" "$?" 0

BAD_SECRET=wrong-secret-0000000000000000000000000000
uuid='[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}'

AWS_SECRET_ACCESS_KEY=$BAD_SECRET "$SAGETOP" jobs >"$TMPD/out" 2>"$TMPD/err"
expect_eq "wrong secret, SageMaker: exit 1" "$?" 1
err=$(cat "$TMPD/err")
expect_match "wrong secret, SageMaker: service, operation, code, hint" "$err" \
    "^sagetop: SageMaker ListTrainingJobs: InvalidSignatureException: The request signature we calculated does not match.*\(request id $uuid\): check the secret access key for this profile\$"
expect_eq "wrong secret, SageMaker: one line" "$(grep -c . "$TMPD/err")" 1
expect_eq "wrong secret, SageMaker: secret never shown" "$(grep -c "$BAD_SECRET" "$TMPD/err" "$TMPD/out" | awk -F: '{s+=$2} END {print s}')" 0

AWS_SECRET_ACCESS_KEY=$BAD_SECRET "$SAGETOP" logs "$job" >"$TMPD/out" 2>"$TMPD/err"
err=$(cat "$TMPD/err")
expect_match "wrong secret, Logs: service, operation, code, hint" "$err" \
    "CloudWatch Logs DescribeLogStreams: InvalidSignatureException: .*\(request id $uuid\): check the secret access key for this profile"
expect_eq "wrong secret, Logs: secret never shown" "$(grep -c "$BAD_SECRET" "$TMPD/err" "$TMPD/out" | awk -F: '{s+=$2} END {print s}')" 0

AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000000 "$SAGETOP" jobs >"$TMPD/out" 2>"$TMPD/err"
expect_eq "unknown key, SageMaker: exit 1" "$?" 1
expect_match "unknown key, SageMaker: code, AWS's message, hint" "$(cat "$TMPD/err")" \
    "^sagetop: SageMaker ListTrainingJobs: UnrecognizedClientException: The security token included in the request is invalid\. \(request id $uuid\): the access key id is not valid; check the profile's credentials\$"

AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000000 "$SAGETOP" logs "$job" >"$TMPD/out" 2>"$TMPD/err"
expect_match "unknown key, Logs: code, AWS's message, hint" "$(cat "$TMPD/err")" \
    "CloudWatch Logs DescribeLogStreams: UnrecognizedClientException: The security token included in the request is invalid\. \(request id $uuid\): the access key id is not valid"
finish

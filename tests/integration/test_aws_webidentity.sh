#!/bin/bash
# Web identity credentials end to end against the emulator (signature checking on): no access
# keys, only AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (EKS IRSA's variables), then a profile
# with role_arn + web_identity_token_file; sagetop exchanges the token through an unsigned STS
# AssumeRoleWithWebIdentity and lists the same jobs as with keys, as the assumed role. The token
# never appears on stdout, stderr or in the cache. boto3 (botocore's own provider) resolves the
# same settings to the same identity.
source "$SAGETOP_TOP/tests/lib.sh"

emu_start --scenario demo || { not_ok "emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null

role_arn=$(pyrun - <<'PYEOF'
import json, boto3
iam = boto3.client("iam")
arn = iam.create_role(RoleName="sagetop-irsa", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example"}}]}))["Role"]["Arn"]
iam.put_role_policy(RoleName="sagetop-irsa", PolicyName="all", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
print(arn)
PYEOF
)
expect_match "the role exists" "$role_arn" '^arn:aws:iam::[0-9]+:role/sagetop-irsa$'
TOKEN=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYWdldG9wIn0.SAGETOP-SECRET-TOKEN-4242
printf '%s' "$TOKEN" >"$TMPD/token"

want=$("$SAGETOP" jobs --format csv 2>"$TMPD/err" | cut -d, -f1)
expect_match "with keys: the demo jobs" "$(printf '%s\n' "$want" | grep -c .)" '^[1-9][0-9]+$'

webid() {
    env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$@" >"$TMPD/out" 2>"$TMPD/err"
    rc=$?
    cat "$TMPD/out" "$TMPD/err" >>"$TMPD/all-output"
}
: >"$TMPD/all-output"
webid AWS_ROLE_ARN="$role_arn" AWS_WEB_IDENTITY_TOKEN_FILE="$TMPD/token" \
    AWS_ROLE_SESSION_NAME=pod-7 "$SAGETOP" --cache "$TMPD/webid.db" jobs --format csv
expect_eq "env web identity: exit 0" "$rc" 0
expect_eq "env web identity: the same jobs as with keys" "$(cut -d, -f1 "$TMPD/out")" "$want"

webid AWS_ROLE_ARN="$role_arn" AWS_WEB_IDENTITY_TOKEN_FILE="$TMPD/token" \
    AWS_ROLE_SESSION_NAME=pod-7 "$SAGETOP" --cache "$TMPD/webid.db" whoami
expect_eq "whoami: exit 0" "$rc" 0
expect_match "whoami: the assumed role and its session" "$(cat "$TMPD/out")" 'assumed-role/sagetop-irsa/pod-7'

botocore_arn=$(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; AWS_ROLE_ARN="$role_arn" \
    AWS_WEB_IDENTITY_TOKEN_FILE="$TMPD/token" AWS_ROLE_SESSION_NAME=pod-7 pyrun -c '
import boto3
s = boto3.Session()
print(s.get_credentials().method, boto3.client("sts").get_caller_identity()["Arn"])')
expect_match "botocore resolves the same settings to the same identity" "$botocore_arn" \
    "^assume-role-with-web-identity .*assumed-role/sagetop-irsa/pod-7\$"

cat >"$TMPD/aws-config" <<CFG
[profile ci]
role_arn = $role_arn
web_identity_token_file = $TMPD/token
role_session_name = gh-run-9
CFG
webid AWS_CONFIG_FILE="$TMPD/aws-config" "$SAGETOP" --profile ci --cache "$TMPD/webid.db" \
    jobs --format csv
expect_eq "profile web identity: exit 0 (no source_profile error)" "$rc" 0
expect_eq "profile web identity: the same jobs" "$(cut -d, -f1 "$TMPD/out")" "$want"

# (moto assumes any role ARN, so STS refusals are covered by tests/unit/test_webidentity.c)
webid AWS_ROLE_ARN="$role_arn" AWS_WEB_IDENTITY_TOKEN_FILE="$TMPD/missing-token" \
    "$SAGETOP" --cache "$TMPD/webid.db" jobs
expect_eq "missing token file: exit 1" "$rc" 1
expect_match "missing token file: says so" "$(cat "$TMPD/err")" "missing-token does not exist"

expect_eq "the token never appears in any output" "$(grep -c SAGETOP-SECRET-TOKEN "$TMPD/all-output")" 0
expect_eq "the token never appears in the cache" \
    "$(grep -rl SAGETOP-SECRET-TOKEN "$TMPD"/webid.db* "$XDG_CACHE_HOME" 2>/dev/null | wc -l)" 0
finish

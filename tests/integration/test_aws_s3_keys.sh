#!/bin/bash
# S3 keys with dot segments are sent as they are: PutObject of a/./b.txt, a/../b.txt, ../up.txt,
# dir/. and friends through sagetop's s3 code (tests/integration/aws_call.c) against the
# emulator with signature checking on (moto re-verifies each signature from the path that
# arrived), then the exact key list read back by boto3. Without CURLOPT_PATH_AS_IS libcurl
# removes the dot segments: the object lands under another key (or in another bucket) and the
# signature no longer matches.
source "$SAGETOP_TOP/tests/lib.sh"

aws_call_build || finish

emu_start --scenario empty || { not_ok "emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null

"$CALL" create-bucket sagetop-keys >/dev/null 2>"$TMPD/err"
expect_eq "CreateBucket exits 0" "$?" 0
printf 'dots\n' >"$TMPD/f.txt"
keys=("a/./b.txt" "a/../b.txt" "../up.txt" "dir/." "dir/.." "./lead.txt" "x//y.txt" "end/")
for k in "${keys[@]}"; do
    "$CALL" put sagetop-keys "$k" "$TMPD/f.txt" >"$TMPD/out" 2>"$TMPD/err"
    expect_eq "PutObject [$k] exits 0 (the signature matches what arrived)" "$?" 0
    head=$("$CALL" head sagetop-keys "$k" 2>"$TMPD/err")
    expect_match "HeadObject [$k] finds it under that key" "$head" ' 5$'
done
got=$(pyrun - <<'PYEOF'
import boto3
s3 = boto3.client("s3")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="sagetop-keys").get("Contents", [])]
print("|".join(sorted(keys)))
print("|".join(sorted(b["Name"] for b in s3.list_buckets()["Buckets"])))
PYEOF
)
want=$(printf '%s\n' "${keys[@]}" | LC_ALL=C sort | paste -sd'|')
expect_eq "boto3 lists exactly those keys, and no other bucket was touched" "$got" "$want
sagetop-keys"
finish

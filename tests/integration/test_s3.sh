#!/bin/bash
# The S3 calls (CreateBucket, HeadBucket, PutObject streamed from a file, HeadObject) and
# SageMaker Search through the real client against the emulator (signature checking on),
# driven by tests/integration/aws_call.c, and checked against an independent reading by boto3:
# keys with spaces, '+', '~' and unicode land under exactly that key with exactly those bytes;
# Search returns what boto3's search returns for the same expression.
source "$SAGETOP_TOP/tests/lib.sh"

aws_call_build || finish

emu_start --scenario demo || { not_ok "emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null

# boto3 against the same emulator: the independent reader
py() { pyrun - "$@"; }

# --- CreateBucket (twice: already owned is success), HeadBucket
"$CALL" create-bucket sagetop-test-bucket >"$TMPD/out" 2>"$TMPD/err"
expect_eq "CreateBucket exits 0" "$?" 0
"$CALL" create-bucket sagetop-test-bucket >"$TMPD/out" 2>"$TMPD/err"
expect_eq "CreateBucket of a bucket we own is success" "$?" 0
expect_eq "HeadBucket: exists" "$("$CALL" bucket-exists sagetop-test-bucket)" yes
expect_eq "HeadBucket: missing" "$("$CALL" bucket-exists sagetop-no-such-bucket)" no
"$CALL" create-bucket sagetop-eu-bucket eu-west-1 2>"$TMPD/err"
expect_eq "CreateBucket with a LocationConstraint exits 0" "$?" 0
got=$(py <<'PYEOF'
import boto3
s3 = boto3.client("s3")
names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
loc = s3.get_bucket_location(Bucket="sagetop-eu-bucket")["LocationConstraint"]
print(" ".join(names), loc)
PYEOF
)
expect_eq "boto3 sees both buckets, the second in eu-west-1" "$got" "sagetop-eu-bucket sagetop-test-bucket eu-west-1"

# --- PutObject from a file under awkward keys, read back by boto3
head -c 300000 /dev/urandom >"$TMPD/payload.bin"
printf 'hello\n' >"$TMPD/small.txt"
: >"$TMPD/empty.bin"
keys=("dir/my file+v1~ü 日本.bin" "a+b=c&d/x y/z~.tar.gz" "plain.txt" "sp  aces/%41%2F#?.bin" "empty object")
files=("$TMPD/payload.bin" "$TMPD/small.txt" "$TMPD/small.txt" "$TMPD/payload.bin" "$TMPD/empty.bin")
for i in "${!keys[@]}"; do
    k=${keys[$i]} f=${files[$i]}
    put=$("$CALL" put sagetop-test-bucket "$k" "$f" 2>"$TMPD/err")
    expect_eq "PutObject [$k] exits 0" "$?" 0
    size=$(stat -c %s "$f")
    expect_match "PutObject [$k]: ETag and size" "$put" "^\"[0-9a-f]{32}\" $size\$"
    head=$("$CALL" head sagetop-test-bucket "$k" 2>"$TMPD/err")
    expect_eq "HeadObject [$k] equals the PUT's ETag and size" "$head" "$put"
done
# boto3 reads every key back in one process (a boto3 start is ~1 s of CPU): one line per key
mapfile -t reads < <(py "${keys[@]}" -- "${files[@]}" <<'PYEOF'
import boto3, hashlib, sys
args = sys.argv[1:]
cut = args.index("--")
s3 = boto3.client("s3")
for key, path in zip(args[:cut], args[cut + 1:]):
    body = s3.get_object(Bucket="sagetop-test-bucket", Key=key)["Body"].read()
    want = open(path, "rb").read()
    etag = s3.head_object(Bucket="sagetop-test-bucket", Key=key)["ETag"]
    print("same" if body == want else "differs (%d vs %d bytes)" % (len(body), len(want)),
          etag == '"%s"' % hashlib.md5(want).hexdigest())
PYEOF
)
for i in "${!keys[@]}"; do
    expect_eq "boto3 reads [${keys[$i]}] back byte for byte under that exact key" "${reads[$i]-}" "same True"
done
got=$(py <<'PYEOF'
import boto3
s3 = boto3.client("s3")
print("\n".join(sorted(o["Key"] for o in s3.list_objects_v2(Bucket="sagetop-test-bucket")["Contents"])))
PYEOF
)
expect_eq "the bucket holds exactly those keys" "$got" "$(printf '%s\n' "${keys[@]}" | LC_ALL=C sort)"

"$CALL" head sagetop-test-bucket "no such key" >/dev/null 2>"$TMPD/err"
expect_eq "HeadObject of a missing key: not found (exit 3)" "$?" 3
"$CALL" put sagetop-test-bucket "x" "$TMPD/does-not-exist" >/dev/null 2>"$TMPD/err"
expect_eq "PutObject of a missing file: exit 1" "$?" 1
expect_match "PutObject of a missing file: says which" "$(cat "$TMPD/err")" 'cannot read .*does-not-exist'
"$CALL" put Bad_Bucket "x" "$TMPD/small.txt" >/dev/null 2>"$TMPD/err"
expect_eq "PutObject to an invalid bucket name: exit 1" "$?" 1
# a wrong secret is refused by the signature check
AWS_SECRET_ACCESS_KEY=wrong-secret-0000000000000000000000000 "$CALL" head sagetop-test-bucket plain.txt >/dev/null 2>"$TMPD/err"
expect_eq "HeadObject with a wrong secret: exit 1" "$?" 1
AWS_SECRET_ACCESS_KEY=wrong-secret-0000000000000000000000000 "$CALL" put sagetop-test-bucket plain.txt "$TMPD/small.txt" >/dev/null 2>"$TMPD/err"
expect_match "PutObject with a wrong secret: SignatureDoesNotMatch" "$(cat "$TMPD/err")" 'SignatureDoesNotMatch'

# --- Search, against boto3's search of the same expression (every page). Each search is one
# argument "F1[|F2]": a filter is NAME|OPERATOR[|VALUE]; "--or|..." joins two filters with Or.
searches=("TrainingJobStatus|Equals|Completed" "TrainingJobStatus|Equals|Failed"
          "TrainingJobName|Contains|distilbert-imdb"
          "HyperParameters.learning_rate|Equals|5e-05"
          "Metrics.eval_loss|LessThan|0.3"
          "--or|TrainingJobStatus|Equals|Stopped|TrainingJobStatus|Equals|Failed"
          "EnableManagedSpotTraining|Equals|true"
          "")
# boto3's answers to all of them from one process, each followed by a line "--end--"
py "${searches[@]}" >"$TMPD/boto-search" <<'PYEOF'
import boto3, sys
sm = boto3.client("sagemaker")
for spec in sys.argv[1:]:
    args = spec.split("|") if spec else []
    op = "And"
    if args and args[0] == "--or":
        op = "Or"; args = args[1:]
    filters = []
    while args:
        name, oper = args[0], args[1]
        f = {"Name": name, "Operator": oper}
        # NAME|OPERATOR|VALUE, except an operator that takes no value (none is used here)
        if len(args) > 2:
            f["Value"] = args[2]
        filters.append(f)
        args = args[3:]
    req = {"Resource": "TrainingJob", "SortBy": "CreationTime", "SortOrder": "Descending"}
    if filters:
        req["SearchExpression"] = {"Filters": filters, "Operator": op}
    names = []
    for page in sm.get_paginator("search").paginate(**req):
        names += [r["TrainingJob"]["TrainingJobName"] for r in page["Results"] if "TrainingJob" in r]
    for n in names:
        print(n)
    print("--end--")
PYEOF
k=0
for s in "${searches[@]}"; do
    # "a|b|c|d|e|f" after --or: two filters
    if [ "${s#--or|}" != "$s" ]; then
        rest=${s#--or|}
        f1=$(printf '%s' "$rest" | cut -d'|' -f1-3) f2=$(printf '%s' "$rest" | cut -d'|' -f4-6)
        args=(--or "$f1" "$f2")
    elif [ -n "$s" ]; then
        args=("$s")
    else
        args=()
    fi
    ours=$("$CALL" search --sort-by CreationTime --order Descending --page 7 "${args[@]}" 2>"$TMPD/err")
    rc=$?
    k=$((k + 1))
    want=$(awk -v k="$k" '$0 == "--end--" { n++; next } n == k - 1' "$TMPD/boto-search")
    expect_eq "Search [${args[*]}] exits 0" "$rc" 0
    n=$(printf '%s\n' "$want" | grep -c .)
    expect_eq "Search [${args[*]}] equals boto3's ($n jobs)" "$(printf '%s\n' "$ours" | grep -v '^pages ')" "$want"
done
all=$("$CALL" search --page 7 2>/dev/null | grep -c -v '^pages ')
expect_eq "Search with no filter: every demo job across pages of 7" "$all" 40
expect_match "Search: several pages followed" "$("$CALL" search --page 7 | tail -1)" '^pages ([6-9])$'
"$CALL" search "TrainingJobStatus|Bogus|x" >/dev/null 2>"$TMPD/err"
expect_eq "Search with a bad operator: exit 1" "$?" 1
expect_match "Search with a bad operator: AWS's reason" "$(cat "$TMPD/err")" 'Search.*(Validation|Operator|operator)'
finish

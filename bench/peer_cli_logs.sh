#!/bin/bash
# peer_cli_logs.sh: the AWS CLI peer of `make bench`'s sync section (bench/section_sync.sh).
# Lists the streams under PREFIX (describe-log-streams, which the CLI paginates itself), then
# pages each stream with `aws logs get-log-events --start-from-head [--next-token T]` (one CLI
# process per page: GetLogEvents has no CLI paginator) until the forward token repeats,
# appending every page's JSON to OUT. At most MAX_PAGES pages in all (0: no cap); the CLI pays
# its interpreter start per page, so a cap keeps the section short and the figures are per line.
# Prints: streams= pages= lines= capped=0|1
# Usage: peer_cli_logs.sh GROUP PREFIX OUT [MAX_PAGES]
set -u
group=$1 prefix=$2 out=$3 max=${4:-0}
page=$out.page
: >"$out"
pages=0 nstreams=0 capped=0
streams=$(aws logs describe-log-streams --log-group-name "$group" \
    --log-stream-name-prefix "$prefix" --query 'logStreams[].logStreamName' --output text) || exit 1
for s in $streams; do
    nstreams=$((nstreams + 1))
    tok=
    while :; do
        if [ "$max" -gt 0 ] && [ "$pages" -ge "$max" ]; then
            capped=1
            break 2
        fi
        aws logs get-log-events --log-group-name "$group" --log-stream-name "$s" \
            --start-from-head ${tok:+--next-token "$tok"} --output json >"$page" || exit 1
        pages=$((pages + 1))
        cat "$page" >>"$out"
        nxt=$(sed -n 's/^ *"nextForwardToken": "\([^"]*\)".*/\1/p' "$page")
        [ -z "$nxt" ] || [ "$nxt" = "$tok" ] && break
        tok=$nxt
    done
done
rm -f "$page"
echo "streams=$nstreams pages=$pages lines=$(grep -c '^ *"message": ' "$out") capped=$capped"

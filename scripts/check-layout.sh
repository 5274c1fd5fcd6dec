#!/bin/sh
# Fails when a module includes what it must not:
#   curses anywhere but tui/; curl anywhere but aws/http.c;
#   an upward include (dependencies point cli -> tui -> cache, launch -> metrics, aws;
#   launch/ depends on aws/ only);
#   metrics/ may include aws/err.h only (the shared error record), nothing else of aws/.
set -u
cd "$(dirname "$0")/.."
bad=0
fail() { echo "check-layout: $*" >&2; bad=1; }

for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]'); do
    case $f in tests/*|bench/*) continue ;; esac
    dir=${f%%/*}
    incs=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$f")
    for i in $incs; do
        case $i in
            curses.h|ncurses.h|ncursesw/*|panel.h|term.h)
                [ "$dir" = tui ] || fail "$f includes <$i>: curses belongs to tui/" ;;
            curl/*)
                [ "$f" = aws/http.c ] || fail "$f includes <$i>: only aws/http.c may use curl" ;;
        esac
        top=${i%%/*}
        [ "$top" = "$i" ] && continue
        case "$dir:$top" in
            aws:aws|metrics:metrics|cache:cache|cache:aws|cache:metrics) ;;
            launch:launch|launch:aws) ;;
            tui:tui|tui:cache|tui:launch|tui:aws|tui:metrics) ;;
            cli:*) ;;
            metrics:aws) [ "$i" = aws/err.h ] || fail "$f includes $i: metrics/ may use only aws/err.h" ;;
            *:cli|*:tui|*:cache|*:launch|*:aws|*:metrics) fail "$f includes $i: $dir/ must not depend on $top/" ;;
        esac
    done
done
[ $bad = 0 ] && echo "check-layout: ok"
exit $bad

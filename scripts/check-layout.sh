#!/bin/bash
# Fails when a module reaches what it must not, checked on what the compiler and the linker see:
#   includes  no "../" include anywhere; curses only in tui/; curl only in aws/http.c; a module
#             includes its own headers and those of the modules it may depend on, nothing else
#   symbols   every undefined symbol of a module's archive (cli/: its objects) is defined by the
#             module itself, by a module it may depend on, or by no module at all (a system
#             library); a global symbol defined by two modules fails too (the first archive on the
#             link line would win silently)
# The modules are cli/ plus the Makefile's MODULES; a module of the table that is not built yet
# (no folder, not in MODULES) is skipped. The archives must exist: `make check-layout` builds
# them first. Usage: [BUILD=build] scripts/check-layout.sh
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

# The one table of the allowed dependencies: module, then the modules it may use.
DEPS_TABLE='
cli      tui cache launch metrics aws
tui      cache launch metrics aws
cache    metrics aws
launch   aws
metrics  aws
aws
'
# The table in awk: ismod[MODULE] = 1, may[MODULE] = " dep dep ".
TABLE_AWK='
BEGIN {
    n = split(table, lines, "\n")
    for (i = 1; i <= n; i++) {
        k = split(lines[i], w, " ")
        if (k == 0) continue
        ismod[w[1]] = 1; may[w[1]] = " "
        for (j = 2; j <= k; j++) may[w[1]] = may[w[1]] w[j] " "
    }
}'

bad=0
fail() { echo "check-layout: $*" >&2; bad=1; }

deps_of() { printf '%s\n' "$DEPS_TABLE" | awk -v m="$1" '$1 == m { $1 = ""; print; f = 1 } END { exit !f }'; }
in_table() { deps_of "$1" >/dev/null; }

modules=(cli $(sed -n 's/^MODULES[[:space:]]*:\{0,1\}=[[:space:]]*//p' Makefile | head -1))
[ ${#modules[@]} -gt 1 ] || fail "no MODULES line in the Makefile"
table_mods=$(printf '%s\n' "$DEPS_TABLE" | awk 'NF {printf "%s ", $1}')
for m in "${modules[@]}"; do
    in_table "$m" || fail "module $m/ is not in the table of allowed dependencies (scripts/check-layout.sh)"
done
for m in $table_mods; do
    case " ${modules[*]} " in *" $m "*) continue ;; esac
    if compgen -G "$m/*.c" >/dev/null; then
        fail "folder $m/ has sources but is not in the Makefile's MODULES"
    fi
done

syms=$(mktemp "${TMPDIR:-/tmp}/check-layout.XXXXXX")
trap 'rm -f "$syms" "$syms.out" "$syms.inc"' EXIT

# ---- includes (one awk over every C file of the tree)
find . \( -name 'build*' -o -name .git \) -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
    sed 's|^\./||' | LC_ALL=C sort | tr '\n' '\0' |
    xargs -0 awk -v table="$DEPS_TABLE" "$TABLE_AWK"'
FNR == 1 { dir = FILENAME; sub(/\/.*/, "", dir) }
/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
    i = $0; sub(/^[^<"]*[<"]/, "", i); sub(/[>"].*/, "", i)
    if (i ~ /^\.\.\// || i ~ /\/\.\.\//) {
        printf "check-layout: %s includes \"%s\": no \"../\" includes, name the header from the top (\"module/x.h\")\n", FILENAME, i
        next
    }
    if (!(dir in ismod)) next     # tests/ and bench/ may include any module and library
    if (i ~ /^(curses\.h|ncurses\.h|ncursesw\/.*|panel\.h|term\.h)$/ && dir != "tui")
        printf "check-layout: %s includes <%s>: curses belongs to tui/\n", FILENAME, i
    if (i ~ /^curl\// && FILENAME != "aws/http.c")
        printf "check-layout: %s includes <%s>: only aws/http.c may use curl\n", FILENAME, i
    top = i; if (!sub(/\/.*/, "", top) || !(top in ismod) || top == dir) next
    if (!index(may[dir], " " top " ")) {
        m = may[dir]; gsub(/^ +| +$/, "", m); if (m == "") m = "no other module"
        printf "check-layout: %s includes %s: %s/ must not depend on %s/ (may use: %s)\n", FILENAME, i, dir, top, m
    }
}' >"$syms.inc"
if [ -s "$syms.inc" ]; then
    cat "$syms.inc" >&2
    bad=1
fi

# ---- symbols
objs_of() {   # the object files of a module, as the link sees them
    if [ "$1" = cli ]; then
        local c
        for c in cli/*.c; do printf '%s\n' "$BUILD/${c%.c}.o"; done
    else
        printf '%s\n' "$BUILD/lib$1.a"
    fi
}
files=()
for m in "${modules[@]}"; do
    in_table "$m" || continue
    while IFS= read -r o; do
        if [ -f "$o" ]; then
            files+=("$o")
        else
            fail "$o is missing: build first (make check-layout builds the archives)"
        fi
    done < <(objs_of "$m")
done
# One nm for every file (an nm start costs more than reading an archive): "MODULE OBJECT TYPE
# SYMBOL". nm -A prefixes "archive:member:[address]" or "object:[address]"; an archive is
# build/libMODULE.a, an object is cli/'s.
if [ $bad = 0 ] && [ ${#files[@]} -gt 0 ]; then
    nm -A -g "${files[@]}" | awk 'NF == 3 {
        n = split($1, p, ":"); obj = (n > 2) ? p[2] : p[1]; sub(/.*\//, "", obj)
        m = p[1]
        if (m ~ /\.a$/) { sub(/.*\/lib/, "", m); sub(/\.a$/, "", m) } else m = "cli"
        print m, obj, $2, $3 }' >"$syms"
    [ "${PIPESTATUS[0]}" = 0 ] || fail "nm failed on ${files[*]}"
fi
[ $bad = 0 ] || { echo "check-layout: FAILED" >&2; exit 1; }

# defined = any type but U (undefined), w/v (weak undefined); a module's own definitions satisfy
# its own references
awk -v table="$DEPS_TABLE" "$TABLE_AWK"'
{ mod[NR] = $1; obj[NR] = $2; typ[NR] = $3; sym[NR] = $4 }
$3 != "U" && $3 != "w" && $3 != "v" {
    if (($4 in owner) && owner[$4] != $1)
        printf "check-layout: %s is defined by both %s/ (%s) and %s/ (%s)\n", $4, owner[$4], where[$4], $1, $2
    else if (!($4 in owner)) { owner[$4] = $1; where[$4] = $2 }
    def[$1 SUBSEP $4] = 1
}
END {
    for (r = 1; r <= NR; r++) {
        if (typ[r] != "U" || ((mod[r], sym[r]) in def) || !(sym[r] in owner)) continue
        o = owner[sym[r]]
        if (index(may[mod[r]], " " o " ")) continue
        m = may[mod[r]]; gsub(/^ +| +$/, "", m); if (m == "") m = "no other module"
        key = mod[r] SUBSEP obj[r] SUBSEP sym[r]
        if (key in seen) continue
        seen[key] = 1
        printf "check-layout: %s/%s uses %s, defined in %s/ (%s): %s/ must not depend on %s/ (may use: %s)\n",
            mod[r], obj[r], sym[r], o, where[sym[r]], mod[r], o, m
    }
}' "$syms" | LC_ALL=C sort >"$syms.out"
if [ -s "$syms.out" ]; then
    cat "$syms.out" >&2
    bad=1
fi

if [ $bad = 0 ]; then echo "check-layout: ok (${modules[*]})"; else echo "check-layout: FAILED" >&2; fi
exit $bad

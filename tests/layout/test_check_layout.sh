#!/bin/bash
# The layer guard guards: scripts/check-layout.sh passes on the tree as it is and fails on each of
# the scratch violations that used to pass it (issue 12): an `#include "../cache/cache.h"` in
# aws/s3.c, a call from aws/sts.c to cache_default_path() declared by hand (no include to catch,
# and the link succeeds because cache/ is linked before aws/), and an upward include spelled from
# the top. Each is applied to a copy of the tree in a temp dir, whose objects are copied along so
# that only the touched file is compiled again; the work tree is never modified.
# `make check-layout` (build what changed, then the script) runs on the tree as it is, on the
# upward call (the object must be compiled again for its symbols to show it) and on the restored
# tree; the two include scratches need no object: the script runs alone on them, and their
# files are restored with their old mtime, so that nothing is compiled for them.
source "$SAGETOP_TOP/tests/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
T=$TMPD/tree

# the sources (tracked and new, not ignored) and the module objects, timestamps kept
copy_tree() {
    mkdir -p "$T/build"
    (cd "$TOP" && { git ls-files -co --exclude-standard 2>/dev/null || find . -path ./build -prune -o -type f -print; } |
        grep -v '^screenshots/' | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
        tar -cf - -T -) | tar -xf - -C "$T" || return 1
    local d
    for d in "$BUILD"/lib*.a "$BUILD"/*/; do
        case $d in */tests/|*/bench/|*/test-logs/) continue ;; esac
        cp -a "$d" "$T/build/" || return 1
    done
}
# layout: check-layout in the copy after building what changed; prints its output
layout() { make -s -C "$T" BUILD=build check-layout 2>&1; }
# layout_script: the script alone in the copy (the sources' includes; the objects as they are)
layout_script() { (cd "$T" && BUILD=build scripts/check-layout.sh 2>&1); }
# restore FILE: the original back, with a new mtime so that make compiles it again
restore() { cp "$TOP/$1" "$T/$1"; }
# restore_untouched FILE: the original back with its mtime, for a file whose object was not
# compiled again since the copy
restore_untouched() { cp -p "$TOP/$1" "$T/$1"; }

copy_tree || { not_ok "copy the tree" "to $T"; finish; }
[ -f "$T/aws/s3.c" ] && [ -f "$T/aws/sts.c" ] && [ -f "$T/build/libaws.a" ] \
    || { not_ok "the copy has aws/s3.c, aws/sts.c and build/libaws.a" "$(ls "$T" "$T/build")"; finish; }

out=$(layout); rc=$?
expect_eq "the unmodified tree passes check-layout" "$rc" 0
expect_match "... and says which modules it checked" "$out" 'check-layout: ok \(cli tui cache .*aws\)'

# 1. a "../" include (it compiles: the path resolves from aws/)
sed -i '0,/^#include/s//#include "..\/cache\/cache.h"\n#include/' "$T/aws/s3.c"
expect_eq "scratch 1 applied: aws/s3.c includes ../cache/cache.h" \
    "$(grep -c '^#include "\.\./cache/cache\.h"' "$T/aws/s3.c")" 1
out=$(layout_script); rc=$?
expect_match "an #include \"../cache/cache.h\" in aws/s3.c fails check-layout" "$rc" '^[1-9]'
expect_match "... naming the file and the ../ include" "$out" 'aws/s3\.c includes "\.\./cache/cache\.h": no "\.\./" includes'
expect_eq "... and nothing but that" "$(printf '%s\n' "$out" | grep -c '^check-layout: ' )" 2
restore_untouched aws/s3.c

# 2. a call upward with a hand-written prototype: only the symbols show it
cat >>"$T/aws/sts.c" <<'EOF'

struct err;
int cache_default_path(char *buf, size_t size, struct err *e);
int sts_scratch_upward_call(void);
int sts_scratch_upward_call(void)
{
    char path[256];

    return cache_default_path(path, sizeof(path), NULL);
}
EOF
out=$(layout); rc=$?
expect_match "a call from aws/sts.c to cache_default_path() fails check-layout" "$rc" '^[1-9]'
expect_match "... naming the object, the symbol and the module that defines it" "$out" \
    'aws/sts\.o uses cache_default_path, defined in cache/ .*aws/ must not depend on cache/'
expect_eq "... and no include is blamed" "$(printf '%s\n' "$out" | grep -c 'includes')" 0
restore aws/sts.c

# 3. an upward include spelled from the top
sed -i '0,/^#include/s//#include "tui\/app.h"\n#include/' "$T/metrics/series.c"
out=$(layout_script); rc=$?
expect_match "an #include \"tui/app.h\" in metrics/series.c fails check-layout" "$rc" '^[1-9]'
expect_match "... naming the dependency it must not have" "$out" 'metrics/series\.c includes tui/app\.h: metrics/ must not depend on tui/'
restore_untouched metrics/series.c

out=$(layout); rc=$?
expect_eq "the restored tree passes again" "$rc" 0
finish

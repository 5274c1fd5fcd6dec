#!/bin/bash
# tests/fuzz/run.sh: builds every tests/fuzz/fuzz_*.c as a libFuzzer target (clang,
# -fsanitize=fuzzer,address,undefined) against the library sources it may need (all of aws/,
# metrics/, cache/ and launch/ and the generated sources, with the pkg-config flags), then runs each for FUZZ_SECONDS (default 20)
# seeded from tests/fuzz/corpus/<target>/ (crash reproducers and hand-written seeds, kept in
# git); new inputs go to $BUILD/fuzz/<target>/corpus/.
# Exits non-zero when a target fails to build or a run finds a crash (the reproducer is left in
# $BUILD/fuzz/<target>/). Usage: tests/fuzz/run.sh [target...]   (BUILD defaults to build-fuzz)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-20}
CC_FUZZ=${CC_FUZZ:-clang}
PKGS="ncursesw libcurl libcrypto sqlite3 libpcre2-8 jansson libarchive libxml-2.0 libzstd zlib"

command -v "$CC_FUZZ" >/dev/null || { echo "fuzz: $CC_FUZZ not found (apt-get install clang)" >&2; exit 2; }
CFLAGS_PKG=$(pkg-config --cflags $PKGS 2>/dev/null)
LIBS_PKG=$(pkg-config --libs $PKGS 2>/dev/null)
# the generated sources (the Hugging Face image table launch/ links against) come from the
# Makefile's own rule, written under $BUILD/gen
make -s BUILD="$BUILD" "$BUILD/gen/hf_images_json.c" >/dev/null ||
    { echo "fuzz: cannot generate $BUILD/gen/hf_images_json.c" >&2; exit 2; }
SRCS=$(ls aws/*.c metrics/*.c cache/*.c launch/*.c "$BUILD"/gen/*.c 2>/dev/null)

targets=("$@")
if [ ${#targets[@]} = 0 ]; then
    for f in tests/fuzz/fuzz_*.c; do
        [ -f "$f" ] && targets+=("$(basename "${f%.c}")")
    done
fi
[ ${#targets[@]} = 0 ] && { echo "fuzz: no targets"; exit 0; }

FLAGS=(-std=c11 -g -O1 -fno-omit-frame-pointer -I. -D_GNU_SOURCE -DSAGETOP_VERSION='"fuzz"'
       -DSAGETOP_FUZZ=1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)

# The library objects, built once for every target. A source that does not compile (another
# engineer's work in progress) is left out with a note; a target that needs it fails to link.
OBJS=()
mkdir -p "$BUILD/obj"
for src in $SRCS; do
    obj=$BUILD/obj/${src//\//_}.o
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find aws metrics cache launch -name '*.h' -newer "$obj" 2>/dev/null | head -1)" ]; then
        if ! "$CC_FUZZ" "${FLAGS[@]}" $CFLAGS_PKG -c -o "$obj" "$src" 2>"$obj.log"; then
            echo "fuzz: note: $src does not compile, left out (see $obj.log)"
            rm -f "$obj"
            continue
        fi
    fi
    OBJS+=("$obj")
done
# an archive, so that a target pulls in only the objects it uses
rm -f "$BUILD/libfuzzdeps.a"
ar rcs "$BUILD/libfuzzdeps.a" "${OBJS[@]}"

failed=0
for t in "${targets[@]}"; do
    out=$BUILD/fuzz/$t
    # new inputs go to the working corpus under $BUILD; the repository's corpus only seeds it
    mkdir -p "$out/corpus" "tests/fuzz/corpus/$t"
    echo "fuzz: building $t"
    # no -Werror here: warnings fail in make all; the fuzzer only looks for crashes
    if ! "$CC_FUZZ" "${FLAGS[@]/fuzzer-no-link/fuzzer}" $CFLAGS_PKG -o "$out/$t" \
            "tests/fuzz/$t.c" "$BUILD/libfuzzdeps.a" $LIBS_PKG -pthread -lm >"$out/build.log" 2>&1; then
        echo "FAIL fuzz $t: build failed, see $out/build.log"
        tail -20 "$out/build.log"
        failed=$((failed + 1))
        continue
    fi
    echo "fuzz: running $t for ${SECONDS_EACH}s"
    if (cd "$out" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "./$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 corpus "$OLDPWD/tests/fuzz/corpus/$t") >"$out/run.log" 2>&1; then
        echo "ok   fuzz $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/run.log" | grep -o '[0-9]*$') runs"
    else
        echo "FAIL fuzz $t: crash, see $out/run.log (reproducer: $(ls "$out" | grep -E '^(crash|leak|timeout|oom)-' | head -1))"
        grep -E 'ERROR|SUMMARY|runtime error' "$out/run.log" | head -10
        failed=$((failed + 1))
    fi
done
echo "fuzz: ${#targets[@]} targets, $failed failed"
[ "$failed" = 0 ]

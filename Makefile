# sagetop: one plain GNU Makefile. Each source folder is its own static archive, linked in
# dependency order (cli -> tui -> cache, launch -> metrics, aws: archives tui cache launch metrics
# aws; launch uses only aws, metrics only aws/err) so that an upward call fails to link.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
PKGS     := ncursesw libcurl libcrypto sqlite3 libpcre2-8 jansson libarchive libxml-2.0 zlib libzstd
CC       ?= cc

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wpointer-arith -Wwrite-strings -Wundef
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT      ?= -O2 -g
CPPFLAGS += -I. -D_GNU_SOURCE -DSAGETOP_VERSION='"$(VERSION)"'
CFLAGS   += -std=c11 $(OPT) $(WARN) -MMD -MP -pthread $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  += -pthread $(EXTRA_LDFLAGS)
LDLIBS   += $(PKG_LIBS) -lm

MODULES  := tui cache launch metrics aws
define module_srcs
$(sort $(wildcard $(1)/*.c))
endef
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
LIBS     := $(foreach m,$(MODULES),$(BUILD)/lib$(m).a)

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_OBJS  := $(UNIT_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT_SRCS := $(sort $(wildcard tests/unit/support/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT_SRCS:%.c=$(BUILD)/%.o)
TEST_SUPPORT_LIB  := $(BUILD)/libtestsupport.a
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

.PHONY: all run test unit asan bench fuzz install uninstall clean check-layout deps demo screenshots
all: sagetop

# The program itself lands in the repository root (the asan build keeps its own copy).
sagetop: $(BUILD)/sagetop
	$(Q)if [ "$(BUILD)" = build ]; then cp $< $@; fi

$(BUILD)/sagetop: $(CLI_OBJS) $(LIBS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIBS) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# ---- Generated sources: data/huggingface.json compiled into the binary -----------------------
# The SageMaker SDK's own Hugging Face image table (see data/README.md) becomes a byte array in
# $(BUILD)/gen/hf_images_json.c, parsed at run time by launch/hf_image_uris.c, so updating the table
# is replacing that one file. od comes with coreutils; nothing is downloaded at build time.
# GEN_OBJS_<module> joins the module's archive (the image table belongs to launch/).
HF_JSON      := data/huggingface.json
HF_JSON_C    := $(BUILD)/gen/hf_images_json.c
GEN_OBJS_launch := $(BUILD)/gen/hf_images_json.o

$(HF_JSON_C): $(HF_JSON)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q){ printf '/* Generated from %s by the Makefile: do not edit. */\n' '$(HF_JSON)'; \
	  printf '#include "launch/hf_image_uris.h"\n\nconst unsigned char hf_images_json[] = {\n'; \
	  od -An -v -tx1 $(HF_JSON) | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  printf '};\nconst size_t hf_images_json_size = sizeof(hf_images_json);\n'; \
	} >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/hf_images_json.o: $(HF_JSON_C)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
# ---- end of generated sources -----------------------------------------------------------------

define module_rule
$(BUILD)/lib$(1).a: $(patsubst %.c,$(BUILD)/%.o,$(call module_srcs,$(1))) $(GEN_OBJS_$(1))
	@echo "  AR      $$@"
	@mkdir -p $$(dir $$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

# ---- Unit tests: Criterion binaries, one per tests/unit/test_*.c ------------------------------
# Built for the build's CPU and the run's (measured on 2 cores, see the commit messages):
# - test code is compiled at -Og where the program has -O2 (TEST_OPT): Criterion's assertion
#   macros make the optimiser the biggest cost of the build (45 files, 34-41 s of CPU at -O2 -g,
#   23-28 s at -Og -g), and -Og keeps the flow analysis behind -Wmaybe-uninitialized;
# - a test is compiled once and linked on its own, so a change in a module relinks the tests
#   without compiling them again;
# - the support objects are an archive, so a test links only the support and module objects it
#   uses, and the link drops the shared libraries that nothing uses (--as-needed, which this
#   compiler passes already): Criterion runs each test in a fresh exec of the binary, which pays
#   for every library loaded (test_dynbuf: 22 instead of 50);
# - gold links when the compiler has it (TEST_LD): four times less CPU than ld.bfd here.
# The program itself (sagetop) keeps OPT and the default linker.
TEST_OPT    ?= $(patsubst -O2,-Og,$(OPT))
ifeq ($(origin TEST_LD),undefined)
TEST_LD     := $(shell $(CC) -fuse-ld=gold -Wl,--version >/dev/null 2>&1 && echo -fuse-ld=gold)
endif
TEST_CFLAGS  = $(filter-out $(OPT),$(CFLAGS)) $(TEST_OPT) $(CRITERION_CFLAGS)
CRITERION_CFLAGS := $(shell pkg-config --cflags criterion 2>/dev/null)
CRITERION_LIBS   := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

$(TEST_SUPPORT_OBJS): $(BUILD)/tests/unit/support/%.o: tests/unit/support/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(TEST_SUPPORT_LIB): $(TEST_SUPPORT_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(UNIT_OBJS): $(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(UNIT_BINS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT_LIB) $(LIBS)
	@echo "  TEST    $@"
	$(Q)$(CC) $(TEST_LD) -Wl,--as-needed $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_LIB) $(LIBS) \
		$(LDLIBS) $(CRITERION_LIBS)

$(BUILD)/bench/%: bench/%.c $(LIBS)
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIBS) $(LDFLAGS) $(LDLIBS)

deps:
	@scripts/deps.sh

unit: $(UNIT_BINS)

# make run: the TUI against AWS when credentials are configured, else against the local demo.
run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

# make test: every suite, TEST_JOBS scripts at a time (default three per CPU, 4 to 12); the last line is
# "N passed, N failed". It writes nothing outside build/ and the temp dir.
# The build runs on every core unless the caller chose a job count (make -jN test).
TEST_BUILD_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 2))
test: deps
	@$(MAKE) --no-print-directory $(TEST_BUILD_JOBS) all unit
	@BUILD=$(BUILD) tests/run.sh all

# make screenshots: the e2e drivers again, this time writing screenshots/ (txt, ansi, png).
screenshots: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SAGETOP_SCREENSHOTS=1 tests/run.sh e2e

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" build-asan/sagetop unit
	@BUILD=build-asan SAGETOP_BIN=build-asan/sagetop SAGETOP_SAN_FLAGS="-fsanitize=address,undefined" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh unit integration

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@BUILD=$(BUILD) bench/run.sh

fuzz:
	@BUILD=build-fuzz tests/fuzz/run.sh

# check-layout reads the archives' symbols (nm), so it builds them first.
check-layout: $(LIBS) $(CLI_OBJS)
	@BUILD=$(BUILD) scripts/check-layout.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 sagetop $(DESTDIR)$(PREFIX)/bin/sagetop
	install -m 0644 docs/sagetop.1 $(DESTDIR)$(PREFIX)/share/man/man1/sagetop.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sagetop $(DESTDIR)$(PREFIX)/share/man/man1/sagetop.1

clean:
	rm -rf build build-asan build-fuzz sagetop

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

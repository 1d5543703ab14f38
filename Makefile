# vigil - runtime security agent. See README.md.
#
#   make            build build/vigil (BPF objects embedded)
#   make test       unit + e2e tests (root; installs missing packages)
#   make run        install deps, build, run the main job
#   make bench      benchmark suite (BENCH_QUICK=1: a quick check; docs/performance.md)
#   make install    copy to $(PREFIX)/bin
#
# Chain: src/bpf/X.bpf.c -> build/bpf/X.bpf.o -> build/vigil.bpf.o (static link)
#        -> build/vigil.skel.h -> userspace objects -> build/vigil

PREFIX    ?= /usr/local
BUILD     := build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
ARCH      := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	     -D_GNU_SOURCE -Isrc -Isrc/include -I$(BUILD)
LDLIBS    += -lbpf -lelf -lz -lyaml -lcrypto -lpthread -lmicrohttpd -lzstd -lcurl
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Isrc/include -Isrc/bpf \
	      -Wall -Wno-unused-function -Wno-address-of-packed-member

# probe, netblock and scan_iter have skeletons of their own (netblock is pinned and
# outlives vigil; scan_iter is loaded only while an integrity scan runs)
BPF_SRCS  := $(filter-out src/bpf/probe.bpf.c src/bpf/netblock.bpf.c src/bpf/scan_iter.bpf.c,\
		$(wildcard src/bpf/*.bpf.c))
BPF_OBJS  := $(patsubst src/bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS  := $(wildcard src/bpf/*.bpf.h) src/include/vigil_abi.h

# Userspace: everything under src/ except main.c is also linked into the unit tests.
LIB_SRCS  := $(filter-out src/main.c src/bpf/%,$(wildcard src/*.c src/*/*.c))
LIB_OBJS  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ  := $(BUILD)/obj/main.o
SKELS     := $(BUILD)/vigil.skel.h $(BUILD)/probe.skel.h $(BUILD)/netblock.skel.h $(BUILD)/scan_iter.skel.h

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(HELPER_SRCS))

.DELETE_ON_ERROR:
.PHONY: all deps test unit e2e run bench fuzz install clean

all: $(BUILD)/vigil

deps:
	$(Q)scripts/deps.sh

$(BUILD)/vmlinux.h: | $(BUILD)
	@echo "  BTF     $@"
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h | $(BUILD)
	@mkdir -p $(dir $@)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/vigil.bpf.o: $(BPF_OBJS)
	@echo "  LINK    $@"
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/vigil.skel.h: $(BUILD)/vigil.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name vigil_bpf > $@

$(BUILD)/probe.skel.h: $(BUILD)/bpf/probe.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name probe_bpf > $@

$(BUILD)/netblock.skel.h: $(BUILD)/bpf/netblock.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name netblock_bpf > $@

$(BUILD)/bpf/scan_iter.bpf.o: src/scan/scan_iter.h

$(BUILD)/scan_iter.skel.h: $(BUILD)/bpf/scan_iter.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name scan_iter_bpf > $@

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h src/*/*.h) src/include/vigil_abi.h $(SKELS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The default policy: every policy/*.yaml, embedded with .incbin, in name
# order, each under its own name so errors point at the right file.
POLICY_FILES := $(sort $(wildcard policy/*.yaml))
POLICY_OBJ   := $(BUILD)/obj/default_policies.o

$(BUILD)/default_policies.S: $(POLICY_FILES) Makefile | $(BUILD)
	@echo "  GEN     $@"
	$(Q){ echo '.section .rodata'; i=0; for f in $(POLICY_FILES); do \
		echo "vgl_pol_name_$$i: .asciz \"default/$$(basename $$f)\""; \
		echo "vgl_pol_$$i: .incbin \"$$f\""; echo "vgl_pol_end_$$i: .byte 0"; i=$$((i+1)); done; \
	  echo '.section .data.rel.ro'; echo '.balign 8'; \
	  echo '.global vgl_default_policies'; echo 'vgl_default_policies:'; i=0; \
	  for f in $(POLICY_FILES); do echo ".quad vgl_pol_name_$$i, vgl_pol_$$i, vgl_pol_end_$$i"; \
		i=$$((i+1)); done; \
	  echo '.global vgl_default_policies_count'; echo 'vgl_default_policies_count:'; \
	  echo ".long $$i"; echo '.section .note.GNU-stack,"",@progbits'; } > $@

$(POLICY_OBJ): $(BUILD)/default_policies.S $(POLICY_FILES)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c $< -o $@

$(BUILD)/vigil: $(MAIN_OBJ) $(LIB_OBJS) $(POLICY_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_OBJS) $(POLICY_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(filter-out %.h,$^) -o $@ $(LDLIBS) -lcmocka

# Test helpers are static so they also run inside a bare busybox container.
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -O2 -g -Wall -D_GNU_SOURCE -static $< -o $@ $(HELPER_LDLIBS)

$(BUILD):
	@mkdir -p $@

unit: $(UNIT_BINS)
	$(Q)set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

e2e: $(BUILD)/vigil $(HELPER_BINS)
	$(Q)tests/e2e/run.sh

# The README's test command: dependencies, build, every test tier.
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory e2e

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/vigil run

# Benchmark (docs/performance.md): workloads, the latency marker, and the
# floor (empty programs on vigil's hooks, a skeleton of its own).
BENCH_BINS := $(BUILD)/bench/storm $(BUILD)/bench/marker $(BUILD)/bench/floor

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -O2 -g -Wall -D_GNU_SOURCE $< -o $@ -lpthread

$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c $(BUILD)/vmlinux.h | $(BUILD)
	@mkdir -p $(dir $@)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BUILD)/bench/floor: bench/floor.c $(BUILD)/bench/floor.skel.h
	@echo "  CC      $@"
	$(Q)$(CC) -O2 -g -Wall -D_GNU_SOURCE -I$(BUILD)/bench $< -o $@ -lbpf -lelf -lz

# BENCH_QUICK=1: every size /10 and RUNS=1, to check the suite works (not to measure)
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)bench/run.sh

# Fuzzing (not part of `make test`): clang's libFuzzer with ASan/UBSan on the
# code that reads untrusted input. FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(filter-out src/cmd/% src/agent.c src/sensor/sensor.c src/sensor/features.c src/respond/% src/ops/httpd.c src/forensics/% src/output/sink% src/output/falco.c src/output/deliver.c src/detect/open_filter.c,$(LIB_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS) $(BUILD)/default_policies.S $(SKELS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=gnu11 \
		-Isrc -Isrc/include -I$(BUILD) $< $(FUZZ_SRCS) $(BUILD)/default_policies.S \
		-o $@ -lyaml -lcrypto -lbpf -lelf -lz

fuzz: $(FUZZ_BINS)
	$(Q)set -e; for f in $(FUZZ_BINS); do mkdir -p $(BUILD)/corpus/$$(basename $$f); \
		echo "== $$f ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(BUILD)/corpus/$$(basename $$f) \
			$$( [ $$(basename $$f) = fuzz_policy ] && echo policy ); done

install: $(BUILD)/vigil
	install -D -m 0755 $(BUILD)/vigil $(DESTDIR)$(PREFIX)/bin/vigil

clean:
	rm -rf $(BUILD)

# ckring: Concurrency Kit's ck_ring (libck-dev). Under SAN=thread, ck's atomics go through
# the TSan include overlay; on ARM64 every ck CAS must be a full-barrier builtin (ckring.c).
VARIANT_CFLAGS += $(shell pkg-config --cflags ck 2>/dev/null)
VARIANT_LIBS += $(shell pkg-config --libs ck 2>/dev/null)
include variants/ck-tsan/ck-tsan.mk
ifneq ($(filter aarch64 arm64,$(ARCH)),)
VARIANT_CFLAGS += -DCK_USE_CC_BUILTINS=1
endif

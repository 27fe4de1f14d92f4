# rcu: ck_epoch from libck (Debian libck-dev 0.7.1); under SAN=thread, ck's TSan overlay
VARIANT_CFLAGS += $(shell pkg-config --cflags ck 2>/dev/null)
VARIANT_LIBS += $(shell pkg-config --libs ck 2>/dev/null)
include variants/ck-tsan/ck-tsan.mk

# Include from a variant's .mk when that variant uses ck:  include variants/ck-tsan/ck-tsan.mk
# Under SAN=thread it builds the include overlay (README.md) in $(BUILD)/ck-tsan and puts it
# ahead of /usr/include with CK_USE_CC_BUILTINS=1; otherwise it does nothing. Safe to include
# from several variants of one build.
ifeq ($(SAN),thread)
ifndef CK_TSAN_DIR
CK_TSAN_DIR := $(BUILD)/ck-tsan
ifneq ($(shell variants/ck-tsan/overlay.sh $(CK_TSAN_DIR) && echo ok),ok)
$(error variants/ck-tsan/overlay.sh could not build the ck TSan overlay in $(CK_TSAN_DIR))
endif
VARIANT_CFLAGS += -I$(CK_TSAN_DIR) -DCK_USE_CC_BUILTINS=1
endif
endif

# Prints one variant's extra flags: make -s -f bench/variant-flags.mk MK=variants/x/y.mk cflags|libs
# (bench.mk compiles every variant of a part into one program, each with its own .mk.)
VARIANT_CFLAGS :=
VARIANT_LIBS :=
-include $(MK)
.PHONY: cflags libs
cflags: ; @echo '$(VARIANT_CFLAGS)'
libs: ; @echo '$(VARIANT_LIBS)'

# urcu: liburcu 0.13, memb flavour (Debian liburcu-dev)
VARIANT_CFLAGS += $(shell pkg-config --cflags liburcu-memb 2>/dev/null)
VARIANT_LIBS += $(shell pkg-config --libs liburcu-memb 2>/dev/null)

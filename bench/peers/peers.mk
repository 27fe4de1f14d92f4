# bench/peers/peers.mk: `make peers`, the ping-pong of services/pingpong.c written for other
# runtimes (Go, Erlang), built into build/peers/ where their toolchain is installed
# (scripts/ensure-deps.sh peers installs golang-go and erlang-base). A missing toolchain is
# said loudly and its peer is not built; scripts/pingpong.sh then skips that peer loudly.
PEERS_DIR := build/peers
PEERS_GO = $(if $(shell command -v go),$(PEERS_DIR)/pingpong-go)
PEERS_ERLANG = $(if $(and $(shell command -v erlc),$(shell command -v erl)),$(PEERS_DIR)/pingpong.beam)

.PHONY: peers
peers: $(PEERS_GO) $(PEERS_ERLANG)
	$(if $(PEERS_GO),,@echo "!!!!!! make peers: no go command (Debian golang-go; scripts/ensure-deps.sh peers): the Go peer is not built" >&2)
	$(if $(PEERS_ERLANG),,@echo "!!!!!! make peers: no erl/erlc (Debian erlang-base; scripts/ensure-deps.sh peers): the Erlang peer is not built" >&2)

# its own build cache and GOPATH under build/: nothing outside the tree is written
$(PEERS_DIR)/pingpong-go: bench/peers/pingpong.go
	@mkdir -p $(dir $@)
	GOCACHE=$(abspath $(PEERS_DIR))/gocache GOPATH=$(abspath $(PEERS_DIR))/gopath GOFLAGS= \
		go build -o $@ $<

$(PEERS_DIR)/pingpong.beam: bench/peers/pingpong.erl
	@mkdir -p $(dir $@)
	erlc -Werror -o $(dir $@) $<

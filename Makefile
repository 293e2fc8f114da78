# keeper — build, test and run targets. See README.md.
GO        ?= go
BIN       ?= bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
LDFLAGS   := -s -w -X github.com/keeper-go/keeper/internal/version.Version=$(VERSION)

.PHONY: all build test vet run bench proto fuzz clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/keeper ./cmd/keeper
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/keeper-sandbox ./cmd/keeper-sandbox

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'); echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...

test: vet
	$(GO) test -count=1 ./...

# make run: the shell, logged in to a fresh local sandbox (kept under .sandbox/).
run: build
	./scripts/run.sh

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...

proto:
	./scripts/genproto.sh

# Run every fuzz target for FUZZTIME each (default 60s), minimising a
# failing input for at most FUZZMINIMIZETIME.
FUZZTIME ?= 60s
FUZZMINIMIZETIME ?= 5s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME) $(FUZZMINIMIZETIME)

clean:
	rm -rf $(BIN)

# keeper — build, test and run targets. See README.md.
GO        ?= go
BIN       ?= bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
LDFLAGS   := -s -w -X github.com/keeper-go/keeper/internal/version.Version=$(VERSION)

.PHONY: all build test vet crossvet dist docs run bench proto fuzz clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/keeper ./cmd/keeper
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/keeper-sandbox ./cmd/keeper-sandbox

# Release targets (make dist) and the platforms vetted by make test.
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

vet: crossvet
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'); echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...

# Every other platform of make dist must at least compile and vet: Windows
# admins run the seed's `for /f` loops, macOS admins the shell loops.
crossvet:
	@for p in windows/amd64 darwin/arm64; do \
		echo "go vet ($$p)"; GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) vet ./... || exit 1; \
	done

test: vet
	$(GO) test -count=1 ./...

# Static release binaries for every platform, version stamped, into dist/.
dist:
	@for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		for cmd in keeper keeper-sandbox; do \
			echo "dist/$$os-$$arch/$$cmd$$ext"; \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' \
				-o dist/$$os-$$arch/$$cmd$$ext ./cmd/$$cmd || exit 1; \
		done; \
	done

# docs/commands.md, generated from the command registry (make test checks it).
docs:
	$(GO) test ./internal/app -run TestCommandReference -update

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
	rm -rf $(BIN) dist

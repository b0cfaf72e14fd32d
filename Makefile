# kamgen: make run starts the example server; make test runs every test.
GO ?= go
PKGS := ./...

.PHONY: run test vet fmt-check gen gen-check bench

## run: the Markov chat (on the console until the TCP server exists; see README).
run:
	$(GO) run ./examples/markov -console

## test: vet, formatting, generated files fresh, every test with the race detector.
test: vet fmt-check gen-check
	$(GO) test -race -count=1 -timeout 8m $(PKGS)

## gen-check: fail when a generated file is stale (kamgen -check).
gen-check:
	$(GO) run ./cmd/kamgen -check $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## gen: regenerate every generated file.
gen:
	$(GO) generate $(PKGS)

## bench: runtime and generator benchmarks (figures go to docs/benchmarks.md).
bench:
	$(GO) test -run '^$$' -bench Pipeline -benchtime 2000000x -count 5 ./runtime/axon
	$(GO) test -run '^$$' -bench BenchmarkIdleComponent -benchtime 100000x -count 3 ./runtime/axon
	$(GO) test -run '^$$' -bench . -benchtime 20x ./internal/genbench

# kamgen: make run starts the example server; make test runs every test.
GO ?= go
PKGS := ./...

.PHONY: run test deps vet fmt-check gen gen-check bench soak

## run: the Markov chat server on 127.0.0.1:1500, in memory.
run:
	$(GO) run ./examples/markov

## test: vet, formatting, generated files fresh, every test with the race detector.
test: deps vet fmt-check gen-check
	$(GO) test -race -count=1 -timeout 8m $(PKGS)
	@echo "the network components again, on the portable Selector:"
	KAMGEN_POLLER=portable $(GO) test -race -count=1 -timeout 4m ./runtime/internet ./runtime/chassis ./runtime/metrics

## deps: the programs the tests use (Graphviz's dot, redis-server, Chromium
## for the live picture's browser test), installed with apt-get when missing.
deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server for the Markov store tests"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q redis-server >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null)); \
	  else echo "redis-server is missing: install it (apt-get install redis-server)"; exit 1; fi; }
	@command -v dot >/dev/null 2>&1 || { \
	  echo "installing graphviz (dot) for the picture tests"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q graphviz >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q graphviz >/dev/null)); \
	  else echo "dot is missing: install Graphviz (apt-get install graphviz)"; exit 1; fi; }
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || { \
	  echo "installing chromium for the live picture's browser test"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); \
	  else echo "chromium is missing: install it (apt-get install chromium)"; exit 1; fi; }

## gen-check: fail when a generated file is stale (kamgen -check).
gen-check:
	$(GO) run ./cmd/kamgen -check $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' ':!:testdata/err_syntax*/*' ':!:testdata/err_no_package/*' 2>/dev/null || find . -name '*.go' -not -path './testdata/err_syntax*' -not -path './testdata/err_no_package/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## gen: regenerate every generated file, the reference pages and the pictures.
gen:
	$(GO) generate $(PKGS)
	$(GO) run ./cmd/kamgen -doc docs/reference ./runtime/chassis ./runtime/internet ./runtime/util ./runtime/redisbridge
	$(GO) test ./runtime/chassis -run TestMarkovPicture -write-graphs
	$(GO) test ./examples/markov -run TestMarkovPicture -write-graph
	$(GO) test ./examples/markov -run TestLivePictureUnderLoad -write-live-picture

## bench: runtime and generator benchmarks (figures go to docs/benchmarks.md).
bench:
	$(GO) test -run '^$$' -bench Pipeline -benchtime 2000000x -count 5 ./runtime/axon
	$(GO) test -run '^$$' -bench BenchmarkIdleComponent -benchtime 100000x -count 3 ./runtime/axon
	$(GO) test -run '^$$' -bench . -benchtime 20x ./internal/genbench
	$(GO) test -run '^$$' -bench 'Lines|Prefixed' -count 3 ./runtime/framing
	@echo "a backplane's fan-out to 1, 100 and 10,000 subscribers against channels and a goroutine each:"
	$(GO) test -run '^$$' -bench 'FanOut/.*/subs=(1|100)$$' -benchtime 500000x -count 5 ./runtime/util
	$(GO) test -run '^$$' -bench 'FanOut/.*/subs=10000$$' -benchtime 5000x -count 5 ./runtime/util
	@echo "the echo example against stdecho and gnetecho (../shared/bench), about 10 minutes:"
	./scripts/bench-net.sh 3
	@echo "what the runtime's metrics cost: the echo server with them off and on, interleaved, in one run (p2), about 3 minutes:"
	./scripts/bench-metrics.sh 8
	$(GO) test -run '^$$' -bench Pipeline -benchtime 1000000x -count 5 ./runtime/metrics
	@echo "what 1,000 clients that send and never read cost an echo server (the byte budget):"
	$(GO) test -run TestNonReadingClientsStayWithinTheBudget -count=1 -v ./runtime/chassis | grep -E 'never read|^(ok|FAIL|---)'
	@echo "a mass close of 19,000 connections and a churn of 40,000, examples/echo against stdecho, about 3 minutes:"
	./scripts/bench-conns.sh 3
	@echo "examples/resp against its plain Go twin and redis-server (redis-benchmark), about 6 minutes:"
	./scripts/bench-resp.sh 3
	@echo "examples/chat against its plain Go twin, 1,000 clients saying a line a second each, about 3 minutes:"
	./scripts/bench-chat.sh 3
	@echo "the live picture's cost: echo latency at 10,000 connections without and with snapshots every second, about 2 minutes:"
	./scripts/bench-introspect.sh 3

## soak: ten minutes (SOAK_DURATION) of mixed load on examples/echo (plain
## and TLS) and examples/markov through the chaos proxy; fails on errors,
## descriptors or threads left over, or RSS that keeps growing. Not in test.
soak:
	$(GO) test -tags soak -run TestSoak -count=1 -timeout 30m -v ./internal/soak

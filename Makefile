# mpbench — see README.md. Two commands on a fresh machine: `make bench`, `make test`.
GO      ?= go
BIN     := bin/mpbench
HOST    := $(shell hostname -s 2>/dev/null || hostname)
RUN     ?= results/$(HOST)-$(shell date -u +%Y-%m-%d)
# The folder `make report` regenerates: RUN=… when given on the command line
# or in the environment, else the newest results/*/raw.bench.
ifeq ($(origin RUN),file)
LATEST  ?= $(patsubst %/raw.bench,%,$(lastword $(shell ls -1tr results/*/raw.bench 2>/dev/null)))
else
LATEST  ?= $(RUN)
endif

# The published run README.md and plots/ show (results/README.md says so too).
PUBLISHED := results/vm-2026-12-06
HEADLINE  := key-findings startup-latency-cores2 startup-rss-cpython-cores2 stream-throughput-cpython-cores2 \
             stream-throughput-native-cores2 cores-pingpong-cpython pool-cpu-cpython-cores2 \
             fork-in-the-road-cpython-cores2

.PHONY: setup build test fuzz quick bench users publish reports claims advise verify report figures dimension clean bench-slurm

# Everything a fresh machine needs (idempotent): Go modules, pypy3 and
# python3-torch from Debian when they can be had.
setup:
	bash scripts/setup
	$(GO) mod download

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo devel)
build:
	$(GO) build -ldflags "-X github.com/mpbench/mpbench/harness.buildVersion=$(VERSION)" -o $(BIN) ./cmd/mpbench

test: build
	test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -race -short -timeout 10m ./harness/ ./bench/

# A few seconds of each fuzz target (the seed corpus lives in testdata/fuzz).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseSize -fuzztime 20s ./bench/
	$(GO) test -run '^$$' -fuzz FuzzParseName -fuzztime 20s ./bench/
	$(GO) test -run '^$$' -fuzz FuzzParseOutput -fuzztime 20s ./harness/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 20s ./harness/rawbench/

# The two-minute taste: every impl, method, chan and workload at least once.
# The previous quick run is kept as results/quick.prev. The run ends with
# the leak check (README: What is cleaned up; exit 1 on a leak when CI is set).
quick: setup build
	rm -rf results/quick.prev; if [ -d results/quick ]; then mv results/quick results/quick.prev; fi
	$(BIN) run --profile quick --out results/quick
	$(BIN) report results/quick

# The main job: the full matrix, resumed if RUN already holds part of it.
# Then the CPython versions and the multiprocessing libraries (--profile
# variants) into RUN-variants, and the children users write (--profile
# users: memory per worker, numpy and object payloads, heavy main modules,
# many-to-one, pool life-cycle) into RUN-users, likewise resumed.
bench: setup build
	if [ -s $(RUN)/raw.bench ]; then $(BIN) run --resume --out $(RUN); \
	else $(BIN) run --profile full --out $(RUN); fi
	$(BIN) report $(RUN)
	if [ -s $(RUN)-variants/raw.bench ]; then $(BIN) run --resume --out $(RUN)-variants; \
	else $(BIN) run --profile variants --out $(RUN)-variants; fi
	$(BIN) report $(RUN)-variants
	$(MAKE) users USERS=$(RUN)-users

# The children users write (--profile users) into USERS, resumed if USERS
# already holds part of it.
USERS ?= results/users-$(HOST)-$(shell date -u +%Y-%m-%d)
users: setup build
	if [ -s $(USERS)/raw.bench ]; then $(BIN) run --resume --out $(USERS); \
	else $(BIN) run --profile users --out $(USERS); fi
	$(BIN) report $(USERS)

# The published run (docs/results.md: Reproducing the published results):
# from a clean commit, two full runs back to back (RUN and RUN-rerun, each
# resumed if interrupted), then the variants into RUN-variants, the claims
# into RUN (C14 reads RUN-variants, C12 quotes GPU_CLAIMS), the reports, and
# the rerun compared with the run (the calibration of the intervals,
# RUN-rerun/compare.txt). Then set PUBLISHED to RUN and run `make figures`.
GPU_CLAIMS ?= results/gpu-h200-claims
publish: setup build
	@test -z "$$(git status --porcelain --untracked-files=no)" || { echo "make publish: commit first (a published run comes from a clean commit)"; exit 2; }
	for d in $(RUN) $(RUN)-rerun; do \
	  if [ -s $$d/raw.bench ]; then $(BIN) run --resume --out $$d || exit 1; \
	  else $(BIN) run --profile full --out $$d || exit 1; fi; done
	if [ -s $(RUN)-variants/raw.bench ]; then $(BIN) run --resume --out $(RUN)-variants; \
	else $(BIN) run --profile variants --out $(RUN)-variants; fi
	$(BIN) claims --out $(RUN) --variants $(RUN)-variants --gpu $(GPU_CLAIMS)
	$(BIN) report $(RUN)-variants
	$(BIN) report $(RUN)
	$(BIN) report $(RUN)-rerun
	$(BIN) compare $(RUN) $(RUN)-rerun > $(RUN)-rerun/compare.txt

# The guide's claims C1–C14, measured into the same run folder (CLAIMS.md).
claims: setup build
	$(BIN) claims --out $(RUN) $(if $(wildcard $(RUN)-variants/raw.bench),--variants $(RUN)-variants) $(if $(wildcard $(GPU_CLAIMS)/claims.bench),--gpu $(GPU_CLAIMS))
	$(BIN) report $(RUN)

# The decision guide measured on this machine within a time budget (README:
# Your machine's answer), e.g. make advise ADVISE_ARGS="--rss 300MiB --out DIR".
ADVISE_ARGS ?=
advise: build
	$(BIN) advise $(ADVISE_ARGS)

# The published guide checked on this machine (ARTIFACT.md): the decision
# cells measured as `make advise` measures them, within VERIFY_BUDGET, and
# each question's answer compared with $(PUBLISHED)'s, item by item.
VERIFY_BUDGET ?= 15m
verify: build
	$(BIN) verify --against $(PUBLISHED) --time-budget $(VERIFY_BUDGET)

report: build
	@test -n "$(LATEST)" || { echo "no results/*/raw.bench to report on"; exit 2; }
	$(BIN) report $(LATEST)

# Every committed run's report regenerated from its samples (each a pure
# function of raw.bench and claims.bench), the hosts report and the
# dimensioning page, then the figures below. `go test ./harness/report`
# fails when a committed report drifts from what this produces.
reports: build
	for d in $$(ls -d results/*/ | sed 's:/$$::'); do \
	  case $$d in *dimension-*|*/hosts-*) continue;; esac; \
	  if [ -s $$d/raw.bench ]; then $(BIN) report $$d || exit 1; \
	  elif [ -s $$d/claims.bench ]; then $(BIN) claims --render --out $$d || exit 1; fi; done
	for d in results/dimension-*/; do $(BIN) report $${d%/} && $(BIN) dimension --readme README.md $${d%/} || exit 1; done
	$(BIN) report --out results/hosts-2026-11-26 results/vm-2026-11-26 results/h200-16vcpu-2026-11-26-*
	$(MAKE) figures

# plots/: the headline figures of the published run (checked by go test
# ./harness/report); ARTIFACT.md, its artifact appendix (checked by go test
# ./harness/artifact).
figures: build
	$(BIN) report --readme README.md --results-readme results/README.md --artifact ARTIFACT.md $(PUBLISHED)
	for f in $(HEADLINE); do cp $(PUBLISHED)/plots/$$f.png $(PUBLISHED)/plots/$$f.svg plots/; done

# The dimensioning experiment (README: "How many runs, samples and how long a
# sample"): the dimension profile into DIM, resumed if DIM already holds part
# of it; then its REPORT.md, docs/dimensioning.md and the README's block.
DIM ?= results/dimension-$(HOST)-$(shell date -u +%Y-%m-%d)
dimension: setup build
	if [ -s $(DIM)/raw.bench ]; then $(BIN) run --resume --out $(DIM); \
	else $(BIN) run --profile dimension --out $(DIM); fi
	$(BIN) report $(DIM)
	$(BIN) dimension --readme README.md $(DIM)

clean:
	rm -rf bin

# The matrix as a Slurm job array (README: Running on a cluster): SHARDS tasks,
# each one shard on an exclusive node, into results/slurm-<job id>/shard-K-of-N/.
SHARDS  ?= 4
PROFILE ?= full
bench-slurm: build
	@command -v sbatch >/dev/null || { echo "sbatch not found: run on a Slurm login node (or: sudo scripts/slurm/local-cluster start; eval \$$(scripts/slurm/local-cluster env))"; exit 2; }
	@jid=$$(sbatch --parsable --array=1-$(SHARDS) scripts/slurm/mpbench.sbatch --profile $(PROFILE) $(SLURM_ARGS)) || exit 1; \
	jid=$${jid%%;*}; \
	echo "submitted array job $$jid: $(SHARDS) shards of --profile $(PROFILE) $(SLURM_ARGS)"; \
	echo "  results: results/slurm-$$jid/shard-K-of-$(SHARDS)/raw.bench, logs: slurm-mpbench-$${jid}_K.out"; \
	echo "  watch:   squeue -j $$jid    (or: tail -f slurm-mpbench-$${jid}_*.out)"; \
	echo "  merge:   $(BIN) report --out results/slurm-$$jid results/slurm-$$jid/shard-*"

# briefing: every target sets up .venv (and checks system packages) when it is missing.
# CLIENT and THEME are read as "$$CLIENT" in recipes (make exports command-line variables), so the
# shell never interprets them; the CLI then checks that CLIENT is a plain slug. Make itself would
# still expand a `$(shell ...)` inside a command-line value when it exports it, so each such
# variable is first set to its unexpanded text (`$(value ...)`, a simple variable: never expanded).
# Each recipe `exec`s the CLI, so the SIGTERM make passes on reaches it, not only a shell.
USER_VARIABLES := CLIENT THEME EDITION FORCE JOBS ARGS BY PORT
$(foreach v,$(USER_VARIABLES),$(if $(filter command line environment,$(origin $v)),\
  $(eval override $v := $$(value $v))$(eval export $v)))
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The preview's LibreOffice helper (briefing/preview/office_helper.py): Debian's python3-uno imports
# only under the system python, so it runs from a venv of /usr/bin/python3 that sees the system's
# packages. It needs nothing from PyPI (no unoserver: it listens on TCP without authentication).
UNO_VENV  := .venv-uno
UNO_STAMP := $(UNO_VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup briefing email all check-data data-status test lint check bench clean schemas i18n status approve mutation-check tailoring deck-fill accessibility preview qa-briefs

help:  ## list the targets
	@echo "make briefing CLIENT=<id> [THEME=<name>] [EDITION=zh-CN] [FORCE=1]  build out/<id>/ (each edition)"
	@echo "make approve CLIENT=<id> [BY=<name>]      record that the current build was reviewed"
	@echo "make email CLIENT=<id> [ARGS=--dry-run]   e-mail the built PDF and deck to the client"
	@echo "make status                               per client: built, up to date, approved, last sent"
	@echo "make all [JOBS=n] [FORCE=1]               build every client in parallel (skips up-to-date ones)"
	@echo "make check-data                           validate data/ without building"
	@echo "make data-status [ARGS=--strict]          per platform: newest figure, its age, dated ones"
	@echo "make preview CLIENT=<id> [THEME=<name>] [EDITION=zh-CN]  live preview of every output in the browser"
	@echo "make test [TEST_JOBS=n]                   run the test suite (a worker per core)"
	@echo "make check                                lint + tests"
	@echo "make bench                                print build benchmarks"
	@echo "make tailoring                            how much sample briefings read alike (targets 0.25 / 0.50)"
	@echo "make deck-fill [ARGS=--all]               per deck: least-filled slide and overflow, via LibreOffice"
	@echo "make accessibility                        every sample PDF through avalpdf (the independent checker)"
	@echo "make qa-briefs [N=60] [SEED=1] [JOBS=1]   build N generated briefs; pass rate of every invariant"
	@echo "make mutation-check                       prove the safety tests fail without their guards"
	@echo "make i18n                                 extract template text, update the zh_CN catalog"
	@echo "make clean                                remove out/ and caches (never state/)"

$(STAMP): pyproject.toml scripts/system-deps
	@scripts/system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing briefing and its dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

briefing: $(STAMP)
	@if [ -z "$$CLIENT" ]; then $(BIN)/briefing list; echo "usage: make briefing CLIENT=<id>"; exit 2; fi
	@exec $(BIN)/briefing build "$$CLIENT" $${THEME:+--theme "$$THEME"} $${EDITION:+--lang "$$EDITION"} $${FORCE:+--force}

all: $(STAMP)
	@exec $(BIN)/briefing build --all $${JOBS:+-j "$$JOBS"} $${FORCE:+--force}

email: $(STAMP)
	@if [ -z "$$CLIENT" ]; then echo "usage: make email CLIENT=<id> [ARGS=--dry-run]"; exit 2; fi
	@exec $(BIN)/briefing email "$$CLIENT" $$ARGS

approve: $(STAMP)
	@if [ -z "$$CLIENT" ]; then echo "usage: make approve CLIENT=<id> [BY=<name>]"; exit 2; fi
	@exec $(BIN)/briefing approve "$$CLIENT" $${BY:+--by "$$BY"}

status: $(STAMP)
	@exec $(BIN)/briefing status

check-data: $(STAMP)
	@exec $(BIN)/briefing check

data-status: $(STAMP)  ## how current the figures are (ARGS=--strict to fail on dated ones)
	@exec $(BIN)/briefing data status $$ARGS

# One test worker per core (TEST_JOBS=0: no workers); LibreOffice's tests share one worker
# (their xdist_group), the rest are spread as workers free up.
TEST_JOBS ?= auto
test: $(STAMP)
	@$(MAKE) -s $(UNO_STAMP) || echo "(no LibreOffice helper for the preview: its deck tests are skipped)"
	@$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadgroup --durations=15

$(UNO_STAMP):
	@scripts/system-deps libreoffice-impress python3-uno
	@test -x $(UNO_VENV)/bin/python || /usr/bin/python3 -m venv --system-site-packages $(UNO_VENV)
	@$(UNO_VENV)/bin/python -c "import uno" || { echo "python3-uno does not import under /usr/bin/python3" >&2; exit 1; }
	@touch $(UNO_STAMP)

$(UNO_VENV): $(UNO_STAMP)  ## `make .venv-uno`: the preview's LibreOffice helper only

preview: $(STAMP) $(UNO_STAMP)  ## live preview: make preview CLIENT=<id> [THEME=<name>] [EDITION=zh-CN] [PORT=8800]
	@if [ -z "$$CLIENT" ]; then $(BIN)/briefing list; echo "usage: make preview CLIENT=<id> [THEME=<name>] [EDITION=zh-CN]"; exit 2; fi
	@exec $(BIN)/briefing preview "$$CLIENT" $${THEME:+--theme "$$THEME"} $${EDITION:+--lang "$$EDITION"} $${PORT:+--port "$$PORT"}

lint: $(STAMP)
	@$(BIN)/ruff check briefing tests bench scripts/mutation-check scripts/tailoring scripts/deck-fill scripts/accessibility \
		scripts/freeze-test-data
	@$(BIN)/ruff format --check briefing tests bench scripts/mutation-check scripts/tailoring scripts/accessibility \
		scripts/deck-fill scripts/freeze-test-data
	@$(BIN)/mypy
	@$(BIN)/lint-imports --no-cache --no-logo
	@$(BIN)/python scripts/mutation-check --check

check: lint test

bench: $(STAMP)  ## print the build figures (cold build, floor, batch speed-up, no-op, memory)
	@$(BIN)/python bench/bench.py

tailoring: $(STAMP)  ## how much sample briefings read alike (shared sentences, masked)
	@$(BIN)/python scripts/tailoring

accessibility: $(STAMP)  ## every sample PDF through avalpdf; fails on any issue or warning
	@$(BIN)/briefing -q build --all
	@$(BIN)/python scripts/accessibility

deck-fill: $(STAMP)  ## fill and overflow of every built deck, on LibreOffice's rendering
	@set -- out/*/*-deck.pptx; if [ ! -e "$$1" ]; then echo "no decks in out/: run make all first"; exit 2; fi; \
		$(BIN)/python scripts/deck-fill $$ARGS "$$@"

# ONLY=i rebuilds brief i of the run into out/qa/<id>/ (the command each failure prints).
qa-briefs: $(STAMP)  ## generated briefs in temp roots: make qa-briefs [N=60] [SEED=1] [ONLY=i] [DATE=YYYY-MM-DD] [JOBS=n]
	@$(BIN)/python -m briefing.qa -n "$${N:-60}" --seed "$${SEED:-1}" $${DATE:+--date "$$DATE"} \
		$${JOBS:+-j "$$JOBS"} $${ONLY:+--only "$$ONLY" --out out/qa}

mutation-check: $(STAMP)  ## remove each safety guard in a temp copy; its test must go red
	@$(BIN)/python scripts/mutation-check

clean:  ## remove generated files; state/ (send ledger, locks) is kept on purpose
	rm -rf out .cache .pytest_cache .ruff_cache .mypy_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

LOCALE := templates/default/locale
# Two catalogs per language: deck.po (the slides' text) and messages.po (report, e-mail, code).
i18n: $(STAMP)  ## extract translatable text (.pot); update each language's catalogs
	@$(BIN)/pybabel --quiet extract -F babel.cfg --no-location --sort-output --omit-header -o $(LOCALE)/deck.pot templates/default/deck.yaml.j2
	@$(BIN)/pybabel --quiet extract -F babel.cfg --no-location --sort-output --omit-header -o $(LOCALE)/messages.pot briefing templates/default/report.html.j2 templates/default/email.txt.j2 templates/default/email.html.j2
	@for lang in zh_CN; do for domain in deck messages; do \
	  if [ -f $(LOCALE)/$$lang/LC_MESSAGES/$$domain.po ]; then \
	    $(BIN)/pybabel --quiet update --no-fuzzy-matching --ignore-obsolete -D $$domain -i $(LOCALE)/$$domain.pot -d $(LOCALE) -l $$lang; \
	  else $(BIN)/pybabel --quiet init -D $$domain -i $(LOCALE)/$$domain.pot -d $(LOCALE) -l $$lang; fi; \
	done; done

schemas: $(STAMP)  ## regenerate schemas/*.schema.json, docs/templates.md and docs/industries.md from the models
	@$(BIN)/briefing schemas

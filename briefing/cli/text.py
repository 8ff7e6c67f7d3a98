"""What `briefing --help` and each command's `--help` say, written for the account manager who
runs them: what the command does, then an example. Kept apart from cli.py so that the parser
reads as the list of options, and so that this prose can be edited without touching code."""

from __future__ import annotations

import argparse
import textwrap
from typing import NamedTuple


class Help(NamedTuple):
    summary: str  # one line, in the list of commands of `briefing --help`
    description: str  # what it does and what it writes, in a few sentences
    examples: str  # command lines to copy, each with a comment saying what it does


PROGRAM = Help(
    "",
    "Make a client's branded PDF briefing and PowerPoint deck from the agency's knowledge of "
    "Chinese social media (data/) and the client's profile (data/clients/<client>.yaml), "
    "review them, and e-mail them. Each command has its own help: briefing build --help.",
    "  briefing list                         # which clients there are\n"
    "  briefing build maison-aurele          # the PDF and deck in out/maison-aurele/\n"
    "  briefing approve maison-aurele --by 'Lin Wei'   # after reading both\n"
    "  briefing email maison-aurele          # send them to the client",
)

EXIT_CODES = """\
exit codes:
  0  done
  1  failed: a problem in data/ or a theme, a render or a send that failed
  2  typed wrong: an unknown command or option, client or file
  3  not ready yet: not built (or built from older data), not approved, or
     already sent"""

COMMANDS: dict[str, Help] = {
    "build": Help(
        "build out/<client>/ (PDF briefing and PPTX deck)",
        "Build the client's PDF briefing and PowerPoint deck into out/<client>/, one pair per "
        "language edition. Nothing is written unless every file renders, and a client whose "
        "data, theme and templates have not changed since the last build is left alone.",
        "  briefing build maison-aurele                  # out/maison-aurele/\n"
        "  briefing build maison-aurele --lang zh-CN     # only the Chinese edition\n"
        "  briefing build maison-aurele --theme meridian # a pitch, in another folder\n"
        "  briefing build --all                          # every client, in parallel",
    ),
    "email": Help(
        "e-mail the built PDF and deck to the client",
        "Send the client's built PDF and deck to the recipients in data/clients/<client>.yaml, "
        "one message per language edition. It refuses (exit 3) a build older than the data, "
        "an edition nobody approved, and a briefing already sent; --dry-run writes the message "
        "to out/<client>/ instead of sending it.",
        "  briefing email maison-aurele --dry-run   # only write the .eml, to read\n"
        "  briefing email maison-aurele             # send it",
    ),
    "industry": Help(
        "start a new industry playbook (data/industries/)",
        "Industry playbooks: which platforms fit an industry and the tactics for each stage.",
        "  briefing industry new beauty",
    ),
    "industry new": Help(
        "scaffold data/industries/<name>.yaml, every field explained",
        "Write data/industries/<name>.yaml with every field explained (docs/industries.md), a "
        "fit line for every active platform and one tactic per funnel stage to fill in.",
        "  briefing industry new beauty   # then fill it in and run: briefing check",
    ),
    "theme": Help(
        "create, import or check a theme (templates/<name>/)",
        "Themes: a brand's colours, fonts, logos, PowerPoint master and templates, in "
        "templates/<name>/. A client uses the theme named in its data file.",
        "  briefing theme new pitch-blue\n  briefing theme check pitch-blue",
    ),
    "theme new": Help(
        "scaffold templates/<name>/ that changes nothing until edited",
        "Create templates/<name>/ with theme.yaml (every setting explained), an empty "
        "report.css and a report.html.j2 that extends the parent theme: nothing changes until "
        "you edit them.",
        "  briefing theme new pitch-blue                      # based on 'default'\n"
        "  briefing theme new acme-dark --extends acme        # based on the acme theme",
    ),
    "theme import": Help(
        "make a theme from the client's PowerPoint template (.pptx or .potx)",
        "Make a theme from the client's own PowerPoint template: its master and layouts, its "
        "colours and fonts, and which layout each kind of slide uses. What was taken and what "
        "to check is written to templates/<name>/import-report.txt.",
        "  briefing theme import ~/Downloads/acme-template.potx acme\n  briefing theme check acme",
    ),
    "theme check": Help(
        "check a theme without building: tokens, logos, fonts, master, templates",
        "Check a theme without building anything: its colours and fonts, logos, the master's "
        "layouts, and every template rendered for a sample client. Every problem is listed "
        "with its file and line.",
        "  briefing theme check pitch-blue\n"
        "  briefing theme check acme --client maison-aurele   # render for this client",
    ),
    "data": Help(
        "the figures: how current they are, spreadsheet import",
        "The platform figures in data/platforms/: how current they are, and adding new ones "
        "from a spreadsheet.",
        "  briefing data status\n  briefing data import figures.csv --dry-run",
    ),
    "data status": Help(
        "per platform: newest figure and its age, dated figures, missing URLs",
        "A table of the platforms: the newest figure and its age, figures older than the "
        "freshness limit (BRIEFING_STALE_MONTHS), figures without a source URL.",
        "  briefing data status            # look\n"
        "  briefing data status --strict   # exit 1 when any figure is dated (for CI)",
    ),
    "data import": Help(
        "add or replace figures from a CSV file",
        "Add or replace platform figures from a CSV file, e.g. exported from a spreadsheet, "
        "with the columns platform, metric, value, unit, as_of, source, url, confidence. "
        "Comments and order in data/platforms/ are kept.",
        "  briefing data import figures.csv --dry-run   # show the changes, write nothing\n"
        "  briefing data import figures.csv             # write them",
    ),
    "preview": Help(
        "show the PDF pages and deck slides in the browser, rebuilt on every save",
        "Show the client's PDF pages and deck slides in the browser, refreshed each time a "
        "file in data/, templates/ or assets/ is saved. It writes nothing to out/ or state/.",
        "  briefing preview maison-aurele                   # open http://127.0.0.1:8800\n"
        "  briefing preview maison-aurele --theme meridian  # another brand",
    ),
    "approve": Help(
        "record that the client's current build is reviewed and may be sent",
        "Record that you have read the client's current PDF and deck and that they may be "
        "sent. The approval covers these very files: a rebuild that changes them needs a new "
        "one. It refuses (exit 3) a build that is missing or older than the data.",
        "  briefing approve maison-aurele --by 'Lin Wei' --note 'figures checked'",
    ),
    "diff": Help(
        "what changed since the client's last sent briefing",
        "What changed between the briefing last sent to the client and the one the data makes "
        "now: platforms, figures, recommendations. Exit 3 when nothing was sent yet.",
        "  briefing diff maison-aurele\n"
        "  briefing diff maison-aurele --since 2026-10-01   # the one sent by then",
    ),
    "status": Help(
        "per client: built, up to date, dated figures, approved, last sent",
        "A table of every client and edition: built or not, up to date with the data, how "
        "many figures are dated, who approved it, when it was last sent.",
        "  briefing status",
    ),
    "check": Help(
        "validate data/ and report every problem",
        "Check everything in data/ without building: every problem at once, each with its "
        "file, line and field, and what was expected.",
        "  briefing check\n  briefing check --lang zh-CN   # the Chinese translations too",
    ),
    "schemas": Help(
        "write schemas/*.schema.json and the template and industry references in docs/",
        "Write schemas/*.schema.json (so YAML editors check data files as you type), "
        "docs/templates.md and docs/industries.md, from the tool's own definitions.",
        "  briefing schemas",
    ),
    "list": Help(
        "list the clients",
        "List the clients: their id (the name to give other commands), name and industry.",
        "  briefing list",
    ),
}


class Formatter(argparse.HelpFormatter):
    """Prose wrapped to the terminal's width; indented lines (examples, the exit codes) kept
    as written, so that a command line is never broken in two."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            if line.startswith(" ") or not line:
                lines.append(indent + line)
            else:
                lines += textwrap.wrap(line, width, initial_indent=indent, subsequent_indent=indent)
        return "\n".join(lines)


def epilog(examples: str) -> str:
    """The text under the options: examples first, then the exit codes every command shares."""
    return f"example{'s' if examples.count(chr(10)) else ''}:\n{examples}\n\n{EXIT_CODES}"

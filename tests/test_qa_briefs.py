"""The CI subset of `make qa-briefs`: 12 generated briefs (fixed seed) over the frozen sample,
every invariant that needs no LibreOffice (the deck's LibreOffice check runs in `make
qa-briefs`).

Each invariant must fail on exactly the briefs KNOWN lists for it (issue 27's open defects,
fixed on other branches): a fix turns the test red until its entry is removed, and any new
failure (a regression) turns it red at once. Nothing is skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.qa import CHECKS, cells, rates, render, run
from briefing.qa.invariants import BUILD_CHECKS, NEEDS_LIBREOFFICE, Edition, Outputs, list_joins
from briefing.qa.report import MAX_REFUSED, refused_share

from .conftest import TODAY, copy_project

# One worker runs this module (its module fixture builds twelve generated briefs):
# a module fixture is made once per worker that runs a test of it.
pytestmark = pytest.mark.xdist_group("qa-briefs")

SEED = 27
COUNT = 12
# Known failures on main (issue 27), by invariant: the briefs (seed:index) they fail on.
KNOWN: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def qa_run(tmp_path_factory: pytest.TempPathFactory):
    root = copy_project(tmp_path_factory.mktemp("qa") / "project", clients=[])
    result = run(root, SEED, COUNT, TODAY, jobs=2, deck_lo=False)
    print(render(result))  # shown by pytest on failure: every problem and its rebuild command
    return result


@pytest.mark.parametrize(
    "name", [n for n in (*BUILD_CHECKS, *CHECKS) if n not in NEEDS_LIBREOFFICE]
)
def test_invariant(qa_run, name: str) -> None:
    _, ran = rates(qa_run)[name]
    failing = {f"{r.seed}:{r.index}": r for r in qa_run.results if r.checks.get(name)}
    known = KNOWN.get(name, set())
    assert ran > 0, f"{name} ran on no brief"
    new = [
        f"{key} {r.cell}: {(r.checks[name] or [''])[0]}"
        for key, r in failing.items()
        if key not in known
    ]
    assert not new, f"{name} fails on new briefs:\n" + "\n".join(new)
    fixed = sorted(known - set(failing))
    assert not fixed, f"{name} now passes on {fixed}: remove them from KNOWN"


def test_refusals_and_coverage(qa_run) -> None:
    assert refused_share(qa_run) <= MAX_REFUSED
    touched = {r.cell for r in qa_run.results}
    assert len(touched) == COUNT  # dealt round-robin: every brief its own cell
    assert all(r.seconds > 0 for r in qa_run.results)


def test_generator_is_reproducible(tmp_path: Path) -> None:
    """The same seed and index give the same brief; the cells cover every supported route."""
    from briefing.qa.run import make_generator

    root = copy_project(tmp_path / "project", clients=[])
    one, two = make_generator(root, TODAY), make_generator(root, TODAY)
    assert one.brief(5, 3).client == two.brief(5, 3).client
    assert one.brief(5, 3).client != one.brief(5, 4).client
    for cell in cells(one.kb.industries):  # only routes the playbook's tactics name
        industry = one.kb.industries[cell.industry]
        tactics = [*industry.tactics, *(t for s in industry.segments for t in s.tactics)]
        assert cell.route is None or any(cell.route in t.routes for t in tactics)


def _outputs(text: str, cells: tuple[str, ...] = ()) -> Outputs:
    from types import SimpleNamespace

    from briefing.project.model import Client
    from briefing.project.playbook import Industry

    client = Client.model_validate(
        {
            "name": "Acme",
            "industry": "fmcg",
            "contact": {"name": "A", "email": "a@example.com"},
            "cities": ["Hangzhou", "Chengdu", "Xiamen"],
        }
    )
    industry = Industry.model_construct(name="FMCG, food and beverage", segments=[], tactics=[])
    names = ["Xiaohongshu (RedNote)", "JD.com", "Kuaishou", "WeChat Channels", "WeChat", "WeCom"]
    names += ["Douyin", "Autohome", "Bilibili", "QQ", "Meituan and Dianping"]
    platforms = {n: SimpleNamespace(name=n) for n in names}
    edition = Edition("en", {}, [text], [], [], [], [], cells=list(cells))
    return Outputs(client, industry, platforms, [edition])


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("in Hangzhou, Chengdu, Xiamen, with", True),
        ("in Hangzhou, Chengdu and Xiamen, with", False),
        ("in Hangzhou, Chengdu, and Xiamen.", False),
        ("Hangzhou and Chengdu and Xiamen", True),
        # a longer name is never read as a shorter one and a stray word (27:0, 1:2, 1:11)
        ("Then Xiaohongshu (RedNote), JD.com, Kuaishou, WeChat Channels and WeCom, as", False),
        ("Then WeChat, Kuaishou, Xiaohongshu (RedNote) and WeCom, as", False),
        # a list may end in "and" + words that are not a name (27:1, 1:1)
        ("Autohome, Douyin, JD.com and two others score highest", False),
        ("Monitor Xiaohongshu, Douyin, WeChat and Weibo daily", False),
        ("Then Xiaohongshu (RedNote), JD.com, Kuaishou, as", True),
    ],
)
def test_list_joins_sees_a_list_without_and(text: str, bad: bool) -> None:
    assert bool(list_joins(_outputs(text))) is bad


def test_a_table_cell_is_a_list_by_layout() -> None:
    """The goals table's platforms column (27:4, 1:5, 1:6, 1:12): a cell of names alone."""
    text = "2,994 leads Bilibili, Douyin, QQ, Meituan and Dianping client: sales team"
    assert list_joins(_outputs(text))
    assert not list_joins(_outputs(text, ("Bilibili, Douyin, QQ, Meituan and Dianping",)))


def test_a_continued_table_never_ends_with_one_row() -> None:
    """The deck's fitter (found by lone-rows: a risk table's '(3 of 3)' slide with one row)."""
    from briefing.render.deck_pages import balanced

    pages = balanced(list(range(7)), [3.0] * 7, 9.0)
    assert [len(p) for p in pages] == [3, 2, 2]  # as few slides, earlier ones fuller
    # seed 27:11's zh-CN risks (row heights in pt, room on a slide): was 6, 2 and 1 rows
    risks = [39.0, 39.0, 55.0, 39.0, 39.0, 55.0, 151.0, 151.0, 87.0]
    pages = balanced(list(range(9)), risks, 316.0)  # 211, 206 and 238 pt: no slide third-full
    assert [len(p) for p in pages] == [5, 2, 2]  # (4, 3, 2 rows would be 172, 245 and 238 pt)
    # seed 3:13's census: long watch notes, then short 'avoided' rows (was 6, 6, 6 and 4 rows,
    # its last slide a third full): the emptiest slide is as full as any split allows
    census = [71.0, 71.0, 87.0, 39.0, 55.0, 87.0, 55.0, 23.0, 23.0, 23.0, 23.0, 23.0, 23.0]
    pages = balanced(list(range(13)), census, 300.0)
    heights = [sum(census[i] for i in page) for page in pages]
    assert len(pages) == 3 and min(heights) >= 150, heights
    assert balanced(list(range(4)), [3.0, 3.0, 3.0, 8.0], 9.0)[-1] == [3]  # cannot take two

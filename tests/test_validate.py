"""Bad data gets one located, actionable line per problem, all at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.project.load import load_project
from briefing.project.validate import validate

from .conftest import write


def problems(root: Path) -> list[str]:
    return [str(p) for p in validate(load_project(root))[1]]


def test_sample_data_is_valid(project: Path) -> None:
    assert problems(project) == []


def test_unknown_key_suggests_the_right_one(project: Path) -> None:
    write(
        project / "data/clients/acme.yaml",
        """
        name: Acme
        industy: luxury
        contact: {name: Ann, email: ann@example.com}
    """,
    )
    assert problems(project) == [
        "data/clients/acme.yaml:1:1: industry: required field is missing",
        "data/clients/acme.yaml:2:1: industy: unknown field 'industy' (did you mean 'industry'?)",
    ]


def test_unknown_reference_suggests_a_known_id(project: Path) -> None:
    write(
        project / "data/clients/acme.yaml",
        """
        name: Acme
        industry: luxury
        contact: {name: Ann, email: ann@example.com}
        focus_platforms:
          - wechat
          - wechta
    """,
    )
    assert problems(project) == [
        "data/clients/acme.yaml:6:5: focus_platforms[1]: unknown platform 'wechta' "
        "(did you mean 'wechat'?)"
    ]


def test_wrong_types_and_bad_values_name_the_field(project: Path) -> None:
    write(
        project / "data/clients/acme.yaml",
        """
        name: Acme
        industry: luxury
        contact:
          name: Ann
          email: "ann@example.com\\r\\nBcc: x@evil.example"
        goals: Launch in China
    """,
    )
    assert problems(project) == [
        "data/clients/acme.yaml:5:10: contact.email: must be a single line",
        "data/clients/acme.yaml:6:8: goals: Input should be a valid list (got 'Launch in China')",
    ]


def test_metric_without_source_and_with_bad_confidence(tmp_path: Path) -> None:
    """On a fixture platform, so that editing the sample data never breaks this test."""
    root = tmp_path / "figures"
    shutil.copytree(Path(__file__).parent / "roots/figures", root)
    path = root / "data/platforms/alpha.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    confidence: reported\n", "    confidence: official\n", 1)
    text = text.replace("    source: Alpha Q2 2026 results\n", "", 1)
    path.write_text(text, encoding="utf-8")
    found = problems(root)
    assert len(found) == 2
    assert (
        found[0] == "data/platforms/alpha.yaml:13:5: metrics[0].source: required field is missing"
    )
    assert "alpha.yaml:18:17: metrics[0].confidence: got 'official'; input should be " in found[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: A\nname: B\n",
            "data/clients/acme.yaml:2:1: invalid YAML: "
            "duplicate key 'name' (first defined on line 1)",
        ),
        (
            "name: &n Acme\nindustry: *n\n",
            "data/clients/acme.yaml:1:7: invalid YAML: YAML anchors (&name) are not allowed",
        ),
        (
            "name: !!python/object:os.system Acme\n",
            "data/clients/acme.yaml:1:7: invalid YAML: YAML tags (tag:yaml.org,2002:python/object:"
            "os.system) are not allowed",
        ),
        (
            "name: [Acme\n",
            "data/clients/acme.yaml:2:1: invalid YAML: while parsing a flow sequence expected ',' "
            "or ']', but got '<stream end>'",
        ),
        ("", "data/clients/acme.yaml:1: file is empty"),
    ],
)
def test_unsafe_or_broken_yaml_is_rejected(project: Path, text: str, expected: str) -> None:
    (project / "data/clients/acme.yaml").write_text(text, encoding="utf-8")
    assert problems(project) == [expected]


def test_article_front_matter_date_is_located(project: Path) -> None:
    write(
        project / "data/articles/note.md",
        """
        ---
        title: A note
        date: 2025/05/02
        author: Us
        ---
        Body.
    """,
    )
    assert problems(project) == [
        "data/articles/note.md:3:7: date: Input should be a valid date (got '2025/05/02')"
    ]


def test_every_problem_is_reported_then_one_abort_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "data/clients/acme.yaml", "name: Acme\ncolour: red\n")
    write(project / "data/industries/bad.yaml", "name: Bad\n")
    monkeypatch.chdir(project)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[-1] == "Aborted: 8 errors in data/ (nothing was written)"
    assert "data/clients/acme.yaml:2:1: colour: unknown field 'colour'" in lines
    assert (
        "data/industries/bad.yaml:1:1: kpis: required field is missing "
        "(expected: The measures a client's goals can be set on)" in lines
    )
    assert (
        "data/industries/bad.yaml:1:1: routes: required field is missing (expected: The routes "
        "to market its clients sell through (route_to_market values))" in lines
    )


def test_build_stops_on_a_bad_file_without_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "data/industries/luxury.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("score: 5", "score: 7", 1), encoding="utf-8"
    )
    monkeypatch.chdir(project)
    assert main(["build", "maison-aurele"]) == 1
    err = capsys.readouterr().err
    assert (
        "data/industries/luxury.yaml:10:12: fit.wechat.score: Input should be less than or "
        "equal to 5" in err
    )
    assert "Traceback" not in err
    assert not (project / "out").exists()


def test_control_characters_are_rejected(project: Path) -> None:
    write(
        project / "data/clients/acme.yaml",
        """
        name: "Acme\\u0007 Co"
        industry: luxury
        contact: {name: "Ann\\u202eeviL", email: ann@example.com}
    """,
    )
    assert problems(project) == [
        "data/clients/acme.yaml:1:7: name: contains the control character U+0007",
        "data/clients/acme.yaml:3:17: contact.name: contains the control character U+202E",
    ]

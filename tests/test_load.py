"""Loading data/: libyaml composes, the strict loader's refusals hold, and parsed documents
are cached on disk by content (JSON), so an unchanged file is never parsed twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.build import uptodate
from briefing.project import layout, load, parsecache

from .conftest import REPO, copy_project


def snapshot(project: load.Project) -> dict[str, tuple]:
    docs = [*project.documents.values(), *project.siblings.values()]
    return {
        d.rel: (d.data, d.values, d.keys, d.problem, d.body, d.digest)
        for kind in docs
        for d in kind.values()
    }


def load_again(root: Path) -> load.Project:
    load._PARSED.clear()  # as a new process would: only the disk cache is left
    return load.load_project(root)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "project", ["maison-aurele"])
    (root / "data/clients/broken.yaml").write_text("name: &a Acme\nother: *a\n", "utf-8")
    return root


def test_a_cache_hit_gives_the_documents_a_parse_gives(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = snapshot(load_again(small))
    entries = list(parsecache.folder(small).glob("*.json"))
    assert len(entries) >= len(parsed) - 1  # one per distinct text (copies share one)
    monkeypatch.setattr(load, "_parse_yaml", _no_parsing)
    assert snapshot(load_again(small)) == parsed
    broken = parsed["data/clients/broken.yaml"][3]
    assert str(broken) == (
        "data/clients/broken.yaml:1:7: invalid YAML: YAML anchors (&name) are not allowed"
    )


def _no_parsing(*args: object) -> None:
    raise AssertionError("parsed although the cache holds the text")


def test_a_corrupt_or_foreign_cache_entry_is_ignored(small: Path) -> None:
    parsed = snapshot(load_again(small))
    entries = sorted(parsecache.folder(small).glob("*.json"))
    for i, entry in enumerate(entries):
        entry.write_bytes([b"{not json", b'{"data": 1}', b"[]", b'{"data": {"d": "x"}}'][i % 4])
    assert snapshot(load_again(small)) == parsed
    assert snapshot(load_again(small)) == parsed  # rewritten whole


def test_a_changed_file_is_parsed_again(small: Path) -> None:
    load_again(small)
    path = small / "data/clients/maison-aurele.yaml"
    path.write_text(path.read_text("utf-8").replace("Maison", "Casa", 1), "utf-8")
    client = load_again(small).documents["clients"]["maison-aurele"]
    assert client.data["name"].startswith("Casa")


def test_the_key_covers_the_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    key = parsecache.key("name: A\n", 0)
    assert parsecache.key("name: A\n", 1) != key
    monkeypatch.setattr(parsecache, "loader_version", lambda: "another load.py")
    assert parsecache.key("name: A\n", 0) != key


def test_an_unwritable_cache_only_means_parsing(small: Path) -> None:
    parsecache.folder(small).parent.mkdir(parents=True)
    parsecache.folder(small).write_text("not a folder", "utf-8")
    assert load_again(small).documents["clients"]["maison-aurele"].data["name"]


def test_libyaml_reads_every_sample_file_as_the_strict_loader_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = snapshot(load_again_uncached(REPO))
    monkeypatch.setattr(load, "_fast_loader", lambda text: None)
    assert snapshot(load_again_uncached(REPO)) == fast


def load_again_uncached(root: Path) -> load.Project:
    load._PARSED.clear()
    original = parsecache.read
    try:
        parsecache.read = lambda *args: None  # type: ignore[assignment]
        return load.load_project(root)
    finally:
        parsecache.read = original  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: !!str Acme\n", "1:7: invalid YAML: YAML tags (tag:yaml.org,2002:str)"),
        ("name: &a Acme\n", "1:7: invalid YAML: YAML anchors (&name) are not allowed"),
        ("a: 1\nb: [*x]\n", "2:5: invalid YAML: YAML aliases (*name) are not allowed"),
        ("goals:\n  - One\n   - Two\n", "3:4: invalid YAML: this list item runs onto"),
        ("name: A\r\nlist:\r\n  - One\r\n   - Two\r\n", "4:4: invalid YAML: this list item"),
        ("name: [A\n", "2:1: invalid YAML: while parsing a flow sequence expected ','"),
    ],
)
def test_refusals_hold_in_front_matter_too(tmp_path: Path, text: str, message: str) -> None:
    """The same refusals, in a data file and (one line lower) in an article's front matter."""
    (tmp_path / "data/clients").mkdir(parents=True)
    (tmp_path / "data/articles").mkdir(parents=True)
    (tmp_path / "data/clients/acme.yaml").write_bytes(text.encode())
    (tmp_path / "data/articles/note.md").write_bytes(b"---\n" + text.encode() + b"---\nBody\n")
    for _ in range(2):  # parsed, then from the cache
        project = load_again(tmp_path)
        client = project.documents["clients"]["acme"].problem
        article = project.documents["articles"]["note"].problem
        assert str(client).startswith(f"data/clients/acme.yaml:{message}")
        line, rest = message.split(":", 1)
        assert str(article).startswith(f"data/articles/note.md:{int(line) + 1}:{rest}")


def test_the_loader_and_the_up_to_date_check_see_the_same_files(small: Path) -> None:
    """One layout (project.layout): the files a build reads are the files whose change makes
    it build again, translations and single files included."""
    (small / "data/fx.zh-CN.yaml").write_text("{}\n", "utf-8")
    (small / "data/fxnotes.yaml").write_text("{}\n", "utf-8")  # not data/fx.yaml's
    (small / "data/clients/notes.txt").write_text("not a brief\n", "utf-8")
    project = load.load_project(small)
    read = {d.rel for kind in (*project.documents.values(), *project.siblings.values())
            for d in kind.values()}  # fmt: skip
    assert read == set(uptodate.listing(small))
    assert "data/fx.zh-CN.yaml" in read and "data/fxnotes.yaml" not in read
    assert project.documents["clients"]["broken"].rel == layout.data_path("clients", "broken")
    assert project.siblings["fx"]["fx.zh-CN"].rel == layout.data_path("fx", lang="zh-CN")
    assert layout.client_ids(small) == ["broken", "maison-aurele"]

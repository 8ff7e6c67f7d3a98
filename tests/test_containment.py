"""Nothing outside gets in: links out of a folder, FIFOs, devices and oversized files are
refused with an error that names the file, and every problem is reported at once."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.build.pipeline import build, prepare
from briefing.cli import main
from briefing.errors import DataError, TemplateError

from .conftest import REPO, copy_project, settings_for, write

CLIENT = "maison-aurele"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project", [CLIENT, "nordlys-travel"])


def check(root: Path) -> tuple[int, str]:
    """`briefing check` in a separate process: a hang is a failure, not a stuck suite."""
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "check"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stderr


def test_fifos_devices_and_links_out_of_data_are_refused_all_at_once(
    small: Path, tmp_path: Path
) -> None:
    clients = small / "data/clients"
    os.mkfifo(clients / "zz-fifo.yaml")
    (clients / "zz-zero.yaml").symlink_to("/dev/zero")
    outside = write(tmp_path / "elsewhere.yaml", "name: Outside\n")
    (clients / "acme.yaml").symlink_to(outside)
    code, err = check(small)
    assert code == 1
    assert "data/clients/zz-fifo.yaml: is a named pipe (FIFO), not a regular file" in err
    assert "data/clients/zz-zero.yaml: is a link to /dev/zero, outside data/clients/" in err
    assert f"data/clients/acme.yaml: is a link to {outside}, outside data/clients/" in err
    assert "Aborted: 3 errors in data/" in err
    build(settings_for(small), CLIENT)  # other clients' broken files do not block this one


def test_a_data_file_over_its_size_limit_is_refused(small: Path) -> None:
    article = small / "data/articles/wechat-offline-to-online.md"
    article.write_text(article.read_text("utf-8") + "word " * 120_000, "utf-8")
    code, err = check(small)
    assert code == 1
    assert "data/articles/wechat-offline-to-online.md: is 588 kB, over the 512 kB limit" in err


def test_a_theme_file_linking_out_of_templates_is_refused(small: Path, tmp_path: Path) -> None:
    secret = tmp_path / "passport.png"
    secret.write_bytes((small / "templates/meridian/logo.png").read_bytes())
    (small / "templates/default/stolen.png").symlink_to(secret)
    theme_yaml = small / "templates/default/theme.yaml"
    text = theme_yaml.read_text("utf-8")
    theme_yaml.write_text(text.replace("deck_logo: ", "deck_logo: stolen.png #", 1), "utf-8")
    with pytest.raises(DataError) as caught:
        build(settings_for(small), CLIENT)
    assert f"templates/default/stolen.png: is a link to {secret}, outside templates/" in str(
        caught.value
    )
    assert not (small / "out").exists()


def test_a_stray_link_in_a_theme_folder_is_refused_not_hashed(small: Path) -> None:
    (small / "templates/meridian/notes.txt").symlink_to("/etc/hostname")
    with pytest.raises(TemplateError, match=r"notes.txt: is a link to /etc/hostname"):
        prepare(settings_for(small, theme="meridian"), CLIENT)


@pytest.mark.parametrize("name", ["../../evil", "Default", "a/b"])
def test_theme_names_are_folder_names(
    small: Path, name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small)
    assert main(["build", CLIENT, "--theme", name]) == 2
    assert f"'{name}' is not a theme name" in capsys.readouterr().err
    assert main(["theme", "check", name]) == 1
    assert f"'{name}' is not a theme name" in capsys.readouterr().err


def test_article_problems_name_the_article_and_line(small: Path) -> None:
    article = small / "data/articles/wechat-offline-to-online.md"
    lines = article.read_text("utf-8").splitlines()
    end = lines.index("---", 1)
    lines.insert(end + 2, "![QR code](assets/images/qr-missing.png)")
    lines.insert(end + 3, "A quiet \u202e override.")
    article.write_text("\n".join(lines) + "\n", "utf-8")
    code, err = check(small)
    assert code == 1
    where = f"data/articles/wechat-offline-to-online.md:{end + 3}"
    assert f"{where}: image 'assets/images/qr-missing.png': no such file" in err
    assert f"data/articles/wechat-offline-to-online.md:{end + 4}:9: contains the control " in err


def briefing(root: Path, *args: str, timeout: float = 60) -> tuple[int, str, float]:
    """The CLI in a separate process (a hang is a failure, not a stuck suite; a runaway read
    meets a 3 GB memory cap, not the machine's): rc, stderr, seconds taken."""
    started = time.monotonic()
    cap = 3 * 2**30
    result = subprocess.run(
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
        args=[sys.executable, "-m", "briefing", *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return result.returncode, result.stderr, time.monotonic() - started


PO = "templates/default/locale/zh_CN/LC_MESSAGES/zz.po"


@pytest.mark.parametrize(
    ("name", "client", "lang"),
    [
        ("templates/default/zz.j2", CLIENT, "en"),
        # a translated edition also reads every template for its messages (themes/catalog.py)
        ("templates/default/zz.j2", "nordlys-travel", "zh-CN"),
        (PO, "nordlys-travel", "zh-CN"),
    ],
    ids=["j2", "j2-zh", "po"],
)
def test_a_fifo_template_or_catalog_is_refused_at_once(
    small: Path, name: str, client: str, lang: str
) -> None:
    os.mkfifo(small / name)
    code, err, took = briefing(small, "build", client, "--lang", lang, "--force", timeout=30)
    assert code == 1, err
    assert f"{name}: is a named pipe (FIFO), not a regular file" in err
    assert took < 15  # refused before anything renders (it hung for good before)
    assert not (small / "out" / client).exists()
    code, err, _ = briefing(small, "theme", "check", "default", timeout=30)
    assert code == 1
    assert f"{name}: is a named pipe (FIFO), not a regular file" in err


@pytest.mark.parametrize("name", ["templates/default/zz.j2", PO], ids=["j2", "po"])
def test_a_template_or_catalog_linked_to_a_device_is_refused(small: Path, name: str) -> None:
    (small / name).symlink_to("/dev/zero")
    client, lang = ("nordlys-travel", "zh-CN") if name == PO else (CLIENT, "en")
    code, err, _ = briefing(small, "build", client, "--lang", lang, timeout=60)
    assert code == 1, err
    assert f"{name}: is a link to /dev/zero, outside templates/" in err  # not a MemoryError


def test_a_template_swapped_for_a_fifo_after_the_check_is_not_opened(small: Path) -> None:
    """The guarded read checks the opened file too, so a swap between check and open cannot
    hang it (O_NONBLOCK) nor feed it a device."""
    from briefing import files

    fifo = small / "templates/default/late.j2"
    os.mkfifo(fifo)
    real = files.contained

    def checked_then_swapped(path: Path, *args: object) -> Path:
        return fifo if path == fifo else real(path, *args)  # type: ignore[arg-type]

    files.contained = checked_then_swapped  # type: ignore[assignment]
    try:
        with pytest.raises(files.FileRefused, match="is a named pipe"):
            files.read_bytes(fifo, small / "templates", small, files.LIMITS["template"])
    finally:
        files.contained = real  # type: ignore[assignment]


# Modules that may open files themselves, and why; every other module of briefing/ reads
# through briefing.files (or a Theme's read), which checks containment, type and size.
DIRECT_READERS = {
    "files.py": "the guarded reader itself",
    "build/publish.py": "writes and re-reads its own staged outputs under out/",
    "deliver/message.py": "reads the published outputs it checked against the manifest",
    "state/ledger.py": "state/: the send ledger it owns",
    "state/history.py": "state/: the edition history it owns",
    "build/manifest.py": "hashes theme files and logos it contained first; the outputs it lists",
    "build/uptodate.py": "hashes with O_NONBLOCK | O_NOFOLLOW; the manifest it wrote",
    "project/parsecache.py": "the package's own source for the cache key; .cache/ it writes",
    "build/forked.py": "/proc and the pipe to its child",
    "cli/__init__.py": "the report theme import just wrote",
    "tools/dataimport.py": "the CSV the user names and the platform files it rewrites",
    "tools/theme_import/safety.py": "the template file the user names (size-checked there)",
    "project/images.py": "image paths already contained at load",
    "preview/app.py": "the preview's own page",
    "preview/supervisor.py": "/proc",
    "preview/office_helper.py": "its own private temp folder",
    "qa/invariants.py": "QA: the catalogs' .pot files, read to find English in an edition",
    "qa/run.py": "QA: the briefs it generated and the outputs their builds just wrote",
}
DIRECT = re.compile(r"(?<![\w.])open\(|(?<!files)(?<!theme)\.(read_text|read_bytes|open)\(")


def test_every_other_module_reads_through_the_guarded_reader() -> None:
    package = REPO / "briefing"
    offenders = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).as_posix() not in DIRECT_READERS
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if DIRECT.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []

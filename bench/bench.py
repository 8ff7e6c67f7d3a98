"""Print the build figures issues 8, 17 and 28 ask for, one per line, as `name: value unit`.

Run with `make bench` (about two minutes on 2 cores). Everything runs on a throw-away copy of
the project, whole processes timed with a monotonic clock; medians of 5 where it says so.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLIENT = "maison-aurele"
COPIES = 4


def run(command: list[str], root: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of the process tree (waited-for children included)."""
    env = {**os.environ, "BRIEFING_ROOT": str(root), "SOURCE_DATE_EPOCH": "1795392000"}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def median(command: list[str], root: Path, times: int = 5) -> float:
    return statistics.median(run(command, root)[0] for _ in range(times))


def editions(root: Path) -> int:
    """How many builds `build --all` makes: every edition of every client."""
    import yaml

    return sum(
        len(yaml.safe_load(path.read_text("utf-8")).get("editions", ["en"]))
        for path in (root / "data/clients").glob("*.yaml")
        if "." not in path.stem
    )


def copy_project(target: Path, copies: int = 1) -> Path:
    for folder in ("data", "templates", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    if copies > 1:
        for client in list((target / "data/clients").glob("*.yaml")):
            client_id, dot, lang = client.stem.partition(".")  # a translation: <id>.<lang>
            for n in range(2, copies + 1):
                copy = f"{client_id}-{n}{dot}{lang}.yaml"
                shutil.copy(client, client.with_name(copy))
    return target


def final_html(root: Path, folder: Path) -> Path:
    """The client's HTML with its two stylesheets inlined, as the bare CLI would get it."""
    os.environ["BRIEFING_ROOT"] = str(root)
    from briefing.build.pipeline import prepare
    from briefing.render.html import render_html
    from briefing.settings import Settings

    prepared = prepare(Settings.load(root), CLIENT)
    theme = prepared.theme
    css = theme.css_variables() + "".join(
        p.read_text(encoding="utf-8") for p in theme.stylesheets()
    )
    html = render_html(prepared.briefing, theme).replace("</head>", f"<style>{css}</style></head>")
    path = folder / "final.html"
    path.write_text(html, encoding="utf-8")
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        root = copy_project(tmp_path / "single")
        briefing = [str(BIN / "briefing"), "-q"]
        cold = median([*briefing, "build", CLIENT, "--force"], root)
        print(f"cold_build_s: {cold:.2f} s")

        html = final_html(root, tmp_path)
        weasy = median(
            [
                str(BIN / "weasyprint"),
                "--pdf-variant",
                "pdf/ua-1",
                "--optimize-images",
                "-u",
                root.as_uri() + "/",
                str(html),
                str(tmp_path / "floor.pdf"),
            ],
            root,
        )
        deck = root / f"out/{CLIENT}/{CLIENT}-deck.pptx"
        save = median(
            [
                sys.executable,
                "-c",
                "import sys; from pptx import Presentation; "
                "Presentation(sys.argv[1]).save(sys.argv[2])",
                str(deck),
                str(tmp_path / "floor.pptx"),
            ],
            root,
        )
        floor = weasy + save
        print(f"floor_s: {floor:.2f} s")
        print(f"cold_over_floor: {cold / floor:.2f} x")

        batch_root = copy_project(tmp_path / "batch", COPIES)
        clients = editions(batch_root)  # one build per client edition (nordlys: en and zh-CN)
        j1, _ = run([*briefing, "build", "--all", "-j", "1", "--force"], batch_root)
        j2, peak = run([*briefing, "build", "--all", "-j", "2", "--force"], batch_root)
        print(f"batch_j1_s: {j1:.2f} s ({clients} client editions)")
        print(f"batch_j2_s: {j2:.2f} s ({clients} client editions)")
        print(f"speedup_j2: {j1 / j2:.2f} x")
        per_client = j2 / clients  # the batch as `make all` runs it: one worker per core
        print(
            f"per_client_batch_s: {per_client:.2f} s ({per_client / cold:.2f} of cold; "
            f"-j 2 wall / {clients} client editions; with -j 1: {j1 / clients:.2f} s, "
            f"{j1 / clients / cold:.2f} of cold)"
        )
        noop = median(["make", "-s", "-C", str(REPO), "all"], batch_root)
        print(f"noop_all_s: {noop:.2f} s ({clients} client editions up to date)")
        start = median([str(BIN / "briefing"), "--version"], root)
        print(f"start_s: {start:.2f} s (briefing --version)")
        print(f"peak_worker_mb: {peak:.0f} MB")
        pdf = root / f"out/{CLIENT}/{CLIENT}-briefing.pdf"
        print(f"pdf_mb: {pdf.stat().st_size / 2**20:.2f} MB")
        print(f"pptx_mb: {deck.stat().st_size / 2**20:.2f} MB")

        from preview import refresh_figures, warm_figures  # bench/preview.py, beside this file

        warm_figures(copy_project(tmp_path / "warm"), CLIENT)
        refresh_figures(copy_project(tmp_path / "preview"), CLIENT)


if __name__ == "__main__":
    main()

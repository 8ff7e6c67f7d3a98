"""Language editions: the Simplified Chinese briefing and deck, their translations and checks."""

from __future__ import annotations

import email
import io
import re
import zipfile
from email import policy
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pptx import Presentation
from pptx.oxml.ns import qn

from briefing.build import manifest
from briefing.build.pipeline import build, prepare
from briefing.cli import main
from briefing.deliver import email as send_email
from briefing.errors import DataError
from briefing.render.fit import FacePair, line_count

from .conftest import REPO, SAMPLE, copy_project, settings_for, shared_root
from .smtp_server import send_through
from .test_email import plain

CLIENT = "nordlys-travel"
ZH = "zh-CN"
LOCALE = REPO / "templates/default/locale/zh_CN/LC_MESSAGES"


def _build_both_editions(root: Path) -> None:
    build(settings_for(root, lang="en"), CLIENT)
    build(settings_for(root, lang=ZH), CLIENT)


@pytest.fixture(scope="module")
def zh_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nordlys-travel built in both its editions (English first, then Chinese), once per test
    run for every worker: read it, or copy it to edit."""
    return shared_root(tmp_path_factory, "zh-editions", [CLIENT, "maison-aurele"],
                       _build_both_editions)  # fmt: skip


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def source_text() -> str:
    """What the data cites in its own language (sources, quotes, URLs): not labels."""
    import yaml

    cited = []
    for path in (SAMPLE / "data/platforms").glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        for item in [*data.get("metrics", []), *data.get("facts", [])]:
            cited += [str(item.get(k, "")) for k in ("source", "quote", "url", "note")]
    return "\n".join(cited)


def english_labels() -> list[str]:
    """The catalogs' English text of two or more words, without placeholders (leaving out
    words the data's sources happen to use too, such as 'company claim')."""
    cited = source_text()
    found = []
    for name in ("messages.po", "deck.po"):
        with (LOCALE / name).open("rb") as handle:
            for message in read_po(handle):
                text = message.id if isinstance(message.id, str) else ""
                if len(text.split()) >= 2 and "%(" not in text and text not in cited:
                    found.append(text)
    return found


def test_both_editions_are_published_under_one_manifest(zh_built: Path) -> None:
    folder = zh_built / "out" / CLIENT
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "manifest.json",
        f"{CLIENT}-briefing.pdf",
        f"{CLIENT}-briefing.zh-CN.pdf",
        f"{CLIENT}-deck.pptx",
        f"{CLIENT}-deck.zh-CN.pptx",
        f"{CLIENT}-plan.json",
        f"{CLIENT}-plan.zh-CN.json",
    ]
    record = manifest.read(folder)
    assert set(record["editions"]) == {"en", ZH}
    assert set(record["outputs"]) == {n for n in names if n != "manifest.json"}
    for lang in ("en", ZH):  # each edition is up to date on its own
        assert prepare(settings_for(zh_built, lang=lang), CLIENT).up_to_date()


def test_the_chinese_pdf_has_no_english_labels_and_chinese_numbers(zh_built: Path) -> None:
    text = pdf_text(zh_built / "out" / CLIENT / f"{CLIENT}-briefing.zh-CN.pdf")
    flat = re.sub(r"\s+", " ", text)
    left = [label for label in english_labels() if label in flat]
    assert not left, left
    assert re.search(r"\d(\.\d+)?亿", text) and re.search(r"\d(\.\d+)?万", text)
    assert "2026年11月25日" in text
    assert "November" not in text
    # tables and charts name a platform in Chinese only (headings keep both names)
    assert "Meituan and Dianping" not in flat and "Taobao and Tmall" not in flat


def runs(deck: Path) -> list:
    presentation = Presentation(str(deck))
    return [r for slide in presentation.slides for r in slide.element.iter(qn("a:r"))]


def test_every_run_of_the_chinese_deck_is_chinese_with_an_east_asian_font(zh_built: Path) -> None:
    found = runs(zh_built / "out" / CLIENT / f"{CLIENT}-deck.zh-CN.pptx")
    assert found
    for run in found:
        r_pr = run.find(qn("a:rPr"))
        assert r_pr is not None and r_pr.get("lang") == ZH, run.findtext(qn("a:t"))
        assert r_pr.find(qn("a:ea")).get("typeface") == "Microsoft YaHei"  # on client PCs
    presentation = Presentation(str(zh_built / "out" / CLIENT / f"{CLIENT}-deck.zh-CN.pptx"))
    assert presentation.core_properties.language == ZH
    assert "简报" in presentation.core_properties.title or "北极光" in (
        presentation.core_properties.title
    )


def test_chinese_titles_are_messages(zh_built: Path) -> None:
    presentation = Presentation(str(zh_built / "out" / CLIENT / f"{CLIENT}-deck.zh-CN.pptx"))
    for number, slide in enumerate(presentation.slides, 1):
        role = slide.element.cSld.get("name")
        if role in ("title", "section", "closing") or slide.shapes.title is None:
            continue
        title = slide.shapes.title.text_frame.text
        han = len(re.findall(r"[\u4e00-\u9fff]", title))
        assert han >= 8, (number, title)
        assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", title), (number, title)  # no English


def test_kinsoku_keeps_punctuation_off_line_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """'，' may not start a line: the character before it moves down with it, so a line that
    ends exactly before the comma needs one more line than the characters alone would."""
    from briefing.render import breaks

    monkeypatch.setattr(breaks, "_words", tuple)  # one character a word: the rule alone counts
    fonts = FacePair("Noto Sans CJK SC", "Noto Sans CJK SC")
    size = 10.0
    width = 10 * size * 1.0001  # ten ideographs per line
    assert line_count("一二三四五六七八九十", fonts, size, width) == 1
    assert line_count("一二三四五六七八九十十", fonts, size, width) == 2
    assert line_count("一二三四五六七八九十，十", fonts, size, width) == 2
    # the comma would start line two; instead 十， starts it, and so line one has nine
    assert line_count("一二三四五六七八九十，二三四五六七八九", fonts, size, width) == 2
    assert line_count("一二三四五六七八九十，二三四五六七八九十", fonts, size, width) == 3
    # an opening bracket never ends a line
    assert line_count("一二三四五六七八九（十）", fonts, size, width) == 2


def project_with(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project", [CLIENT])


def test_a_missing_data_translation_fails_with_its_place(tmp_path: Path) -> None:
    root = project_with(tmp_path)
    sibling = root / "data/platforms/wechat.zh-CN.yaml"
    text = sibling.read_text("utf-8")
    sibling.write_text(re.sub(r"(?m)^tagline: .*\n", "", text), "utf-8")
    with pytest.raises(DataError) as caught:
        prepare(settings_for(root, lang=ZH), CLIENT)
    base = (root / "data/platforms/wechat.yaml").read_text("utf-8").splitlines()
    line = next(i for i, row in enumerate(base, 1) if row.startswith("tagline:"))
    assert (
        f"data/platforms/wechat.yaml:{line}:10: tagline: no zh-CN translation in "
        "data/platforms/wechat.zh-CN.yaml" in [str(p) for p in caught.value.problems]
    )
    # --allow-missing-translations: English, with a warning
    prepared = prepare(settings_for(root, lang=ZH, allow_missing_translations=True), CLIENT)
    assert any("tagline" in w and "English used" in w for w in prepared.warnings)


def test_a_build_with_missing_translations_prints_each_fallback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The README promises a warning for each; a single build printed none."""
    from briefing.build.pipeline import build

    root = project_with(tmp_path)
    sibling = root / "data/platforms/wechat.zh-CN.yaml"
    sibling.write_text(re.sub(r"(?m)^tagline: .*\n", "", sibling.read_text("utf-8")), "utf-8")
    with caplog.at_level("WARNING", logger="briefing"):
        build(settings_for(root, lang=ZH, allow_missing_translations=True), CLIENT)
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("wechat.yaml" in w and "tagline" in w and "English used" in w for w in warned)


def test_translation_mistakes_are_named_at_the_siblings_line(tmp_path: Path) -> None:
    root = project_with(tmp_path)
    sibling = root / "data/platforms/qq.zh-CN.yaml"
    text = sibling.read_text("utf-8").replace("- id: game-accounts", "- id: no-such-feature")
    sibling.write_text(text + "colour: 红\n", "utf-8")
    (root / "data/platforms/nowhere.zh-CN.yaml").write_text("tagline: 无\n", "utf-8")
    (root / "data/platforms/qq.fr.yaml").write_text("tagline: Messagerie\n", "utf-8")
    with pytest.raises(DataError) as caught:
        prepare(settings_for(root, lang=ZH), CLIENT)
    problems = "\n".join(str(p) for p in caught.value.problems)
    lines = sibling.read_text("utf-8").splitlines()
    colour = lines.index("colour: 红") + 1
    assert f"data/platforms/qq.zh-CN.yaml:{colour}:1: colour: unknown field 'colour'" in problems
    unknown = r"qq.zh-CN.yaml:\d+:\d+: features\[\d\]\.id: unknown id 'no-such-feature'"
    assert re.search(unknown, problems)
    assert re.search(r"qq.yaml:\d+:\d+: features\[1\]\.name: no zh-CN translation", problems)
    assert "data/platforms/nowhere.zh-CN.yaml: a translation of nowhere, but there is no" in (
        problems
    )
    assert "data/platforms/qq.fr.yaml: 'fr' is not a supported language" in problems


def test_a_missing_template_translation_fails_with_its_place(tmp_path: Path) -> None:
    root = project_with(tmp_path)
    catalog = root / "templates/default/locale/zh_CN/LC_MESSAGES/deck.po"
    text = catalog.read_text("utf-8")
    msgid = re.search(r'(?m)^msgid "(Thank you[^"]*)"\nmsgstr "[^"]+"', text)
    assert msgid, "the deck catalog translates the closing slide"
    catalog.write_text(
        text.replace(msgid.group(0), f'msgid "{msgid.group(1)}"\nmsgstr ""'), "utf-8"
    )
    with pytest.raises(DataError) as caught:
        prepare(settings_for(root, lang=ZH), CLIENT)
    [problem] = [p for p in caught.value.problems if msgid.group(1) in p.message]
    assert problem.path == "templates/default/deck.yaml.j2" and problem.line


def test_each_edition_is_emailed_in_its_language(zh_built: Path, tmp_path: Path, smtp) -> None:
    import shutil

    root = tmp_path / "project"
    shutil.copytree(zh_built, root)
    handler, port = smtp()
    config = plain(root, port)
    subjects = {}
    for lang in ("en", ZH):
        prepared = prepare(config.model_copy(update={"lang": lang}), CLIENT)
        send_email(config, prepared, dry_run=False)
        message = email.message_from_bytes(handler.messages[-1]["data"], policy=policy.default)
        subjects[lang] = str(message["Subject"])
        names = [part.get_filename() for part in message.iter_attachments()]
        suffix = ".zh-CN" if lang == ZH else ""
        assert names == [f"{CLIENT}-briefing{suffix}.pdf", f"{CLIENT}-deck{suffix}.pptx"]
        body = message.get_body(("plain",)).get_content()
        assert bool(re.search(r"[\u4e00-\u9fff]{6}", body)) == (lang == ZH)
    assert len(handler.messages) == 2 and subjects["en"] != subjects[ZH]
    assert re.search(r"[\u4e00-\u9fff]", subjects[ZH])


def test_a_deck_is_a_valid_zip_with_the_edition_named_in_it(zh_built: Path) -> None:
    data = (zh_built / "out" / CLIENT / f"{CLIENT}-deck.zh-CN.pptx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "<dc:language>zh-CN</dc:language>" in core


@pytest.mark.slow
def test_every_sample_builds_in_chinese(tmp_path: Path) -> None:
    from rich.console import Console

    from briefing.build.batch import build_all

    from .conftest import SAMPLE_CLIENTS

    root = copy_project(tmp_path / "project")
    outcomes = build_all(
        settings_for(root, lang=ZH), SAMPLE_CLIENTS, jobs=2, console=Console(quiet=True)
    )
    assert {o.status for o in outcomes} == {"built"}, [o.errors for o in outcomes]
    for client in SAMPLE_CLIENTS:
        assert (root / "out" / client / f"{client}-deck.zh-CN.pptx").is_file()
        assert not (root / "out" / client / f"{client}-deck.pptx").exists()  # only the edition


def test_an_unsupported_language_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.cli import main

    monkeypatch.chdir(project_with(tmp_path))
    for command in (["build", CLIENT], ["email", CLIENT], ["check"]):
        assert main([*command, "--lang", "fr"]) == 2
        # One wording, naming the flag that was typed (build once blamed BRIEFING_LANG).
        err = capsys.readouterr().err
        assert "error: --lang fr: 'fr' is not a supported language (en, zh-CN)" in err, command
        assert "BRIEFING_LANG" not in err, command


def test_email_writes_one_message_per_edition(
    zh_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import shutil

    from briefing.cli import main

    root = tmp_path / "project"
    shutil.copytree(zh_built, root)
    monkeypatch.chdir(root)
    assert main(["email", CLIENT, "--dry-run"]) == 0  # no SMTP host: a dry run
    folder = root / "out" / CLIENT
    english = email.message_from_bytes((folder / f"{CLIENT}-briefing.eml").read_bytes())
    chinese = email.message_from_bytes((folder / f"{CLIENT}-briefing.zh-CN.eml").read_bytes())
    assert "Your China social media briefing" in str(english["Subject"])
    assert re.search(r"[\u4e00-\u9fff]", str(email.header.make_header(
        email.header.decode_header(chinese["Subject"]))))  # fmt: skip
    assert capsys.readouterr().out.count("Dry run: wrote") == 2


def test_a_child_theme_translates_only_what_it_changes(tmp_path: Path) -> None:
    from briefing.render.html import render_html
    from briefing.themes.i18n import language

    root = project_with(tmp_path)
    child = root / "templates/pitch"
    (child / "locale/zh_CN/LC_MESSAGES").mkdir(parents=True)
    (child / "theme.yaml").write_text("name: Pitch\nextends: default\n", "utf-8")
    (child / "locale/zh_CN/LC_MESSAGES/messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "The answer"\nmsgstr "我们的建议"\n',
        "utf-8",
    )
    prepared = prepare(settings_for(root, lang=ZH, theme="pitch"), CLIENT)
    with language(prepared.catalog):
        html = render_html(prepared.briefing, prepared.theme)
    html = re.sub(r'<span class="nobr">(.*?)</span>', r"\1", html)  # line-breaking hints
    assert "<h2>我们的建议</h2>" in html  # the child's own wording
    assert "核心建议" not in html and "目录" in html  # the rest from the parent's catalog


def test_every_edition_gives_the_same_advice(tmp_path: Path) -> None:
    """Translated names never reorder platforms: ties in fit are broken by id."""
    from briefing.build.pipeline import load_knowledge

    from .conftest import SAMPLE_CLIENTS

    root = copy_project(tmp_path / "project")
    advice = {}
    for lang in ("en", ZH):
        settings = settings_for(root, lang=lang)
        knowledge = load_knowledge(settings, lang)
        for client in SAMPLE_CLIENTS:
            briefing = prepare(settings, client, knowledge).briefing
            advice[lang, client] = (
                [r.id for r in briefing.recommended],
                [(p.id, p.group) for p in briefing.plan.placed],
            )
    for client in SAMPLE_CLIENTS:
        assert advice["en", client] == advice[ZH, client], client


def test_a_translation_change_is_no_change_to_the_english_edition(
    zh_built: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "changed"
    shutil.copytree(zh_built, root)
    sibling = root / "data/platforms/wechat.zh-CN.yaml"
    sibling.write_text(sibling.read_text("utf-8").replace("即时通讯", "即时通信", 1), "utf-8")
    assert prepare(settings_for(root, lang="en"), CLIENT).up_to_date()
    assert not prepare(settings_for(root, lang=ZH), CLIENT).up_to_date()


def test_one_edition_refused_does_not_hold_back_the_other(
    zh_built: Path, tmp_path: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import shutil

    from briefing.cli import main

    root = tmp_path / "project"
    shutil.copytree(zh_built, root)
    handler, port = smtp()
    send_through(monkeypatch, port)
    monkeypatch.chdir(root)
    assert main(["email", CLIENT, "--lang", "en"]) == 0
    assert main(["email", CLIENT]) == 3  # English refused as a repeat (not ready); Chinese: sent
    err = capsys.readouterr().err
    assert "en edition (briefing email nordlys-travel): already sent" in err
    assert len(handler.messages) == 2


def test_a_missing_translation_of_another_clients_industry_does_not_block(tmp_path: Path) -> None:
    root = project_with(tmp_path)
    (root / "data/industries/automotive.zh-CN.yaml").unlink()  # nordlys-travel is tourism
    assert prepare(settings_for(root, lang=ZH), CLIENT).briefing.industry_id == "tourism"
    (root / "data/industries/tourism.zh-CN.yaml").unlink()
    with pytest.raises(DataError, match=r"tourism\.zh-CN\.yaml does not exist"):
        prepare(settings_for(root, lang=ZH), CLIENT)


def test_empty_or_odd_translations_are_named(tmp_path: Path) -> None:
    root = project_with(tmp_path)
    client = root / "data/clients/nordlys-travel.zh-CN.yaml"
    text = client.read_text("utf-8")
    text = re.sub(r"Chengdu: [^,}\n]+", "Chengdu: ", text)
    text = text.replace("- id: iceland", "- id: [iceland]")
    client.write_text(text, "utf-8")
    article = root / "data/articles/xiaohongshu-seeding.zh-CN.md"
    article.write_text(article.read_text("utf-8").split("---\n", 2)[1].join(["---\n", "---\n"]))
    with pytest.raises(DataError) as caught:
        prepare(settings_for(root, lang=ZH), CLIENT)
    problems = "\n".join(str(p) for p in caught.value.problems)
    assert "nordlys-travel.zh-CN.yaml" in problems and "'Chengdu': expected its translation" in (
        problems
    )
    assert "expected the id of a base item" in problems
    assert "xiaohongshu-seeding.zh-CN.md" in problems and "the article's text is missing" in (
        problems
    )


def test_language_filters_of_constants_follow_each_edition() -> None:
    """Jinja computes a filter of a constant once, at compile time; in a batch worker that
    builds English, then Chinese, the words must still follow the edition."""
    from briefing.themes import i18n
    from briefing.themes.templating import environment
    from briefing.themes.theme import resolve

    theme = resolve("default", REPO)
    template = environment(theme, "html").from_string(
        '{{ "considered" | word }} {{ 3 | spell }} {{ "2025-09" | date }}'
    )
    chinese = i18n.load_catalog(theme.dirs, ZH, REPO)
    assert template.render() == "considered three September 2025"
    with i18n.language(chinese):
        assert template.render() == "备选 三 2025年9月"


def test_a_send_recorded_before_editions_is_still_a_repeat() -> None:
    """A manifest written before editions (no lang, since or dated) and today's English one
    for the same inputs give the same send key; the Chinese edition is another send."""
    from briefing.state.identity import send_key

    inputs = {"data/clients/acme.yaml": "0" * 64}
    before = {"options": {"version": "0.1.0", "theme": "default", "date": "2026-11-01"}}
    today = {
        "options": {**before["options"], "date": "2026-11-25", "lang": "en", "since": None,
                    "dated": ["wechat:mau-2025-09"]},
    }  # fmt: skip
    chinese = {"options": {**today["options"], "lang": ZH}}
    people = ["wang.fang@example.com"]
    key = send_key(CLIENT, people, {**before, "inputs": inputs})
    assert send_key(CLIENT, people, {**today, "inputs": inputs}) == key
    assert send_key(CLIENT, people, {**chinese, "inputs": inputs}) != key


def test_an_edition_without_its_translation_stops_the_build_before_anything_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to publish English, then say 'nothing was written' about Chinese."""
    root = project_with(tmp_path)
    (root / "data/clients/nordlys-travel.zh-CN.yaml").unlink()
    monkeypatch.chdir(root)
    assert main(["build", CLIENT]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        "data/clients/nordlys-travel.yaml: no zh-CN translation: "
        "data/clients/nordlys-travel.zh-CN.yaml does not exist (the zh-CN edition needs it; "
        "the English edition alone builds with --lang en)" in err
    )
    assert err.strip().splitlines()[-1] == "Aborted: 1 error in data/ (nothing was written)"
    assert not (root / "out" / CLIENT).exists()  # and that is true: no edition was published
    assert "Publishing" not in err
    assert main(["build", CLIENT, "--lang", "en"]) == 0  # the way out the message names
    assert (root / f"out/{CLIENT}/{CLIENT}-briefing.pdf").is_file()


CODES = re.compile(r"(?<![A-Za-z])(CNY|RMB|USD|EUR|GBP|CHF|AUD|CAD|JPY|HKD|SGD)(?![A-Za-z])")


def test_the_chinese_edition_names_currencies_not_codes(zh_built: Path) -> None:
    """The brief's EUR is 欧元 in the Chinese PDF and deck (a code stays in a cited source)."""
    pdf = re.sub(r"\s+", " ", pdf_text(zh_built / "out" / CLIENT / f"{CLIENT}-briefing.zh-CN.pdf"))
    deck = " ".join(
        run.findtext(qn("a:t")) or ""
        for run in runs(zh_built / "out" / CLIENT / f"{CLIENT}-deck.zh-CN.pptx")
    )
    assert "欧元" in pdf and "欧元" in deck
    assert not re.search("[「」『』]", pdf + deck), "mainland quotation marks are “ ” and ‘ ’"
    cited = source_text()
    for text in (pdf, deck):
        codes = {m.group(0) for m in CODES.finditer(text)}
        assert not {c for c in codes if c not in cited}, codes


def test_a_failed_second_edition_says_the_first_was_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The en edition was published, then the zh-CN one failed, and the tool said "nothing
    was written"."""
    from briefing.build import pipeline as build_module
    from briefing.cli import main
    from briefing.errors import RenderError

    root = project_with(tmp_path)
    real_build = build_module.build

    def zh_render_fails(settings, client_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        if settings.lang == ZH:  # its data is fine (checked first); its render fails
            raise RenderError("PDF: the renderer ran out of memory")
        return real_build(settings, client_id, *args, **kwargs)

    monkeypatch.setattr(build_module, "build", zh_render_fails)
    monkeypatch.chdir(root)
    assert main(["build", CLIENT]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        "Aborted: the zh-CN edition was not written (its previous outputs are unchanged); "
        "the en edition before it was published"
    )
    assert "nothing was written" not in err
    assert (root / f"out/{CLIENT}/{CLIENT}-briefing.pdf").exists()


def test_the_chinese_edition_draws_the_english_editions_charts(zh_built: Path) -> None:
    """The audience charts and the evidence's audience figure were missing in Chinese: they
    found their figures by the English start of a name ('MAU …'), which the Chinese names
    (月活跃用户数…) do not have; a figure's id keeps it in both editions."""

    def charts(deck: Path) -> int:
        slides = Presentation(str(deck)).slides
        return sum(1 for slide in slides for shape in slide.shapes if shape.has_chart)

    folder = zh_built / "out" / CLIENT
    english = charts(folder / f"{CLIENT}-deck.pptx")
    assert english >= 2  # the fit and at least one audience chart
    assert charts(folder / f"{CLIENT}-deck.zh-CN.pptx") == english
    pdf = re.sub(r"\s+", "", pdf_text(folder / f"{CLIENT}-briefing.zh-CN.pdf"))
    assert "最新受众数据" in pdf  # the evidence's audience figure (not only "最新数据")

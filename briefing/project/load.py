"""Files to raw documents, each with a (key path -> line, col) index; safe YAML only."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing import files
from briefing.errors import Problem, relative
from briefing.project import parsecache
from briefing.project.layout import KINDS, SINGLES, data_files, is_translation

KeyPath = tuple[str | int, ...]


def field_name(loc: KeyPath) -> str:
    """('platforms', 1, 'name') -> 'platforms[1].name'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Document:
    """One parsed file: its data, where each value and key stands, and its bytes' hash."""

    path: Path
    rel: str
    data: Any = None
    body: str = ""  # markdown after the front matter
    body_line: int = 1  # the line of the file where ``body`` starts
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    digest: str = ""
    problem: Problem | None = None
    translated: dict[KeyPath, str] = field(default_factory=dict)  # place -> translation file

    def file_for(self, loc: KeyPath) -> str:
        """The file a value came from: this one, or the translation that replaced it."""
        while loc:
            if loc in self.translated:
                return self.translated[loc]
            loc = loc[:-1]
        return self.rel

    def where(self, loc: KeyPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``loc``, or of its nearest parent that has one."""
        index = self.keys if key and loc in self.keys else self.values
        while loc and loc not in index:
            loc = loc[:-1]
            index = self.values
        return index.get(loc, (None, None))


@dataclass
class Project:
    """Every document of data/, by kind and id (the file stem)."""

    root: Path
    documents: dict[str, dict[str, Document]]
    siblings: dict[str, dict[str, Document]] = field(default_factory=dict)  # '<id>.<lang>'

    def files(self) -> dict[str, str]:
        """Relative path -> sha256 of every file read, for build manifests."""
        # In an edition, a translated document's digest covers its translation file too, so
        # each edition depends on its own language's files only.
        return {d.rel: d.digest for kind in self.documents.values() for d in kind.values()}

    def listing(self) -> dict[str, str]:
        """Relative path -> sha256 of the bytes read, of every file of data/ (translations
        too): what a later up-to-date check compares with the files, unparsed."""
        read = [*self.documents.values(), *self.siblings.values()]
        return {d.rel: d.digest for kind in read for d in kind.values()}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, anchors and explicit tags."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            # The stubs allow libyaml's Mark on an event; the pure-Python SafeLoader makes
            # yaml.error.Mark, which ComposerError takes.
            mark = event.start_mark
            raise ComposerError(None, None, "YAML aliases (*name) are not allowed", mark)  # type: ignore[arg-type]
        if getattr(event, "anchor", None):
            raise ComposerError(
                None, None, "YAML anchors (&name) are not allowed", event.start_mark
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise ComposerError(None, None, f"YAML tags ({tag}) are not allowed", event.start_mark)
        return super().compose_node(parent, index)


_PARSED: dict[tuple[str, str, int], parsecache.Parsed] = {}
PARSED_LIMIT = 1024  # documents remembered: a warm process (the preview) reparses only edits


def parse_yaml(text: str, doc: Document, line_offset: int = 0, root: Path | None = None) -> None:
    """Fill ``doc.data`` and its position index from YAML ``text``; record the first problem.
    Text parsed before is copied from memory (this process) or, given the project ``root``,
    read from the parse cache on disk; only new text is parsed."""
    key = (doc.rel, text, line_offset)
    parsed = _PARSED.get(key)
    entry = parsecache.key(text, line_offset) if root is not None and parsed is None else None
    if entry is not None:
        parsed = parsecache.read(root, entry)  # type: ignore[arg-type]
    if parsed is None:
        _parse_yaml(text, doc, line_offset)
        problem = doc.problem
        at = (problem.message, problem.line, problem.col) if problem else None
        parsed = (copy.deepcopy(doc.data), dict(doc.values), dict(doc.keys), at)
        if entry is not None:
            parsecache.write(root, entry, parsed)  # type: ignore[arg-type]
    if len(_PARSED) >= PARSED_LIMIT:
        _PARSED.clear()
    _PARSED[key] = parsed
    data, values, keys, at = parsed
    doc.data = copy.deepcopy(data)
    doc.values, doc.keys = dict(values), dict(keys)
    doc.problem = Problem(doc.rel, at[0], at[1], at[2]) if at else None


def _parse_yaml(text: str, doc: Document, line_offset: int) -> None:
    """libyaml composes; anything it would let through that the strict loader refuses (aliases,
    anchors, tags), and any error, is parsed again by the strict loader for its exact message."""
    loader: yaml.SafeLoader = _StrictLoader(text)
    try:
        loader, node = _compose(text, loader)
        if node is None:
            doc.problem = Problem(doc.rel, "file is empty", 1 + line_offset)
            return
        lines = _LINE_BREAK.split(text)
        doc.data = _Builder(loader, doc, line_offset, lines).construct(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        col = mark.column + 1 if mark else None
        message = " ".join(str(m) for m in (exc.context, exc.problem) if m)
        doc.problem = Problem(doc.rel, f"invalid YAML: {message}", line, col)
    except yaml.YAMLError as exc:  # reader errors: bad characters
        doc.problem = Problem(doc.rel, f"invalid YAML: {exc}")
    finally:
        loader.dispose()


def _compose(text: str, strict: yaml.SafeLoader) -> tuple[yaml.SafeLoader, Node | None]:
    """The node tree, by libyaml when it may (see ``_fast_loader``), else by ``strict``."""
    fast = _fast_loader(text)
    if fast is not None:
        try:
            return fast, fast.get_single_node()
        except yaml.YAMLError:
            fast.dispose()  # the strict loader words the error as users know it
    return strict, strict.get_single_node()


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks


def _fast_loader(text: str) -> yaml.SafeLoader | None:
    """A libyaml loader for ``text``, if its events show nothing the strict loader refuses and
    no error; else None. (libyaml's composer never calls the strict loader's checks, and its
    node tree forgets anchors and explicit tags: so they are looked for in its events.)"""
    if not yaml.__with_libyaml__:
        return None
    text = str(text)  # libyaml takes no subclass (a rendered template's Markup)
    if not any(sign in text for sign in "&*!"):  # no anchor, alias or tag can be written
        return yaml.CSafeLoader(text)  # type: ignore[return-value]
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if (
                isinstance(event, yaml.AliasEvent)
                or getattr(event, "anchor", None)
                or getattr(event, "tag", None) not in (None, "!")
            ):
                return None
    except yaml.YAMLError:
        return None
    return yaml.CSafeLoader(text)  # type: ignore[return-value]


@dataclass
class _Builder:
    """Python values from a node tree, with every value's and key's position in ``doc``."""

    loader: yaml.SafeLoader
    doc: Document
    off: int  # lines before ``text`` in its file (front matter)
    lines: list[str]  # the text's lines

    def construct(self, node: Node, loc: KeyPath) -> Any:
        loader, doc, off = self.loader, self.doc, self.off
        doc.values[loc] = (node.start_mark.line + 1 + off, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                if isinstance(key_node, ScalarNode) and key in result:
                    first = doc.keys[(*loc, key)][0]
                    raise ComposerError(
                        None,
                        None,
                        f"duplicate key '{key}' (first defined on line {first})",
                        key_node.start_mark,
                    )
                if not isinstance(key, str | int):
                    raise ComposerError(None, None, "keys must be plain text", key_node.start_mark)
                doc.keys[(*loc, key)] = (
                    key_node.start_mark.line + 1 + off,
                    key_node.start_mark.column + 1,
                )
                result[key] = self.construct(value_node, (*loc, key))
            return result
        if isinstance(node, SequenceNode):
            for item in node.value:
                self.check_folded_item(item)
            return [self.construct(item, (*loc, i)) for i, item in enumerate(node.value)]
        try:
            return loader.construct_object(node, deep=True)
        except ValueError as exc:  # e.g. a date that does not exist: 2025-02-30
            raise ComposerError(
                None, None, f"'{node.value}' is not valid: {exc}", node.start_mark
            ) from None

    def check_folded_item(self, node: Node) -> None:
        """A plain list item that runs onto a line starting with '- ' is almost always two
        items whose second '-' is indented one space too far: YAML would quietly join them."""
        if not isinstance(node, ScalarNode) or node.style:
            return
        start, end = node.start_mark, node.end_mark
        for line in range(start.line + 1, end.line + 1):
            text = self.lines[line] if line < end.line else self.lines[line][: end.column]
            match = re.match(r"[ \t]*- ", text)
            if match:
                raise ComposerError(
                    None,
                    None,
                    "this list item runs onto a line that starts with '- ': if that line is a "
                    "new item, indent its '-' exactly like the one above (or quote the text if "
                    "it is one item)",
                    Mark(self.doc.rel, 0, line, match.end() - 2, None, 0),  # no buffer: no snippet
                )


def read_text(path: Path, doc: Document, allowed: Path, project: Path, limit: int) -> str | None:
    """Read a contained UTF-8 file; on failure record a problem (naming the bad byte's line)."""
    try:
        raw = files.read_bytes(path, allowed, project, limit)
    except files.FileRefused as exc:
        doc.problem = Problem(doc.rel, exc.reason)
        return None
    doc.digest = hashlib.sha256(raw).hexdigest()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        doc.problem = Problem(doc.rel, f"not UTF-8 text (byte {exc.start})", line)
        return None


def load_yaml_file(
    path: Path, root: Path, allowed: Path | None = None, limit: int = files.LIMITS["data"]
) -> Document:
    """One YAML file of the project; ``allowed`` is the folder it must stay inside."""
    doc = Document(path=path, rel=relative(path, root))
    text = read_text(path, doc, allowed or path.parent, root, limit)
    if text is not None:
        parse_yaml(text, doc, root=root)
    return doc


def load_markdown_file(path: Path, root: Path) -> Document:
    """An article: YAML front matter between two ``---`` lines, then markdown."""
    doc = Document(path=path, rel=relative(path, root))
    text = read_text(path, doc, path.parent, root, files.LIMITS["article"])
    if text is None:
        return doc
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        doc.problem = Problem(doc.rel, "front matter: expected a first line '---'", 1)
        return doc
    end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), None)
    if end is None:
        doc.problem = Problem(doc.rel, "front matter: no closing '---' line", 1)
        return doc
    parse_yaml("".join(lines[1:end]), doc, line_offset=1, root=root)
    doc.body = "".join(lines[end + 1 :])
    doc.body_line = end + 2
    return doc


def load_project(root: Path) -> Project:
    """Read every file under data/; parsing problems are kept on the documents."""
    documents: dict[str, dict[str, Document]] = {k: {} for k in (*KINDS, *SINGLES)}
    siblings: dict[str, dict[str, Document]] = {k: {} for k in (*KINDS, *SINGLES)}
    for kind, path in data_files(root):  # translations: wechat.zh-CN.yaml, fx.zh-CN.yaml
        loader = load_markdown_file if kind == "articles" else load_yaml_file
        read = siblings if is_translation(path) else documents
        read[kind][path.stem] = loader(path, root)
    return Project(root=root, documents=documents, siblings=siblings)

"""How much of one client's briefing reads word for word like another's.

From each briefing's HTML body, with the client's name, cities, competitors and every number
masked (so "Shanghai" or "30%" never make a sentence look tailored): the share of one
briefing's sentences that appear in the other's. Reported for the worst pair of clients in
different industries and in the same industry, overall and per section.

Left out: the sources and method appendices and the other reference material that is the
same for every reader by design (the key-figures tables and fact line of a platform), and what
is not a sentence (headings, table headers, chart captions, the budget's line items, the
"audit their accounts" marker of a competitor not yet audited).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import permutations

from lxml import html as lxml_html

from briefing.project.model import Briefing

SKIPPED_SECTIONS = {"sources", "method"}  # appendices: the same method for every reader
SKIPPED = (  # not sentences, or reference facts the same for every reader
    "//h1 | //h2 | //h3 | //h4 | //th | //figcaption"
    " | //table[@class='metrics'] | //p[@class='facts']"
    " | //table[@class='budget'] | //table[@class='competitors']//td[@class='watch']"
)
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s+|\n+")  # and Chinese marks
_NUMBER = re.compile(r"\d[\d,.\s]*")


@dataclass(frozen=True)
class Text:
    client_id: str
    industry: str
    sections: dict[str, list[str]]  # section id -> masked sentences

    @property
    def sentences(self) -> list[str]:
        return [s for sentences in self.sections.values() for s in sentences]


def briefing_text(briefing: Briefing, html: str) -> Text:
    client = briefing.client
    masks = [client.name, *client.all_cities, *(c.name for c in client.competitors)]
    tree = lxml_html.fromstring(html.encode("utf-8"))
    for element in tree.xpath(SKIPPED):
        element.drop_tree()
    sections: dict[str, list[str]] = {}
    for section in tree.iter("section"):
        name = section.get("id") or section.get("class") or "other"
        if name.startswith("platform-"):
            name = "platform"
        if name in SKIPPED_SECTIONS or "cover" in name:
            continue
        text = " ".join(section.itertext())
        sections.setdefault(name, []).extend(_sentences(text, masks))
    return Text(briefing.client_id, briefing.industry_id, sections)


def _sentences(text: str, masks: list[str]) -> list[str]:
    for word in sorted(masks, key=len, reverse=True):
        text = text.replace(word, "<client>")
    text = _NUMBER.sub("<n>", text)
    found = []
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        if len(sentence.split()) >= 4:  # headings and table labels are not sentences
            found.append(sentence)
    return found


def shared(a: list[str], b: list[str]) -> float:
    """The share of ``a``'s sentences that also appear in ``b``."""
    if not a:
        return 0.0
    others = set(b)
    return sum(s in others for s in a) / len(a)


@dataclass(frozen=True)
class Report:
    cross_industry: float
    cross_pair: tuple[str, str]
    same_industry: float
    same_pair: tuple[str, str] | None
    sections: dict[str, tuple[float, float]]  # section -> (cross, same) worst shares


def report(texts: list[Text]) -> Report:
    cross: tuple[float, tuple[str, str]] = (0.0, ("", ""))
    same: tuple[float, tuple[str, str] | None] = (0.0, None)
    per_section: dict[str, list[float]] = {}
    for a, b in permutations(texts, 2):
        value = shared(a.sentences, b.sentences)
        key = "same" if a.industry == b.industry else "cross"
        if key == "cross" and value >= cross[0]:
            cross = (value, (a.client_id, b.client_id))
        if key == "same" and value >= same[0]:
            same = (value, (a.client_id, b.client_id))
        for name in a.sections:
            worst = per_section.setdefault(name, [0.0, 0.0])
            index = 1 if key == "same" else 0
            share = shared(a.sections[name], b.sections.get(name, []))
            worst[index] = max(worst[index], share)
    return Report(
        cross[0], cross[1], same[0], same[1], {k: (v[0], v[1]) for k, v in per_section.items()}
    )

"""Rule cards: the law behind every piece of feedback, and the red-line panel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.content import Content
from textual.widget import Widget

from game.catalog import Catalog
from game.models import GlossaryTerm, RuleCard
from tui.widgets.lists import Bullet
from tui.widgets.prose import Prose


def muted(text: str) -> Content:
    return Content.styled(text, "$text-muted")


def label(text: str) -> tuple[str, str]:
    """A muted label in front of a value on the same line."""
    return (text + "  ", "$text-muted")


def rule_citation(rule: RuleCard) -> str:
    """`《法》第N条` or just the law when the source has no article."""
    return f"{rule.law}{rule.article}" if rule.article else rule.law


def ref_row(catalog: Catalog | None, ref: str | None, *, short: bool = False) -> tuple[Content, Content] | None:
    """(label, value) of what a `ref` points at: a rule card with its law, or a glossary term
    (with its meaning unless `short`)."""
    if not ref:
        return None
    rule = catalog.rules.get(ref) if catalog else None
    if rule is not None:
        return muted("依据"), Content.assemble((rule.title, "bold"), " · ", rule_citation(rule))
    term = catalog.glossary.get(ref) if catalog else None
    if term is not None:
        if short:
            return muted("术语"), Content.assemble(
                (term.term, "bold"), (f"  {term.english}" if term.english else "", "$text-muted")
            )
        return muted("术语"), Content.assemble((term.term, "bold"), " · ", term.meaning)
    return muted("依据"), Content(ref)


def ref_line(catalog: Catalog | None, ref: str | None) -> Content | None:
    """`依据:标题 · 《法》第N条` for a rule card or glossary id, or None."""
    if not ref:
        return None
    rule = catalog.rules.get(ref) if catalog else None
    if rule is not None:
        return Content.assemble(label("依据"), (rule.title, "bold"), " · ", rule_citation(rule))
    term = catalog.glossary.get(ref) if catalog else None
    if term is not None:
        return Content.assemble(label("术语"), (term.term, "bold"), " · ", term.meaning)
    return Content.assemble(label("依据"), ref)


def rule_title(catalog: Catalog | None, ref: str | None) -> str:
    if not ref:
        return ""
    if catalog and ref in catalog.rules:
        return catalog.rules[ref].title
    if catalog and ref in catalog.glossary:
        return catalog.glossary[ref].term
    return ref


def rule_card_widgets(rule: RuleCard) -> list[Widget]:
    """A rule card in full: labels on the left, values wrapped beside them."""
    widgets: list[Widget] = [
        Prose(
            Content.assemble(("✖ 红线  " if rule.red_line else "", "bold $text-error"), (rule.title, "bold")),
            classes="card-title",
        ),
        Bullet(Content.assemble(rule_citation(rule), (effective_label(rule), "$text-muted")), muted("出处")),
        Prose(Content(rule.summary), classes="card-summary"),
        Bullet(rule.compliant, Content.styled("✓ 合规示范", "bold $text-success")),
        Bullet(rule.non_compliant, Content.styled("✗ 违规示例", "bold $text-error")),
    ]
    if rule.supersedes:
        widgets.append(Bullet(Content.assemble(rule.supersedes, ("（已废止）", "$text-muted")), muted("取代")))
    if rule.note:
        widgets.append(Bullet(rule.note, muted("注")))
    # Trainees see the official source; how the project verified it (`verification`, `research`)
    # is for trainers and stays in the YAML.
    widgets.append(Bullet(Content(rule.source), muted("出处")))
    return widgets


def term_widgets(term: GlossaryTerm, catalog: Catalog | None = None) -> list[Widget]:
    widgets: list[Widget] = [
        Prose(
            Content.assemble((term.term, "bold"), (f"  {term.english}" if term.english else "", "$text-muted")),
            classes="card-title",
        ),
        Prose(Content(term.meaning), classes="card-summary"),
    ]
    if term.example:
        widgets.append(Bullet(term.example, muted("例")))
    rule = catalog.rules.get(term.ref) if catalog and term.ref else None
    if rule is not None:
        widgets.append(Bullet(Content.assemble((rule.title, "bold"), " · ", rule_citation(rule)), muted("依据")))
    return widgets


class CardView(VerticalGroup):
    """A handbook card (rule, term or script) made of label/value rows."""

    DEFAULT_CSS = """
    CardView { height: auto; }
    CardView > .card-title { margin-bottom: 1; }
    CardView > .card-summary { margin: 1 0; }
    CardView > Bullet { margin-bottom: 0; }
    CardView > Bullet > .mark { width: 12; }
    """

    def __init__(self, widgets: list[Widget], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.card_widgets = widgets

    def compose(self) -> ComposeResult:
        yield from self.card_widgets


class RedLinePanel(VerticalGroup):
    """Shown the moment a choice crosses a red line: which rule, which law and article, and what
    it means for the level. Impossible to miss: heavy red frame, a title in words and a symbol."""

    DEFAULT_CSS = """
    RedLinePanel {
        border: heavy $error;
        background: $error 15%;
        border-title-color: $text-error;
        border-title-style: bold;
        border-title-align: center;
        padding: 0 1;
        margin: 1 0;
        height: auto;
    }
    RedLinePanel .red-title { text-style: bold; color: $text-error; }
    """

    def __init__(
        self,
        catalog: Catalog | None,
        rule_id: str,
        feedback: str | None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.catalog = catalog
        self.rule_id = rule_id
        self.feedback = feedback
        self.border_title = "✖ 红线 · 一票否决"

    def compose(self) -> ComposeResult:
        rule = self.catalog.rules.get(self.rule_id) if self.catalog else None
        title = rule.title if rule else self.rule_id
        yield Prose(Content.assemble("触碰红线：", title), classes="red-title")
        if rule is not None:
            yield Bullet(Content.styled(rule_citation(rule), "bold"), muted("依据"), classes="red-law")
            yield Prose(Content(rule.summary), classes="red-summary")
        if self.feedback:
            yield Prose(Content(self.feedback), classes="red-feedback")
        yield Prose(Content.styled("本关「合规」归零，结果判定为未通过。", "bold"), classes="red-verdict")


def effective_label(rule: RuleCard) -> str:
    """When the rule dates from: its effective date, or only its issue date where that is all
    that is verified (some industry guidelines)."""
    if rule.date_basis == "发布":
        return f"（{rule.effective.isoformat()} 发布）"
    return f"（自 {rule.effective.isoformat()} 起施行）"

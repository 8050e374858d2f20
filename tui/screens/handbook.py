"""The handbook: rule cards, glossary and recommended 话术 from content/, searchable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Footer,
    Header,
    Input,
    OptionList,
    TabbedContent,
    TabPane,
)

from game.catalog import Catalog
from game.models import Script
from game.search import Field, SearchIndex
from tui.widgets.lists import Bullet, EntryList, HangingItem
from tui.widgets.prose import Prose
from tui.widgets.rulecard import (
    CardView,
    muted,
    rule_card_widgets,
    rule_citation,
    term_widgets,
)

SECTIONS = (("rules", "规则卡"), ("terms", "术语"), ("scripts", "话术"))


@dataclass(frozen=True)
class Entry:
    """One handbook entry: its list line, how to draw it in full, and what search looks at."""

    id: str
    mark: Content
    label: Content
    card: Callable[[], list[Widget]]
    fields: tuple[Field, ...]
    """What search looks at, weighted: titles and aliases most, examples least."""


def script_widgets(script: Script, catalog: Catalog) -> list[Widget]:
    widgets: list[Widget] = [Prose(Content.styled(script.objection, "bold"), classes="card-title")]
    if script.signals:
        widgets.append(Bullet("、".join(f"「{s}」" for s in script.signals), muted("客户常说")))
    widgets.append(Bullet(script.approach, muted("思路")))
    for good in script.good:
        widgets.append(
            Bullet(
                Content.assemble(good.line, "\n", (good.why, "$text-muted")),
                Content.styled("✓ 推荐", "bold $text-success"),
            )
        )
    for bad in script.bad:
        widgets.append(
            Bullet(
                Content.assemble(bad.line, "\n", (bad.why, "$text-muted")), Content.styled("✗ 避免", "bold $text-error")
            )
        )
    for ref in script.refs:
        rule = catalog.rules.get(ref)
        if rule is not None:
            widgets.append(Bullet(Content.assemble((rule.title, "bold"), " · ", rule_citation(rule)), muted("依据")))
    return widgets


def entries(catalog: Catalog) -> dict[str, list[Entry]]:
    rules = [
        Entry(
            r.id,
            Content.styled("✖ " if r.red_line else "· ", "$text-error" if r.red_line else ""),
            Content(r.title),
            partial(rule_card_widgets, r),
            (
                Field(r.title, 3),
                Field(" ".join(r.tags), 2.5),
                Field(f"{r.law}{r.article or ''}", 2),
                Field(r.summary, 2),
                Field(" ".join([r.id, r.compliant, r.non_compliant]), 1),
            ),
        )
        for r in catalog.rules.values()
    ]
    terms = [
        Entry(
            t.id,
            Content("· "),
            Content.assemble(t.term, (f"  {t.english}" if t.english else "", "$text-muted")),
            partial(term_widgets, t, catalog),
            (
                Field(t.term, 3),
                Field(" ".join([t.english or "", *t.tags]), 2.5),
                Field(t.meaning, 2),
                Field(" ".join([t.id, t.example or ""]), 1),
            ),
        )
        for t in catalog.glossary.values()
    ]
    scripts = [
        Entry(
            s.id,
            Content("· "),
            Content(s.objection),
            partial(script_widgets, s, catalog),
            (
                Field(s.objection, 3),
                Field(" ".join(s.signals), 2.5),
                Field(s.approach, 2),
                Field(" ".join([s.id, *(g.line for g in s.good), *(b.line for b in s.bad)]), 1),
            ),
        )
        for s in catalog.scripts.values()
    ]
    return {"rules": rules, "terms": terms, "scripts": scripts}


class HandbookScreen(Screen[None]):
    """Browse and search the handbook."""

    CSS_PATH = "handbook.tcss"
    AUTO_FOCUS = "#list-rules"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash,ctrl+f", "focus_search", "搜索", key_display="/", id="handbook.focus-search"),
        Binding("1", "section('rules')", "规则卡", show=False, id="handbook.rules"),
        Binding("2", "section('terms')", "术语", show=False, id="handbook.terms"),
        Binding("3", "section('scripts')", "话术", show=False, id="handbook.scripts"),
        Binding("escape", "back", "返回", key_display="Esc", id="handbook.back"),
    ]

    def __init__(self, catalog: Catalog | None, *, query: str = "", ref: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.all = entries(catalog) if catalog else {key: [] for key, _ in SECTIONS}
        self.shown: dict[str, list[Entry]] = {key: [] for key, _ in SECTIONS}
        self.indexes = {key: SearchIndex([e.fields for e in self.all[key]]) for key, _ in SECTIONS}
        self.initial_query = query
        self.initial_ref = ref
        self.sub_title = "合规手册"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Input(placeholder="搜索规则、法条、术语、话术…（按 / 聚焦，Esc 清空）", id="search")
        with TabbedContent(id="sections"):
            for key, label in SECTIONS:
                with TabPane(label, id=f"pane-{key}"):
                    with Horizontal(classes="section"):
                        yield EntryList(id=f"list-{key}", classes="entries")
                        yield VerticalScroll(id=f"detail-{key}", classes="entry-detail")
        yield Footer()

    def on_mount(self) -> None:
        if self.catalog is None:
            self.notify("手册还在载入，请稍后再打开。", markup=False)
        self.search(self.initial_query, self.initial_ref)

    def search(self, query: str, ref: str | None = None) -> None:
        search = self.query_one("#search", Input)
        if search.value != query:
            with search.prevent(Input.Changed):
                search.value = query
        self._filter(query)
        if ref:
            self._reveal(ref)

    def _reveal(self, ref: str) -> None:
        for key, _ in SECTIONS:
            ids = [e.id for e in self.shown[key]]
            if ref in ids:
                self.action_section(key)
                self.query_one(f"#list-{key}", OptionList).highlighted = ids.index(ref)
                return

    def _filter(self, query: str) -> None:
        words = query.split()
        tabs = self.query_one("#sections", TabbedContent)
        for key, label in SECTIONS:
            matching = [self.all[key][i] for i in self.indexes[key].rank(query)]
            self.shown[key] = matching
            option_list = self.query_one(f"#list-{key}", EntryList)
            option_list.set_items([HangingItem(e.mark, e.label, id=e.id) for e in matching])
            if matching:
                option_list.highlighted = 0
            tabs.get_tab(f"pane-{key}").label = Content(f"{label} {len(matching)}")
            self._show(key)
        if words and not self.shown.get(self._active()):
            first = next((key for key, _ in SECTIONS if self.shown[key]), None)
            if first:
                self.action_section(first)

    def _active(self) -> str:
        active = self.query_one("#sections", TabbedContent).active or "pane-rules"
        return active.removeprefix("pane-")

    def _show(self, key: str) -> None:
        option_list = self.query_one(f"#list-{key}", EntryList)
        detail = self.query_one(f"#detail-{key}", VerticalScroll)
        index = option_list.highlighted
        detail.remove_children()
        if index is None or index >= len(self.shown[key]):
            detail.mount(Prose(Content.styled("没有找到匹配的条目。", "$text-muted")))
            return
        detail.mount(CardView(self.shown[key][index].card()))
        detail.scroll_home(animate=False)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        key = (event.option_list.id or "").removeprefix("list-")
        if key in self.shown:
            self._show(key)

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(f"#list-{self._active()}", OptionList).focus()

    @on(TabbedContent.TabActivated)
    def _tab(self) -> None:
        self._show(self._active())

    def action_section(self, key: str) -> None:
        self.query_one("#sections", TabbedContent).active = f"pane-{key}"
        self.query_one(f"#list-{key}", OptionList).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search and search.value:
            search.value = ""
            return
        self.dismiss()

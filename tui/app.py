"""The CollectQuest app: screens, navigation between them, saving, and the command palette.

The engine (`game/`) owns every rule and score. The app only decides which screen shows what:
screens receive the engine objects they render (attributes down) and report what happened with
messages (messages up): a player chosen, a stage step to save, a stage finished.
"""

from __future__ import annotations

import gc
import os
import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from game.catalog import Catalog
from game.progression import BestResult, level_state, rank_for
from game.store import Store, default_location, open_store
from game.store.embedded import EmbeddedStore
from game.store.errors import StorageProblem
from game.store.folders import default_saves_dir
from game.store.records import Player, RunRecord
from game.store.savestore import SaveStore
from tui.localize import system_commands
from tui.progress_saver import ProgressSaver
from tui.screens.commands import GameCommands
from tui.screens.start import PlayerChosen, StartScreen

if TYPE_CHECKING:
    # Everything else is imported where it is used: the start screen shows before the level
    # models (pydantic), the play engine and the other screens load (tests/test_import_cost.py).
    from game.diagnostics import Diagnostic
    from game.models import Level
    from game.progress import SavedProgress
    from game.quiz import Clock
    from game.store.learning import LearningRecords
    from tui.screens.briefing import BriefingScreen
    from tui.screens.host import GameHost
    from tui.screens.map import MapScreen
    from tui.screens.run import LevelRun, RunProgressed, StageDone

REQUIRE_PIN_ENV = "COLLECTQUEST_REQUIRE_PIN"
"""Set (to 1) by `collectquest serve` for the game processes it starts: every player needs a PIN."""

THEME = "textual-dark"
"""The built-in theme the game is designed and snapshot-tested with."""


def random_seed() -> int:
    return random.randrange(1, 2**31)


class CollectQuestApp(App[None]):
    """催收闯关: choose a player, pick a level on the map, play it, see the results."""

    TITLE = "催收闯关"
    SUB_TITLE = "合规催收训练"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {GameCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (140, "-xwide")]
    """Screens get the class -narrow below 100 columns, -wide up to 139 and -xwide from 140."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "帮助", key_display="?", id="help", tooltip="所有按键与玩法说明"),
        Binding("ctrl+q", "quit", "退出", key_display="^q", id="quit", priority=True),
        Binding(
            "ctrl+p",
            "command_palette",
            "命令",
            key_display="^p",
            id="command-palette",
            show=False,
            priority=True,
            tooltip="命令面板",
        ),
    ]

    catalog: reactive[Catalog | None] = reactive(None, always_update=True, init=False)
    """Levels and handbook, loaded in a thread after the first screen shows (None until then)."""

    def __init__(
        self,
        store: Store,
        level_paths: list[Path],
        content_paths: list[Path],
        *,
        catalog: Catalog | None = None,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = datetime.now,
        seeds: Callable[[], int] = random_seed,
        preview: str | None = None,
        require_pin: bool = False,
    ) -> None:
        """`clock` times quiz answers (monotonic seconds), `now` stamps runs, `seeds` seeds each
        run's question draw; tests inject fakes for all three. A given `catalog` skips loading.
        `require_pin`: every player signs in with a PIN (a served game)."""
        super().__init__()
        if isinstance(store, SaveStore) and not isinstance(
            store, EmbeddedStore
        ):  # a bare folder store (tests, old callers): give it sign-in and outbox
            store = EmbeddedStore(store.saves_dir, store.leaderboard_file, read_only=store.read_only)
        self.store = store
        self.level_paths = level_paths
        self.content_paths = content_paths
        self.clock = clock
        self.now = now
        self.seeds = seeds
        self.preloaded = catalog
        self._learning: LearningRecords | None = None
        self.require_pin = require_pin
        self.diagnostics: list[Diagnostic] = []
        self.player: Player | None = None
        self.current_run: LevelRun | None = None
        self.preferred_mode = "practice"
        self.progress_unsaved = False
        """The last progress save failed: the run in play lives only in memory."""
        self.progress_saver = ProgressSaver(
            store,
            on_problem=lambda error: self._from_saver(self._progress_problem, error),
            on_saved=lambda: self._from_saver(self._progress_saved),
        )
        """Progress saves and clears, off the UI thread when the store is slow (see tui.progress_saver)."""
        self.unsaved_runs: dict[str, RunRecord] = {}
        """Finished runs storage refused, by run id, until 重试保存 stores them."""
        self.practice_offered: set[tuple[str, str, int]] = set()
        """(player, level, failed attempts) a practice drill was offered for: asked once each."""
        """The mode last chosen on the map or a briefing (exams are always assessment)."""
        self.theme = THEME
        self.preview = preview
        """A trainer's preview of this level: every level opens, and the saves are thrown away."""
        if preview:
            self.sub_title = "训练师预览 · 不解锁、不计成绩"

    @property
    def learning(self) -> LearningRecords:
        """The 错题本 (review cards) and placement results, beside the saves (opened on first use)."""
        if self._learning is None:
            self._open_learning(tell=True)
        assert self._learning is not None
        return self._learning

    def _open_learning(self, *, tell: bool) -> None:
        """Open the learning store; its problems join the saves' (shown at start, or told if too late)."""
        if self._learning is not None:
            return
        known = list(self.store.problems)
        self._learning = self.store.learning  # its problems join the store's
        new = [p for p in self.store.problems if p not in known]
        if new and tell:
            self.notify("\n".join(new), title="存档提示", severity="warning", timeout=15, markup=False)

    # ----------------------------------------------------------------------------------------
    # Start-up
    # ----------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.preloaded is not None:
            self._open_learning(tell=False)  # before the start screen, which lists its problems
        # Pushed rather than returned from get_default_screen(): Textual 8.2 does not load the
        # CSS_PATH of a default screen.
        if not self.preview:
            self.push_screen(StartScreen(self.store, require_pin=self.require_pin))
        if self.preloaded is not None:
            self.catalog = self.preloaded
            self._open_preview()
        else:
            # After the first frame is drawn: the loading thread (imports, YAML) would compete
            # with it for the GIL.
            self.call_after_refresh(lambda: self.screen.call_after_refresh(self._after_first_frame))
        self.call_after_refresh(self._settle_after_start)

    def _after_first_frame(self) -> None:
        self.call_after_refresh(self.load_catalog)

    def _settle_after_start(self) -> None:
        """`run_app` pauses the cyclic GC through start-up; what start-up built lives as long as the
        game, so it is frozen out of later collections, then the GC runs again."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def on_unmount(self) -> None:
        self.progress_saver.close()

    def _open_preview(self) -> None:
        """Preview: a throw-away player on the throw-away store, straight to the level's briefing."""
        if not self.preview or self.catalog is None or self.player is not None:
            return
        from tui.screens.map import MapScreen

        self.player = self.store.create_player("训练师预览", "预览")
        self.push_screen(MapScreen(self.store, self.player))
        if self.preview in self.catalog.levels:
            self.open_briefing(self.preview)

    @work(thread=True, exclusive=True, group="catalog")
    def load_catalog(self) -> None:
        """Read every level and handbook file off the UI thread, so the start screen shows at once."""
        import game.store.learnfile  # noqa: F401 - its import (the play engine) is paid here, not on the UI thread
        from game.loader import load_catalog

        catalog, diagnostics = load_catalog(self.level_paths, self.content_paths)
        self.call_from_thread(self._catalog_loaded, catalog, diagnostics)

    def _catalog_loaded(self, catalog: Catalog, diagnostics: list[Diagnostic]) -> None:
        self._open_learning(tell=True)
        self.diagnostics = diagnostics
        self.catalog = catalog
        if diagnostics:
            self.notify(
                f"有 {len(diagnostics)} 处关卡或手册文件的问题，相关内容已跳过。"
                "训练师可运行 collectquest validate 查看。",
                title="内容检查",
                severity="warning",
                timeout=8,
                markup=False,
            )
        if not catalog.levels:
            self.notify("没有找到任何关卡文件，请检查 --levels 目录。", severity="error", timeout=10, markup=False)
        self._open_preview()
        if catalog.unavailable:
            # File names and reasons come from trainers' files: control characters are dropped.
            listed = "\n".join(
                "".join(ch for ch in f"· {path.name}：{reason}" if ch.isprintable())[:160]
                for path, reason in list(catalog.unavailable.items())[:5]
            )
            self.notify(listed, title="以下关卡文件不可用", severity="warning", timeout=12, markup=False)

    # ----------------------------------------------------------------------------------------
    # Players and the map
    # ----------------------------------------------------------------------------------------
    @on(PlayerChosen)
    def _player_chosen(self, event: PlayerChosen) -> None:
        from tui.screens.map import MapScreen

        if self.player is None or self.player.id != event.player.id:
            self.preferred_mode = "practice"  # each player starts in the default mode
        self.player = event.player
        self.push_screen(MapScreen(self.store, event.player))

    def bests(self) -> dict[str, BestResult]:
        return self.store.bests(self.player.id) if self.player else {}

    def saved_progress(self) -> SavedProgress | None:
        """The current player's unfinished level, if any. A save that cannot be read is dropped."""
        from game.progress import SavedProgress

        if self.player is None:
            return None
        waiting, stored = self.progress_saver.pending(self.player.id)
        if not waiting:
            stored = self.store.load_progress(self.player.id)
        saved = SavedProgress.from_stored(stored)
        if stored is not None and saved is None:
            self.clear_progress(self.player.id)
            self.notify("上次的进度无法读取（存档已损坏），已清除。", severity="warning", timeout=8, markup=False)
        return saved

    def placed(self) -> frozenset[str]:
        """Tiers the player's placement test opened."""
        return self.learning.opened_tiers(self.player.id) if self.player else frozenset()

    def offer_resume(self) -> None:
        """If the player left a level unfinished, ask whether to resume it."""
        from game.placement import level_for
        from tui.screens.dialogs import ResumeDialog
        from tui.screens.map import MapScreen

        if self.player is None or self.catalog is None or self.current_run is not None:
            return
        saved = self.saved_progress()
        if saved is None:
            return
        level = level_for(self.catalog, saved.level)
        if level is None:
            self.clear_progress(self.player.id)
            self.notify("上次未完成的关卡已不存在，进度已清除。", severity="warning", markup=False)
            return
        where = f"第 {saved.stage_number()}/{len(level.stages)} 环节"

        def decided(answer: str | None) -> None:
            if answer == "resume":
                self.resume_run()
            elif answer == "abandon" and self.player is not None:
                self.clear_progress(self.player.id)
                self.notify("已放弃上次的进度。", markup=False)
                if isinstance(self.screen, MapScreen):
                    self.screen.refresh_map()

        self.push_screen(ResumeDialog(level, saved.mode_name, where), decided)

    def resume_run(self) -> None:
        """Rebuild the saved session and go back to the stage it stopped in."""
        from game.placement import level_for
        from game.session import RecordError
        from tui.screens.run import LevelRun

        if self.player is None or self.catalog is None:
            return
        saved = self.saved_progress()
        if saved is None:
            return
        level = level_for(self.catalog, saved.level)
        try:
            if level is None:
                raise RecordError("level gone")
            session = saved.resume(level, self.catalog, self.clock)
        except (RecordError, ValueError, TypeError):
            self.clear_progress(self.player.id)
            self.notify(
                "上次的进度与当前关卡内容对不上（关卡可能已更新），无法继续，已清除。",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return
        self.current_run = LevelRun(session, self.player, saved.started or self.now(), self.catalog)
        self._show_stage(push=True)

    # ----------------------------------------------------------------------------------------
    # Playing a level
    # ----------------------------------------------------------------------------------------
    def open_briefing(self, level_id: str, mode: str | None = None, *, replace: bool = False) -> None:
        """Show a level's briefing (on top of the map, or instead of the current screen)."""
        from tui.screens.briefing import BriefingScreen

        if self.catalog is None or self.player is None:
            return
        level = self.catalog.levels.get(level_id)
        if level is None:
            return
        state = level_state(self.catalog.levels, self.bests(), level, self.placed())
        if not state.open and not self.preview:
            self.notify(f"⊘ {state.locked_reason}", title=level.title, severity="warning", markup=False)
            return
        chosen_mode = "assessment" if level.exam else (mode or self.preferred_mode)
        screen = BriefingScreen(level, self.catalog, chosen_mode, state)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # Handlers by name rather than @on(...): the decorator would import the screens with the app.
    def on_map_screen_level_picked(self, event: MapScreen.LevelPicked) -> None:
        self.open_briefing(event.level_id, event.mode)

    def on_briefing_screen_begin(self, event: BriefingScreen.Begin) -> None:
        from tui.screens.dialogs import ConfirmDialog

        if self.player is None or self.catalog is None:
            return
        saved = self.saved_progress()
        if saved is not None:
            # Only one level can be in progress: starting another must not silently drop it.
            saved_level = self.catalog.levels.get(saved.level)
            title = saved_level.title if saved_level else saved.level

            def decided(yes: bool | None) -> None:
                if yes and self.player is not None:
                    self.clear_progress(self.player.id)
                    self._offer_practice(event.level, event.mode, event.drawn_from)

            self.push_screen(
                ConfirmDialog(
                    f"你还有一关没打完：「{title}」。\n开始新的关卡会放弃它的进度，确定吗？",
                    yes="放弃并开始",
                    no="取消",
                    title="有未完成的关卡",
                ),
                decided,
            )
            return
        self._offer_practice(event.level, event.mode, event.drawn_from)

    def _offer_practice(self, level: Level, mode: str, drawn_from: Catalog | None = None) -> None:
        """Before another try at a level failed twice, offer a short drill on its skills and the
        rules behind the points lost (game.adaptive); skipping it starts the level at once."""
        from game.adaptive import drill_due, failed_attempts, practice_drill, rules_behind
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.drill import DrillScreen

        player, catalog = self.player, self.catalog
        if player is None or catalog is None or self.preview or level.id not in catalog.levels:
            self._start_run(level, mode, drawn_from)
            return
        bests = self.bests()
        offer = (player.id, level.id, failed_attempts(bests, level.id))
        if not drill_due(bests, level.id) or offer in self.practice_offered:
            self._start_run(level, mode, drawn_from)
            return
        self.practice_offered.add(offer)
        cards = self.learning.cards(player.id)
        drill = practice_drill(level, cards, catalog, player.id, self.clock, self.seeds(), self.now())
        if not drill.items:
            self._start_run(level, mode, drawn_from)
            return
        own = [c for c in cards if c.level_id == level.id]
        rules = "、".join(f"「{catalog.rules[r].title}」" for r in rules_behind(own, catalog)[:3])

        def practised(_: None) -> None:
            self._start_run(level, mode, drawn_from)

        def decided(yes: bool | None) -> None:
            if yes:
                screen = DrillScreen(drill, self.learning, catalog, self.now, practice_for=level.title)
                self.push_screen(screen, practised)
            elif yes is False:
                self._start_run(level, mode, drawn_from)

        self.push_screen(
            ConfirmDialog(
                f"「{level.title}」已经 {offer[2]} 次没有通过。\n开始之前，先做 {len(drill.items)} 道小练？"
                "题目来自本关的失分点和相关规则" + (f"：{rules}。" if rules else "。"),
                yes="先练一练",
                no="跳过，直接开始",
                title="关前小练",
            ),
            decided,
        )

    def _start_run(self, level: Level, mode: str, drawn_from: Catalog | None = None) -> None:
        """Play `level`; its quizzes draw from `drawn_from` (default: the whole catalog)."""
        from game.session import LevelSession
        from tui.screens.briefing import BriefingScreen
        from tui.screens.run import LevelRun

        if self.player is None or self.catalog is None:
            return
        if not level.exam:
            self.preferred_mode = mode
        session = LevelSession(level, drawn_from or self.catalog, mode=mode, clock=self.clock, seed=self.seeds())
        self.current_run = LevelRun(session, self.player, self.now(), self.catalog)
        self.save_progress()
        # From a briefing the stage takes its place; started straight from the map (the placement
        # test) it goes on top, so leaving it returns to the map.
        self._show_stage(push=not isinstance(self.screen, BriefingScreen))

    def _stage_screen(self, run: LevelRun) -> Screen:
        from tui.screens.audit import AuditScreen
        from tui.screens.dialogue import DialogueScreen
        from tui.screens.quiz import QuizScreen

        stage = run.session.stage
        if stage is None:
            raise ValueError("no stage left")
        if stage.kind == "dialogue":
            return DialogueScreen(run)
        if stage.kind == "quiz":
            return QuizScreen(run)
        return AuditScreen(run)

    def _show_stage(self, *, push: bool) -> None:
        if self.current_run is None:
            return
        replayed = self.current_run.replay_stage
        if replayed is not None and (
            self.current_run.session.finished or self.current_run.session.stage_index > replayed
        ):
            self._end_replay()
            return
        if self.current_run.session.finished:
            self._finish_run()
            return
        screen = self._stage_screen(self.current_run)
        if push:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def save_progress(self) -> None:
        """Save the run in play. If storage fails, the run goes on in memory and the player is told once;
        if storage is slow (a lock held elsewhere), the save finishes in the background."""
        if self.current_run is None or self.current_run.replay_stage is not None:
            return  # a replay is never saved
        try:
            if self.progress_saver.save(self.current_run.player.id, self.current_run.progress().to_dict()):
                self._progress_saved()
        except StorageProblem as problem:
            self._progress_problem(problem)

    def clear_progress(self, player_id: str) -> None:
        """Drop the player's saved progress, in order with the saves still waiting for the store."""
        self.progress_saver.clear(player_id)

    def _progress_saved(self) -> None:
        self.progress_unsaved = False

    def _progress_problem(self, problem: Exception) -> None:
        if not isinstance(problem, StorageProblem):
            self._handle_exception(problem)  # a bug in a background save is not swallowed
            return
        if not self.progress_unsaved:
            self.notify(
                f"进度暂时无法写入存档：{problem}\n本关进度先保留在内存中，可以继续作答；请勿关闭游戏。",
                title="存档问题",
                severity="error",
                timeout=10,
                markup=False,
            )
        self.progress_unsaved = True

    def _from_saver(self, callback: Callable[..., None], *args: object) -> None:
        """Run `callback` on the UI thread, from the progress saver's thread (not after the app ended)."""
        if self.is_running:
            try:
                self.call_from_thread(callback, *args)
            except RuntimeError:
                pass  # the app is closing: the write itself has finished either way

    def on_run_progressed(self, event: RunProgressed) -> None:
        self.save_progress()

    def on_stage_done(self, event: StageDone) -> None:
        if self.current_run is None:
            return
        self.save_progress()
        self._show_stage(push=False)

    def _finish_run(self) -> None:
        from game.runs import run_from_session

        run = self.current_run
        if run is None:
            return
        self.current_run = None
        record = run_from_session(run.session, run.player, run.started, self.now())
        self._record_run(run, record)

    @work(thread=True, exclusive=True, group="record")
    def _record_run(self, run: LevelRun, record: RunRecord) -> None:
        """Store a finished run off the UI thread, then show its results (saved or not)."""
        before: dict[str, BestResult] = {}
        try:
            before = self.store.bests(run.player.id)
            if not self.preview:  # a trainer's preview counts nowhere
                self.store.record_run(record)
            after = self.store.bests(run.player.id)
        except StorageProblem as problem:
            self.call_from_thread(self._show_results, run, record, before, before, str(problem))
            return
        self._clear_progress_quietly(run.player.id)
        if not self.preview:
            self._take_in_learning(run, record)
        self._tell_pending()
        self.call_from_thread(self._show_results, run, record, before, after, None)

    def _tell_pending(self) -> None:
        """The team server was unreachable: the run waits in a local outbox; say so, plainly (worker thread)."""
        try:
            pending = self.store.pending_runs()
        except StorageProblem:
            return
        if pending:
            self.call_from_thread(
                self.notify,
                f"暂时连不上成绩服务器：本次成绩已保存在本机（{pending} 条待上传），服务器恢复后会自动上传，不会丢失。",
                title="成绩暂存本机",
                severity="warning",
                timeout=12,
                markup=False,
            )

    def _take_in_learning(self, run: LevelRun, record: RunRecord) -> None:
        """Review cards from the run and, for the placement test, the tiers it opens (worker thread)."""
        from game.placement import PLACEMENT_ID, assess

        try:
            self.learning.take_in_run(record, run.catalog, self.now())
            if run.level.id == PLACEMENT_ID:
                verdict = assess(record, run.catalog, run.level)
                self.learning.save_placement(run.player.id, {**verdict.to_dict(), "when": record.finished})
                self.call_from_thread(self.notify, verdict.summary(), title="定级测试", timeout=20, markup=False)
            self._tell_gains(run, record)
        except StorageProblem as problem:
            self.call_from_thread(
                self.notify, f"错题本未能更新：{problem}", title="存档问题", severity="warning", markup=False
            )

    def _tell_gains(self, run: LevelRun, record: RunRecord) -> None:
        """After a gain test, its gain per skill; after the exam that opens one, where it is (worker thread)."""
        from game import gains
        from game.models import TIERS

        if run.level.id in gains.GAIN_TESTS:
            found = gains.gains(self.store.runs(run.player.id), run.catalog)
            self.call_from_thread(self.notify, gains.summary(found), title=run.level.title, timeout=20, markup=False)
        elif run.level.exam and record.passed and run.level.tier in gains.GAIN_TESTS.values():
            if gains.due_test(self.store.runs(run.player.id), run.catalog) is not None:
                name = "中测" if run.level.tier == TIERS[0] else "后测"
                self.call_from_thread(
                    self.notify, f"{name}已开放：回到地图按 t，看看培训让各项技能提升了多少。", title=name, markup=False
                )

    def _clear_progress_quietly(self, player_id: str) -> None:
        try:
            self.clear_progress(player_id)
        except StorageProblem:
            pass  # the run is recorded; a stale save is offered again and dropped when it no longer fits

    def _show_results(
        self,
        run: LevelRun,
        record: RunRecord,
        before: dict[str, BestResult],
        after: dict[str, BestResult],
        problem: str | None,
    ) -> None:
        from game.review import build_review
        from tui.screens.results import ResultsScreen, Standing

        levels = run.catalog.levels
        standing = Standing(before.get(run.level.id), rank_for(levels, before), rank_for(levels, after))
        review = build_review(run.session, run.catalog)
        screen = ResultsScreen(
            run,
            run.session.result(),
            review,
            standing,
            self.next_level_after(run.level, after),
            run_id=record.run_id,
            unsaved=problem,
        )
        if problem:
            self.unsaved_runs[record.run_id] = record
        self.switch_screen(screen)
        if problem:
            self._tell_unsaved(problem)

    def _tell_unsaved(self, problem: str) -> None:
        self.notify(
            f"成绩未能保存：{problem}\n成绩仍在内存中，可在成绩页按 s 重试保存。",
            title="存档问题",
            severity="error",
            timeout=10,
            markup=False,
        )

    def retry_save(self, run_id: str) -> None:
        """The results screen's 重试保存: store a run that could not be stored."""
        record = self.unsaved_runs.get(run_id)
        if record is not None:
            self._retry_record(record)

    @work(thread=True, exclusive=True, group="record")
    def _retry_record(self, record: RunRecord) -> None:
        try:
            # A failure after the history append leaves the run in the history (applied later):
            # appending it again would count it twice.
            if not any(stored.run_id == record.run_id for stored in self.store.runs(record.player_id)):
                self.store.record_run(record)
        except StorageProblem as problem:
            self.call_from_thread(self._tell_unsaved, str(problem))
            return
        self._clear_progress_quietly(record.player_id)
        self.call_from_thread(self._saved_after_retry, record.run_id)

    def _saved_after_retry(self, run_id: str) -> None:
        from tui.screens.results import ResultsScreen

        self.unsaved_runs.pop(run_id, None)
        if isinstance(self.screen, ResultsScreen):
            self.screen.unsaved = None
        self.notify("成绩已保存。", markup=False)

    def next_level_after(self, level: Level, bests: dict[str, BestResult]) -> Level | None:
        """The first open, not yet passed level after `level` in play order (else any open one after it)."""
        if self.catalog is None:
            return None
        order = self.catalog.levels_in_play_order()
        after = order[order.index(level) + 1 :] if level in order else order
        states = [level_state(self.catalog.levels, bests, lv, self.placed()) for lv in after]
        fresh = [s.level for s in states if s.open and not s.passed]
        return fresh[0] if fresh else next((s.level for s in states if s.open), None)

    def leave_level(self) -> None:
        """Esc in a stage: ask whether to keep playing, save and leave, or abandon."""
        from tui.screens.dialogs import LeaveLevelDialog

        run = self.current_run
        if run is None:
            return
        if run.replay_stage is not None:
            self._end_replay()
            return

        def decided(answer: str | None) -> None:
            if answer == "save":
                self.save_progress()
                self.current_run = None
                self.pop_screen()
                self.notify(f"已保存「{run.level.title}」的进度，回到地图可继续。", markup=False)
            elif answer == "abandon":
                self.clear_progress(run.player.id)
                self.current_run = None
                self.pop_screen()
                self.notify(f"已放弃「{run.level.title}」。", markup=False)

        self.push_screen(LeaveLevelDialog(run.level), decided)

    def _handle_exception(self, error: Exception) -> None:
        # The app boundary: a storage failure anywhere (a handler, a worker) is told in Chinese and
        # the game goes on; Textual would otherwise exit on any unhandled exception.
        if isinstance(error, StorageProblem):
            self.notify(
                f"存档操作失败：{error}\n游戏可以继续；请检查存档目录后再试。",
                title="存档问题",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        super()._handle_exception(error)

    # ----------------------------------------------------------------------------------------
    # Other screens and commands
    # ----------------------------------------------------------------------------------------
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_quit(self) -> None:  # type: ignore[override]
        from tui.screens.dialogs import ConfirmDialog

        if self.current_run is None or self.current_run.replay_stage is not None:
            self.exit()
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.save_progress()
                self.exit()

        self.push_screen(
            ConfirmDialog(
                f"「{self.current_run.level.title}」还没有完成。\n进度已保存，下次选择同一玩家即可继续。\n确定退出游戏吗？",
                yes="退出",
                no="继续玩",
                title="退出游戏？",
            ),
            decided,
        )

    def open_leaderboard(self, level_id: str | None = None) -> None:
        from tui.screens.leaderboard import LeaderboardScreen

        if isinstance(self.screen, LeaderboardScreen):
            return
        self.push_screen(LeaderboardScreen(self.store, self.catalog, self.player, level_id))

    def open_review(self) -> None:
        """A short timed drill of the player's due 错题本 cards."""
        from game.drill import build_drill
        from tui.screens.drill import DrillScreen

        if self.player is None or self.catalog is None or isinstance(self.screen, DrillScreen):
            return
        now = self.now()
        self.learning.migrate_wrong_list(self.store, self.player.id, self.catalog, now)
        cards = self.learning.due(self.player.id, now, self.catalog)
        if not cards:
            self.notify("现在没有到期的错题，去闯关吧。", markup=False)
            return
        self.push_screen(
            DrillScreen(
                build_drill(cards, self.catalog, self.clock, self.seeds()), self.learning, self.catalog, self.now
            )
        )

    def open_replay(self, level: Level, seed: int, record: list[dict[str, Any]]) -> None:
        """Pick a decision point of a finished run, then play on from it in practice mode."""
        from game.replay import decision_points, replay_session
        from game.session import RecordError
        from tui.screens.replay import DecisionPicker
        from tui.screens.run import LevelRun

        player, catalog = self.player, self.catalog
        if player is None or catalog is None:
            return
        if self.current_run is not None:
            self.notify("请先完成或离开当前关卡(Esc)。", severity="warning", markup=False)
            return
        points = decision_points(level, record)
        if not points:
            self.notify("这次没有可以回放的对话决策点。", markup=False)
            return

        def picked(index: int | None) -> None:
            if index is None or self.current_run is not None:
                return
            point = points[index]
            try:
                session = replay_session(level, catalog, seed, record, point, self.clock)
            except RecordError:
                self.notify("关卡内容已更新，这次的记录无法回放。", severity="warning", markup=False)
                return
            self.current_run = LevelRun(session, player, self.now(), catalog, replay_stage=point.stage)
            self._show_stage(push=True)

        self.push_screen(DecisionPicker(level, points), picked)

    def open_replay_of(self, level_id: str) -> None:
        """From the profile's endings: the decision points of the player's latest run of a level."""
        if self.player is None or self.catalog is None:
            return
        level = self.catalog.levels.get(level_id)
        runs = [r for r in self.store.runs(self.player.id, level_id) if not r.autoplay or r.as_trainee]
        if level is None or not runs:
            self.notify("这一关还没有可以回放的记录。", markup=False)
            return
        self.open_replay(level, runs[-1].seed, runs[-1].inputs)

    def _end_replay(self) -> None:
        """A replay ends with its dialogue (or on Esc): back to where it was opened, nothing recorded."""
        run = self.current_run
        self.current_run = None
        if run is not None:
            self.pop_screen()
            self.notify(f"「{run.level.title}」回放结束（练习回放，不计成绩、不解锁）。", markup=False)

    def open_profile(self) -> None:
        """The player's profile: skills, badges, streak, endings found."""
        from game.profile import build_profile
        from tui.screens.profile import ProfileScreen

        if self.player is None or self.catalog is None or isinstance(self.screen, ProfileScreen):
            return
        profile = build_profile(self.store.runs(self.player.id), self.catalog, self.now().date())
        self.push_screen(ProfileScreen(profile, self.player))

    def handbook_open(self) -> bool:
        """False while an assessment question is on screen: the handbook waits until it is answered."""
        return not (
            self.current_run is not None
            and not self.current_run.practice
            and any(getattr(screen, "question_open", False) for screen in self.screen_stack)
        )

    def open_handbook(self, query: str = "", ref: str | None = None) -> None:
        from tui.screens.handbook import HandbookScreen

        if not self.handbook_open():
            self.notify("考核答题中不能查看手册：答完这一题再查。", severity="warning", markup=False)
            return
        if isinstance(self.screen, HandbookScreen):
            self.screen.search(query, ref)
            return
        self.push_screen(HandbookScreen(self.catalog, query=query, ref=ref))

    async def jump_to_level(self, level_id: str) -> None:
        """Command palette: open a level's briefing from wherever the player is."""
        from tui.screens.map import MapScreen

        if self.player is None or self.catalog is None:
            self.notify("请先选择玩家。", severity="warning", markup=False)
            return
        if self.current_run is not None:
            self.notify("请先完成或离开当前关卡(Esc)。", severity="warning", markup=False)
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, MapScreen):
            await self.pop_screen()
        if isinstance(self.screen, MapScreen):
            self.screen.highlight_level(level_id)
            self.open_briefing(level_id)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from system_commands(self, screen)  # Textual's own, in Chinese
        yield SystemCommand("排行榜", "打开排行榜：本关、总榜、小组", self.open_leaderboard)
        if self.handbook_open():
            yield SystemCommand("手册", "规则卡、术语表、推荐话术", self.open_handbook)
        yield SystemCommand("帮助", "所有按键与玩法说明", self.action_help)


if TYPE_CHECKING:

    def _app_hosts_the_screens(app: CollectQuestApp) -> GameHost:
        return app  # mypy checks here that the app implements what screens may ask of it


def run_app(
    saves: str | None = None,
    levels: Sequence[str] | str | None = None,
    content: str | None = None,
    leaderboard: str | None = None,
    *,
    only_levels: Sequence[str] | None = None,
    preview: str | None = None,
    store: str | None = None,
) -> None:
    """Start the game (called by `collectquest` with no subcommand). `levels` are added to the
    shipped ones, `only_levels` replace them. `preview` opens that level at once, on a
    throw-away saves folder: nothing is unlocked or recorded."""
    import tempfile

    import click

    from game.paths import content_dir, level_folders

    try:
        with tempfile.TemporaryDirectory(prefix="collectquest-preview-") as scratch:
            opened: Store
            if preview:
                opened = EmbeddedStore(Path(scratch), Path(scratch) / "leaderboard.json")
            else:
                saves_dir = default_saves_dir(saves)
                opened = open_store(default_location(store, saves_dir), leaderboard, outbox_dir=saves_dir)
            require_pin = os.environ.get(REQUIRE_PIN_ENV, "") not in ("", "0")
            app = CollectQuestApp(
                opened,
                level_folders(levels, only_levels),
                [content_dir(content)],
                preview=preview,
                require_pin=require_pin,
            )
            gc.disable()  # through start-up; the app freezes what it built and turns it back on
            try:
                app.run()
            finally:
                gc.enable()
    except (StorageProblem, OSError) as exc:
        raise click.ClickException(f"无法打开存档目录：{exc}") from None

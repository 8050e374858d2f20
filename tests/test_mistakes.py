"""The 错题本: cards from a run's mistakes, their FSRS schedule, retirement, storage and migration."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TUI_CONTENT, TUI_LEVELS

from game import mistakes
from game.autoplay import autoplay
from game.catalog import Catalog
from game.mistakes import RETIRE_AFTER, Mistake, answered, mistakes_in_run, new_card
from game.runs import run_from_session
from game.store.learnfile import LEARNING_FILE, LearningStore
from game.store.records import RunRecord
from game.store.savestore import SaveStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _run(catalog: Catalog, store: SaveStore, level_id: str, policy: str, name: str = "王小明") -> RunRecord:
    player = store.find_player(name) or store.create_player(name, "一组")
    session = autoplay(catalog.levels[level_id], catalog, policy, seed=3)
    run = run_from_session(session, player, NOW, NOW + timedelta(minutes=5))
    store.record_run(run)
    return run


@pytest.fixture
def store(tmp_path: Path) -> SaveStore:
    return SaveStore(tmp_path / "saves")


def test_worst_run_gives_cards_of_both_kinds(tui_catalog: Catalog, store: SaveStore) -> None:
    run = _run(tui_catalog, store, "sample-spouse", "worst")
    found = mistakes_in_run(run, tui_catalog)
    kinds = {m.kind for m in found}
    assert kinds == {"quiz", "dialogue"}
    red = [m for m in found if m.kind == "dialogue" and m.violation]
    assert red and red[0].node == "open" and red[0].said == "喂,哪位?"
    assert red[0].meters["合规"] == 100  # the state before the choice, not after it
    # Both quiz questions of the level were answered wrongly, and are named by level and stage.
    quiz_ids = sorted(m.card_id for m in found if m.kind == "quiz")
    assert quiz_ids == ["quiz:sample-spouse:1:inline-0", "quiz:sample-spouse:1:inline-1"]


def test_best_run_gives_no_cards(tui_catalog: Catalog, store: SaveStore) -> None:
    run = _run(tui_catalog, store, "sample-spouse", "best")
    assert mistakes_in_run(run, tui_catalog) == []


def test_ok_choice_below_best_is_a_mistake(tui_catalog: Catalog, store: SaveStore) -> None:
    level = tui_catalog.levels["sample-spouse"]
    from game.session import LevelSession

    player = store.create_player("李雷", "一组")
    session = LevelSession(level, tui_catalog, seed=1)
    session.choose(2)  # "王建国在吗?叫他接电话。" quality ok where a good one was open
    session.choose(0)
    session.finish_dialogue()
    runner = session.quiz_runner
    assert runner is not None
    for planned in list(runner.planned):
        session.answer(planned.question.correct_set())
    session.finish_quiz()
    session.submit_audit({3: "pipl-no-illegal-disclosure"})
    run = run_from_session(session, player, NOW, NOW)
    found = mistakes_in_run(run, tui_catalog)
    assert [(m.kind, m.node, m.chosen, m.violation) for m in found] == [("dialogue", "open", 2, None)]


def test_schedule_retires_after_streak_and_resets_on_wrong() -> None:
    mistake = Mistake("quiz:q1", "quiz", "lv", "run1", question="q1")
    card = new_card("p1", mistake, NOW)
    assert card.is_due(NOW + timedelta(minutes=11)) and not card.is_due(NOW)
    moment = NOW
    for _ in range(RETIRE_AFTER - 1):
        moment = card.due_at
        card = answered(card, True, moment)
        assert not card.retired
    card = answered(card, False, card.due_at)
    assert card.streak == 0 and not card.retired and card.lapses == 2
    for _ in range(RETIRE_AFTER):
        card = answered(card, True, card.due_at)
    assert card.retired and card.streak == RETIRE_AFTER
    assert not card.is_due(card.due_at + timedelta(days=999))


def test_good_answers_space_the_card_out() -> None:
    card = new_card("p1", Mistake("quiz:q1", "quiz", "lv", "r", question="q1"), NOW)
    gaps = []
    for _ in range(RETIRE_AFTER - 1):
        at = card.due_at
        card = answered(card, True, at)
        gaps.append(card.due_at - at)
    assert gaps == sorted(gaps) and gaps[-1] >= timedelta(days=1)


def test_store_keeps_cards_counts_a_run_once_and_resets_on_repeat(
    tui_catalog: Catalog, store: SaveStore, tmp_path: Path
) -> None:
    learning = LearningStore(store.saves_dir)
    run = _run(tui_catalog, store, "sample-spouse", "worst")
    added = learning.take_in_run(run, tui_catalog, NOW)
    assert len(added) == 3
    assert learning.take_in_run(run, tui_catalog, NOW) == []  # the same run again: nothing new
    card = learning.due(run.player_id, NOW + timedelta(hours=1), tui_catalog)[0]
    learning.save_card(answered(card, True, NOW + timedelta(hours=1)))
    again = _run(tui_catalog, store, "sample-spouse", "worst")
    learning.take_in_run(again, tui_catalog, NOW + timedelta(hours=2))
    reopened = LearningStore(tmp_path / "saves")
    same = next(c for c in reopened.cards(run.player_id) if c.card_id == card.card_id)
    assert same.streak == 0 and same.lapses == 2 and same.runs == [run.run_id, again.run_id]
    raw = json.loads((tmp_path / "saves" / LEARNING_FILE).read_text(encoding="utf-8"))
    assert raw["_meta"]["1"]["kind"] == "collectquest-learning"


def test_damaged_learning_file_is_moved_aside(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    (saves / LEARNING_FILE).write_text("{not json", encoding="utf-8")
    learning = LearningStore(saves)
    assert learning.cards("p") == []
    assert learning.problems and "已损坏" in learning.problems[0]
    assert list(saves.glob(f"{LEARNING_FILE}.corrupt-*"))


def test_old_wrong_list_is_migrated_once(tui_catalog: Catalog, store: SaveStore) -> None:
    bank_ids = sorted(tui_catalog.questions)[:2]
    player = store.create_player("韩梅梅", "二组")
    run = _run(tui_catalog, store, "t-quiz", "best", "韩梅梅")
    old = RunRecord(**{**run.to_dict(), "run_id": "old", "wrong_questions": bank_ids + ["inline-0"]})
    store.record_run(old)
    assert set(bank_ids) <= set(store.wrong_questions(player.id))
    learning = LearningStore(store.saves_dir)
    assert learning.migrate_wrong_list(store, player.id, tui_catalog, NOW) == len(bank_ids)
    assert learning.migrate_wrong_list(store, player.id, tui_catalog, NOW) == 0
    cards = learning.cards(player.id)
    assert sorted(c.question for c in cards) == bank_ids
    assert all(mistakes.card_question(c, tui_catalog) is not None for c in cards)


def test_decision_point_is_replayable(tui_catalog: Catalog, store: SaveStore) -> None:
    run = _run(tui_catalog, store, "sample-spouse", "worst")
    card = new_card(run.player_id, next(m for m in mistakes_in_run(run, tui_catalog) if m.kind == "dialogue"), NOW)
    found = mistakes.card_decision(card, tui_catalog)
    assert found is not None
    stage, state = found
    assert state.at == "open"
    assert mistakes.is_right_choice(stage, state, 0) and not mistakes.is_right_choice(stage, state, 1)


def test_review_command_lists_due_cards(tui_catalog: Catalog, store: SaveStore, tmp_path: Path) -> None:
    from tui.cli import cli

    run = _run(tui_catalog, store, "sample-spouse", "worst")
    LearningStore(store.saves_dir).take_in_run(run, tui_catalog, datetime.now(UTC) - timedelta(hours=1))
    args = ["--saves", str(tmp_path / "saves"), "--only-levels", str(TUI_LEVELS[1]), "--content", str(TUI_CONTENT[0])]
    # The sample level is not in the TUI folder: its cards are not shown (nothing to replay).
    result = CliRunner().invoke(cli, [*args, "review", "--player", "王小明", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    args[3] = str(TUI_LEVELS[0].parent)
    result = CliRunner().invoke(cli, [*args, "review", "--player", "王小明", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert sorted(c["kind"] for c in listed) == ["dialogue", "quiz", "quiz"]
    assert {c["level"] for c in listed} == {"sample-spouse"}
    text = CliRunner().invoke(cli, [*args, "review", "--player", "王小明"])
    assert "对话" in text.output and "配偶接听" in text.output
    missing = CliRunner().invoke(cli, [*args, "review", "--player", "无此人"])
    assert missing.exit_code == 2 and "找不到学员" in missing.output


def test_autoplay_as_trainee_counts_for_bests_and_cards_but_not_the_board(tmp_path: Path) -> None:
    from tui.cli import cli

    saves = tmp_path / "saves"
    args = ["--saves", str(saves), "--only-levels", str(TUI_LEVELS[0].parent), "--content", str(TUI_CONTENT[0])]
    play = ["autoplay", "sample-spouse", "--player", "演示员", "--policy", "worst", "--record"]
    refused = CliRunner().invoke(cli, [*args, "autoplay", "sample-spouse", "--policy", "best", "--as-trainee"])
    assert refused.exit_code == 2 and "--record" in refused.output
    plain = CliRunner().invoke(cli, [*args, *play])
    assert plain.exit_code == 0, plain.output
    store = SaveStore(saves)
    player = store.find_player("演示员")
    assert player is not None and store.bests(player.id) == {}
    assert LearningStore(saves).cards(player.id) == []
    counted = CliRunner().invoke(cli, [*args, *play, "--as-trainee", "--mode", "assessment"])
    assert counted.exit_code == 0, counted.output
    store = SaveStore(saves)
    assert store.bests(player.id)["sample-spouse"].attempts == 1
    assert {c.kind for c in LearningStore(saves).cards(player.id)} == {"quiz", "dialogue"}
    assert store.leaderboard("sample-spouse") == []
    runs = list(store.runs(player.id))
    assert [r.autoplay for r in runs] == [True, True] and [r.as_trainee for r in runs] == [False, True]
    from game.loader import load_catalog
    from game.runs import verify_store

    catalog, _ = load_catalog([TUI_LEVELS[0]], TUI_CONTENT)
    assert verify_store(store, catalog).ok

"""情绪能量值: the collector's stamina drains on hostile lines, narrows the replies when low, comes
back with a pause or a good ending, carries across dialogues, and is part of every replay."""

from __future__ import annotations

from typing import Any

import pytest

from game import dialogue, energy, explore
from game.autoplay import autoplay
from game.catalog import Catalog
from game.loader import load_catalog
from game.models import ENERGY_METER, DialogueStage, Level
from game.session import LevelSession, rescore


def _choice(text: str, to: str, quality: str = "ok", **more: Any) -> dict[str, Any]:
    return {"text": text, "quality": quality, "feedback": "点评。", "next": to, **more}


def stage_data(start_energy: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "dialogue",
        "start": "abuse",
        "nodes": {
            "abuse": {
                "say": "你们这帮吸血鬼！",
                "energy": 40,
                "choices": [
                    _choice("您先别急，我听您说。", "more", "good", calm=True),
                    _choice("我不跟您吵。", "more"),
                ],
            },
            "more": {
                "say": "我骂你怎么了？",
                "energy": 40,
                "choices": [
                    _choice("我尊重您，也请您尊重我。", "good_end", "good", calm=True),
                    _choice("（深呼吸）……我在听。", "breath"),
                    _choice("骂够了没有！", "bad_end", "bad", snappish=True),
                    _choice("那今天先到这儿。", "mid_end"),
                ],
            },
            "breath": {
                "say": "喂？说话啊。",
                "pause": 20,
                "choices": [_choice("我尊重您，也请您尊重我。", "good_end", "good", calm=True)],
            },
        },
        "endings": {
            "good_end": {"title": "降温", "outcome": "约定回电", "text": "好。", "score": 100},
            "mid_end": {"title": "收线", "outcome": "挂断", "text": "挂了。", "score": 40},
            "bad_end": {"title": "回嘴", "outcome": "挂断", "text": "投诉。", "score": 0},
        },
    }
    if start_energy is not None:
        data["meters"] = {ENERGY_METER: start_energy}
    return data


def offered(stage: DialogueStage, state: dialogue.DialogueState) -> list[str]:
    return [c.text for _, c in dialogue.available_choices(stage, state)]


def test_old_levels_do_not_track_energy() -> None:
    catalog, _ = load_catalog()
    tracked = [lv.id for lv in catalog.levels.values() for s in lv.stages if getattr(s, "uses_energy", False)]
    assert tracked == ["i02-angry-customer"]
    plain = catalog.levels["n01-identity-disclosure"].stages[0]
    assert ENERGY_METER not in dialogue.start(plain).meter_map


def test_lines_drain_calm_costs_and_low_energy_narrows_the_replies() -> None:
    stage = DialogueStage.model_validate(stage_data())
    state = dialogue.start(stage)
    assert state.meter_map[ENERGY_METER] == 60  # full, less the first line's drain
    assert "骂够了没有！" not in offered(stage, dialogue.start(stage))
    state, outcome = dialogue.choose(stage, state, 0)  # calm: costs 5, then "more" drains 40
    assert state.meter_map[ENERGY_METER] == 15 and outcome.deltas[ENERGY_METER] == -45
    shown = offered(stage, state)
    assert "骂够了没有！" in shown  # low: the snappish reply appears
    assert "我尊重您，也请您尊重我。" in shown  # 15 left: the calm reply still affordable at 15
    tired = dialogue.choose(stage, dialogue.start(stage), 1)[0]  # not calm: 60 - 40 = 20
    assert tired.meter_map[ENERGY_METER] == 20
    drained = DialogueStage.model_validate(stage_data(start_energy=50))
    state = dialogue.choose(drained, dialogue.start(drained), 1)[0]  # 50 - 40 - 40 → 0
    assert state.meter_map[ENERGY_METER] == 0
    assert "我尊重您，也请您尊重我。" not in offered(drained, state)  # too tired to stay calm
    state = dialogue.choose(drained, state, 1)[0]  # the pause gives 20 back
    assert state.meter_map[ENERGY_METER] == 20
    state, outcome = dialogue.choose(drained, state, 0)  # calm costs 15 when low; good ending +20
    assert state.ended and state.meter_map[ENERGY_METER] == 20 - energy.CALM_COST_LOW + energy.ENDING_RESTORE


def test_choices_never_narrow_to_nothing() -> None:
    data = stage_data(start_energy=50)
    data["nodes"]["breath"]["choices"] = [_choice("我尊重您。", "good_end", "good", calm=True)]
    data["nodes"]["breath"]["pause"] = 0
    stage = DialogueStage.model_validate(data)
    state = dialogue.choose(stage, dialogue.start(stage), 1)[0]
    state = dialogue.choose(stage, state, 1)[0]
    assert state.meter_map[ENERGY_METER] == 0
    assert offered(stage, state) == ["我尊重您。"]


def test_calm_and_snappish_exclude_each_other() -> None:
    data = stage_data()
    data["nodes"]["abuse"]["choices"][0]["snappish"] = True
    with pytest.raises(ValueError, match="calm or snappish"):
        DialogueStage.model_validate(data)


def two_dialogue_level() -> Level:
    first = stage_data()
    second = stage_data()
    return Level.model_validate(
        {
            "id": "energy-shift",
            "title": "一上午的电话",
            "tier": "中级",
            "pass_score": 60,
            "skills": ["情绪管理"],
            "case": {"debtor": "甲", "persona": "情绪型", "product": "信用卡", "amount": 1, "days_overdue": 1},
            "stages": [first, second],
        }
    )


def test_energy_carries_to_the_next_call_and_rescoring_agrees() -> None:
    level = two_dialogue_level()
    session = LevelSession(level, Catalog(), seed=4)
    session.choose(1)  # 60 → 20
    session.choose(3)  # mid ending: no restore
    session.finish_dialogue()
    assert session.carried_energy == 20
    state = session.dialogue_state
    assert state is not None and state.meter_map[ENERGY_METER] == 0  # 20 less the first line's 40
    shown = [c.text for _, c in session.shown_choices()]
    assert "您先别急，我听您说。" not in shown  # too tired for the calm opening
    session.choose(1)
    session.choose(1)  # pause: +20
    session.choose(0)
    session.finish_dialogue()
    result = session.result()
    assert rescore(level, Catalog(), session.record, seed=4).total == result.total
    # The carried energy is part of the replay: from a fresh start the same choices end elsewhere.
    second = level.stages[1]
    assert isinstance(second, DialogueStage)
    tired = dialogue.replay(second, [1, 1, 0], carried_energy=20)
    assert tired.meter_map[ENERGY_METER] == 20 - energy.CALM_COST_LOW + energy.ENDING_RESTORE
    assert dialogue.replay(second, [1, 1, 0]).meter_map[ENERGY_METER] == 40 - energy.CALM_COST + energy.ENDING_RESTORE


def test_playtest_explores_energy_states() -> None:
    stage = DialogueStage.model_validate(stage_data(start_energy=50))
    report = explore.explore_stage(stage)
    assert {"good_end", "mid_end", "bad_end"} <= set(report.endings_reached)
    keys = {key for key in explore.build_graph(stage).keys}
    assert any(dict(key[1]).get(ENERGY_METER) == 0 for key in keys)


def test_shipped_abusive_call_drains_and_offers_a_pause() -> None:
    catalog, _ = load_catalog()
    level = catalog.levels["i02-angry-customer"]
    stage = level.stages[0]
    assert isinstance(stage, DialogueStage)
    state = dialogue.start(stage)
    assert state.meter_map[ENERGY_METER] == 65
    for index in (3, 1):  # blame the customer, then retort to "吸血鬼"
        state = dialogue.choose(stage, state, index)[0]
    assert state.at == "insult" and energy.is_low(state.meter_map[ENERGY_METER])
    texts = offered(stage, state)
    assert any("骂够了没有" in t for t in texts) and any("深吸一口气" in t for t in texts)
    best = autoplay(level, catalog, "best").result()
    assert best.passed and best.stars == 3


async def test_dialogue_screen_shows_the_collectors_energy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import FakeClock, FakeNow, choose, login, screen_text

    from game.store.savestore import SaveStore
    from tui.app import CollectQuestApp
    from tui.screens.dialogue import DialogueScreen

    catalog, _ = load_catalog()
    app = CollectQuestApp(
        SaveStore(tmp_path / "saves"), [], [], catalog=catalog, clock=FakeClock(), now=FakeNow(), seeds=lambda: 3
    )
    app.animation_level = "none"
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot)
        app._start_run(catalog.levels["i02-angry-customer"], "practice")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)
        text = screen_text(app)
        assert "你的情绪能量" in text and "能量  65" in text and "对方状态" in text
        assert "你已很疲惫" not in text
        await choose(pilot, 3)
        await choose(pilot, 1)
        text = screen_text(app)
        assert "你已很疲惫" in text and "能量  25" in text and "▼-25" in text
        assert app.screen.query_one("#energy").has_class("-low")
        assert any("骂够了没有" in c.text for _, c in app.screen.shown_choices)

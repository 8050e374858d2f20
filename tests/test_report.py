"""The trainer report: per trainee and per team, filters, CSV for Excel."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from game.autoplay import autoplay
from game.catalog import Catalog
from game.loader import load_catalog
from game.report import CSV_HEADER, build_report, parse_since, report_csv
from game.runs import run_from_session
from game.store.records import Player
from game.store.savestore import SaveStore

FIXTURES = Path(__file__).parent / "fixtures"
TZ = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    catalog, diagnostics = load_catalog(
        [FIXTURES / "levels" / "sample.yaml", FIXTURES / "storage" / "levels"], [FIXTURES / "storage" / "content"]
    )
    assert diagnostics == []
    return catalog


def play(
    store: SaveStore,
    catalog: Catalog,
    player: Player,
    level_id: str,
    policy: str,
    *,
    day: int,
    minutes: float = 5,
    mode: str = "assessment",
    seed: int = 0,
    auto: bool = False,
) -> None:
    session = autoplay(catalog.levels[level_id], catalog, policy, seed=seed, mode=mode)
    started = datetime(2026, 3, day, 9, 0, tzinfo=TZ)
    store.record_run(run_from_session(session, player, started, started + timedelta(minutes=minutes), autoplay=auto))


@pytest.fixture
def filled(tmp_path: Path, catalog: Catalog) -> tuple[SaveStore, dict[str, Player]]:
    store = SaveStore(tmp_path / "saves")
    people = {
        "王": store.create_player("王小丽", "一组"),
        "张": store.create_player("张伟", "一组"),
        "李": store.create_player("李强", "二组"),
        "赵": store.create_player("赵新", "二组"),  # never plays
    }
    play(store, catalog, people["王"], "sample-spouse", "worst", day=1, minutes=3, mode="practice")
    play(store, catalog, people["王"], "sample-spouse", "best", day=2, minutes=4)
    play(store, catalog, people["王"], "st-loop", "best", day=5, minutes=6)
    play(store, catalog, people["张"], "sample-spouse", "worst", day=3, minutes=2)
    play(store, catalog, people["张"], "st-loop", "worst", day=6, minutes=2)
    play(store, catalog, people["李"], "sample-spouse", "random", day=4, seed=3, minutes=10)
    play(store, catalog, people["李"], "sample-spouse", "best", day=4, minutes=1, auto=True)  # left out
    return store, people


def test_per_trainee_figures(filled: tuple[SaveStore, dict[str, Player]], catalog: Catalog) -> None:
    store, _ = filled
    report = build_report(store.runs(), catalog.levels, store.players())
    by_name = {t.player: t for t in report.trainees}
    assert set(by_name) == {"王小丽", "张伟", "李强", "赵新"}

    wang = by_name["王小丽"]
    assert wang.levels_passed == ["sample-spouse", "st-loop"]
    assert wang.best_scores == {"sample-spouse": 100, "st-loop": 100}
    assert (wang.practice_runs, wang.assessment_runs, wang.attempts) == (1, 2, 3)
    assert wang.time_spent == pytest.approx((3 + 4 + 6) * 60)
    assert wang.violations == {"pipl-no-illegal-disclosure": 1}
    assert wang.last_played == "2026-03-05T09:06:00+08:00"

    zhang = by_name["张伟"]
    assert zhang.levels_passed == [] and zhang.best_scores == {"sample-spouse": 0, "st-loop": 0}
    assert zhang.violations == {"pipl-no-illegal-disclosure": 2}
    assert zhang.dimensions["合规"] == 0 and zhang.dimensions["知识"] == 0

    li = by_name["李强"]
    assert li.attempts == 1  # the autoplay run is not counted
    assert li.time_spent == pytest.approx(600)
    # Weakest dimensions are the lowest means, lowest first.
    assert li.weakest_dimensions == sorted(li.dimensions, key=lambda d: (li.dimensions[d], d))[:2]

    zhao = by_name["赵新"]
    assert zhao.attempts == 0 and zhao.levels_passed == [] and zhao.average_best is None


def test_weakest_skills_come_from_level_skills(tmp_path: Path, catalog: Catalog) -> None:
    store = SaveStore(tmp_path / "s")
    p = store.create_player("孙", "三组")
    play(store, catalog, p, "sample-spouse", "best", day=1)  # skills 法律合规, 沟通技巧 -> 100
    play(store, catalog, p, "st-loop", "worst", day=2)  # skills 沟通技巧, 情绪管理 -> 0
    (trainee,) = build_report(store.runs(), catalog.levels).trainees
    assert trainee.skills == {"法律合规": 100, "沟通技巧": 50, "情绪管理": 0}
    assert trainee.weakest_skills == ["情绪管理", "沟通技巧"]


def test_per_team_figures(filled: tuple[SaveStore, dict[str, Player]], catalog: Catalog) -> None:
    store, _ = filled
    teams = {t.team: t for t in build_report(store.runs(), catalog.levels, store.players()).teams}
    one, two = teams["一组"], teams["二组"]
    assert (one.members, one.active_members, one.levels_passed, one.attempts) == (2, 2, 2, 5)
    assert one.average_best == 50  # mean of 100, 100, 0, 0
    assert one.violations == {"pipl-no-illegal-disclosure": 3}
    assert one.time_spent == pytest.approx((3 + 4 + 6 + 2 + 2) * 60)
    assert (two.members, two.active_members, two.attempts) == (2, 1, 1)


def test_team_and_since_filters(filled: tuple[SaveStore, dict[str, Player]], catalog: Catalog) -> None:
    store, _ = filled
    only_one = build_report(store.runs(), catalog.levels, store.players(), team="一组")
    assert {t.team for t in only_one.trainees} == {"一组"} and [t.team for t in only_one.teams] == ["一组"]
    recent = build_report(store.runs(), catalog.levels, team="一组", since=date(2026, 3, 5))
    by_name = {t.player: t for t in recent.trainees}
    assert by_name["王小丽"].attempts == 1 and by_name["王小丽"].best_scores == {"st-loop": 100}
    assert by_name["张伟"].attempts == 1
    assert recent.since == "2026-03-05" and recent.team == "一组"
    assert build_report(store.runs(), catalog.levels, since=date(2030, 1, 1)).trainees == []


def test_parse_since() -> None:
    assert parse_since("2026-03-01") == date(2026, 3, 1)
    assert parse_since("2026-03-01T10:00:00+08:00") == date(2026, 3, 1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_since("03/01/2026")


def test_csv_has_a_row_per_trainee_and_team(
    filled: tuple[SaveStore, dict[str, Player]], catalog: Catalog, tmp_path: Path
) -> None:
    store, _ = filled
    report = build_report(store.runs(), catalog.levels, store.players())
    path = tmp_path / "报告.csv"
    path.write_text(report_csv(report), encoding="utf-8-sig", newline="")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == CSV_HEADER
    trainee_rows = {r[2]: r for r in rows[1:] if r[0] == "学员"}
    assert set(trainee_rows) == {"王小丽", "张伟", "李强", "赵新"}
    wang = dict(zip(CSV_HEADER, trainee_rows["王小丽"]))
    assert wang["通过关卡数"] == "2" and wang["红线违规"] == "pipl-no-illegal-disclosure×1"
    assert wang["用时(分钟)"] == "13.0" and wang["各关最高分"] == "sample-spouse:100; st-loop:100"
    assert sorted(r[1] for r in rows[1:] if r[0] == "团队") == ["一组", "二组"]


def test_report_json_is_plain_data(filled: tuple[SaveStore, dict[str, Player]], catalog: Catalog) -> None:
    import json

    store, _ = filled
    data = build_report(store.runs(), catalog.levels, store.players()).to_json()
    text = json.dumps(data, ensure_ascii=False)
    assert "王小丽" in text
    wang = next(t for t in data["trainees"] if t["player"] == "王小丽")  # type: ignore[union-attr]
    assert wang["attempts"] == 3 and wang["average_best"] == 100

"""`collectquest store copy`: a saves folder into PostgreSQL and back, checked on both sides."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from test_store_contract import make_run

from game.mistakes import Mistake
from game.store import EmbeddedStore, open_store
from tui.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
LEVELS = FIXTURES / "levels" / "sample.yaml"
CONTENT = FIXTURES / "storage" / "content"


def _cli(saves: Path, *args: str):
    base = ["--saves", str(saves), "--levels", str(LEVELS.parent), "--content", str(CONTENT)]
    return CliRunner().invoke(cli, base + list(args), catch_exceptions=False)


def test_copy_a_folder_to_postgres_and_back(pg_server, tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    for name in ("演示甲", "演示乙"):  # real runs, re-scored by verify against the sample level
        result = _cli(saves, "autoplay", "sample-spouse", "--player", name, "--policy", "best", "--record")
        assert result.exit_code == 0, result.output
    store = EmbeddedStore(saves)
    trainee = store.create_player("王小明", "一组")
    store.set_pin(trainee.id, "4821")
    for n in range(30):  # runs of a level not loaded here: verify says unverifiable, bests still count
        store.record_run(make_run(trainee, "lv-x", n * 3, mode="practice" if n % 2 else "assessment", n=n))
    now = datetime.now().astimezone()
    quiz = Mistake("quiz:q-1", "quiz", "sample-spouse", "r1", question="q-1")
    talk = Mistake("d:sample-spouse:n2", "dialogue", "sample-spouse", "r1", stage=0, node="n2", chosen=1, said="别催了")
    store.learning.add_mistakes(trainee.id, [quiz, talk], now - timedelta(days=3))
    store.learning.save_placement(trainee.id, {"opened": ["中级"], "weakest": [], "when": now.isoformat()})
    store.learning.mark_wrong_list_taken(trainee.id)

    url = pg_server.new_database()
    result = _cli(saves, "store", "copy", str(saves), url)
    assert result.exit_code == 0, result.output
    assert "已复制 3 位学员、32 条运行记录" in result.output and "2 张错题卡片" in result.output
    assert "✓ 错题卡片：来源 2，目标 2" in result.output and "✓ 定级结果：来源 1，目标 1" in result.output
    assert "两边一致" in result.output
    # The synthetic runs trip the cross-check the same way on both sides (copied as they are).
    counts = [
        line.split("，")[-1] for line in result.output.splitlines() if "verify 来源" in line or "verify 目标" in line
    ]
    assert len(counts) == 2 and counts[0] == counts[1], counts

    server = open_store(url, outbox_dir=tmp_path)
    assert server.check_pin(trainee.id, "4821") and not server.check_pin(trainee.id, "0000")
    assert server.bests(trainee.id) == store.bests(trainee.id)
    assert server.leaderboard(limit=0) == store.leaderboard(limit=0)
    assert server.learning.cards(trainee.id) == store.learning.cards(trainee.id)
    assert server.learning.opened_tiers(trainee.id) == frozenset({"中级"})
    assert server.learning.wrong_list_taken(trainee.id)
    # The trainer lists the 错题本 on the server as on the folder.
    listed = _cli(saves, "--store", url, "review", "--player", "王小明", "--all", "--json")
    assert listed.exit_code == 0, listed.output
    assert sorted(c["kind"] for c in json.loads(listed.output)) == ["dialogue", "quiz"]

    again = _cli(saves, "store", "copy", str(saves), url)  # nothing is copied twice
    assert again.exit_code == 0 and "0 条运行记录（32 条目标中已有）" in again.output

    back = tmp_path / "back"
    result = _cli(saves, "store", "copy", url, str(back))
    assert result.exit_code == 0, result.output
    assert "两边一致" in result.output
    returned = EmbeddedStore(back)
    assert [r.run_id for r in returned.runs()] == [r.run_id for r in store.runs()]
    assert returned.check_pin(trainee.id, "4821") and returned.has_pin(trainee.id)
    assert returned.learning.cards(trainee.id) == store.learning.cards(trainee.id)
    assert returned.learning.placement(trainee.id) == store.learning.placement(trainee.id)


def test_copy_refuses_the_same_store(tmp_path: Path) -> None:
    result = _cli(tmp_path, "store", "copy", str(tmp_path / "a"), str(tmp_path / "a"))
    assert result.exit_code == 2 and "同一个" in result.output

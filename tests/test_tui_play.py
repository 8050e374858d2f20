"""Playing the game through the keyboard, as a trainee would: from the start screen to the
results, checking what the screen shows and what the saves folder keeps."""

from __future__ import annotations

from conftest import choose, highlight_level, key_of, login, open_level, pick, screen_text

from tui.screens.audit import AuditScreen
from tui.screens.briefing import BriefingScreen
from tui.screens.dialogs import RulePicker
from tui.screens.dialogue import DialogueScreen
from tui.screens.map import MapScreen
from tui.screens.quiz import QuizScreen
from tui.screens.results import ResultsScreen
from tui.screens.start import StartScreen


async def test_dialogue_level_in_practice_mode(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, MapScreen)
        await highlight_level(pilot, "t-dialogue")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        text = screen_text(app)
        assert "李娜" in text and "逾期天数" in text and "M1" in text
        assert "先表明机构身份,再核实是否本人" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)
        assert "喂,你好,哪位?" in screen_text(app)

        shown = [[i for i, _ in app.screen.shown_choices]]
        await choose(pilot, 0)  # "您好,我是XX银行消费金融中心的工作人员…"
        text = screen_text(app)
        assert "✓ 好" in text  # practice: feedback right after the choice, with a mark
        assert "首次联系须表明身份" in text
        assert "▲+10" in text  # the trust meter moved and says by how much
        assert "是我,你好。" in text  # trust >= 40 picks the friendlier variant

        shown.append([i for i, _ in app.screen.shown_choices])
        await choose(pilot, 0)  # "好的,那您看今晚七点半方便吗?…"
        assert "通话结束 · 约定回电" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        text = screen_text(app)
        assert "✓ 通过" in text and "100 分" in text and "★★★" in text

    runs = list(app.store.runs())
    assert [(r.level_id, r.mode, r.passed, r.total) for r in runs] == [("t-dialogue", "practice", True, 100)]
    # the record keeps each step's order as it was shown, so a re-score can check it
    assert runs[0].inputs == [{"kind": "dialogue", "choices": [0, 0], "orders": shown}]
    assert sorted(shown[0]) == [0, 1, 2] and sorted(shown[1]) == [0, 1]
    assert app.store.load_progress(runs[0].player_id) is None


async def test_red_line_is_shown_with_its_rule_and_fails_the_level(make_app):
    app = make_app()
    async with app.run_test(size=(130, 36)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        await choose(pilot, 1)  # "我是法院执行局的…"
        text = screen_text(app)
        assert "红线 · 一票否决" in text
        assert "触碰红线：不得冒充公检法" in text
        assert "金融机构个人消费类贷款催收工作指引" in text
        assert "合规   0 危险 ▼-100" in text  # the compliance meter is emptied
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "触碰红线" in text and "0 分" in text
        assert "违规记录" in text and "不得冒充公检法" in text
    run = next(iter(app.store.runs()))
    assert run.violations == ["ind-no-impersonation"] and not run.passed


async def test_quiz_level_in_practice_scores_speed_and_streak(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert "第 1/4 题" in screen_text(app)
        assert "剩余 20.0 秒" in screen_text(app)

        clock.advance(10)  # half the time: 1000 * (1 - 0.5 / 2) = 750 points
        screen.tick()
        await pilot.pause()
        assert "剩余 10.0 秒" in screen_text(app)
        await pick(pilot, "B")
        text = screen_text(app)
        assert "✓ 正确  +750 分" in text
        assert "22:00 至次日 08:00 不得催收" in text  # the explanation
        await pilot.press("enter")
        await pilot.pause()

        # multiple choice: toggle A and C, then submit
        assert "多选题" in screen_text(app)
        clock.advance(0.4)
        await pick(pilot, "A", "C")
        assert screen_text(app).count("☑") == 2
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "+1000 分" in text and "连对 ×2 +100" in text
        await pilot.press("enter")
        await pilot.pause()

        # true/false: wrong answer breaks the streak
        clock.advance(1)
        assert key_of(pilot, "对") == "a"  # true/false keeps 对 first
        await pick(pilot, "对")
        text = screen_text(app)
        assert "✗ 错误" in text and "✓ 正确答案" in text
        await pilot.press("enter")
        await pilot.pause()

        clock.advance(2)
        await pick(pilot, "C")  # the bank question: records kept 2 years
        await pilot.press("enter")
        await pilot.pause()
        assert "答对 3/4" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)

    run = next(iter(app.store.runs()))
    answers = run.inputs[0]["answers"]
    assert [a["selection"] for a in answers] == [["B"], ["A", "C"], ["对"], ["C"]]
    assert [a["elapsed"] for a in answers] == [10.0, 0.4, 1.0, 2.0]
    assert run.wrong_questions == ["tq-impersonate"]


async def test_timed_out_question_with_injected_clock(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        screen = app.screen
        clock.advance(19.5)
        screen.tick()
        await pilot.pause()
        assert "剩余  0.5 秒 快！" in screen_text(app)
        clock.advance(1)
        screen.tick()  # what the interval timer calls: time is up
        await pilot.pause()
        assert "✗ 超时  0 分，连对中断" in screen_text(app)
        assert app.current_run.session.record[0]["answers"] == [{"selection": None, "elapsed": 20.5}]
        saved = app.store.load_progress(app.player.id)
        assert saved["record"][0]["answers"] == [{"selection": None, "elapsed": 20.5}]


async def test_quiz_in_assessment_mode_explains_at_the_end(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        await pilot.press("m")  # 考核
        await open_level(pilot, "t-quiz")
        for letters, submit in ((["B"], False), (["A", "C"], True), (["对"], False)):  # right, right, wrong
            clock.advance(1)
            await pick(pilot, *letters)
            if submit:
                await pilot.press("enter")
                await pilot.pause()
            text = screen_text(app)
            assert "✓ 正确" not in text and "✗ 错误" not in text  # no feedback during assessment
        clock.advance(1)
        await pick(pilot, "C")
        text = screen_text(app)
        assert "本环节结束" in text
        assert "✗ 错误" in text and "冒充司法机关或虚构诉讼是红线" in text  # explanations at the end
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert "考核" in screen_text(app)
    run = next(iter(app.store.runs()))
    assert run.mode == "assessment"
    assert [a["selection"] for a in run.inputs[0]["answers"]] == [["B"], ["A", "C"], ["对"], ["C"]]
    assert run.wrong_questions == ["tq-impersonate"]
    board = app.store.leaderboard(level_id="t-quiz")
    assert [(e.player, e.score) for e in board] == [("王小明", run.total)]


async def test_audit_level_flags_lines_and_shows_hits_misses_false_alarms(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-audit")
        assert isinstance(app.screen, AuditScreen)
        # line 1 (a clean line): flag it anyway -> false alarm
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, RulePicker)
        await pilot.press("enter")
        await pilot.pause()
        # line 3: impersonation, pick the right rule from the list
        await pilot.press("down", "down", "space")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, RulePicker)
        while picker.query_one("#rules").highlighted_option.id != "ind-no-impersonation":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert "⚑ 标记为违规：不得冒充公检法" in screen_text(app)
        # line 5 (disclosure) is left unflagged -> miss
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        text = screen_text(app)
        assert "✓ 命中" in text and "✗ 漏报" in text and "✗ 误报" in text
        assert "规则：不得非法公开或提供" in text  # the title wraps by Chinese rules at this width
        assert "⚑ 你的标记：不得冒充公检法" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
    run = next(iter(app.store.runs()))
    assert run.inputs[0]["flags"] == {"1": "card-recording", "3": "ind-no-impersonation"}


async def test_sample_level_plays_all_three_stage_kinds(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "sample-spouse")
        await choose(pilot, 0)  # identify yourself, ask for him only
        await choose(pilot, 0)  # ask her to pass on a message
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        for letter in ("错", "B"):
            clock.advance(0.3)
            await pick(pilot, letter)
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        await pilot.press("down", "down", "enter")  # Enter on a line flags it too
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s", "y")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        text = screen_text(app)
        assert "✓ 通过" in text and "100 分" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert "★★★" in screen_text(app)
    run = next(iter(app.store.runs()))
    assert [stage["kind"] for stage in run.inputs] == ["dialogue", "quiz", "audit"]
    assert run.total == 100 and run.stars == 3


async def test_start_screen_shows_before_the_catalog_is_loaded(make_app):
    app = make_app(preload=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, StartScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.catalog is not None and "sample-spouse" in app.catalog.levels
        assert "已载入 8 个关卡" in screen_text(app)


async def test_dialogue_in_assessment_mode_gives_feedback_only_at_the_end(make_app):
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await login(pilot)
        await pilot.press("m")
        await open_level(pilot, "t-dialogue")
        assert "考核模式" in screen_text(app)
        await choose(pilot, 0)  # "您好,我是XX银行消费金融中心的工作人员…"
        text = screen_text(app)
        assert "✓ 好" not in text and "依据" not in text  # no per-choice feedback
        assert "▲+10" in text  # but the customer still reacts: the meters move
        await pilot.press("t")  # no hints in assessment
        await pilot.pause()
        assert "想一想" not in screen_text(app)
        await choose(pilot, 0)  # "好的,那您看今晚七点半方便吗?…"
        assert "结果分" not in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        text = screen_text(app)
        assert "逐项复盘" in text
        assert "先表明机构身份,再核实本人,是每通电话的开场。" in text  # the feedback, now at the end
    run = next(iter(app.store.runs()))
    assert run.mode == "assessment" and run.passed


async def test_choices_and_buttons_work_with_the_mouse(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await highlight_level(pilot, "t-dialogue")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#begin")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)
        first_shown = app.screen.shown_choices[0][0]
        await pilot.click("#choices", offset=(6, 0))  # the first choice on screen
        await pilot.pause()
        assert app.current_run.session.record[0]["choices"] == [first_shown]
        next_shown = app.screen.shown_choices[0][0]
        await pilot.click("#choices", offset=(6, 0))
        await pilot.pause()
        assert app.current_run.session.record[0]["choices"] == [first_shown, next_shown]
        await pilot.click("#continue")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)

"""Fair play on screen: options are shown in an order drawn from the run's seed and the keys follow
what is shown; nothing is pre-highlighted; the quiz clock stops while something covers the question
and carries over a save; assessment questions keep the handbook closed and time out visibly."""

from __future__ import annotations

from conftest import login, open_level, pick, screen_text

from tui.screens import quiz as quiz_screen
from tui.screens.dialogs import LeaveLevelDialog, ResumeDialog
from tui.screens.dialogue import DialogueScreen
from tui.screens.handbook import HandbookScreen
from tui.screens.help import HelpScreen
from tui.screens.map import MapScreen
from tui.screens.quiz import QuizScreen


def notices(app) -> list[str]:
    """Messages of the notifications raised so far (toasts are not in the SVG screenshot)."""
    return [notification.message for notification in app._notifications]


def rows_in_order(text: str, needles: list[str]) -> list[int]:
    """Where each needle first appears on screen (row-major), to compare the order shown."""
    return [text.index(needle) for needle in needles]


async def test_dialogue_choices_are_shown_in_a_per_seed_order_and_keys_follow_it(make_app, tmp_path):
    orders = {}
    for seed in (7, 1):
        app = make_app(tmp_path / f"saves-{seed}", seed=seed)
        async with app.run_test(size=(130, 36)) as pilot:
            await login(pilot)
            await open_level(pilot, "t-dialogue")
            screen = app.screen
            assert isinstance(screen, DialogueScreen)
            shown = [i for i, _ in screen.shown_choices]
            assert sorted(shown) == [0, 1, 2]
            orders[seed] = shown
            # The screen lists them in that order, numbered 1, 2, 3.
            text = screen_text(app)
            texts = [choice.text[:12] for _, choice in screen.shown_choices]
            positions = rows_in_order(text, texts)
            assert positions == sorted(positions)
            for number, snippet in enumerate(texts, start=1):
                assert f"{number}  {snippet}" in text
            # Nothing is highlighted: Enter alone takes no choice.
            assert screen.query_one("#choices").highlighted is None
            await pilot.press("enter")
            await pilot.pause()
            assert app.current_run.session.record[0]["choices"] == []
            # Key 1 takes the first choice shown, whatever its place in the level file.
            await pilot.press("1")
            await pilot.pause()
            assert app.current_run.session.record[0]["choices"] == [shown[0]]
            assert app.current_run.session.record[0]["orders"] == [shown]
    assert orders[7] != orders[1]
    assert orders[7][0] != 0 or orders[1][0] != 0  # the good opening is not always number 1


async def test_quiz_option_keys_follow_the_order_shown(make_app, clock):
    app = make_app(seed=7)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        order = app.current_run.session.option_order()
        assert sorted(order) == ["A", "B", "C", "D"]
        assert order != ("A", "B", "C", "D")  # this seed really moves the options
        options = dict(screen.runner.current.question.choice_labels())
        text = screen_text(app)
        # The first row shown is lettered A on screen, whatever its letter in the level file.
        assert f"A  {options[order[0]]}" in text and f"B  {options[order[1]]}" in text
        assert screen.query_one("#options").highlighted is None  # nothing pre-highlighted
        clock.advance(1)
        await pilot.press("a")
        await pilot.pause()
        record = app.current_run.session.record[0]
        assert record["answers"][0]["selection"] == [order[0]]
        assert record["orders"][0] == list(order)
        await pilot.press("enter")
        await pilot.pause()
        # multiple choice: "a" ticks the first option shown, "b" the second
        multi = app.current_run.session.option_order()
        await pilot.press("a", "b", "enter")
        await pilot.pause()
        assert app.current_run.session.record[0]["answers"][1]["selection"] == sorted(multi[:2])


async def test_leaving_mid_question_and_resuming_keeps_the_time_left(make_app, clock, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        clock.advance(12)
        screen.tick()
        await pilot.pause()
        assert "剩余  8.0 秒" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveLevelDialog)
        clock.advance(30)  # deciding takes a while: the question is covered, its clock stopped
        await pilot.press("s")  # save and leave
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        player_id = app.player.id
    saved = app.store.load_progress(player_id)
    assert saved["record"][0]["answers"] == []
    assert saved["record"][0]["pending_elapsed"] == 12.0

    clock.advance(600)  # the trainee comes back later: the break does not count either
    again = make_app(tmp_path / "saves")
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the existing player
        await pilot.pause()
        assert isinstance(again.screen, ResumeDialog)
        await pilot.press("r")
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, QuizScreen)
        assert "第 1/4 题" in screen_text(again)
        screen.tick()
        await pilot.pause()
        text = screen_text(again)
        assert "剩余  8.0 秒" in text and "剩余 20.0 秒" not in text
        clock.advance(3)
        await pick(pilot, "B")
        assert again.current_run.session.record[0]["answers"] == [{"selection": ["B"], "elapsed": 15.0}]
        assert "✓ 正确  +" in screen_text(again)


async def test_the_quiz_clock_stops_while_help_is_open(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        clock.advance(5)
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert not quiz.runner.running
            clock.advance(60)  # far past the limit, while the question is covered
            quiz.tick()  # what the interval timer would do: no time-out
            await pilot.pause()
            assert app.current_run.session.record[0]["answers"] == []
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is quiz and quiz.runner.running
            quiz.tick()
            await pilot.pause()
            assert "剩余 15.0 秒" in screen_text(app)
        clock.advance(1)
        await pick(pilot, "B")
        assert app.current_run.session.record[0]["answers"] == [{"selection": ["B"], "elapsed": 6.0}]


async def test_assessment_keeps_the_handbook_closed_during_a_question_and_shows_time_up(make_app, clock, monkeypatch):
    # A longer beat than the game's 1.5 s (real time): the checks made during it must fit in it
    # on a loaded machine or beside another test worker.
    monkeypatch.setattr(quiz_screen, "TIME_UP_SECONDS", 4.0)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await pilot.press("m")  # 考核
        await open_level(pilot, "t-quiz")
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and app.current_run.mode == "assessment"
        # the command palette offers no handbook while the question is open
        await pilot.press("ctrl+p")
        await pilot.pause()
        for char in "手册":
            await pilot.press(char)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        if app.screen is not quiz:
            await pilot.press("escape")
            await pilot.pause()
        assert not isinstance(app.screen, HandbookScreen)
        assert app.screen is quiz
        # and called directly, as every handbook command does, it refuses and says why
        app.open_handbook("录音")
        await pilot.pause()
        assert app.screen is quiz
        assert any("考核答题中不能查看手册" in notice for notice in notices(app))

        clock.advance(20.5)
        quiz.tick()
        await pilot.pause()
        assert "时间到" in screen_text(app)
        assert app.current_run.session.record[0]["answers"] == [{"selection": None, "elapsed": 20.5}]
        await pilot.press("enter")  # Enter during the beat does nothing
        await pilot.pause()
        assert quiz.phase == "time-up" and len(app.current_run.session.record[0]["answers"]) == 1
        for _ in range(100):  # the beat is over: the next question, with its full time
            if quiz.phase != "time-up":
                break
            await pilot.pause(0.1)
        assert quiz.phase == "asking"
        text = screen_text(app)
        assert "时间到" not in text and "已答 1" in text and "剩余 20.0 秒" in text


async def test_practice_feedback_enter_goes_on_but_does_not_answer_the_next_question(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        answers = app.current_run.session.record[0]["answers"]
        clock.advance(1)
        await pick(pilot, "B")
        assert quiz.phase == "feedback"
        await pilot.press("enter", "enter")  # the second one lands on the next (multiple) question
        await pilot.pause()
        assert quiz.phase == "asking" and len(answers) == 1
        assert "多选题" in screen_text(app)
        await pick(pilot, "A", "C")
        await pilot.press("enter")
        await pilot.pause()
        assert quiz.phase == "feedback" and len(answers) == 2
        await pilot.press("enter", "enter")  # a held Enter on a single-answer (true/false) question
        await pilot.pause()
        assert quiz.phase == "asking" and len(answers) == 2
        assert "判断题" in screen_text(app)
        assert quiz.query_one("#options").highlighted is None
        assert any("按字母键作答" in notice for notice in notices(app))  # the notice says how to answer
        await pick(pilot, "错")
        assert len(answers) == 3 and answers[2]["selection"] == ["错"]

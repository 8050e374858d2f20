"""Keys a trainee really types: option letters in upper case (Shift or Caps Lock) work too."""

from __future__ import annotations

from conftest import key_of, login, open_level, screen_text

from tui.screens.quiz import QuizScreen


async def test_upper_case_option_letter_answers(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        assert isinstance(app.screen, QuizScreen)
        await pilot.press(key_of(pilot, "B").upper())  # B is the right answer, wherever it is shown
        await pilot.pause()
        assert "✓ 正确  +" in screen_text(app)
        assert app.current_run.session.record[0]["answers"][0]["selection"] == ["B"]

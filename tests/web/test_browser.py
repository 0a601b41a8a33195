"""Real-browser tests: Debian's Chromium driven by Playwright against uvicorn on a loopback port.

Covers the assessment to self-care and to an emergency, and the diary (register,
two check-ins, the chart, the report); takes screenshots at phone and desktop
width (under out/screenshots/); runs axe-core on every page and fails on serious
or critical violations; fails on any CSP violation or any request that leaves
the machine. Skips when Chromium is absent, except under CI=true.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from liveserver import free_port, wait_until_up

from backspasm.knowledge import load
from backspasm.web import create_app, forms

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "out" / "screenshots"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (CI=true: the browser tests must run; see scripts/install-browser-deps.sh)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under uvicorn in a background thread, on its own SQLite file."""
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(f"sqlite:///{folder / 'browser.db'}", secret_key="browser-tests",
                     password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    if app.state.store is not None:
        app.state.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing("/usr/bin/chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core is not installed at {AXE} (run scripts/install-browser-deps.sh)")
    return AXE.read_text(encoding="utf-8")


class Watch:
    """Collects what must never happen on a page: CSP violations, script errors, off-machine requests."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.problems: list[str] = []
        host = base_url.split("//", 1)[1]
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("request", lambda r: None if r.url.split("//", 1)[-1].startswith(host) or r.url.startswith("data:")
                else self.problems.append(f"third-party request: {r.url}"))

    def check(self) -> None:
        assert self.problems == []


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    with _page(browser, base_url, "phone", script=True) as pg:
        yield pg


def audit(page: Any, axe_source: str, name: str) -> None:
    """Inject axe-core (through the DevTools protocol, so the page's CSP stays strict) and fail on
    serious or critical violations."""
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def answer_all(page: Any, questions: list[forms.Question], value: str = "no") -> None:
    for q in questions:
        page.check(f"input[name={q.field}][value={value}]")


def test_an_assessment_that_ends_in_self_care(page: Any, axe_source: str) -> None:
    page.goto("/assess")
    audit(page, axe_source, "red flags")
    answer_all(page, forms.red_flag_questions())
    page.click("main button[type=submit]")
    page.wait_for_selector("input[name=pain]")
    audit(page, axe_source, "details")
    page.fill("#onset_amount", "5")
    page.check("input[name=pain][value='3']")
    answer_all(page, forms.other_questions())
    page.check("input[name=conditions][value=kidney_disease]")
    page.click("main button[type=submit]")
    banner = page.locator(".banner")
    assert load().levels["self_care"].headline in banner.inner_text()
    assert "level-green" in (banner.get_attribute("class") or "")
    assert page.locator("text=ask a pharmacist or doctor first").count() >= 1
    assert page.locator(".schedule li").count() >= 2
    audit(page, axe_source, "result")
    shoot(page, "result-self-care")


def test_an_emergency_answer_shows_the_emergency_page_at_once(page: Any, axe_source: str) -> None:
    page.goto("/assess")
    page.check("input[name=f_bladder_bowel_control_loss][value=yes]")
    # The other red-flag questions are still unanswered: the required check must not block the emergency.
    for q in forms.red_flag_questions()[1:]:
        page.check(f"input[name={q.field}][value=no]")
    page.click("main button[type=submit]")
    banner = page.locator(".banner")
    assert load().levels["emergency"].headline in banner.inner_text()
    assert "level-red" in (banner.get_attribute("class") or "")
    assert "Call your emergency number now" in banner.inner_text()
    audit(page, axe_source, "emergency")
    shoot(page, "result-emergency")


def test_register_two_check_ins_the_chart_and_the_report(page: Any, axe_source: str) -> None:
    page.goto("/register")
    audit(page, axe_source, "register")
    page.fill("#email", "browser@example.org")
    page.fill("#password", "a long enough password")
    page.fill("#password_confirm", "a long enough password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/diary")
    page.click("text=Start a new episode")
    answer_all(page, forms.red_flag_questions())
    page.click("main button[type=submit]")
    page.fill("#onset_amount", "1")
    page.select_option("#onset_unit", "days")
    page.check("input[name=pain][value='6']")
    answer_all(page, forms.other_questions())
    page.click("main button[type=submit]")
    page.wait_for_url("**/diary/episodes/*")
    for pain in ("5", "4"):
        page.check(f"input[name=pain][value='{pain}']")
        page.select_option("#tried_cold", "yes")
        page.fill("#note", f"pain {pain} after the cold pack")
        page.click("text=Save check-in")
        page.wait_for_selector("text=Check-in saved.")
    assert page.locator(".chart svg circle.checkin").count() == 3
    assert page.locator("text=pain 4 after the cold pack").count() == 1
    assert page.locator("#next-h").count() == 1
    audit(page, axe_source, "episode")
    shoot(page, "diary-episode")
    page.click("text=Open the doctor report")
    assert page.locator("svg").count() >= 1
    shoot(page, "doctor-report")


def _self_care_check(page: Any) -> None:
    page.goto("/assess")
    answer_all(page, forms.red_flag_questions())
    page.click("main button[type=submit]")
    page.fill("#onset_amount", "5")
    page.check("input[name=pain][value='3']")
    answer_all(page, forms.other_questions())
    page.click("main button[type=submit]")
    page.wait_for_selector(".banner")


def test_a_self_care_result_on_a_phone_shows_the_emergency_signs_before_the_plan(
    browser: Any, base_url: str, axe_source: str
) -> None:
    screen = {"width": 390, "height": 844}
    context = browser.new_context(viewport=screen, base_url=base_url)
    page = context.new_page()
    watch = Watch(page, base_url)
    try:
        _self_care_check(page)
        assert page.evaluate("window.scrollY") == 0
        group = page.locator("#watch-emergency")
        box, plan = group.bounding_box(), page.locator("#do-h").bounding_box()
        assert box is not None and plan is not None
        assert box["y"] + box["height"] <= screen["height"], "the emergency signs are below the first screen"
        assert box["y"] + box["height"] < plan["y"]
        shown = group.inner_text()
        assert shown.startswith(load().levels["emergency"].watch_heading or "")
        for f in load().findings.values():
            if f.level == "emergency":
                assert f.watch in shown
        groups = page.locator(".watch-group").evaluate_all("els => els.map(e => e.id)")
        assert groups == ["watch-emergency", "watch-urgent", "watch-soon"]
        audit(page, axe_source, "result with its safety net")
    finally:
        context.close()
    watch.check()


def test_the_wording_switch_works_without_script_and_keeps_the_answers(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        _self_care_check(page)
        assert "Call 911 now if" in page.locator("#watch-emergency").inner_text()
        page.click("header button[lang=en-GB]")  # posts the same answers again, in en-GB
        page.wait_for_selector("html[lang=en-GB]")
        assert "Call 999" in page.locator("#watch-emergency").inner_text()
        assert page.locator(".banner").count() == 1
        page.goto("/about")  # the choice is kept in a cookie
        assert page.locator("html").get_attribute("lang") == "en-GB"
        page.click("header a[lang=en-US]")
        page.wait_for_url("**/about")
        assert page.locator("html").get_attribute("lang") == "en-US"
    finally:
        context.close()


def _submit(page: Any) -> None:
    """Submit the questionnaire page and wait until the next page has loaded."""
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _fits(page: Any, name: str) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{name} scrolls sideways at 320 px ({width} px)"


def test_pages_fit_a_320_pixel_screen_and_the_keyboard_reaches_the_content(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, base_url=base_url)
    page = context.new_page()
    try:
        for path in ("/", "/assess", "/about", "/register", "/signin", "/diary"):
            page.goto(path)
            _fits(page, path)
        page.goto("/assess")
        answer_all(page, forms.red_flag_questions())
        _submit(page)
        _fits(page, "the second questionnaire page")
        page.fill("#onset_amount", "3")
        page.check("input[name=pain][value='8']")
        answer_all(page, forms.other_questions())
        _submit(page)
        _fits(page, "the result page")
        _register(page, "narrow@example.org")
        page.click("text=Start a new episode")
        answer_all(page, forms.red_flag_questions())
        _submit(page)
        page.fill("#onset_amount", "3")
        page.check("input[name=pain][value='5']")
        answer_all(page, forms.other_questions())
        _submit(page)
        page.wait_for_url("**/diary/episodes/*")
        _fits(page, "the diary episode page")
        page.goto("/assess")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == forms.red_flag_questions()[0].field
    finally:
        context.close()


def test_the_about_and_home_pages_pass_axe(page: Any, axe_source: str) -> None:
    for path in ("/", "/about", "/signin", "/diary"):
        page.goto(path)
        audit(page, axe_source, path)
    shoot(page, "diary-signed-out")


# ---- "not sure" and confirming the words: with script, without, on a phone and a desktop ----

DIABETIC_FEET = "My feet have tingled for years from diabetes. Yesterday I bent down and my lower back seized up."
SCREENS = {"phone": PHONE, "desktop": DESKTOP, "narrow": {"width": 320, "height": 640}}


@contextmanager
def _page(browser: Any, base_url: str, screen: str, script: bool) -> Iterator[Any]:
    """A page on a fresh context of `screen`'s size; the context is closed after, and the page's
    requests and console are checked when the test's steps passed."""
    context = browser.new_context(viewport=SCREENS[screen], base_url=base_url, java_script_enabled=script)
    page = context.new_page()
    watch = Watch(page, base_url)
    try:
        yield page
    finally:
        context.close()
    watch.check()


def _register(page: Any, email: str) -> None:
    """Sign up on the register page (signed in afterwards)."""
    page.goto("/register")
    page.fill("#email", email)
    page.fill("#password", "a long enough password")
    page.fill("#password_confirm", "a long enough password")
    _submit(page)


def _heading(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).strip()


def _details(page: Any, text: str = "", **answers: str) -> None:
    """Past the warning signs (all no) to the details, filled in; `answers` override a question's answer."""
    page.goto("/assess")
    answer_all(page, forms.red_flag_questions())
    _submit(page)
    page.fill("#onset_amount", "5")
    page.check("input[name=pain][value='3']")
    answer_all(page, forms.other_questions())
    for field, value in answers.items():
        page.check(f"input[name={field}][value={value}]")
    if text:
        page.fill("#text", text)


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_not_sure_reveals_the_follow_up_in_place_with_script(
    browser: Any, base_url: str, axe_source: str, screen: str
) -> None:
    with _page(browser, base_url, screen, script=True) as page:
        page.goto("/assess")
        answer_all(page, forms.red_flag_questions())
        followup = page.locator("#fu-saddle_numbness")
        assert not followup.is_visible()
        page.check("input[name=f_saddle_numbness][value=unsure]")
        assert followup.is_visible()
        assert load().findings["saddle_numbness"].unsure.question in followup.inner_text()  # type: ignore[union-attr]
        audit(page, axe_source, f"red flags with a follow-up shown ({screen})")
        shoot(page, "red-flags-not-sure")
        page.check("input[name=f_saddle_numbness][value=no]")  # changed back: hidden again, and never sent
        assert not followup.is_visible()
        page.check("input[name=f_saddle_numbness][value=unsure]")
        page.check("input[name=u_saddle_numbness][value=no]")  # wiping does not feel normal: the sign is there
        _submit(page)
        assert "level-red" in (page.locator(".banner").get_attribute("class") or "")
        audit(page, axe_source, f"emergency from a follow-up ({screen})")


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_follow_up_left_open_is_asked_on_its_own_page_and_still_unsure_counts(
    browser: Any, base_url: str, axe_source: str, screen: str
) -> None:
    with _page(browser, base_url, screen, script=True) as page:
        _details(page, f_fever="unsure")
        _submit(page)  # the follow-up shown in place was left unanswered
        assert _heading(page) == "A closer look"
        audit(page, axe_source, f"follow-up page ({screen})")
        shoot(page, "follow-up-page")
        page.check("input[name=u_fever][value=unsure]")
        _submit(page)
        assert load().levels["urgent"].headline in page.locator(".banner").inner_text()
        counted = page.locator("#counted-h + ul").inner_text()
        assert load().findings["fever"].label in counted and "not sure" in counted
        audit(page, axe_source, f"result with notes ({screen})")


def test_not_sure_works_without_script_and_fits_320_pixels(browser: Any, base_url: str) -> None:
    with _page(browser, base_url, "narrow", script=False) as page:
        page.goto("/assess")
        answer_all(page, forms.red_flag_questions())
        assert not page.locator("#fu-chest_pain").is_visible()
        page.check("input[name=f_chest_pain][value=unsure]")
        assert not page.locator("#fu-chest_pain").is_visible()  # no script: the next page asks it
        _submit(page)
        assert _heading(page) == "A closer look"
        _fits(page, "the follow-up page")
        page.check("input[name=u_chest_pain][value=no]")
        _submit(page)
        assert page.locator("input[name=pain]").count() == 11  # no chest pain: on to the details
        page.fill("#onset_amount", "5")
        page.check("input[name=pain][value='3']")
        answer_all(page, forms.other_questions())
        page.check("input[name=f_injury][value=unsure]")
        _submit(page)
        page.check("input[name=u_injury][value=yes]")
        _submit(page)
        assert load().levels["urgent"].headline in page.locator(".banner").inner_text()


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_words_are_confirmed_and_a_rejected_reading_does_not_count(
    browser: Any, base_url: str, axe_source: str, screen: str
) -> None:
    with _page(browser, base_url, screen, script=True) as page:
        _details(page, DIABETIC_FEET)
        _submit(page)
        assert _heading(page) == "Is this what you meant?"
        assert page.locator("blockquote.words mark").count() >= 1
        assert page.locator("input[name=read_bilateral_leg_symptoms][value=yes]").is_checked()  # yes by default
        audit(page, axe_source, f"confirm page ({screen})")
        shoot(page, "confirm-words")
        page.check("input[name=read_bilateral_leg_symptoms][value=no]")
        _submit(page)
        banner = page.locator(".banner")
        assert load().levels["urgent"].headline in banner.inner_text()  # the tingling still counts; both legs not
        words = page.locator("#words-h").locator("xpath=..").inner_text()
        assert "Not counted" in words and load().findings["bilateral_leg_symptoms"].label in words
        assert page.locator("#counted-h").count() == 1  # answered no to tingling, but the words count
        audit(page, axe_source, f"result after confirming ({screen})")


def test_confirming_the_words_works_without_script_and_fits_320_pixels(browser: Any, base_url: str) -> None:
    with _page(browser, base_url, "narrow", script=False) as page:
        _details(page, DIABETIC_FEET)
        _submit(page)
        assert _heading(page) == "Is this what you meant?"
        _fits(page, "the confirm page")
        _submit(page)  # just continuing keeps every reading: the safer one
        assert "level-red" in (page.locator(".banner").get_attribute("class") or "")
        _fits(page, "the result after confirming")


def test_the_keyboard_reaches_every_choice_on_the_confirm_page(page: Any) -> None:
    _details(page, DIABETIC_FEET)
    _submit(page)
    first = page.locator("fieldset.confirm-item input[type=radio]").first
    first.focus()
    assert page.evaluate("document.activeElement.value") == "yes"
    page.keyboard.press("ArrowRight")  # a radio group moves with the arrow keys
    assert page.evaluate("document.activeElement.value") == "no"
    assert page.evaluate("document.activeElement.checked") is True
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name").startswith("read_")


def test_a_diary_check_in_note_is_confirmed_before_it_is_saved(page: Any, axe_source: str) -> None:
    _register(page, "note-reader@example.org")
    page.click("text=Start a new episode")
    answer_all(page, forms.red_flag_questions())
    page.check("input[name=f_major_trauma][value=unsure]")
    page.check("input[name=u_major_trauma][value=no]")  # answered in place: no extra page
    _submit(page)
    page.fill("#onset_amount", "1")
    page.check("input[name=pain][value='5']")
    answer_all(page, forms.other_questions())
    _submit(page)
    page.wait_for_url("**/diary/episodes/*")
    page.check("input[name=pain][value='5']")
    page.fill("#note", "I had a fever last night.")
    _submit(page)
    assert _heading(page) == "Is this what you meant?"
    audit(page, axe_source, "check-in confirm page")
    _submit(page)
    page.wait_for_selector("text=Your last check-in raised the urgency.")
    assert page.locator("text=I had a fever last night.").count() == 1


def _withheld_program(page: Any) -> None:
    """The /prevent form, answered for a spasm that needs a doctor's visit (book one)."""
    page.goto("/prevent")
    page.fill("#sitting_hours", "8")
    page.check("input[name=lifting_at_work][value=no]")
    page.check("input[name=activity_level][value=some]")
    page.check("input[name=spasm_now][value=yes]")
    page.select_option("#urgency", "soon")
    page.fill("#hours_since_onset", "100")
    _submit(page)


def test_the_exercise_figures_and_a_withheld_program_pass_axe(page: Any, axe_source: str) -> None:
    for path in ("/exercises", "/exercises/plank", "/exercises/knee_to_chest"):
        page.goto(path)
        audit(page, axe_source, path)
    figure = page.locator("figure.figure svg")
    assert figure.get_attribute("role") == "img"
    shoot(page, "exercise-knee-to-chest")
    _withheld_program(page)
    assert "No exercise program for now" in page.locator(".banner").inner_text()
    assert page.locator("text=Keep moving gently").count() == 1
    audit(page, axe_source, "withheld program")
    shoot(page, "prevent-withheld")


def test_figures_scale_to_a_320_pixel_screen_and_the_program_form_needs_no_script(browser: Any, base_url: str) -> None:
    with _page(browser, base_url, "narrow", script=False) as page:
        for path in ("/exercises", "/exercises/plank", "/prevent"):
            page.goto(path)
            _fits(page, path)
        page.goto("/exercises/plank")
        svg = page.locator("figure.figure svg")
        box = svg.bounding_box()
        _, _, vb_width, vb_height = (float(v) for v in (svg.get_attribute("viewBox") or "").split())
        assert box is not None and 240 <= box["width"] <= 320  # scaled down to the column ...
        assert abs(box["height"] - box["width"] * vb_height / vb_width) <= 2  # ... whole, not cropped or squashed
        _withheld_program(page)
        _fits(page, "the withheld program")
        assert "No exercise program for now" in page.locator("h1").inner_text()
        assert page.locator("text=Week by week").count() == 0
        page.set_viewport_size(DESKTOP)
        page.goto("/exercises/knee_to_chest")
        box = page.locator("figure.figure svg").bounding_box()
        assert box is not None and box["width"] == 480  # full size where there is room

"""``arena view`` in a real browser: Debian's headless Chromium driven by its chromedriver through selenium.

The pages must load without a console error (a script the page forbade, a missing resource, a broken
plot would each log one), a filter picked in the form must narrow the list, a match's transcript and the
critic's advice must be on its page, and a screenshot must show something (a blank page is one colour).
``.ci/run`` installs ``chromium`` and ``chromium-driver`` where they are missing; without them these tests
fail and say what to install: a browser view untested in a browser is not tested.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from arena.view import ViewServer

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
COACHED = "balloon.coachable-seller.fair-buyer.ai.s0.r1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium whose console messages can be read back (``get_log("browser")``)."""
    binary = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    driver_path = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.fail("the browser tests need Debian's chromium and chromium-driver: "
                    "apt-get install -y chromium chromium-driver (.ci/run does this)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(180)
    try:
        yield driver
    finally:
        driver.quit()


def severe(driver: Any) -> list[str]:
    """The console's errors since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def shown_rows(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#matches a.match")]


def test_runs_filter_and_match_pages_load_clean_and_show_what_they_should(browser: Any,
                                                                          view_server: ViewServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(view_server.url)
    assert browser.title == f"Arena runs: {view_server.catalog.root}"
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#runs a")] == ["fb", "dm"]
    assert severe(browser) == []

    follow(browser, browser.find_element(By.LINK_TEXT, "fb"))
    assert len(shown_rows(browser)) == 24
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")  # the plots load lazily
    images = browser.find_elements(By.CSS_SELECTOR, "img")
    assert len(images) == 4
    for image in images:
        browser.execute_script("arguments[0].scrollIntoView()", image)
    _wait(browser, lambda d: all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0",
                                                  i) for i in images))
    assert severe(browser) == []

    Select(browser.find_element(By.ID, "filter-arm")).select_by_value("ai")
    Select(browser.find_element(By.ID, "filter-agent")).select_by_value("coachable-seller")
    follow(browser, browser.find_element(By.ID, "apply"))
    assert shown_rows(browser) == [f"balloon.coachable-seller.fair-buyer.ai.s{s}.r{r}" for s in (0, 1)
                                   for r in (1, 2, 3)]
    assert browser.find_element(By.ID, "count").text == "Showing 1-6 of 6 matches (filtered from 24)."
    Select(browser.find_element(By.ID, "filter-outcome")).select_by_visible_text("deals: yes")
    follow(browser, browser.find_element(By.ID, "apply"))
    assert shown_rows(browser) == [COACHED, COACHED.replace(".s0.", ".s1.")]
    assert severe(browser) == []

    follow(browser, browser.find_element(By.LINK_TEXT, COACHED))
    assert browser.find_element(By.ID, "match-id").text == COACHED
    turns = browser.find_elements(By.CSS_SELECTOR, ".turn pre")
    assert turns[0].text == "This is a good balloon and its price is $20. [OFFER $20]"
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "li.advice")] == [
        "Hold your price longer before conceding; the buyer would have paid more.",
        "Anchor on the item's value before naming a price."]
    assert severe(browser) == []

    png = browser.get_screenshot_as_png()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size[0] == 1280 and image.size[1] > 600  # the window's viewport (its frame is not shot)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20  # text, links and turn borders, not a blank page
    white = max(count for count, colour in colours if colour == (255, 255, 255))
    assert white < 0.98 * image.size[0] * image.size[1]


def test_a_missing_match_is_a_page_that_says_so_not_a_console_error_storm(browser: Any,
                                                                         view_server: ViewServer) -> None:
    from selenium.webdriver.common.by import By

    browser.get(view_server.url + "run/fb/match/nope")
    assert browser.find_element(By.ID, "message").text == "fb: no match 'nope'"
    errors = severe(browser)  # the 404 itself is the one error the console reports
    assert len(errors) == 1 and "404" in errors[0]


def follow(driver: Any, element: Any) -> None:
    """Click a link or a submit button and wait for the next page to have loaded (a click returns before
    the navigation it starts may have replaced the page)."""
    # The old page is marked in its window object, which the next page does not have. (Waiting for the old
    # <html> element to go stale raced in CI: chromedriver can answer "Node with given id does not belong to
    # the document", a plain WebDriverException, while the page is being replaced.)
    from selenium.common.exceptions import WebDriverException

    def loaded(d: Any) -> bool:
        try:
            return bool(d.execute_script("return window.arenaOldPage === undefined "
                                         "&& document.readyState === 'complete'"))
        except WebDriverException:  # asked while the document was being swapped: not yet
            return False

    driver.execute_script("window.arenaOldPage = true")
    element.click()
    _wait(driver, loaded)


def _wait(driver: Any, ready: Any, timeout: float = 120) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(ready)

"""End-to-end test of the editor's console in headless Chromium (Selenium + chromedriver).

Run by scripts/browser-test.sh, which starts `kindred serve` on a copy of the sample model and
passes its address, the admin token and a directory for screenshots. Every step waits for what a
person would see, then saves a screenshot.
"""
import json
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

base, token, shots = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(shots, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
             "--disable-gpu", "--no-first-run", "--disable-extensions"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 10)
step = 0


def shot(name):
    global step
    step += 1
    driver.save_screenshot(os.path.join(shots, f"{step:02d}-{name}.png"))


def check(condition, message):
    if not condition:
        shot("failure")
        raise AssertionError(message)


def ids_in(list_id):
    """The article ids of a list, read in one go (the page re-renders lists as settings change)."""
    return driver.execute_script(
        f"return [...document.querySelectorAll('#{list_id} > li')].map(li => li.dataset.id).filter(Boolean)")


def related_ids():
    return ids_in("related")


def text_of(selector):
    return driver.execute_script(f"const e = document.querySelector(\"{selector}\"); return e ? e.innerText : ''")


def until(predicate, message):
    try:
        wait.until(lambda _: predicate())
    except TimeoutException:
        shot("timeout")
        raise AssertionError(f"timed out waiting until {message}")


try:
    driver.get(base + "/")
    check(driver.title.startswith("Kindred"), f"unexpected title {driver.title!r}")

    # Status: the model in use, from /v1/status.
    until(lambda: driver.find_element(By.ID, "status-articles").text == "85", "the status shows 85 articles")
    check(driver.find_element(By.ID, "status-version").text.startswith("20"), "no model version shown")
    check("kernel" in driver.find_element(By.ID, "status-blas").text, "no BLAS shown")
    shot("status")

    # Accessibility basics: every input, select and textarea has a label.
    for field in driver.find_elements(By.CSS_SELECTOR, "input, select, textarea"):
        field_id = field.get_attribute("id")
        labels = driver.find_elements(By.CSS_SELECTOR, f"label[for='{field_id}']")
        check(labels and labels[0].text.strip(), f"#{field_id} has no label")

    # Find an article by title prefix, with the keyboard.
    search = driver.find_element(By.ID, "search")
    search.click()
    search.send_keys("Leica fin")
    until(lambda: driver.find_elements(By.CSS_SELECTOR, "#matches button"), "a match appears")
    shot("search")
    search.send_keys(Keys.ARROW_DOWN)
    active = driver.switch_to.active_element
    check(active.get_attribute("data-id") == "leica-red-dot-leitzphone", "arrow down does not reach the match")
    active.send_keys(Keys.ENTER)

    # Its related list as readers see it, with scores and explanations.
    until(lambda: "xiaomi-17-ultra-launch" in related_ids(), "the related list shows the Xiaomi 17 Ultra story")
    first = text_of("#related > li")
    check("score" in first and "shared:" in first, f"no score or shared terms in {first!r}")
    check("xiaomi" in first, "the shared terms do not mention xiaomi")
    shot("related")

    # Pin the third result: it moves to the top, marked pinned, at once.
    ids = related_ids()
    target = ids[2]
    driver.find_element(By.ID, "admin-token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, f"#related > li[data-id='{target}'] .actions button").click()
    until(lambda: related_ids()[:1] == [target], f"{target} is pinned first")
    check("pinned" in text_of("#related > li"), "no pinned badge")
    check(target in driver.find_element(By.ID, "pinned-list").text, "the pin is not listed")
    with urllib.request.urlopen(base + "/v1/articles/leica-red-dot-leitzphone/overrides") as response:
        stored = json.load(response)
    check(stored["pinned"] == [target], f"the server stored {stored}")
    shot("pinned")

    # Block the (unpinned) second result: it disappears.
    blocked = related_ids()[1]
    driver.find_element(By.CSS_SELECTOR, f"#related > li[data-id='{blocked}'] .actions button:nth-child(2)").click()
    until(lambda: blocked not in related_ids(), f"{blocked} is gone once blocked")
    shot("blocked")

    # Settings: a strict floor makes the list short, and the page says so.
    floor = driver.find_element(By.ID, "min_score")
    floor.clear()
    floor.send_keys("0.3")
    until(lambda: "below the relevance floor" in driver.find_element(By.ID, "list-note").text, "the short list is explained")
    shot("floor")

    # An error from the API shows as a readable message.
    k = driver.find_element(By.ID, "k")
    k.clear()
    k.send_keys("500")
    until(lambda: driver.find_element(By.ID, "error").is_displayed(), "the error is shown")
    check("k must be between 1 and 100" in driver.find_element(By.ID, "error").text, "the error does not say why")
    shot("error")
    k.clear()
    k.send_keys("10")
    until(lambda: not driver.find_element(By.ID, "error").is_displayed(), "the error clears once fixed")

    # A draft gets live suggestions as it is typed.
    driver.find_element(By.ID, "draft-title").send_keys("Xiaomi's first tracker")
    driver.find_element(By.ID, "draft-body").send_keys("A tag that works with Apple Find My and Google Find Hub.")
    until(lambda: "xiaomi-tag-find-my" in ids_in("suggestions"), "the draft suggests the Xiaomi Tag story")
    shot("draft")

    # The latency chart fills in from the server's metrics.
    until(lambda: "p95" in driver.find_element(By.ID, "latency-caption").text, "the latency caption shows p95")
    shot("latency")
    print(f"console: {step} steps passed; screenshots in {shots}")
finally:
    driver.quit()

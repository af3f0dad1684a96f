"""Opens verinfer's web page in a real headless Chromium (Debian's `chromium` and
`chromium-driver`, driven over WebDriver by Selenium, pinned in scripts/setup.sh), sends a
chat message, waits for the verified answer and its verdict, saves a screenshot, and prints
what the page showed as JSON, for tests/tests/gateway.rs to assert on.

Usage: browser_check.py PAGE_URL SCREENSHOT_PATH
"""
import json
import sys

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

url, screenshot = sys.argv[1:3]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,1400"):
    options.add_argument(flag)
# The driver from the Debian package, so that Selenium never looks for one online.
service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
driver = webdriver.Chrome(options=options, service=service)
try:
    driver.get(url)
    wait = WebDriverWait(driver, 240)
    wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "Connected"))
    box = driver.find_element(By.ID, "chat-text")
    box.clear()
    box.send_keys("Say something.")
    tokens = driver.find_element(By.ID, "chat-tokens")
    tokens.clear()
    tokens.send_keys("12")
    driver.find_element(By.ID, "chat-send").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#chat-out .verdict")))
    out = driver.find_element(By.ID, "chat-out")
    phases = [li.text for li in out.find_elements(By.CSS_SELECTOR, "ol.phases li")]
    answer = out.find_elements(By.CSS_SELECTOR, ".answer")
    verdict = out.find_element(By.CSS_SELECTOR, ".verdict").text
    driver.save_screenshot(screenshot)
    print(json.dumps({
        "status": driver.find_element(By.ID, "status").text,
        "phases": phases,
        "answer": answer[0].text if answer else None,
        "verdict": verdict,
    }))
finally:
    driver.quit()

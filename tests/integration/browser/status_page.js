// Drives the status page in Debian's chromium (headless, through playwright-core): the connector's row,
// its state, a moving event counter, the pause button, a screenshot. Run by test_monitoring.py:
//   node status_page.js URL CONNECTOR SCREENSHOT.png CHROMIUM [ROWS FILTER]
// ROWS: how many connectors the page must list; FILTER: a text the filter box narrows them to one row with.
// Prints one JSON line of what it saw; exits 0 when every check passed, 3 when chromium cannot start.
"use strict";
const { chromium } = require("playwright-core");

async function main() {
  const [url, connector, screenshot, executablePath, rows, filter] = process.argv.slice(2);
  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  } catch (e) {
    console.log(JSON.stringify({ launch_error: String(e.message || e) }));
    process.exit(3);
  }
  const seen = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 600 } });
    const response = await page.goto(url);
    seen.content_type = response.headers()["content-type"];
    const row = page.locator(`tr[data-connector="${connector}"]`);
    await row.waitFor({ timeout: 30000 });
    seen.name = await row.locator(".name").textContent();
    await page.waitForFunction(
      (c) => document.querySelector(`tr[data-connector="${c}"] .state`)?.textContent === "RUNNING", connector,
      { timeout: 30000 });
    seen.state = await row.locator(".state").textContent();
    const events = async () => Number(await row.locator(".events-total").textContent());
    seen.events_first = await events();
    // The page refreshes itself: the counter moves while the test writes rows.
    await page.waitForFunction(
      ([c, first]) => Number(document.querySelector(`tr[data-connector="${c}"] .events-total`)?.textContent) > first,
      [connector, seen.events_first], { timeout: 60000 });
    seen.events_later = await events();
    await row.locator("button.action-pause").click();
    await page.waitForFunction(
      (c) => document.querySelector(`tr[data-connector="${c}"] .state`)?.textContent === "PAUSED", connector,
      { timeout: 30000 });
    seen.state_after_pause = await row.locator(".state").textContent();
    if (rows) {
      await page.waitForFunction((n) => document.querySelectorAll("tr[data-connector]").length === n, Number(rows),
        { timeout: 30000 });
      seen.rows = await page.locator("tr[data-connector]").count();
      await page.screenshot({ path: screenshot.replace(/\.png$/, "-all.png"), fullPage: true });
      await page.fill("#filter", filter);
      await page.waitForFunction(() => [...document.querySelectorAll("tr[data-connector]")].filter((r) => !r.hidden).length === 1,
        null, { timeout: 10000 });
      seen.filtered = await page.locator("tr[data-connector]:visible").first().getAttribute("data-connector");
      await page.fill("#filter", "");
    }
    seen.slot_lag = await row.locator(".slot-lag").textContent();
    seen.retained_wal = await row.locator(".retained-wal").textContent();
    await page.screenshot({ path: screenshot, fullPage: true });
    seen.screenshot = screenshot;
    console.log(JSON.stringify(seen));
  } catch (e) {
    seen.error = String(e.message || e);
    console.log(JSON.stringify(seen));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main();

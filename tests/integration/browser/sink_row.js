// The status page's row of a sink connector, in Debian's chromium (headless, through playwright-core): its
// type, state, records applied reaching a count, and its consumer lag in records falling to 0. Run by
// test_sink_monitoring.py:
//   node sink_row.js URL CONNECTOR APPLIED SCREENSHOT.png CHROMIUM
// Prints one JSON line of what it saw; exits 0 when every check passed, 3 when chromium cannot start.
"use strict";
const { chromium } = require("playwright-core");

async function main() {
  const [url, connector, applied, screenshot, executablePath] = process.argv.slice(2);
  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  } catch (e) {
    console.log(JSON.stringify({ launch_error: String(e.message || e) }));
    process.exit(3);
  }
  const seen = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 400 } });
    await page.goto(url);
    const row = page.locator(`tr[data-connector="${connector}"]`);
    await row.waitFor({ timeout: 30000 });
    await page.waitForFunction(
      (c) => document.querySelector(`tr[data-connector="${c}"] .state`)?.textContent === "RUNNING", connector,
      { timeout: 30000 });
    seen.state = await row.locator(".state").textContent();
    seen.type = await row.getAttribute("data-type");
    // The page refreshes itself: applied records reach the count and the lag falls to 0.
    await page.waitForFunction(
      ([c, n]) => {
        const r = document.querySelector(`tr[data-connector="${c}"]`);
        return Number(r?.querySelector(".events-total")?.textContent) >= n &&
          r?.querySelector(".sink-lag")?.textContent === "0 records";
      },
      [connector, Number(applied)], { timeout: 60000 });
    seen.applied = Number(await row.locator(".events-total").textContent());
    seen.lag = await row.locator(".sink-lag").textContent();
    seen.last_commit = await row.locator("td:nth-child(7)").textContent();
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

// The console's timings in headless Chromium (playwright-core from the
// console's npm packages), for bench/console_load.py: log in, then
//
//   list: open /monitors and wait until the list is usable (the count of
//         monitors shown and the first rows drawn), and until the figures
//         of the rows in view have arrived;
//   chart: on a monitor's page, click "1 year" and wait until the
//         percentile chart of the year is drawn.
//
// Each is repeated; prints one JSON line {"list_ms": [...],
// "list_figures_ms": [...], "chart_year_ms": [...], "rows_rendered": n}.
//
// Usage: node console_timing.mjs SOURCE_DIR BASE_URL EMAIL PASSWORD MONITOR_ID MONITORS REPEAT
import path from "node:path";
import { createRequire } from "node:module";

const [source, base, email, password, monitorId, monitors, repeat] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(source), "console", "package.json"));
const { chromium } = require("playwright-core");
const count = Number(monitors).toLocaleString("en-US").replace(/,/g, "");

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const out = { list_ms: [], list_figures_ms: [], chart_year_ms: [], rows_rendered: 0 };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Monitors" }).waitFor({ timeout: 60_000 });

  for (let i = 0; i < Number(repeat); i++) {
    await page.goto("about:blank");
    const t0 = Date.now();
    await page.goto(base + "/monitors");
    await page.getByText(new RegExp(`^${count} monitors,`)).waitFor({ timeout: 60_000 });
    await page.locator(".lbody [role=row]").first().waitFor();
    out.list_ms.push(Date.now() - t0);
    await page.locator(".lbody [role=row] .spark").first().waitFor({ timeout: 60_000 });
    out.list_figures_ms.push(Date.now() - t0);
  }
  out.rows_rendered = await page.locator(".lbody [role=row]").count();

  for (let i = 0; i < Number(repeat); i++) {
    await page.goto(base + "/monitors/" + monitorId);
    await page.getByRole("heading", { name: /Percentiles per/ }).waitFor({ timeout: 60_000 });
    const t0 = Date.now();
    await page.getByRole("button", { name: "1 year" }).click();
    await page.getByRole("heading", { name: "Last 1 year" }).waitFor({ timeout: 60_000 });
    await page.getByRole("heading", { name: "Percentiles per day" }).waitFor({ timeout: 60_000 });
    // Drawn: uPlot paints on the next animation frame after its data.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    out.chart_year_ms.push(Date.now() - t0);
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));

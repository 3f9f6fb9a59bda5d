// Runs axe-core over local HTML pages in Debian's Chromium (puppeteer-core: no browser download).
// Usage: node tests/accessibility/axe.mjs page.html [page.html ...]
// Prints one JSON object: {"<page>": {"violations": [...], "passes": N, "incomplete": N}}.
// Chromium is $BROWSER_PATH, else /usr/bin/chromium; it runs headless and offline.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import path from "node:path";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const width = Number(process.env.AXE_WIDTH || 1280);

const browser = await puppeteer.launch({
  executablePath: process.env.BROWSER_PATH || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-default-apps", "--disable-domain-reliability",
    "--disable-component-update", "--disable-sync",
  ],
});
const out = {};
try {
  for (const file of process.argv.slice(2)) {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    // nothing may come from the network: every request but the page's own files fails
    await page.setRequestInterception(true);
    page.on("request", (request) => (request.url().startsWith("file:") || request.url().startsWith("data:")
      ? request.continue() : request.abort()));
    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: "load", timeout: 120000 });
    await page.evaluate(axeSource);
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      TAGS,
    );
    out[file] = {
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
        count: v.nodes.length,
      })),
      passes: result.passes.length,
      incomplete: result.incomplete.length,
      axe: window_version(result),
    };
    await page.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");

function window_version(result) {
  return result.testEngine ? result.testEngine.version : "";
}

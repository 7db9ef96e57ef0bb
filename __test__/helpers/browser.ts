// Debian's headless Chromium for the page tests: skipped with the reason when it is missing (scripts/
// setup-system.sh installs it), except in CI; launched offline-quiet.

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { IN_CI } from "./fixtures.js";

export const CHROMIUM = "/usr/bin/chromium";

/** First call of a browser test: skips it (or fails it in CI) when Chromium is missing. */
export function requireChromium(skip: (note: string) => never): void {
  if (existsSync(CHROMIUM)) return;
  const why = `${CHROMIUM} is missing (install it with: bash scripts/setup-system.sh)`;
  if (IN_CI) throw new Error(`${why}; CI runs every test`);
  skip(`skipped: ${why}`);
}

/** Headless Chromium without background network, updates or first-run pages. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** Debian's chromium driven by playwright-core; never a downloaded browser. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { servicesRequired } from '../helpers/services.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

export const CHROMIUM = process.env.NOTIFY24_CHROMIUM ?? '/usr/bin/chromium';

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * The browser, or null after marking the test skipped. Without the binary the test FAILS
 * when NOTIFY24_REQUIRE_SERVICES=1 (CI installs it), so a missing browser never passes silently.
 */
export async function launchBrowser(t: TestContext): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    if (servicesRequired()) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    t.skip(`${CHROMIUM} missing (apt-get install -y chromium)`);
    return null;
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}

/**
 * One browser for the whole test file, launched by the first test that asks (null: skipped),
 * closed after the file. Call at the file's top level.
 */
export function browserPerFile(): (t: TestContext) => Promise<Browser | null> {
  let browser: Browser | null = null;
  after(() => browser?.close());
  return async (t) => {
    browser ??= await launchBrowser(t);
    return browser;
  };
}

/** Fails the test on any uncaught page error or dialog (an injected alert would open one). */
export function guard(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

export async function signInPage(page: Page, base: string, login: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('#login-form input[name=login]').fill(login);
  await page.locator('#login-form input[name=password]').fill(password);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#center').waitFor({ state: 'visible' });
  await page.locator('#link-state[data-state="ws"], #link-state[data-state="sse"]').waitFor();
}

/**
 * Where page screenshots go: the committed docs/screenshots only when NOTIFY24_SCREENSHOTS=1
 * (`npm run screenshots`), so an ordinary test run never dirties the working tree.
 */
export function screenshotDir(): string {
  const dir = process.env.NOTIFY24_SCREENSHOTS === '1' ? 'docs/screenshots' : join(tmpdir(), 'notify24-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now, one line each (rule,
 * impact, the first offending elements). Injected through the DevTools protocol, which the
 * page's Content-Security-Policy does not govern, so the page is checked with its real policy.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations as { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary}`).join(' | ')}`);
}

/** Controls narrower or shorter than 44 CSS px among the visible ones matching `selector`. */
export async function smallTargets(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((nodes) => nodes.flatMap((node) => {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(node).visibility === 'hidden') return [];
    return box.width < 44 || box.height < 44
      ? [`${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ''}.${node.className} "${(node.textContent ?? '').trim().slice(0, 20)}" ${Math.round(box.width)}×${Math.round(box.height)}`]
      : [];
  }));
}

/**
 * One test server and one browser for a whole test file (browser tests stay lean): call at the
 * top level; `browser(t)` launches on first use (null: skipped, see launchBrowser). Both close
 * after the file.
 */
export function serverAndBrowser(...args: Parameters<typeof startTestServer>) {
  let ts: TestServer | null = null;
  before(async () => {
    ts = await startTestServer(...args);
  });
  after(() => ts?.close());
  return {
    get ts(): TestServer {
      return ts!;
    },
    browser: browserPerFile(),
  };
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, findExecutable, missingSentence } from '../../scripts/ensure-test-prereqs.js';

/** The chromium `pretest` found or installed (CHROMIUM_PATH, else PATH); a fresh profile per run so nothing carries over. */
function chromiumExecutable(): string {
  const found = findExecutable(CHROMIUM);
  if (!found) throw new Error(missingSentence(CHROMIUM));
  return found;
}
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** test-artifacts/ is kept by CI and ignored by git. */
const ARTIFACTS = 'test-artifacts';

export interface WorkspaceBrowser {
  page: Page;
  /** Saves what the person sees at this step as test-artifacts/<prefix>-NN-<step>.png. */
  screenshot(step: string): Promise<void>;
  close(): Promise<void>;
}

/** Chromium on the workspace page at `url`, once the page has loaded its first state; the reader's time zone is UTC. */
export async function openWorkspace(url: string, screenshotPrefix: string): Promise<WorkspaceBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'oslayer-chromium-'));
  let context: BrowserContext | undefined;
  try {
    // Playwright takes the profile directory here rather than as --user-data-dir.
    context = await chromium.launchPersistentContext(profile, { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.locator('body[data-ready]').waitFor();
    let shot = 0;
    const browser = context;
    return {
      page,
      screenshot: async (step) => {
        await page.screenshot({ path: join(ARTIFACTS, `${screenshotPrefix}-${String(++shot).padStart(2, '0')}-${step}.png`), fullPage: true });
      },
      close: async () => {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

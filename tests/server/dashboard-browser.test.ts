/**
 * The dashboard in a real browser (playwright-core driving Debian's chromium, JavaScript turned
 * off — the pages must work without it): a visitor without the token is refused; with it they
 * log in, search a complaint by its LAPOR! id, open its timeline and download a CSV. A
 * screenshot of the overview is kept in test-artifacts/.
 *
 * Needs /usr/bin/chromium (or CHROMIUM_PATH); `.ci/run` installs it. Without it the suite is
 * skipped with a warning, unless SP4N_REQUIRE_BROWSER=1 (set by `.ci/run`) makes that a failure.
 * Playwright never downloads a browser here: only `playwright-core` is installed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DashboardServer } from '../../src/server/dashboard/dashboard.js';
import { REPO_ROOT } from '../helpers/workdir.js';
import { dashboardFixture, SCRIPT_TITLE, type DashboardFixture } from './dashboard-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = fs.existsSync(CHROMIUM);
const required = process.env.SP4N_REQUIRE_BROWSER === '1';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');

if (!available && !required) console.warn(`dashboard browser test skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

(available || required ? describe : describe.skip)('dashboard in a browser (no JavaScript)', () => {
  let fx: DashboardFixture;
  let server: DashboardServer;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fx = await dashboardFixture('sp4n-dash-browser-');
    server = new DashboardServer({ host: '127.0.0.1', port: 0, ledgerPath: () => fx.ledgerPath, token: () => fx.token });
    base = (await server.start()).url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'id-ID' });
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await fx?.close();
  });

  it('refuses a visitor without the token: 401, the login form, no ledger data', async () => {
    const other = await browser.newContext({ javaScriptEnabled: false });
    try {
      const p = await other.newPage();
      const res = await p.goto(`${base}/records/${encodeURIComponent(fx.script.ref)}`);
      expect(res?.status()).toBe(401);
      await expect(p.locator('input[name="token"]').count()).resolves.toBe(1);
      const text = await p.locator('body').innerText();
      expect(text).not.toContain(fx.script.laporId);
      expect(text).not.toContain('Jembatan');
      const csv = await other.request.get(`${base}/export.csv?table=records`);
      expect(csv.status()).toBe(401);
      expect(await csv.text()).not.toContain(fx.script.ref);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('logs in with the token and shows the overview (screenshot kept)', async () => {
    await page.goto(base);
    await page.fill('#token', 'not-the-token');
    await page.click('form.login button[type="submit"]');
    await expect(page.locator('.error').innerText()).resolves.toContain('Token salah');

    await page.fill('#token', fx.token);
    await Promise.all([page.waitForURL(`${base}`), page.click('form.login button[type="submit"]')]);
    await expect(page.locator('h1').innerText()).resolves.toBe('Ringkasan');
    await expect(page.locator('.tile .label', { hasText: 'terkirim' }).count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('section.head code.hash').innerText()).resolves.toMatch(/^[0-9a-f]{64}$/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sp4n_dashboard');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
    expect(session?.value).not.toContain(fx.token);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-overview.png'), fullPage: true });
    expect(fs.statSync(path.join(ARTIFACTS, 'dashboard-overview.png')).size).toBeGreaterThan(10_000);
  }, 60_000);

  it('finds the complaint by its LAPOR! id and opens its timeline; markup in its title stays text', async () => {
    await page.fill('#q', fx.script.laporId);
    await Promise.all([page.waitForURL(`${base}/records/**`), page.click('form.search button[type="submit"]')]);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/dashboard/records/${fx.script.ref}`);
    await expect(page.locator('h1').innerText()).resolves.toContain(fx.script.ref);
    await expect(page.locator('dd.lapor-id').innerText()).resolves.toBe(fx.script.laporId);
    await expect(page.locator('.version.current dd.title').innerText()).resolves.toBe(SCRIPT_TITLE);
    await expect(page.locator('script').count()).resolves.toBe(0);
    await expect(page.locator('table.events tbody tr').count()).resolves.toBeGreaterThan(1);
    await expect(page.locator('table.events').innerText()).resolves.toContain('received');
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-timeline.png'), fullPage: true });
  }, 60_000);

  it('downloads a CSV from the export buttons: UTF-8 with BOM, no personal data', async () => {
    await page.goto(base);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('section.export a[href*="table=records"]')]);
    expect(download.suggestedFilename()).toMatch(/^sp4n-records-\d{8}-\d{6}\.csv$/);
    const file = path.join(ARTIFACTS, 'dashboard-records.csv');
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.split('\n')[0]).toMatch(/^\uFEFFref,source,external_id,ticket,state,lapor_id/);
    expect(text).toContain(`${fx.script.ref},`);
    expect(text).toContain(fx.script.laporId);
    for (const r of fx.bebeja.records()) if (r.pelapor.nama) expect(text).not.toContain(r.pelapor.nama);
  }, 60_000);

  it('switches to English and shows verification with the head hash', async () => {
    await page.click('a.lang');
    await expect(page.locator('h1').innerText()).resolves.toBe('Overview');
    await page.click('nav a[href="/dashboard/verify"]');
    await expect(page.locator('h1').innerText()).resolves.toBe('Ledger verification');
    await expect(page.locator('.verdict.ok').count()).resolves.toBe(1);
    await expect(page.locator('#head-hash').innerText()).resolves.toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);
});

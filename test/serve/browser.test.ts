// The dashboard in a real browser (Debian's headless Chromium, driven by playwright-core): a tiny
// search runs while its page is open, then the runs page, the search page and the inference page
// are checked through the DOM and screenshots. GROUPNAS_SCREENSHOTS=<dir> also saves the pages as
// PNG there (that is how docs/screenshots/ is made).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/serve/index.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { runCli } from '../cli/run-cli.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { haveChromium, launchChromium } from './chromium.js';

/** configs/tiny.json made smaller (as test/search/helpers.ts does), with four supernet epochs to watch. */
const TINY_SEARCH = [
  '--config',
  'configs/tiny.json',
  ...['data.trainLimit=128', 'data.testLimit=64', 'search.batchSize=32', 'search.epochs=4', 'teacher.mode=none'].flatMap((s) => ['--set', s]),
  '--backend',
  'wasm',
  '--workers',
  '1',
];
const SCREENSHOTS = process.env.GROUPNAS_SCREENSHOTS;

/** PNG bytes of a screenshot, saved under SCREENSHOTS when asked. */
async function screenshot(page: Page, name: string): Promise<Buffer> {
  const png = await page.screenshot({ fullPage: true });
  if (SCREENSHOTS) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, name), png);
  }
  return png;
}

/** Pixels of a canvas that are drawn (not transparent, not near-white): a chart that rendered has many. */
const inkedPixels = (page: Page, selector: string) =>
  page.evaluate<number>(`(() => {
    const c = document.querySelector(${JSON.stringify(selector)});
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && Math.min(d[i], d[i + 1], d[i + 2]) < 200) n++;
    return n;
  })()`);

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!haveChromium)('groupnas serve in Chromium', () => {
  let root: string;
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'gn-serve-browser-'));
    dashboard = await startDashboard({ runs: root, port: 0, pollMs: 200 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a running search: its page redraws at least twice without a reload, as epochs finish', async () => {
    const run = join(root, 'tiny');
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'search', ...TINY_SEARCH, '--out', run], { cwd: PACKAGE_ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor(() => existsSync(join(run, 'config.json')), 60_000, 'the search to start');
    // The search is stopped (SIGSTOP) while the page catches up with it, and let go on to its next epoch
    // once the page shows the last: the page sees every epoch it is given, however fast the search runs
    // or however long a busy machine keeps the page from redrawing.
    child.kill('SIGSTOP');
    try {
      const epochsOnDisk = (): number => {
        try {
          return (JSON.parse(readFileSync(join(run, 'search.json'), 'utf8')) as { epochs: unknown[] }).epochs.length;
        } catch {
          return 0; // not written yet
        }
      };
      await page.goto(`${dashboard.url}/run?id=tiny`);
      await page.evaluate('window.sameDocument = true');
      const epochsShown = () => page.locator('#epochs-done').getAttribute('data-epochs').then(Number);
      await page.locator('#epochs-done').waitFor();
      const first = await epochsShown();
      expect(first).toBeLessThan(4);
      const seen = new Set<number>([first]);
      // Every finished epoch rewrites search.json; the page hears of it through its event stream.
      while (seen.size < 3 && Math.max(...seen) < 4) {
        const next = Math.max(...seen) + 1;
        child.kill('SIGCONT');
        await waitFor(() => epochsOnDisk() >= next, 60_000, `epoch ${next} of the search`);
        child.kill('SIGSTOP');
        const written = epochsOnDisk();
        for (const end = Date.now() + 30_000; (await epochsShown()) < written;) {
          if (Date.now() > end) throw new Error(`timed out waiting for the page to show epoch ${written}`);
          await page.waitForTimeout(100);
        }
        seen.add(await epochsShown());
      }
      expect(seen.size).toBeGreaterThanOrEqual(3);
      expect(Number(await page.locator('body').getAttribute('data-updates'))).toBeGreaterThanOrEqual(3);
      expect(await page.evaluate('window.sameDocument')).toBe(true);
      await page.locator('.status-running').first().waitFor();
    } finally {
      child.kill('SIGCONT');
    }

    expect(await exited, stderr).toBe(0);
    await page.locator('h1 .status-done').waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.sameDocument')).toBe(true);
  });

  it('the runs page lists the finished search', async () => {
    await page.goto(dashboard.url);
    const row = page.locator('tr[data-run="tiny"]');
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('done');
    expect(await row.getAttribute('data-kind')).toBe('search');
    expect(await row.locator('td').nth(5).textContent()).toMatch(/^\d+\.\d\d%$/);
    expect(await row.locator('td').nth(6).textContent()).toMatch(/ms$/);
    const png = await screenshot(page, 'runs.png');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('the search page draws α per decision, the curves and the Pareto plot; hovering a point shows its architecture', async () => {
    await page.goto(`${dashboard.url}/run?id=tiny`);
    await page.locator('#pareto-chart').waitFor();
    const view = (await (await fetch(`${dashboard.url}/api/runs/tiny`)).json()) as { alpha: unknown[]; candidates: unknown[] };
    expect(await page.locator('#alpha-charts canvas').count()).toBe(view.alpha.length);
    for (const chart of ['#alpha-0', '#loss-chart', '#entropy-chart', '#cost-chart', '#pareto-chart'])
      expect(await inkedPixels(page, chart), chart).toBeGreaterThan(500);
    expect(await page.locator('#candidates tr').count()).toBe(view.candidates.length + 1);
    expect(await page.locator('#pareto-count').textContent()).toMatch(/^2 point\(s\), [12] on the front$/);
    expect(await page.locator('#chosen-arch svg').count()).toBe(1);

    const points = JSON.parse((await page.locator('#pareto-chart').getAttribute('data-points'))!) as { x: number; y: number; label: string }[];
    expect(points).toHaveLength(2);
    await page.locator('#pareto-chart').scrollIntoViewIfNeeded();
    const box = (await page.locator('#pareto-chart').boundingBox())!;
    await page.mouse.move(box.x + points[0]!.x, box.y + points[0]!.y);
    await page.locator('#pareto-arch svg').waitFor();
    expect(points[0]!.label).toContain((await page.locator('#pareto-arch').getAttribute('data-shown'))!);
    await screenshot(page, 'search.png');
  });

  it('the inference page predicts the classes groupnas infer predicts on 100 test images, and times both engines', async () => {
    await page.goto(`${dashboard.url}/infer?id=tiny`);
    const predictions = page.locator('#predictions');
    await predictions.waitFor({ state: 'attached', timeout: 60_000 });
    expect(await predictions.getAttribute('data-count')).toBe('100');
    const inBrowser = (await predictions.getAttribute('data-predicted'))!.split(',').map(Number);

    const cli = runCli([
      'infer',
      '--model',
      join(root, 'tiny', 'model.gnb'),
      '--limit',
      '100',
      '--engine',
      'wasm',
      '--seconds',
      '0.05',
      '--json',
      '--predictions',
    ]);
    expect(cli.status, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as { predictions: number[]; correct: number };
    expect(inBrowser).toEqual(report.predictions);
    expect(await page.locator('#accuracy').textContent()).toBe(`${report.correct}/100 correct`);

    await page.locator('#browser-latency').waitFor({ timeout: 30_000 });
    expect(Number(await page.locator('#browser-latency').getAttribute('data-ms'))).toBeGreaterThan(0);
    expect(Number(await page.locator('#node-latency').getAttribute('data-ms'))).toBeGreaterThan(0);
    expect(await page.locator('#recorded-latency').count()).toBe(1);

    // An image of the user's: here a test image's thumbnail, as a PNG file given to the page.
    const image = await page.locator('.thumb canvas').first().screenshot();
    await page.locator('#invert').uncheck(); // the thumbnail is light on dark already, like the data set
    await page.locator('#image-file').setInputFiles({ name: 'mine.png', mimeType: 'image/png', buffer: image });
    await page.locator('#dropped-prediction').waitFor();
    const predicted = Number(await page.locator('#dropped-prediction').getAttribute('data-class'));
    expect(predicted).toBeGreaterThanOrEqual(0);
    expect(predicted).toBeLessThan(10);
    await page.locator('.thumb').nth(3).click();
    await screenshot(page, 'inference.png');
  });

  it('compares two runs side by side: the search and the training run of its chosen candidate', async () => {
    const evaluation = JSON.parse(readFileSync(join(root, 'tiny', 'evaluation', 'evaluation.json'), 'utf8')) as {
      candidates: { result: { runDir: string } }[];
    };
    const candidateRun = `tiny/evaluation/${evaluation.candidates[0]!.result.runDir}`;
    await page.goto(`${dashboard.url}/compare?a=tiny&b=${encodeURIComponent(candidateRun)}`);
    await page.locator('#comparison').waitFor();
    expect(await page.locator('#comparison tr').first().locator('td').allTextContents()).toEqual(['tiny', candidateRun]);
    expect(await page.locator('#comparison tr').nth(1).locator('td').allTextContents()).toEqual(['search', 'train']);
    expect(await inkedPixels(page, '#compare-accuracy')).toBeGreaterThan(500);
    expect(await page.locator('.compare svg').count()).toBe(2);
  });

  it('a damaged run (answered 422 with its partial view) still shows, on its page and compared, naming the unreadable file', async () => {
    cpSync(join(root, 'tiny'), join(root, 'tiny-damaged'), { recursive: true });
    writeFileSync(join(root, 'tiny-damaged', 'search.json'), '{"format": "groupnas.search", "epo');
    expect((await fetch(`${dashboard.url}/api/runs/tiny-damaged`)).status).toBe(422);
    await page.goto(`${dashboard.url}/run?id=tiny-damaged`);
    await page.locator('[data-problem="search.json"]').waitFor();
    expect(await page.locator('#pareto-chart').count()).toBe(1);
    await page.goto(`${dashboard.url}/compare?a=tiny&b=tiny-damaged`);
    await page.locator('#comparison').waitFor();
    expect(await page.locator('#comparison tr').first().locator('td').allTextContents()).toEqual(['tiny', 'tiny-damaged']);
  });
});

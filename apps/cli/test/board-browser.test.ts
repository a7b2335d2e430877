// The dashboard in real headless Chromium: refused without credentials, and with
// them it lists the activity queues and shows a job with its task token masked.
import { existsSync } from 'node:fs';
import { uniqueName } from '@sfn-bullmq/test-support';
import { tokenDigest } from '@sfn-bullmq/protocol';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBridgeJob, serveHttp, testQueue, useCleanups } from './harness.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['CI'] !== undefined && process.env['CI'] !== '') {
  throw new Error(
    `Chromium is missing at ${CHROMIUM}: CI must run the dashboard test (apt-get install -y chromium)`,
  );
}
if (!hasChromium) console.warn(`skipping the dashboard browser test: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('Bull Board in Chromium', () => {
  let browser: Browser;
  const onCleanup = useCleanups();

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function setUp() {
    const queues = [
      testQueue(onCleanup, uniqueName('resize-image')),
      testQueue(onCleanup, uniqueName('charge-card')),
    ];
    const { token } = await addBridgeJob(queues[0]!, { image: 'cat.png', width: 640 });
    const { url } = await serveHttp(onCleanup, {
      board: { queues, readOnly: false, credentials: { user: 'admin', password: 'pa55word' } },
    });
    return { url, queues, token };
  }

  it('refuses the dashboard without credentials (401)', async () => {
    const { url } = await setUp();
    const context = await browser.newContext();
    onCleanup(() => context.close());
    const page = await context.newPage();
    const statuses: number[] = [];
    page.on('response', (response) => statuses.push(response.status()));
    // Headless Chromium has no login dialog: it sees the 401 challenge, then fails the navigation.
    await expect(page.goto(`${url}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    expect(statuses).toEqual([401]);

    const wrong = await browser.newContext({ httpCredentials: { username: 'admin', password: 'guess' } });
    onCleanup(() => wrong.close());
    const wrongPage = await wrong.newPage();
    const response = await wrongPage.goto(`${url}/admin/queues`);
    expect(response?.status()).toBe(401);
    expect(await wrongPage.content()).not.toContain('resize-image');
  });

  it('with credentials lists the queues and shows a job with its token masked', async () => {
    const { url, queues, token } = await setUp();
    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: 'pa55word' },
    });
    onCleanup(() => context.close());
    const page = await context.newPage();
    // Everything the page loads, API answers included, must be free of the token. Each body is awaited
    // before the check: one still being read would otherwise count as free of it.
    const bodies: Array<Promise<string>> = [];
    page.on('response', (response) => {
      // A body the browser no longer holds (a redirect, a page navigated away from) has nothing to check.
      bodies.push(response.text().catch(() => ''));
    });

    const home = await page.goto(`${url}/admin/queues`);
    expect(home?.status()).toBe(200);
    for (const queue of queues)
      await expect(page.getByText(queue.name).first().waitFor()).resolves.toBeUndefined();

    await page.goto(`${url}/admin/queues/queue/${encodeURIComponent(queues[0]!.name)}?status=waiting`);
    await page.getByText(tokenDigest(token)).first().waitFor({ timeout: 15_000 });
    const html = await page.content();
    expect(html).toContain(`sha256 ${tokenDigest(token)}`);
    expect(html).toContain('cat.png');
    expect(html).not.toContain(token);
    expect(html).not.toContain(token.slice(0, 64));
    await page.waitForLoadState('networkidle');
    const texts = await Promise.all(bodies);
    expect(texts.filter((text) => text.includes('cat.png')).length).toBeGreaterThan(0);
    expect(texts.filter((body) => body.includes(token.slice(0, 64)))).toEqual([]);
  });
});

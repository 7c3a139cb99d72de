import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { createTestContext, TestApp, TestContext } from './harness/test-app';

// Debian's chromium package; .ci/run and `npm test`'s set-up install it.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
const UI_TIMEOUT_MS = 20_000;
// Launching a browser on a busy 2-core machine takes seconds. (A per-project testTimeout in
// test/jest.config.js is ignored: jest-circus reads only the top-level one, default 5 s.)
jest.setTimeout(60_000);

/** Swagger UI in a real browser: the page renders and "Try it out" → Execute reaches the live API. */
describe('Swagger UI (headless Chromium)', () => {
  let ctx: TestContext;
  let api: TestApp;
  let baseUrl: string;
  let profileDir: string | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  /** What the browser refused under the Content-Security-Policy (console errors and violation events). */
  const violations: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      // Fail, never skip: CI installs chromium, so its absence is a broken environment.
      throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
    }
    ctx = await createTestContext('swagger_ui');
    api = await ctx.startApp();
    await api.app.listen(0, '127.0.0.1');
    baseUrl = await api.app.getUrl();

    // Playwright refuses --user-data-dir in args; a persistent context on a fresh temp dir is the same thing.
    profileDir = mkdtempSync(join(tmpdir(), 'cachebook-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    browser.setDefaultTimeout(UI_TIMEOUT_MS);
    // Hermetic: only the app under test is reachable (Swagger UI's validator badge calls validator.swagger.io).
    await browser.route('**/*', (route) => (route.request().url().startsWith(baseUrl) ? route.continue() : route.abort()));
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
    // (A string: the tests are type-checked without the DOM's types.)
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));",
    );
  });

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await ctx?.close();
  });

  it('renders /docs with the API title and the health operation, under a CSP that forbids framing', async () => {
    const response = await page.goto(`${baseUrl}/docs`, { waitUntil: 'domcontentloaded' });
    expect(response?.status()).toBe(200);
    const policy = (await response?.allHeaders())?.['content-security-policy'];
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("script-src 'self'");
    await expect(page.locator('.information-container .title').textContent()).resolves.toContain('Cachebook API');
    await page.locator('#operations-tag-health').waitFor();
    expect(violations).toEqual([]);
  });

  it('cannot be framed by another page', async () => {
    // A page of another origin on this machine that frames /docs (served for real: Chrome refuses
    // a public page's frame of a local address before any header is read).
    const framer = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<iframe id="docs" src="${baseUrl}/docs"></iframe>`),
    );
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    const framerUrl = `http://127.0.0.1:${(framer.address() as AddressInfo).port}/`;
    const framing = await browser!.newPage();
    try {
      await framing.route(`${framerUrl}**`, (route) => route.continue());
      await framing.goto(framerUrl, { waitUntil: 'load' });
      const frame = await (await framing.locator('#docs').elementHandle())!.contentFrame();
      await frame!.waitForLoadState('load');
      // Chrome replaces a refused frame with its error page; a framed /docs would render Swagger UI.
      expect(frame!.url()).toMatch(/^chrome-error:/);
    } finally {
      await framing.close();
      framer.closeAllConnections();
      await new Promise((resolve) => framer.close(resolve));
    }
  });

  it('executes GET /health through "Try it out" and shows the 200 response', async () => {
    const operation = page.locator('.opblock-get').filter({ has: page.locator('.opblock-summary-path[data-path="/health"]') });
    await operation.locator('.opblock-summary-control').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();

    // The live response table appears only after a real request; the documented responses sit elsewhere.
    const live = operation.locator('.live-responses-table .response');
    await live.first().waitFor();
    await expect(live.locator('.response-col_status').first().innerText()).resolves.toBe('200');
    const bodyText = await live.locator('.response-col_description pre').first().innerText();
    expect(JSON.parse(bodyText)).toMatchObject({ status: 'ok', mongo: 'up', redis: 'up' });
    await expect(operation.locator('.request-url pre').innerText()).resolves.toBe(`${baseUrl}/health`);

    if (process.env.SWAGGER_SCREENSHOT) await page.screenshot({ path: process.env.SWAGGER_SCREENSHOT, fullPage: true });
    expect(violations).toEqual([]);
  });

  /** Expands an operation, presses "Try it out", optionally replaces its JSON body, executes it; the live response. */
  async function tryOut(method: string, path: string, body?: object) {
    const operation = page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
    if (!(await operation.locator('.opblock-body').isVisible())) await operation.locator('.opblock-summary-control').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    if (body) await operation.locator('textarea.body-param__text').fill(JSON.stringify(body));
    await operation.getByRole('button', { name: 'Execute' }).click();
    const live = operation.locator('.live-responses-table .response').first();
    await live.waitFor();
    const status = await live.locator('.response-col_status').innerText();
    const text = await live.locator('.response-col_description').innerText();
    return { status, text, body: await live.locator('.response-col_description pre').first().innerText() };
  }

  it('takes a consumer from registration to a cached protected answer: register, log in, Authorize, call, see X-Cache', async () => {
    await page.goto(`${baseUrl}/docs`, { waitUntil: 'domcontentloaded' });
    const account = { username: 'swagger_reader', email: 'swagger_reader@example.com', password: 'reading-the-docs-1' };

    expect((await tryOut('post', '/auth/register', account)).status).toBe('202');
    const login = await tryOut('post', '/auth/login', { username: account.username, password: account.password });
    expect(login.status).toBe('200');
    const { access_token: token } = JSON.parse(login.body) as { access_token: string };
    expect(token).toEqual(expect.any(String));

    // Authorize: the dialog's bearer field, then every "Try it out" sends the token.
    await page.locator('.auth-wrapper .authorize').click();
    const dialog = page.locator('.dialog-ux');
    await dialog.getByLabel('auth-bearer-value').fill(token);
    await dialog.getByRole('button', { name: 'Apply credentials' }).click();
    await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor(); // authorized
    await dialog.locator('.btn-done').click();

    const first = await tryOut('get', '/collections');
    expect(first.status).toBe('200');
    expect(JSON.parse(first.body)).toMatchObject({ items: [], total: 0 });
    // Swagger UI lists the response headers under the body: the cache's answer is among them.
    expect(first.text).toMatch(/x-cache: MISS/i);

    if (process.env.SWAGGER_SCREENSHOT)
      await page.screenshot({ path: process.env.SWAGGER_SCREENSHOT.replace(/(\.png)?$/, '-consumer.png'), fullPage: true });
  });
});

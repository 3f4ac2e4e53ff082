// run.mjs — end-to-end tests: a real trustdesk, the built web app, Debian's
// Chromium driven by playwright-core, staff clicking and typing through the
// stories of PRODUCT.md. Usage: node tests/e2e/run.mjs path/to/trustdesk
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync, statSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const BIN = resolve(process.argv[2] ?? join(ROOT, 'build/trustdesk'));
const WEB = join(ROOT, 'web/dist');
const SHOTS = join(ROOT, 'build/e2e-shots');
const TMP = mkdtempSync(join(tmpdir(), 'td-e2e-'));
const DB = `sqlite:${TMP}/t.db`;
const PASSWORD = 'e2e-password-1';

function sh(args, input) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`trustdesk ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function daysAgo(n) {
  const d = new Date(Date.now() - n * 86400000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

// Moves the resolved cases `ids` (a list, or a SELECT of case ids) back `days`
// in time, as time would have: their resolutions, decisions and case_outcomes
// rows, whose windows are counted again from the receipts (migration 0022).
function ageCases(ids, days) {
  const us = days * 86400000000;
  const rcpt = (d) => `r.customer_id = case_outcomes.customer_id AND r.purchased_at > case_outcomes.resolved_at`
    + ` AND r.purchased_at <= case_outcomes.resolved_at + ${d * 86400000000}`;
  const windows = [30, 90, 180].map((d) => `spend_${d} = (SELECT COALESCE(SUM(l.unit_price_cents * l.quantity), 0)`
    + ` FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id WHERE ${rcpt(d)}),`
    + ` visits_${d} = (SELECT COUNT(*) FROM receipts r WHERE ${rcpt(d)})`).join(', ');
  for (const sql of [`UPDATE cases SET resolved_at = resolved_at - ${us} WHERE id IN (${ids})`,
    `UPDATE decision_inputs SET decided_at = decided_at - ${us} WHERE case_id IN (${ids})`,
    `UPDATE case_outcomes SET resolved_at = resolved_at - ${us}, decided_at = decided_at - ${us} WHERE case_id IN (${ids})`,
    `UPDATE case_outcomes SET ${windows} WHERE case_id IN (${ids})`]) {
    const r = spawnSync('sqlite3', [`${TMP}/t.db`, sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.stderr}`);
  }
}

// ---- the server and its data ---------------------------------------------------

let server, base, adminToken, approverToken;

// A real SMTP server on loopback (tests/api/smtp_sink.py, Debian's
// python3-aiosmtpd): every message it takes is a file MAIL/N.eml.
const MAIL = join(TMP, 'mail');
let sink;

// A ceiling, not a pause: a passing run waits only as long as the condition
// takes; a loaded machine (CI shares its cores) may take long.
async function until(what, cond, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The newest message to `to` whose text has `has` (and is not one of
 *  `seen`), once it has arrived: its raw text and its decoded body. */
async function mailTo(to, has = '', seen = []) {
  return until(`a mail to ${to}`, () => {
    const files = readdirSync(MAIL).filter((f) => f.endsWith('.eml') && !seen.includes(f))
      .sort((a, b) => parseInt(b, 10) - parseInt(a, 10));
    for (const f of files) {
      const raw = readFileSync(join(MAIL, f), 'latin1');
      if (!raw.includes(`X-Envelope-To: ${to}\r\n`)) continue;
      const body = Buffer.from(raw.split('\r\n\r\n').slice(1).join('').replace(/\s+/g, ''), 'base64').toString('utf8');
      if (body.includes(has)) return { file: f, raw, body };
    }
    return null;
  });
}

async function startSink() {
  mkdirSync(MAIL, { recursive: true });
  sink = spawn('/usr/bin/python3', [join(ROOT, 'tests/api/smtp_sink.py'), MAIL, join(MAIL, 'port'), 'accept'], { stdio: 'ignore' });
  let gone = null;
  sink.on('exit', (c) => { gone = c; });
  return until('the SMTP sink', () => {
    if (gone !== null) throw new Error(`the SMTP sink exited ${gone}`);
    return existsSync(join(MAIL, 'port')) && readFileSync(join(MAIL, 'port'), 'utf8').trim();
  }, 120000);
}

async function startServer() {
  if (!existsSync(join(WEB, 'index.html'))) throw new Error('web/dist is missing: build the web app first (make web)');
  sh(['migrate', '--db', DB]);
  sh(['user', 'add', '--db', DB, '--login', 'admin', '--name', 'Ada Admin', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`);
  adminToken = sh(['token', 'add', '--db', DB, '--login', 'admin']);
  // A second admin: a case is approved by someone other than who opened it.
  sh(['user', 'add', '--db', DB, '--login', 'olaf', '--name', 'Olaf Overzicht', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`);
  approverToken = sh(['token', 'add', '--db', DB, '--login', 'olaf']);
  const smtpPort = await startSink();
  // Mail goes at once; every matched customer gets a task (no hold-out), so
  // the story can name them.
  const env = { ...process.env, TRUSTDESK_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, TRUSTDESK_MAIL_INTERVAL: '1',
    TRUSTDESK_HOLDOUT_PERCENT: '0', TRUSTDESK_SHOP_NAME: 'Het Warenhuis', TRUSTDESK_MAIL_FROM: 'service@warenhuis.test',
    // NPS figures from 3 answers (30 in use), so a story of a few answers shows bars.
    TRUSTDESK_NPS_MIN_ANSWERS: '3',
    // Goodwill figures from 5 matched customers a side (20 in use), for the goodwill story.
    TRUSTDESK_GOODWILL_MIN_CASES: '5' };
  server = spawn(BIN, ['serve', '--db', DB, '--listen', '127.0.0.1:0', '--web', WEB], { stdio: ['ignore', 'pipe', 'pipe'], env });
  base = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`server did not start: ${out}`)), 120000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    // E2E_SERVER_LOG=FILE keeps the server's log lines (and how it ended) for a failing run.
    server.stderr.on('data', (d) => { if (process.env.E2E_SERVER_LOG) writeFileSync(process.env.E2E_SERVER_LOG, d, { flag: 'a' }); });
    server.on('exit', (c, sig) => { if (process.env.E2E_SERVER_LOG) writeFileSync(process.env.E2E_SERVER_LOG, `exit ${c} ${sig}\n`, { flag: 'a' }); fail(new Error(`server exited ${c}: ${out}`)); });
  });
}

async function call(method, path, body, { token = adminToken, type = 'application/json', key } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = type;
  if (key) headers['Idempotency-Key'] = key;
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : (type === 'application/json' ? JSON.stringify(body) : body) });
  const j = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

async function seed() {
  for (const [code, name, city] of [['UTR01', 'Utrecht Centrum', 'Utrecht'], ['AMS01', 'Amsterdam Kalverstraat', 'Amsterdam'], ['RTM01', 'Rotterdam Lijnbaan', 'Rotterdam']])
    await call('POST', '/api/v1/stores', { code, name, city });
  await call('POST', '/api/v1/staff', { login: 'anna', name: 'Anna Jansen', role: 'associate', store_code: 'UTR01', password: PASSWORD });
  await call('POST', '/api/v1/staff', { login: 'mark', name: 'Mark de Boer', role: 'manager', store_code: 'UTR01', password: PASSWORD });
  await call('POST', '/api/v1/imports/customers',
    'loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n' +
    'NL-200001,Sanne de Vries,sanne@example.nl,06-11111111,UTR01,ja,nee\n' +
    'NL-200002,Kees Jansen,kees@example.nl,06-22222222,UTR01,nee,nee\n' +
    'NL-200003,Piet Pieters,piet@example.nl,06-33333333,AMS01,nee,nee\n' +
    'NL-200004,Ans Bos,ans@example.nl,06-44444444,RTM01,nee,nee\n', { type: 'text/csv' });
  await call('POST', '/api/v1/imports/purchases',
    'receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n' +
    `R-G-1,${daysAgo(200)},UTR01,NL-200001,COAT-1,Wollen jas,Noordzee,Jassen,1600.00,1\n` +
    `R-KS-1,${daysAgo(5)},UTR01,NL-200002,KS-100,Keukenweegschaal digitaal,Soehnle,Keuken,24.99,1\n` +
    `R-P-1,${daysAgo(60)},AMS01,NL-200003,TS-1,T-shirt,Noordzee,Shirts,19.95,2\n` +
    `R-P-3,${daysAgo(3)},UTR01,NL-200003,TS-1,T-shirt,Noordzee,Shirts,17.95,1\n` +
    `R-V-1,${daysAgo(60)},RTM01,NL-200004,TS-2,Polo,Noordzee,Shirts,29.95,1\n` +
    `R-GIFT-1,${daysAgo(10)},UTR01,NL-200001,GIFT-1,Kasjmier sjaal,Noordzee,Accessoires,89.95,1\n`, { type: 'text/csv' });
}

async function customerId(loyalty) {
  const r = await call('GET', `/api/v1/customers?q=${loyalty}`);
  return r.items[0].id;
}

// ---- the browser ------------------------------------------------------------------

let context;
const consoleErrors = [];

async function openBrowser() {
  context = await chromium.launchPersistentContext(join(TMP, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
  });
  // Waits for a condition end as soon as it holds; on a loaded machine (CI
  // shares its cores) a screen may take longer than Playwright's 30 s.
  context.setDefaultTimeout(60000);
  context.setDefaultNavigationTimeout(60000);
}

async function freshPage(viewport = { width: 1280, height: 800 }) {
  await context.clearCookies();
  for (const p of context.pages()) await p.close();
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(base + '/');
  await page.evaluate(() => localStorage.clear());
  await page.goto(base + '/');
  await page.waitForSelector('#f-login');            /* the app checked the session and drew its login */
  return page;
}

let shotNo = 0;
async function shot(page, name) {
  shotNo++;
  if (name !== 'FAILED') {
    // Nothing sticks out sideways: a wide table scrolls inside its card, the page does not.
    const [wide, window, out] = await page.evaluate(() => {
      const past = [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ').join('.') : ''}`);
      return [document.documentElement.scrollWidth, window.innerWidth, past.slice(0, 4).join(', ')];
    });
    expect(wide <= window, `${name}: the page is ${wide} px wide in a ${window} px window (${out})`);
  }
  await page.screenshot({ path: join(SHOTS, `${String(shotNo).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** A screenshot named `name` and the accessibility check of what is on
 *  the screen (`where`, for its findings). */
async function look(page, name, where) {
  await shot(page, name);
  await a11y(page, where);
}

/** Presses the button labelled `label`, and what shows once it has done its work.
 * Never the menu's toggle: it names the screen ("Menu · Inlezen"), which can
 * be a button's label too; every button locator here leaves it out. */
async function press(page, label, shows) {
  await page.click(`button:not(.menu-toggle):has-text("${label}")`);
  await page.waitForSelector(shows);
}

/** The menu's link `link`, and what shows once its screen is there. */
// Chooses a menu entry, opening the folded menu first on a narrow screen;
// then waits for what the screen shows, when given.
async function menu(page, link, shows) {
  const entry = page.locator(`header nav a:has-text("${link}")`).first();
  if (!(await entry.isVisible())) await page.click('header nav .menu-toggle');
  await entry.click();
  if (shows) await page.waitForSelector(shows);
}

async function login(page, who) {
  await page.fill('#f-login', who);
  await page.fill('#f-password', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header nav');
}

async function logout(page) {
  await page.click('header .who button:has-text("Uitloggen"), header .who button:has-text("Log out")');
  await page.waitForSelector('#f-login');
}

/* WCAG 2.1 A and AA rules of axe-core on the page as it is now: labels,
 * contrast, names, landmarks, ARIA. Evaluated through the debugger protocol,
 * so the page's Content-Security-Policy stays on. */
const a11yFindings = [];
async function a11y(page, where) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return res.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target?.join(' ')})`);
  });
  for (const v of r) a11yFindings.push(`${where}: ${v}`);
}

function expect(cond, what) { if (!cond) throw new Error(`expected: ${what}`); }
async function text(page, sel) { return (await page.textContent(sel)) ?? ''; }

async function openCustomer(page, loyalty, name) {
  await menu(page, 'Balie');
  await page.fill('#q', loyalty);
  await page.waitForSelector(`ul.results li:has-text("${name}")`);
  await page.press('#q', 'Enter');
  await page.waitForSelector(`h1:has-text("${name}")`);
}

/** A fresh page with `who` logged in. */
async function loggedIn(who, viewport) {
  const page = await freshPage(viewport);
  await login(page, who);
  return page;
}

/** From the desk: the customer's profile, then a new case for them. */
async function startCase(page, loyalty, name) {
  await openCustomer(page, loyalty, name);
  await page.click('a:has-text("Zaak starten")');
}

/** Opens the case as filled in and waits for the desk's recommendation
 *  (one that says `has`, when given); its text. */
async function openCase(page, has = '') {
  await page.click('button:not(.menu-toggle):has-text("Zaak openen")');
  await page.waitForSelector(has ? `.rec:has-text("${has}")` : '.rec');
  return text(page, '.rec');
}

/* Fills item 1 of a new case as goods not sold here. */
async function notOursItem(page, brand, description, euros, condition) {
  await page.click('fieldset.item button:has-text("Niet bij ons gekocht")');
  await page.fill('#f-item0-brand', brand);
  await page.fill('#f-item0-description', description);
  await page.fill('#f-item0-price', euros);
  await page.selectOption('#f-item0-condition', condition);
}

async function caseCode(page) {
  await page.waitForSelector('.code');
  const code = (await text(page, '.code')).trim();
  expect(/^TD-[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(code), `a credit-note code, got ${code}`);
  return code;
}

// ---- the tests ----------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// A raw GET (no URL normalisation on the way): status and headers.
function rawGet(path) {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const rq = httpRequest({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ statusCode: res.statusCode, headers: res.headers, body }));
    });
    rq.on('error', fail);
    rq.end();
  });
}

test("the app's own files: security headers, no dot-files, no way out of the web folder", async () => {
  const index = await rawGet('/');
  expect(index.statusCode === 200, `GET / answered ${index.statusCode}`);
  const csp = index.headers['content-security-policy'] ?? '';
  for (const d of ["default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"])
    expect(csp.includes(d), `the app's CSP has ${d} (${csp})`);
  expect(index.headers['x-content-type-options'] === 'nosniff', 'nosniff');
  expect(index.headers['referrer-policy'] === 'same-origin', 'Referrer-Policy');
  expect(index.headers['x-frame-options'] === 'DENY', 'X-Frame-Options');
  const probe = join(WEB, '.probe-secret');
  writeFileSync(probe, 'not for the web\n');
  try {
    for (const path of ['/.probe-secret', '/assets/../.probe-secret', '/../README.md', '/%2e%2e/README.md', '/..%2fREADME.md', '//etc/passwd']) {
      const r = await rawGet(path);
      expect(!r.body.includes('not for the web') && !r.body.includes('# trustdesk') && !r.body.includes('root:'),
             `${path} answered ${r.statusCode} with a file it must not reach`);
    }
    const dot = await rawGet('/.probe-secret');
    expect(dot.statusCode === 404, `a dot-file answered ${dot.statusCode}`);
  } finally {
    rmSync(probe, { force: true });
  }
});

test('first screen is fast and the JavaScript small', async () => {
  const page = await freshPage();
  const t0 = Date.now();
  await page.goto(base + '/');
  await page.waitForSelector('#f-login');
  const ms = Date.now() - t0;
  const js = readdirSync(join(WEB, 'assets')).filter((f) => f.endsWith('.js.gz')).reduce((s, f) => s + statSync(join(WEB, 'assets', f)).size, 0);
  console.log(`      first screen (login form visible) in ${ms} ms on loopback; JavaScript ${(js / 1024).toFixed(1)} kB gzipped`);
  expect(ms < 1000, `first screen under 1 s (took ${ms} ms)`);
  expect(js < 200 * 1024, 'JavaScript under 200 kB gzipped');
  await look(page, 'login', 'login');
});

test('login, language switch remembered per user, logout', async () => {
  let page = await freshPage();
  await press(page, 'English', 'h1:has-text("Log in")');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH'),
    login(page, 'anna'),
  ]);
  expect((await text(page, 'header .who')).includes('Anna Jansen · associate · UTR01'), 'name, role and store in the header');
  expect(await page.isVisible('header nav a:has-text("Desk")'), 'English menu');
  await shot(page, 'desk-english');
  await page.fill('#q', 'de vries');                  // a search stays for the session...
  await page.waitForFunction(() => sessionStorage.getItem('td.q') === 'de vries');
  await press(page, 'Log out', '#f-login');
  expect(await page.evaluate(() => sessionStorage.length) === 0, 'the last search left with the user');
  page = await freshPage();           // a new browser state: only the server remembers
  await page.waitForSelector('h1:has-text("Inloggen")');
  expect(await page.isVisible('h1:has-text("Inloggen")'), 'Dutch before login');
  await login(page, 'anna');
  expect(await page.isVisible('header nav a:has-text("Desk")'), 'anna gets English back from her account');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH'),
    page.click('button:not(.menu-toggle):has-text("Nederlands")'),
  ]);
  await page.waitForSelector('header nav a:has-text("Balie")');
  await logout(page);
  page = await freshPage();
  await page.fill('#f-login', 'anna');
  await page.fill('#f-password', 'wrong-password');
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('text=Gebruikersnaam of wachtwoord klopt niet.');
  await shot(page, 'login-wrong');
});

test('search as you type, by keyboard, and the profile', async () => {
  const page = await loggedIn('anna');
  await page.keyboard.type('de vr');                  // the search box has focus
  await page.waitForSelector('ul.results li:has-text("Sanne de Vries")');
  await look(page, 'search', 'desk search');
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Sanne de Vries")');
  expect((await text(page, 'main')).includes('goud'), 'gold tier shown');
  expect((await text(page, 'main')).includes('Wollen jas'), 'purchases shown');
  await look(page, 'profile', 'customer profile');
  for (const q of ['sanne@example', '06-1111', 'NL-200001']) {
    await menu(page, 'Balie');
    await page.fill('#q', q);
    await page.waitForSelector('ul.results li:has-text("Sanne de Vries")');
  }
});

test('bad input is shown next to its field; a lost connection is shown as such', async () => {
  const page = await loggedIn('anna');
  await page.click('a:has-text("Nieuwe klant")');
  await page.fill('#f-name', 'Jan Testman');
  await page.fill('#f-email', 'geen-email');
  await press(page, 'Klant aanmaken', '#f-email-err');
  expect(await page.getAttribute('#f-email', 'aria-invalid') === 'true', 'the e-mail field is marked invalid');
  expect(!(await text(page, 'main')).includes('{"error"'), 'no raw JSON on screen');
  await look(page, 'bad-email', 'new customer with an error');
  await page.route('**/api/v1/customers', (r) => r.abort());
  await press(page, 'Klant aanmaken', 'text=Geen verbinding met de server');
  await shot(page, 'offline');
  await page.unroute('**/api/v1/customers');
  await page.fill('#f-email', 'jan@example.nl');
  await press(page, 'Klant aanmaken', 'h1:has-text("Jan Testman")');
});

test('an expired session brings back the login without losing what was typed', async () => {
  const page = await loggedIn('anna');
  await page.click('a:has-text("Nieuwe klant")');
  await page.fill('#f-name', 'Lotte Verloop');
  spawnSync('sqlite3', [`${TMP}/t.db`, 'DELETE FROM sessions']);
  // Ended behind the server's back (as by another server): it counts within
  // a second, once the check it kept has ended (domain/staff_cache.h).
  await new Promise((r) => setTimeout(r, 1050));
  await press(page, 'Klant aanmaken', '.overlay h1:has-text("Opnieuw inloggen")');
  await shot(page, 'expired');
  await page.fill('.overlay #f-login', 'anna');
  await page.fill('.overlay #f-password', PASSWORD);
  await page.click('.overlay button[type=submit]');
  await page.waitForSelector('.overlay', { state: 'detached' });
  expect(await page.inputValue('#f-name') === 'Lotte Verloop', 'the typed name is still there');
  await press(page, 'Klant aanmaken', 'h1:has-text("Lotte Verloop")');
});

test('the worn dress: store credit for the stated amount, spent in two parts', async () => {
  const page = await loggedIn('anna');
  await startCase(page, 'NL-200001', 'Sanne de Vries');
  await page.fill('#f-customer_words', 'Ik heb deze jurk een keer gedragen; hij kostte 240 euro.');
  await notOursItem(page, 'Mango', 'Gouden jurk', '240', 'worn');
  await look(page, 'dress-case', 'new case');
  const rec = await openCase(page);
  expect(rec.includes('Tegoedbon') && rec.includes('€ 240,00'), `store credit up to €240 (${rec})`);
  expect(rec.includes('Zonder goedkeuring'), 'no approval needed');
  expect(rec.includes('goud') || rec.includes('gold'), 'the reason names her tier');
  await look(page, 'dress-recommendation', 'case with recommendation');
  await page.click('button:not(.menu-toggle):has-text("Advies volgen")');
  const code = await caseCode(page);
  await shot(page, 'dress-credit-note');
  await menu(page, 'Tegoedbonnen');
  await page.fill('#f-code', code);
  await press(page, 'Opzoeken', '#note-title:has-text("€ 240,00")');
  for (const [amount, left] of [['100', '€ 140,00'], ['140', '€ 0,00']]) {
    await page.fill('form.inline #f-amount_cents', amount);
    await press(page, 'Afboeken', `#note-title:has-text("${left}")`);
  }
  await look(page, 'dress-spent', 'credit notes');
  // Printing opens a short-lived print link in a new tab: the code is in no
  // URL. The page runs under a strict CSP: its own style and print button
  // work, and the browser reports no blocked inline code.
  const [printed] = await Promise.all([context.waitForEvent('page'), page.click('button:not(.menu-toggle):has-text("Afdrukken")')]);
  await printed.waitForSelector('main.note svg.qr');
  const printUrl = printed.url();
  expect(printUrl.includes('/api/v1/print/') && !printUrl.includes(code) && !printUrl.includes(code.slice(3)),
         `a print link without the code (${printUrl})`);
  const blocked = [];
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
  await page.goto(printUrl);
  await page.waitForSelector('main.note svg.qr');
  await printed.close();
  const border = await page.evaluate(() => getComputedStyle(document.querySelector('main.note')).borderTopStyle);
  expect(border === 'dashed', `the note's own style applies (border ${border})`);
  await page.evaluate(() => { window.print = () => { document.body.dataset.printed = 'yes'; }; });
  await page.click('#print');
  await page.waitForSelector('body[data-printed="yes"]');
  expect(blocked.length === 0, `nothing blocked by the CSP: ${blocked.join('; ')}`);
  await shot(page, 'dress-print');
});

test('the vacuum cleaner: repair via the manufacturer, tracked to the end', async () => {
  const page = await loggedIn('anna');
  await startCase(page, 'NL-200004', 'Ans Bos');
  await page.selectOption('#f-kind', 'repair');
  await notOursItem(page, 'Vorwerk', 'Stofzuiger Kobold', '450', 'defective');
  await openCase(page, 'Reparatie via fabrikant');
  expect((await text(page, '.rec')).includes('Vorwerk'), 'the manufacturer is named');
  await shot(page, 'vacuum-recommendation');
  await page.click('button:not(.menu-toggle):has-text("Advies volgen")');
  /* "Reparatie" is also the case kind's heading, there before the repair box: wait for the box. */
  const rma = await page.waitForSelector('input[name^="rma-"]');
  await rma.fill('VW-RMA-77812');
  for (const step of ['Verstuurd', 'Bij fabrikant', 'Terug in winkel', 'Klant ingelicht']) {
    await page.click(`button:not(.menu-toggle):has-text("→ ${step}")`);
    await page.waitForSelector(`ol.steps li[aria-current]:has-text("${step}")`);
  }
  expect((await text(page, 'main')).includes('VW-RMA-77812'), 'the RMA number is kept');
  await look(page, 'vacuum-customer-told', 'repair steps');
  await menu(page, 'Reparaties', 'text=Stofzuiger Kobold');
  await press(page, '→ Opgehaald', 'text=Geen lopende reparaties.');
});

/** The value card recorded with a case, as the case says: "card_id|outcome", or "". */
async function caseCard(caseId) {
  const r = (await call('GET', `/api/v1/cases/${caseId}`)).value_card_shown;
  return r ? `${r.card_id}|${r.outcome}` : '';
}

let scaleCard;
test('the kitchen scale: its value card before the referral, then a refund with a referral to a cheaper shop', async () => {
  // A manager has written a card for the kitchen, verified by head office.
  scaleCard = await call('POST', '/api/v1/value-cards', { category: 'Keuken', claim_nl: 'Twee jaar garantie: wij regelen de reparatie',
    claim_en: 'Two-year warranty: we handle the repair', competitor: 'Action', verifier: 'mark' });
  await call('POST', `/api/v1/value-cards/${scaleCard.id}/verify`, {});
  const page = await loggedIn('anna');
  await startCase(page, 'NL-200002', 'Kees Jansen');
  await page.selectOption('#f-kind', 'referral');
  await page.check('#receipt');
  await page.fill('#f-referral_to', 'Action');
  await page.selectOption('#f-referral_reason', 'cheaper_elsewhere');
  await page.selectOption('#f-item0-line', 'R-KS-1|KS-100');
  await page.fill('#f-customer_words', 'Bij de Action is deze weegschaal veel goedkoper.');
  await shot(page, 'scale-case');
  await openCase(page, 'Doorverwijzen');
  expect((await text(page, '.rec')).includes('€ 24,99'), 'the refund amount');
  // Before the referral is recorded, the desk shows what the store offers for
  // kitchen scales; the customer still prefers to go, and that is recorded.
  await page.waitForSelector('.value-card:has-text("Twee jaar garantie: wij regelen de reparatie")');
  expect((await text(page, '.value-card')).includes('tegenover Action'), 'the card answers the shop the customer named');
  await page.waitForSelector('.vc-recorded:has-text("kaart getoond")');
  await look(page, 'scale-recommendation', 'case with a value card');
  await page.click('.value-card button:has-text("Klant gaat toch elders")');
  await page.waitForSelector('.vc-recorded:has-text("de klant gaat toch elders")');
  const scaleCase = +new URL(page.url()).pathname.split('/').pop();
  const scaleRecord = await caseCard(scaleCase);
  expect(scaleRecord === `${scaleCard.id}|went_elsewhere`, `the card and the outcome recorded with case ${scaleCase} (${scaleRecord})`);
  await press(page, 'Advies volgen', '.badge:has-text("Afgehandeld")');
  expect((await text(page, 'main')).includes('Action · elders goedkoper'), 'the referral is recorded with its reason');
  await page.reload();                               /* drawn again, the case says the card was shown */
  await page.waitForSelector('dd:has-text("kaart getoond; de klant ging toch elders")');
  await shot(page, 'scale-resolved');
});

test('a present on a gift receipt: store credit for the bearer, nothing of the buyer', async () => {
  const page = await loggedIn('anna');
  await startCase(page, 'NL-200002', 'Kees Jansen');
  await page.check('#item0-gift');
  await page.fill('#f-item0-sku', 'GIFT-1');
  await page.fill('#f-item0-receipt', 'R-GIFT-1');
  await page.fill('#f-customer_words', 'Gekregen, maar ik heb er al een.');
  await look(page, 'gift-case', 'new case with a gift receipt');
  const rec = await openCase(page);
  expect(rec.includes('Tegoedbon') && rec.includes('€ 89,95'), `store credit for the price paid (${rec})`);
  expect(rec.includes('cadeaubon'), 'the reason names the gift receipt');
  expect(rec.includes('Zonder goedkeuring'), 'no approval needed');
  const main = await text(page, 'main');
  expect(main.includes('met cadeaubon'), 'the item shows its proof');
  expect(!main.includes('Sanne') && !main.includes('NL-200001'), 'nothing of the buyer');
  await shot(page, 'gift-recommendation');
  await page.click('button:not(.menu-toggle):has-text("Advies volgen")');
  await caseCode(page);
});

test('a walk-in without a receipt is asked for a contact, kept only as a code', async () => {
  const page = await loggedIn('anna');
  await menu(page, 'Balie');
  await page.click('a:has-text("Zaak zonder klantenpas")');
  await page.waitForSelector('#f-walk_in_contact');
  await page.click('fieldset.item button:has-text("Bij ons gekocht")');
  await page.fill('#f-item0-sku', 'TS-1');
  await page.fill('#f-customer_words', 'Kassabon kwijt.');
  await a11y(page, 'new case for a walk-in');
  const rec = await openCase(page);
  expect(rec.includes('Vraag een telefoonnummer'), `the desk asks for a contact (${rec})`);
  expect(rec.includes('Zonder goedkeuring'), 'asking adds no manager');
  await page.fill('form #f-walk_in_contact', '06-12312312');
  await look(page, 'walk-in-contact', 'a walk-in asked for a contact');
  await page.click('button:not(.menu-toggle):has-text("Advies volgen")');
  await caseCode(page);
  await page.waitForSelector('dd:has-text("alleen als code")');
  const main = await text(page, 'main');
  expect(!main.includes('12312312'), 'the contact is shown nowhere');
});

test('the exploiter: the desk asks a manager, in neutral words; the manager approves', async () => {
  const id = await customerId('NL-200003');
  const stores = ['UTR01', 'AMS01', 'RTM01', 'UTR01', 'AMS01'];
  for (let i = 0; i < 5; i++) {
    const k = await call('POST', '/api/v1/cases', { kind: 'return', customer_id: id, store_code: stores[i], receipt: false,
      items: [{ sku: 'TS-1', condition: 'new' }] });
    const d = await call('POST', `/api/v1/cases/${k.id}/decision`);
    const r = await call('POST', `/api/v1/cases/${k.id}/resolve`, { resolution: d.resolution, amount_cents: d.max_amount_cents }, { key: `x-${i}` });
    if (r.status === 'awaiting_approval')
      await call('POST', `/api/v1/approvals/${k.id}/approve`, {}, { key: `a-${i}`, token: approverToken });
  }
  let page = await loggedIn('anna');
  await startCase(page, 'NL-200003', 'Piet Pieters');
  await page.selectOption('#f-item0-line', 'R-P-3|TS-1');
  const rec = (await openCase(page)).toLowerCase();
  expect(rec.includes('samen met een manager afronden'), 'red, in plain words');
  expect(rec.includes('een manager keurt dit goed'), 'approval needed');
  expect(rec.includes('zeg tegen de klant'), 'a neutral sentence to say');
  for (const w of ['fraude', 'verdacht', 'misbruik', 'diefstal', 'oplich', 'fraud', 'suspic', 'abuse'])
    expect(!rec.includes(w), `no accusing word (${w})`);
  expect(!(await page.isVisible('details:has-text("Signalen")')), 'an associate does not see the guard\'s signals');
  await look(page, 'exploiter-recommendation', 'red recommendation');
  await press(page, 'Advies volgen', 'text=Deze zaak wacht op goedkeuring van een manager.');
  expect(!(await page.isVisible('button:not(.menu-toggle):has-text("Goedkeuren")')), 'an associate cannot approve');
  await shot(page, 'exploiter-waiting');
  const url = page.url();
  await logout(page);
  page = await loggedIn('mark');
  await menu(page, 'Goedkeuringen', 'table a');
  await shot(page, 'approvals-queue');
  await page.goto(url);
  await page.fill('#f-note', 'Samen met de klant afgerond.');
  await page.click('button:not(.menu-toggle):has-text("Goedkeuren")');
  await caseCode(page);
  await shot(page, 'exploiter-approved');
});

test('the manager sees the dashboard, cases with filters and repairs', async () => {
  const page = await loggedIn('mark', { width: 1024, height: 768 });
  await menu(page, 'Overzicht', '.chart canvas');
  expect((await text(page, '.tiles')).includes('Wachten op goedkeuring'), 'tiles shown');
  const inside = await page.$eval('.chart', (card) => {
    const c = card.getBoundingClientRect(), u = card.querySelector('.uplot').getBoundingClientRect();
    return [u.left >= c.left && u.right <= c.right, `${u.left}..${u.right} in ${c.left}..${c.right}`];
  });
  expect(inside[0], `the chart and its legend stay inside their card (${inside[1]})`);
  await look(page, 'dashboard-1024', 'dashboard');
  await menu(page, 'Zaken', 'table tbody tr');          /* the first, unfiltered page */
  await page.selectOption('#f-kind', 'repair');
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/cases?') && r.url().includes('kind=repair')),
    page.click('button:not(.menu-toggle):has-text("Tonen")'),
  ]);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table tbody tr')];
    return rows.length > 0 && rows.every((tr) => tr.textContent.includes('Reparatie'));
  });
  const rows = await page.$$eval('table tbody tr', (trs) => trs.map((tr) => tr.textContent));
  expect(rows.length >= 1 && rows.every((r) => r.includes('Reparatie')), 'only repairs listed');
  await look(page, 'cases-filtered', 'case list');
});

test('the new collection: knitwear arrives in Utrecht, the right customers get a call or a mail, a hold on M, one click out', async () => {
  // The buying system's side, by API: a knitwear style in three sizes with
  // two M in Utrecht, the collection planned there.
  await call('POST', '/api/v1/styles', { code: 'KN-AW1', name: 'Merino trui', brand: 'Lanvin', category: 'Knitwear', colour: 'navy',
    price_cents: 12995, variants: [{ sku: 'KN-AW1-S', size: 'S' }, { sku: 'KN-AW1-M', size: 'M' }, { sku: 'KN-AW1-L', size: 'L' }] });
  await call('PUT', '/api/v1/stores/UTR01/stock/KN-AW1-M', { on_hand: 2 });
  await call('POST', '/api/v1/collections', { code: 'KNIT-AW26', name: 'Knitwear autumn', styles: ['KN-AW1'] });
  await call('PUT', '/api/v1/collections/KNIT-AW26/stores/UTR01', { arrives_at: new Date(Date.now() + 3 * 86400000).toISOString() });
  // Anna's book: Lotte (Dutch, calls, spent most on knitwear), James
  // (English, mail), Kees without consent, Noor who objected to profiling.
  const people = [
    ['Lotte Visser', { phone: '06-51111111', consent: { phone_marketing: { given: true } } }, 420],
    ['James Miller', { email: 'james@example.test', lang: 'en', consent: { email_marketing: { given: true } } }, 150],
    ['Kees Zonder', { phone: '06-52222222' }, 300],
    ['Noor Bezwaar', { phone: '06-53333333', consent: { phone_marketing: { given: true } } }, 500],
  ];
  const ids = {};
  let receipts = 'receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n';
  for (const [name, extra, spent] of people) {
    const c = await call('POST', '/api/v1/customers', { name, home_store_code: 'UTR01', loyalty_number: `NL-K${spent}`, ...extra });
    ids[name] = c.id;
    await call('PUT', `/api/v1/customers/${c.id}/book`, { staff_login: 'anna', store_code: 'UTR01' });
    await call('PUT', `/api/v1/customers/${c.id}/sizes/Knitwear`, { size: 'M' });
    await call('PUT', `/api/v1/customers/${c.id}/preferences`, { kind: 'brand', value: 'Lanvin', sentiment: 'like' });
    receipts += `R-K-${spent},${daysAgo(40)},UTR01,NL-K${spent},OLD-KN,Oude trui,Lanvin,Knitwear,${spent}.00,1\n`;
  }
  await call('POST', '/api/v1/imports/purchases', receipts, { type: 'text/csv' });
  await call('PUT', `/api/v1/customers/${ids['Noor Bezwaar']}/objection`, { objected: true, source: 'balie' });

  // The manager previews the arrival, then releases it.
  let page = await loggedIn('mark', { width: 1024, height: 1366 });
  await menu(page, 'Collecties');
  await page.click('main a:has-text("Knitwear autumn")');
  await press(page, 'Voorbeeld bekijken', 'section.preview');
  const skipped = async (reason) => Number(await text(page, `section.preview table.skipped tr:has(td:text-is("${reason}")) td.num`));
  // Kees (and Kees Jansen of the desk's stories) have no consent.
  expect(await skipped('geen toestemming') >= 1, 'Kees (no consent) is skipped');
  expect(Number(await text(page, 'section.preview .tile:has-text("Passend") strong')) === 2, 'two customers fit');
  expect(await skipped('bezwaar tegen profilering') === 1, 'Noor (objected) is skipped');
  expect((await text(page, 'section.preview table.per-associate')).includes('Anna Jansen'), 'the tasks go to Anna');
  await look(page, 'collection-preview', 'collection preview');
  await press(page, 'Vrijgeven en taken maken', 'section.released');
  await logout(page);

  // Anna's list today: Lotte first (most valued), then James; nobody else.
  page = await loggedIn('anna', { width: 1024, height: 1366 });
  await menu(page, 'Vandaag bellen', 'ol.tasks li');
  const names = await page.$$eval('ol.tasks .task-name', (els) => els.map((e) => e.textContent));
  expect(JSON.stringify(names) === JSON.stringify(['Lotte Visser', 'James Miller']), `today's list is Lotte, James (${names})`);
  await look(page, 'outreach-today', 'outreach today');
  // The call with Lotte ends in a 48-hour hold on M.
  await page.click('ol.tasks a:has-text("Lotte Visser")');
  await page.waitForSelector('h1:has-text("Lotte Visser")');
  expect((await text(page, 'main')).includes('Knitwear: M'), 'the script shows her size');
  await page.selectOption('#f-sku', 'KN-AW1-M');
  await page.fill('#f-hours', '48');
  await press(page, 'Reserveren', '.notice:has-text("Gereserveerd: Merino trui M")');
  await look(page, 'outreach-hold', 'outreach task');
  const holds = await call('GET', '/api/v1/holds?store_code=UTR01&sku=KN-AW1');
  expect(holds.items.length === 1 && holds.items[0].size === 'M' && holds.items[0].customer_name === 'Lotte Visser', 'one hold on M for Lotte');
  const hours = (Date.parse(holds.items[0].expires_at) - Date.parse(holds.items[0].created_at)) / 3600000;
  expect(Math.abs(hours - 48) < 0.01, `the hold lasts 48 hours (${hours})`);
  // James gets a personal mail.
  await page.click('a:has-text("Terug naar vandaag"), a:has-text("Back to today")');
  await page.click('ol.tasks a:has-text("James Miller")');
  await press(page, 'Persoonlijke mail sturen', '.notice:has-text("De persoonlijke mail staat klaar")');
  await logout(page);

  // The mail arrives, in English, with RFC 8058's one-click headers.
  const { raw: eml, body } = await mailTo('james@example.test', 'Knitwear autumn');
  for (const h of ['X-Envelope-To: james@example.test', 'Subject: Just arrived: Knitwear autumn', 'Content-Language: en',
    'From: "Anna Jansen" <service@warenhuis.test>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'])
    expect(eml.includes(h), `the mail has ${h}`);
  expect(body.startsWith('Dear James Miller,') && body.includes('Anna Jansen'), `the mail is in English, signed by Anna: ${body.slice(0, 80)}`);
  const link = /List-Unsubscribe: <[^>]*(\/api\/v1\/unsubscribe\/[0-9a-f]+)>/.exec(eml)[1];
  // He follows the link: a page that changes nothing, then one click.
  page = await freshPage({ width: 390, height: 844 });
  await page.goto(base + link);
  await page.waitForSelector('button:not(.menu-toggle):has-text("Yes, unsubscribe me")');
  expect((await call('GET', `/api/v1/customers/${ids['James Miller']}`)).consent.email_marketing.given === true, 'opening the link changes nothing');
  await look(page, 'unsubscribe', 'unsubscribe page');
  await press(page, 'Yes, unsubscribe me', 'h1:has-text("You are unsubscribed")');
  const james = await call('GET', `/api/v1/customers/${ids['James Miller']}`);
  expect(james.consent.email_marketing.given === false && james.consent.email_marketing.source === 'unsubscribe link', 'one click withdrew consent');
  await shot(page, 'unsubscribed');
});

test('the unhappy customer: a resolved complaint asks one question, a 3 reaches the Utrecht manager, who puts it right; asked again, an 8', async () => {
  // A complaint of Mila's is resolved at the Utrecht desk.
  const mila = await call('POST', '/api/v1/customers', { name: 'Mila de Groot', email: 'mila@example.test', home_store_code: 'UTR01' });
  const k = await call('POST', '/api/v1/cases', { kind: 'complaint', customer_id: mila.id, store_code: 'UTR01', receipt: false,
    customer_words: 'Twintig minuten bij de kassa gewacht en niemand hielp.',
    items: [{ sold_here: false, brand: '-', description: 'Service', stated_price_cents: 0, condition: 'new' }] });
  const rec = await call('POST', `/api/v1/cases/${k.id}/decision`);
  await call('POST', `/api/v1/cases/${k.id}/resolve`, { resolution: rec.resolution, amount_cents: rec.max_amount_cents });
  // The question arrives by mail; she opens it on her phone and answers 3.
  const first = await mailTo('mila@example.test', 'waarschijnlijk');
  expect(first.raw.includes('Subject: =?UTF-8?') || first.raw.includes('Subject: Hoe was uw bezoek aan Utrecht Centrum?'), 'the subject names the store');
  const link = /\/api\/v1\/surveys\/[A-Za-z0-9_-]+/.exec(first.body)[0];
  let page = await freshPage({ width: 390, height: 844 });
  await page.goto(base + link);
  await page.waitForSelector('legend:has-text("Hoe waarschijnlijk is het dat u Het Warenhuis aanbeveelt")');
  await look(page, 'survey-phone', 'survey page');
  await page.click('label[for=s3]');
  await page.fill('#comment', 'Twintig minuten gewacht, niemand hielp mij.');
  await press(page, 'Versturen', 'p:has-text("De bedrijfsleider van Utrecht Centrum neemt binnen twee dagen contact met u op.")');
  await shot(page, 'survey-sorry');

  // The Utrecht manager sees a follow-up due in 48 hours.
  page = await loggedIn('mark', { width: 1024, height: 1366 });
  await menu(page, 'Opvolging', 'table.followups tr:has-text("Mila de Groot")');
  const row = await text(page, 'table.followups tr:has-text("Mila de Groot")');
  expect(row.includes('3') && row.includes('Twintig minuten gewacht'), `the row shows the score and the comment (${row})`);
  const queue = await call('GET', '/api/v1/followups?store_code=UTR01');
  const fu = queue.items.find((x) => x.customer_name === 'Mila de Groot');
  expect((Date.parse(fu.due_at) - Date.parse(fu.opened_at)) === 48 * 3600000, 'due 48 hours after the answer');
  await look(page, 'followups', 'follow-ups');
  // He calls her, issues a goodwill credit note and closes it with the root cause.
  await page.click('table.followups a:has-text("Mila de Groot")');
  await page.waitForSelector('h1:has-text("Mila de Groot")');
  await page.fill('#f-note', 'Gebeld, excuses gemaakt voor het wachten.');
  await press(page, 'Contact vastleggen', '.notice:has-text("Contact vastgelegd.")');
  await page.selectOption('#f-root_cause', 'waiting_time');
  await page.fill('#f-action', 'Gebeld en een tegoedbon van 15 euro gegeven.');
  await page.selectOption('#f-recovery', 'credit_note');
  await page.fill('#f-amount_cents', '15,00');
  await press(page, 'Afsluiten en de klant opnieuw vragen', '.notice:has-text("De klant krijgt de vraag nog een keer.")');
  await page.waitForSelector('.code-box .code');
  await look(page, 'followup-closed', 'follow-up closed');
  const closed = await call('GET', `/api/v1/followups/${fu.id}`);
  expect(closed.status === 'closed' && closed.root_cause === 'waiting_time' && closed.recovery === 'credit_note' && closed.credit_note_id,
    `closed with the root cause and the note (${JSON.stringify(closed).slice(0, 200)})`);
  const notes = await call('GET', `/api/v1/customers/${mila.id}/credit-notes`);
  expect(notes.items.some((n) => n.amount_cents === 1500), 'a goodwill note of €15 for Mila');
  await logout(page);

  // She is asked again, and answers 8: the follow-up stays closed.
  const second = await mailTo('mila@example.test', 'nog één keer', [first.file]);
  const again = /\/api\/v1\/surveys\/[A-Za-z0-9_-]+/.exec(second.body)[0];
  expect(again !== link, 'a new link for the second question');
  page = await freshPage({ width: 390, height: 844 });
  await page.goto(base + again);
  await page.click('label[for=s8]');
  await press(page, 'Versturen', 'h1:has-text("Dank u wel!")');
  const after = await call('GET', `/api/v1/followups/${fu.id}`);
  expect(after.status === 'closed' && after.reopened === 0, 'a happy second answer leaves it closed');
});

test('the NPS dashboard: bars with their interval and n, too few answers below the minimum, per store and associate, a CSV for Excel', async () => {
  // Four of Anna's customers in Utrecht answer 10, 9, 7 and 2; one in Amsterdam answers 8 (too few there).
  const annaToken = sh(['token', 'add', '--db', DB, '--login', 'anna']);
  const asked = async (n, store, token, score) => {
    const c = await call('POST', '/api/v1/customers', { name: `NPS Klant ${n}`, email: `nps-${n}@example.test`, home_store_code: store }, { token });
    const k = await call('POST', '/api/v1/cases', { kind: 'return', customer_id: c.id, store_code: store, receipt: false,
      customer_words: 'Past niet.', items: [{ sold_here: false, brand: '-', description: 'Trui', stated_price_cents: 0, condition: 'new' }] }, { token });
    const rec = await call('POST', `/api/v1/cases/${k.id}/decision`, undefined, { token });
    await call('POST', `/api/v1/cases/${k.id}/resolve`, { resolution: rec.resolution, amount_cents: rec.max_amount_cents }, { token });
    const m = await mailTo(`nps-${n}@example.test`, 'waarschijnlijk');
    const link = /\/api\/v1\/surveys\/[A-Za-z0-9_-]+/.exec(m.body)[0];
    const r = await fetch(base + link, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `score=${score}` });
    expect(r.status === 200, `the answer ${score} stored (${r.status})`);
  };
  for (const [n, score] of [[1, 10], [2, 9], [3, 7], [4, 2]]) await asked(n, 'UTR01', annaToken, score);
  await asked(5, 'AMS01', adminToken, 8);

  // Head office: every store, Amsterdam too few, Utrecht a bar with its whisker.
  let page = await loggedIn('admin');
  await menu(page, 'NPS', 'table.nps tr:has-text("Utrecht Centrum") svg rect');
  const ams = await text(page, 'table.nps tr:has-text("Amsterdam Kalverstraat")');
  expect(ams.includes('te weinig antwoorden') && ams.includes('n = 1'), `Amsterdam: too few answers, n = 1 (${ams})`);
  expect(!(await page.isVisible('table.nps tr:has-text("Amsterdam Kalverstraat") svg')), 'no bar below the minimum');
  const utr = await text(page, 'table.nps tr:has-text("Utrecht Centrum")');
  expect(/n = [46]/.test(utr), `Utrecht with its number of answers (${utr})`);
  const whiskers = await page.locator('table.nps tr:has-text("Utrecht Centrum") svg line.whisker').count();
  expect(whiskers === 3, `the interval drawn as a whisker (${whiskers} lines)`);
  await look(page, 'nps-stores', 'NPS dashboard');
  // The CSV: a BOM, ';' and decimal commas, as Dutch Excel opens it.
  const href = await page.getAttribute('a:has-text("Download CSV")', 'href');
  const csv = await page.evaluate(async (h) => {
    const r = await fetch(h);
    return { type: r.headers.get('content-type'), bytes: Array.from(new Uint8Array(await r.arrayBuffer())) };
  }, href);
  const body = Buffer.from(csv.bytes).toString('utf8');
  expect(csv.bytes[0] === 0xef && csv.bytes[1] === 0xbb && csv.bytes[2] === 0xbf, 'the CSV starts with a UTF-8 BOM');
  expect(csv.type.startsWith('text/csv') && body.includes('\r\nAMS01;Amsterdam Kalverstraat;1;0;1;0;;;;te weinig antwoorden\r\n'),
    `the CSV's Amsterdam row (${body.slice(0, 300)})`);
  expect(/\r\nUTR01;Utrecht Centrum;\d+;\d+;\d+;\d+;-?\d+,\d;/.test(body), 'the Utrecht row with a decimal comma');
  // One store only.
  await page.selectOption('#f-store', 'UTR01');
  await page.waitForFunction(() => !document.querySelector('table.nps')?.textContent.includes('Amsterdam'));
  expect((await page.locator('table.nps tbody tr').count()) === 1, 'Utrecht alone');
  // By associate.
  await page.click('.segmented button:has-text("Medewerker")');
  await page.waitForSelector('table.nps tr:has-text("Anna Jansen") svg rect');
  await logout(page);

  // The Utrecht manager: his store only; his associates for coaching.
  page = await loggedIn('mark');
  await page.goto(base + '/nps');
  await page.waitForSelector('table.nps tr:has-text("Utrecht Centrum")');
  expect(!(await page.isVisible('table.nps tr:has-text("Amsterdam")')), 'no other store for a manager');
  await page.click('.segmented button:has-text("Medewerker")');
  await page.waitForSelector('table.nps tr:has-text("Anna Jansen") svg rect');
  await shot(page, 'nps-associates');
  await logout(page);

  // Anna sees her own figure only, with no dimension to switch.
  page = await loggedIn('anna');
  await menu(page, 'NPS', 'h1:has-text("Mijn NPS")');
  await page.waitForSelector('table.nps tr:has-text("Anna Jansen")');
  expect((await page.locator('table.nps tbody tr').count()) === 1, 'one row: her own');
  expect(!(await page.isVisible('.segmented')), 'no dimension switch for an associate');
  const own = await text(page, 'table.nps tr:has-text("Anna Jansen")');
  expect(own.includes('n = 4'), `her four answers (${own})`);
  await look(page, 'nps-mine', 'my NPS');
});

test('the well-kept secret: staff of two stores name free alterations, the theme tops the secrets board and becomes a value card the desk shows', async () => {
  // Head office opens a round of the staff survey for three stores.
  let page = await loggedIn('admin');
  await menu(page, 'Personeelsenquête');
  await page.fill('#f-name', 'Najaar 2026');
  for (const s of ['UTR01', 'AMS01', 'RTM01']) await page.check(`#st-${s}`);
  await page.fill('#f-categories', 'Kleding, Keuken');
  await press(page, 'Ronde openen', '.links tr[data-store=UTR01] a.share-link');
  const link = async (store) => new URL(await page.getAttribute(`.links tr[data-store=${store}] a.share-link`, 'href')).pathname;
  const links = { UTR01: await link('UTR01'), AMS01: await link('AMS01') };
  expect((await text(page, '.links')).includes('alleen deze keer'), 'the links are said to be shown once');
  await look(page, 'staff-survey-links', 'staff survey round and links');
  await logout(page);

  // Staff answer on their phones, each in their own browser; many name free alterations.
  const answers = {
    UTR01: [[9, 'Eerlijk advies', 'Gratis vermaken binnen 30 dagen', 'Kleding'], [10, '', 'Wij vermaken broeken en jurken gratis', 'Kleding'],
      [8, 'Goede kwaliteit', 'VERMAKEN is gratis!', ''], [9, '', 'Vérmaken van kleding', 'Kleding'], [7, 'Soms duur', 'Twee jaar garantie op keukenapparaten', ''],
      [10, '', 'Gratis vermaken', ''], [6, 'Te weinig personeel', 'Persoonlijk advies van collega\'s die het zelf gebruiken', ''],
      [9, '', 'Cadeau inpakken', ''], [8, 'Prima winkel', '', ''], [9, '', 'vermaken!', '']],
    AMS01: [[8, '', 'Gratis vermaken binnen 30 dagen', ''], [9, 'Great staff', 'Free alterations within 30 days', ''], [10, '', 'Vermaken kost niets', ''],
      [7, '', 'Garantie: wij regelen de reparatie', ''], [9, '', 'Gratis parkeren', ''], [5, 'Rommelig', '', '']],
  };
  page = await freshPage({ width: 390, height: 844 });
  let first = true;
  for (const [store, list] of Object.entries(answers)) {
    for (const [score, why, secret, dept] of list) {
      await page.evaluate(() => localStorage.clear());          // another colleague, another browser
      await page.goto(base + links[store]);
      await page.waitForSelector('legend:has-text("Zou u onze producten en diensten aanraden aan familie en vrienden?")');
      // The first colleague also has the link open in a second tab.
      const other = first ? await context.newPage() : null;
      if (other) { await other.goto(base + links[store]); await other.waitForSelector('button:not(.menu-toggle):has-text("Versturen")'); }
      if (why === 'Great staff') {                              // a colleague who reads English
        await press(page, 'English', 'legend:has-text("Would you recommend our products and services to your family and friends?")');
      }
      await page.click(`label[for=ss${score}]`);
      if (why) await page.fill('#f-why', why);
      if (secret) await page.fill('#f-secret', secret);
      if (dept) await page.selectOption('#f-category', dept);
      if (first) { await shot(page, 'staff-survey-phone'); await a11y(page, 'staff survey page'); }
      if (why === 'Great staff') {
        await shot(page, 'staff-survey-english');
        await press(page, 'Send', 'h1:has-text("Thank you!")');
        continue;
      }
      await press(page, 'Versturen', 'h1:has-text("Dank u wel!")');
      if (other) {
        // The same browser answering again: the server refuses it, the page says so kindly.
        await other.click('label[for=ss3]');
        await other.click('button:not(.menu-toggle):has-text("Versturen")');
        await other.waitForSelector('.notice:has-text("Vanaf dit apparaat is deze enquête al ingevuld")');
        await shot(other, 'staff-survey-twice');
        await a11y(other, 'staff survey answered twice');
        await other.close();
        await page.reload();
        await page.waitForSelector('.notice:has-text("Vanaf dit apparaat is deze enquête al ingevuld")');
        first = false;
      }
    }
  }
  const round = (await call('GET', '/api/v1/staff-surveys')).items.find((r) => r.name === 'Najaar 2026');
  expect(round.answers === 16, `16 answers stored, the second from one browser not (${round.answers})`);

  // The Utrecht manager: the board's top theme is the alterations; he merges the
  // words that mean the same, names it, and makes a value card of it.
  page = await loggedIn('mark', { width: 1024, height: 1366 });
  await menu(page, 'Geheimen', 'ol.themes li');
  expect((await text(page, 'ol.themes li:first-child h2')) === 'vermaken', `vermaken tops the board (${await text(page, 'ol.themes li:first-child h2')})`);
  const board = (await call('GET', '/api/v1/secrets')).items;
  const theme = (w) => board.find((x) => x.label === w);
  const top = theme('vermaken');
  const edit = async () => {
    const d = page.locator(`li[data-theme="${top.id}"] details`);
    if ((await d.getAttribute('open')) === null) await d.locator('summary').click();
  };
  for (const w of ['gratis', 'free', 'alterations']) {
    await edit();
    await page.selectOption(`#f-t${top.id}-from`, String(theme(w).id));
    await page.click(`li[data-theme="${top.id}"] button:has-text("Samenvoegen")`);
    await page.waitForSelector('.notice:has-text("Samengevoegd")');
    await page.waitForFunction((w) => ![...document.querySelectorAll('ol.themes h2')].some((h) => h.textContent === w), w);
  }
  await edit();
  await page.fill(`#f-t${top.id}-label`, 'Gratis vermaken');
  await page.click(`li[data-theme="${top.id}"] button:has-text("Naam opslaan")`);
  await page.waitForSelector('ol.themes li:first-child h2:text-is("Gratis vermaken")');
  const head = await text(page, 'ol.themes li:first-child');
  expect(head.includes('10 antwoorden') && head.includes('UTR01 6') && !head.includes('AMS01'), `10 answers, Utrecht's 6 for its manager (${head})`);
  await look(page, 'secrets-board', 'secrets board');
  await page.click(`li[data-theme="${top.id}"] button:has-text("Maak een waardekaart")`);
  await page.waitForSelector('#f-claim_nl');
  expect(await page.inputValue('#f-claim_nl') === 'Gratis vermaken', 'the theme is the first draft of the claim');
  await page.fill('#f-claim_nl', 'Gratis vermaken binnen 30 dagen');
  await page.fill('#f-claim_en', 'Free alterations within 30 days');
  await page.fill('#f-category', 'Kleding');
  await page.selectOption('#f-verifier', 'mark');
  expect(await page.inputValue('#f-check_days') === '90', 'checked again after 90 days unless said otherwise');
  await press(page, 'Kaart aanmaken', '.page-head .badge:has-text("concept")');
  await press(page, 'Verifiëren: de belofte klopt', '.page-head .badge:has-text("geverifieerd")');
  expect((await text(page, '.value-card')).includes('Gratis vermaken binnen 30 dagen'), 'the preview as the desk shows it');
  const cardId = +new URL(page.url()).pathname.split('/').pop();
  const card = await call('GET', `/api/v1/value-cards/${cardId}`);
  expect(card.state === 'verified' && card.category === 'Kleding' && card.theme_id === top.id && card.verifier === 'mark', `a verified card for clothing (${JSON.stringify(card)})`);
  const days = (Date.parse(card.check_by) - Date.parse(card.verified_at)) / 86400000;
  expect(Math.abs(days - 90) < 0.01, `checked again within 90 days (${days})`);
  await page.fill('#f-question', 'Hoe lang vermaken wij kleding gratis?');
  for (const [i, a] of ['7 dagen', '30 dagen', 'Nooit'].entries()) await page.fill(`#f-answer${i}`, a);
  await page.check('#right1');
  await press(page, 'Vraag toevoegen', 'ol.questions li:has-text("Hoe lang vermaken wij kleding gratis?")');
  await look(page, 'value-card', 'value card editor');
  await menu(page, 'Waardekaarten', 'table.cards tr:has-text("Gratis vermaken binnen 30 dagen"):has-text("geverifieerd")');
  await look(page, 'value-cards', 'value cards');
  // His store's results: ten answers, so figures; its comments not, for the
  // round's (16) minus Utrecht's (10) would give away Amsterdam's six.
  await menu(page, 'Personeelsenquête', '.slice[data-slice=UTR01] dl');
  const mine = await text(page, '.slice[data-slice=UTR01]');
  expect(mine.includes('Antwoorden10') && mine.includes('Toelichtingen worden pas vanaf 10 antwoorden getoond'), `Utrecht's figures, not its comments (${mine})`);
  await logout(page);

  // Head office: every store's results as far as anonymity allows, and the theme shown to associates.
  page = await loggedIn('admin', { width: 1280, height: 1400 });
  await menu(page, 'Personeelsenquête', '.slice[data-slice=RTM01]');
  const all = await text(page, '.slice[data-slice=all]'), utr = await text(page, '.slice[data-slice=UTR01]');
  const ams = await text(page, '.slice[data-slice=AMS01]'), rtm = await text(page, '.slice[data-slice=RTM01]');
  expect(all.includes('Antwoorden16') && all.includes('Toelichtingen (16)'), `the whole round: figures and comments (${all})`);
  expect(utr.includes('Antwoorden10') && utr.includes('Toelichtingen worden pas vanaf 10'), `Utrecht: figures, comments withheld (${utr})`);
  expect(ams.includes('Antwoorden6') && ams.includes('Toelichtingen worden pas vanaf 10 antwoorden getoond'), `Amsterdam: figures, comments withheld (${ams})`);
  expect(rtm.includes('Niet getoond: cijfers pas vanaf 5 antwoorden') && !/\d+ · \d+ · \d+/.test(rtm), `Rotterdam: nothing, and why (${rtm})`);
  await look(page, 'staff-survey-results', 'staff survey results');
  await menu(page, 'Geheimen');
  await edit();
  await page.click(`li[data-theme="${top.id}"] button:has-text("Tonen aan medewerkers")`);
  await page.waitForSelector(`li[data-theme="${top.id}"] .badge:has-text("getoond")`);
  await logout(page);

  // Anna: the shown theme on her board, the quiz, then the desk.
  await call('POST', '/api/v1/imports/customers', 'loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n' +
    'NL-200005,Eva Smit,eva@example.test,06-55555555,UTR01,nee,nee\n', { type: 'text/csv' });
  await call('POST', '/api/v1/imports/purchases', 'receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n' +
    `R-DR-1,${daysAgo(6)},UTR01,NL-200005,DRESS-1,Zomerjurk linnen,Noordzee,Kleding,79.95,1\n`, { type: 'text/csv' });
  page = await freshPage({ width: 390, height: 844 });             // on her phone first
  await login(page, 'anna');
  expect(!(await page.isVisible('header nav a:has-text("Geheimen")')), 'the menu folded on a phone');
  await menu(page, 'Geheimen', 'ol.themes li h2:text-is("Gratis vermaken")');
  await page.waitForSelector('header nav a:has-text("Quiz")', { state: 'hidden' });   // folded again once an entry is chosen
  expect((await text(page, 'header nav .menu-toggle')).includes('Geheimen'), 'the folded menu names the screen');
  const bar = await page.locator('header.top').boundingBox();
  expect(bar.height < 200, `the header short on a phone (${bar.height} px)`);
  expect(await page.locator('ol.themes li').count() === 1, 'an associate sees only the theme head office has shown');
  await look(page, 'secrets-associate-phone', 'secrets board of an associate');
  await menu(page, 'Quiz');
  await page.click('label:has-text("30 dagen")');
  await press(page, 'Antwoord geven', '.quiz-q .notice:has-text("Goed!")');
  await page.waitForSelector('.knowledge:has-text("Mijn kennisscore: 100 %")');
  await look(page, 'quiz-phone', 'quiz');
  await page.setViewportSize({ width: 1024, height: 1366 });      // then at the desk
  // Eva wants to return her dress: it is cheaper at Zalando. The desk shows the card.
  await startCase(page, 'NL-200005', 'Eva Smit');
  await page.check('#receipt');
  await page.selectOption('#f-item0-line', 'R-DR-1|DRESS-1');
  await page.fill('#f-referral_to', 'Zalando');
  await page.selectOption('#f-referral_reason', 'cheaper_elsewhere');
  await page.fill('#f-customer_words', 'Bij Zalando is deze jurk tien euro goedkoper, en hij is te lang.');
  await press(page, 'Zaak openen', '.value-card:has-text("Gratis vermaken binnen 30 dagen")');
  expect((await text(page, '.value-card')).includes('voor Kleding'), 'the card for clothing');
  await page.waitForSelector('.vc-recorded');
  await page.click('.value-card button:has-text("Klant kiest voor ons")');
  await page.waitForSelector('.vc-recorded:has-text("de klant kiest voor ons")');
  const dressCase = +new URL(page.url()).pathname.split('/').pop();
  const dressRecord = await caseCard(dressCase);
  expect(dressRecord === `${cardId}|stayed`, `the card and "stayed" recorded with case ${dressCase} (${dressRecord})`);
  await look(page, 'dress-value-card', 'return with a value card');
  // She keeps the dress and has it shortened: the return is cancelled.
  await page.click('summary:has-text("Zaak annuleren"), summary:has-text("Annuleren")');
  await page.fill('#f-reason', 'Klant houdt de jurk; wordt gratis ingekort.');
  await page.click('details button[type=submit]');
  await page.waitForSelector('.page-head .badge:has-text("Geannuleerd")');
  await logout(page);

  // The manager's coaching view: Anna's score, by name, no ranking.
  page = await loggedIn('mark');
  await menu(page, 'Quiz', 'table.coaching tr:has-text("Anna Jansen")');
  expect((await text(page, 'table.coaching tr:has-text("Anna Jansen")')).includes('100 %'), 'Anna\'s knowledge score for coaching');
  await look(page, 'coaching', 'quiz and coaching');
});

test('an associate does not see admin screens, and the API refuses them', async () => {
  const page = await loggedIn('anna');
  const nav = await text(page, 'header nav');
  for (const item of ['Winkels', 'Beleid', 'Inlezen', 'Goedkeuringen', 'Overzicht'])
    expect(!nav.includes(item), `no ${item} in an associate's menu`);
  await page.goto(base + '/admin/policy');
  await page.waitForSelector('h1:has-text("Dit mag uw rol niet.")');
  const status = await page.evaluate(async () => (await fetch('/api/v1/policy', { method: 'PUT', body: '{}',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.__tdCsrf } })).status);
  expect(status === 403, `PUT /api/v1/policy answered ${status}`);
  await shot(page, 'associate-no-admin');
});

test("the menu and screens follow each module's roles: a manager's screen by URL is not allowed to an associate", async () => {
  let page = await loggedIn('anna');
  expect(!(await text(page, 'header nav')).includes('Medewerkers'), 'no staff screen in an associate\'s menu');
  for (const path of ['/approvals', '/dashboard', '/admin/staff']) {
    await page.goto(base + path);
    await page.waitForSelector('main h1:has-text("Dit mag uw rol niet.")');
    expect(!(await page.isVisible('main table, main form')), `nothing of ${path} drawn for an associate`);
  }
  await shot(page, 'associate-not-allowed');
  await logout(page);
  page = await loggedIn('mark');
  const nav = await text(page, 'header nav');
  for (const item of ['Goedkeuringen', 'Overzicht', 'Medewerkers']) expect(nav.includes(item), `${item} in a manager's menu`);
  for (const item of ['Winkels', 'Beleid', 'Inlezen']) expect(!nav.includes(item), `no ${item} in a manager's menu`);
  // The menu stands in sections, in a column beside the screen.
  const heads = (await page.locator('header nav .menu-head').allTextContents()).join(' | ');
  expect(heads === 'Service | Klanten | Feedback | Inzicht | Beheer', `the manager's menu sections (${heads})`);
  const [side, screen] = [await page.locator('header.top').boundingBox(), await page.locator('main').boundingBox()];
  expect(side.height >= 700 && side.x + side.width <= screen.x, `the menu a column left of the screen (${JSON.stringify([side, screen])})`);
  await page.goto(base + '/admin/stores');
  await page.waitForSelector('main h1:has-text("Dit mag uw rol niet.")');
  await page.goto(base + '/nergens');
  await page.waitForSelector('main h1:has-text("Niet gevonden")');
});

test('a public screen needs no login; any other shows the login first, then itself', async () => {
  let page = await freshPage();
  await page.goto(base + '/login');                   /* public: the login at its own address */
  await page.waitForSelector('form.login h1:has-text("Inloggen")');
  expect(!(await page.isVisible('header nav')), 'no staff menu without a session');
  await shot(page, 'public-login');
  await login(page, 'anna');
  await page.waitForSelector('main h1:has-text("Balie")');
  expect(new URL(page.url()).pathname === '/', `logged in at /login lands on the desk (${page.url()})`);
  await page.goto(base + '/login');                   /* logged in already: the desk */
  await page.waitForFunction(() => location.pathname === '/');
  await logout(page);
  page = await freshPage();
  await page.goto(base + '/notes');                   /* not public: the login in its place */
  await page.waitForSelector('#f-login');
  expect(!(await page.isVisible('#f-code')), 'no credit-note screen before the login');
  await login(page, 'anna');
  await page.waitForSelector('#f-code');
  expect(new URL(page.url()).pathname === '/notes', 'the screen asked for, after the login');
});

test('the admin edits the policy: errors at their paths, what the draft would have done, then a new version', async () => {
  // A gold customer's goods we never sold, above gold's goodwill limit of EUR 300: it waits for a manager.
  const sanne = await customerId('NL-200001');
  const goodwill = await call('POST', '/api/v1/cases', { kind: 'return', customer_id: sanne, store_code: 'UTR01', receipt: false,
    items: [{ sold_here: false, brand: 'Elders', description: 'Winterjas', stated_price_cents: 40000, condition: 'new' }] });
  const asked = await call('POST', `/api/v1/cases/${goodwill.id}/resolve`, { resolution: 'store_credit', amount_cents: 40000 });
  expect(asked.status === 'awaiting_approval', 'the goodwill above the limit waits for a manager');
  const page = await loggedIn('admin');
  // Hold the document back: until it arrives the screen says it is loading
  // and offers no editor to type into (text typed there would be lost).
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/v1/policy', async (r) => { await held; await r.continue(); });
  await menu(page, 'Beleid', '[role=status]:has-text("Het beleid dat van kracht is wordt geladen")');
  expect(await page.locator('#policy-doc').count() === 0, 'no editor before the document has arrived');
  release();
  await page.waitForSelector('#policy-doc');
  await page.unroute('**/api/v1/policy');
  let doc = await page.inputValue('#policy-doc');
  expect(doc.includes('"amber_at": 40'), 'the editor holds the document in force');
  const bad = doc.replace('"version": 1', '"version": 2').replace('"amber_at": 40', '"amber_at": 90');
  await page.fill('#policy-doc', bad);
  await press(page, 'Opslaan als nieuwe versie', '#policy-problems code:has-text("guard.amber_at")');
  await look(page, 'policy-error', 'policy editor');
  // Before saving: what would a draft with gold's limit at EUR 500 have done? The case above goes through
  // at the desk; nothing is saved.
  const draft = bad.replace('"amber_at": 90', '"amber_at": 45').replace('"goodwill_limit_cents": 30000', '"goodwill_limit_cents": 50000');
  await page.fill('#policy-doc', draft);
  await page.click('#what-if button:has-text("Wat had dit concept gedaan?")');
  const row = page.locator(`#what-if table.sim-changes tr[data-case="${goodwill.id}"]`);
  await row.waitFor();
  const cells = await row.locator('td').allInnerTexts();
  expect(cells[4].includes('Tegoedbon') && cells[4].includes('400,00') && cells[4].includes('(manager)'), `before: ${cells[4]}`);
  expect(cells[5].includes('Tegoedbon') && cells[5].includes('400,00') && !cells[5].includes('manager'), `after: ${cells[5]}`);
  for (const layer of ['Exact', 'Begrensd', 'Gemodelleerd'])
    expect(await page.locator(`#what-if h3:has-text("${layer}")`).count() === 1, `the ${layer} layer is labelled`);
  const approvals = await page.locator('#what-if table.sim-figures tr:has-text("Goedkeuringen gevraagd") td').allInnerTexts();
  expect(Number(approvals[1]) === Number(approvals[0]) - 1, `one approval fewer: ${approvals}`);
  expect(await page.locator('#what-if:has-text("Behouden omzet: niet te schatten")').count() === 1, 'revenue retained is not estimated');
  expect(await page.locator('text=Versie 1 is van kracht.').count() === 1, 'the draft was not saved');
  // The changed cases as a file for Dutch Excel: the same replay, answered as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.click('#what-if button:has-text("CSV downloaden")')]);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(download.suggestedFilename().endsWith('.csv'), `a .csv file (${download.suggestedFilename()})`);
  expect(csv.startsWith('\ufeff') && csv.includes(';') && csv.split('\r\n').some((l) => l.split(';')[0] === String(goodwill.id)),
    `the CSV opens in Dutch Excel and holds case ${goodwill.id}: ${csv.slice(0, 200)}`);
  await look(page, 'policy-what-if', 'policy what-if');
  await page.fill('#policy-doc', bad.replace('"amber_at": 90', '"amber_at": 45'));
  await press(page, 'Opslaan als nieuwe versie', 'text=Versie 2 opgeslagen en van kracht.');
  await page.waitForSelector('table td:has-text("ingebouwd standaardbeleid")');
  await shot(page, 'policy-saved');
  await menu(page, 'Inlezen');
  await page.setInputFiles('#csv', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('loyalty_number,name\nNL-9,\n') });
  await press(page, 'Inlezen', '.notice.error table td');
  await shot(page, 'import-report');
});

test('the kitchen scale, months later: the referral report shows Kees and that he came back', async () => {
  // A hundred days on (the referral's resolution moved back in the database,
  // as time would), Kees bought a tea towel here sixty days ago: forty days
  // after he was sent to Action.
  ageCases("SELECT case_id FROM referrals WHERE to_name = 'Action'", 100);
  await call('POST', '/api/v1/imports/purchases',
    'receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n'
    + `R-KS-9,${daysAgo(60)},UTR01,NL-200002,TD-9,Theedoek,Huis,Keuken,4.99,1\n`, { type: 'text/csv' });
  const page = await loggedIn('mark');
  await menu(page, 'Doorverwijzingen', 'table td:has-text("Action")');
  const rows = await page.$$eval('section:has(#h-ref-items) tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
  const kees = rows.find((r) => r[3].startsWith('Action'));
  expect(kees, `a referral to Action in the report (${JSON.stringify(rows)})`);
  expect(kees[0].startsWith('Kees Jansen') && kees[2] === 'Keuken' && kees[5] === 'nee' && kees[6] === 'ja' && kees[7] === 'ja',
    `Kees not back within 30 days, back within 90 and 180 (${kees.join(' | ')})`);
  expect((await text(page, 'section:has(#h-ref-cat)')).includes('Keuken · doorverwezen'), 'the kitchen category beside those not referred');
  // The matched comparison: one referred customer is too few to estimate, and the screen says so.
  const matched = await text(page, 'section:has(#h-ref-cat) tr:has-text("verschil met vergelijkbare klanten")');
  expect(matched.includes('Keuken') && matched.includes('niet te schatten'), `the kitchen's matched difference, not estimable (${matched})`);
  expect((await text(page, 'section:has(#h-ref-kind)')).includes('Keuken · elders goedkoper'), 'the kitchen referrals to a cheaper shop, as a kind');
  await look(page, 'referrals', 'referral outcomes');
});

test('the daily figures: the Utrecht manager sees their store per day beside the chain, and downloads them', async () => {
  // A case in each of two stores (whatever the stories before opened), then
  // what the rollup must show, counted from the raw tables of the same database.
  for (const store_code of ['UTR01', 'AMS01'])
    await call('POST', '/api/v1/cases', { kind: 'complaint', store_code, receipt: false, customer_words: 'De rits is kapot.',
      items: [{ sold_here: false, brand: 'Mango', description: 'Jas', stated_price_cents: 4000, condition: 'used' }] });
  const count = (sql) => Number(spawnSync('sqlite3', [`${TMP}/t.db`, sql]).stdout.toString().trim());
  const opened = (where) => count('SELECT COUNT(*) FROM case_events e JOIN cases k ON k.id = e.case_id'
    + ` JOIN stores s ON s.id = k.store_id WHERE e.action = 'opened'${where}`);
  const utr = opened(" AND s.code = 'UTR01'"), chain = opened('');
  expect(utr > 0 && chain > utr, `cases in Utrecht and elsewhere (${utr} of ${chain})`);
  const page = await loggedIn('mark');
  await menu(page, 'Dagcijfers', '.daily-chart figcaption');
  const captions = await page.locator('.daily-chart figcaption').allTextContents();
  expect(captions.length === 2 && captions[0].includes(`UTR01 · totaal: ${utr}`) && captions[1].includes(`de keten · totaal: ${chain}`),
    `Utrecht's chart and the chain's, with their totals (${captions.join(' | ')})`);
  const bars = await page.locator('.daily-chart').first().locator('rect.bar').count();
  expect(bars >= 1, `a bar for a day with cases (${bars})`);
  const shown = await text(page, 'main');
  expect(!shown.includes('AMS01') && !shown.includes('Kalverstraat'), 'no other store by name for a manager');
  await page.selectOption('#f-metric', 'goodwill_cents');
  await page.waitForFunction(() => document.querySelector('.daily-chart figcaption')?.textContent.includes('coulance'));
  await look(page, 'daily', 'daily figures');
  // The CSV for Dutch Excel: a BOM, ';', one line per day.
  const href = await page.getAttribute('a:has-text("CSV downloaden")', 'href');
  const csv = await page.evaluate(async (h) => Array.from(new Uint8Array(await (await fetch(h)).arrayBuffer())), href);
  const body = Buffer.from(csv).toString('utf8');
  expect(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf && body.includes('\ufeffdag;geopend;afgehandeld;')
    && body.split('\r\n').length === 30 + 2, `the CSV: a BOM, the header and 30 days (${body.slice(0, 200)})`);
});

test('coaching, not a ranking: a funnel plot against the store, the associate sees only herself named', async () => {
  // Eindhoven's desk this quarter (a new store, so that the other stories'
  // cases do not count): Lotte resolves 4 complaints as the desk recommends
  // and declines 1 against it; Bo resolves 2 and declines 4.
  await call('POST', '/api/v1/stores', { code: 'EHV01', name: 'Eindhoven Demer', city: 'Eindhoven' });
  for (const [login, name, role] of [['lotte', 'Lotte de Wit', 'associate'], ['bo', 'Bo Akkerman', 'associate'], ['rik', 'Rik Vos', 'manager']])
    await call('POST', '/api/v1/staff', { login, name, role, store_code: 'EHV01', password: PASSWORD });
  const tokens = { lotte: sh(['token', 'add', '--db', DB, '--login', 'lotte']), bo: sh(['token', 'add', '--db', DB, '--login', 'bo']) };
  let seq = 0;
  const complaint = async (who, declined) => {
    const token = tokens[who];
    const c = await call('POST', '/api/v1/customers', { home_store_code: 'EHV01', name: `Coachklant ${++seq}` }, { token });
    const k = await call('POST', '/api/v1/cases', { kind: 'complaint', customer_id: c.id, store_code: 'EHV01', receipt: false,
      customer_words: 'Lang gewacht.', items: [{ sold_here: false, brand: '-', description: 'Service', stated_price_cents: 0, condition: 'new' }] },
    { token });
    const d = await call('POST', `/api/v1/cases/${k.id}/decision`, undefined, { token });
    await call('POST', `/api/v1/cases/${k.id}/resolve`, declined
      ? { resolution: 'decline', amount_cents: 0, override_reason: 'Klant wilde geen tegoedbon' }
      : { resolution: d.resolution, amount_cents: d.max_amount_cents }, { token });
  };
  for (let i = 0; i < 5; i++) await complaint('lotte', i === 4);
  for (let i = 0; i < 6; i++) await complaint('bo', i >= 2);

  const page = await loggedIn('rik');
  await menu(page, 'Coaching', 'svg.funnel circle.dot');
  expect((await text(page, '.coaching-note')).includes('Geen ranglijst'), 'the screen says it is not a ranking');
  const plot = 'svg.funnel[data-rate="override"]';
  expect(await page.locator(`${plot} path.limit95`).count() === 2 && await page.locator(`${plot} path.limit998`).count() === 2
    && await page.locator(`${plot} line.centre`).count() === 1, 'two 95 % and two 99.8 % limit curves around one centre line');
  expect(await page.locator(`${plot} circle[data-login="lotte"]`).count() === 1 && await page.locator(`${plot} circle[data-login="bo"]`).count() === 1,
    'Lotte and Bo as points, named for their manager');
  const names = await page.$$eval('table.coach-people tbody th', (ths) => ths.map((th) => th.textContent.trim()));
  expect(names.join() === 'Bo Akkerman,Lotte de Wit,Rik Vos', `the table sorted by name (${names.join(', ')})`);
  const bo = await page.$$eval('table.coach-people tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim()))
    .find((r) => r[0].startsWith('Bo')));
  expect(bo[1] === '6' && bo[2] === '4', `Bo: 6 cases, 4 overrides (${bo.join(' | ')})`);
  // The store's rate: 5 of 11 overrides.
  expect((await text(page, 'section:has(#h-funnel) p[role=status]')).includes('5 van 11'), 'the centre line is 5 of 11');
  await page.click('details.overrides summary:has-text("Bo Akkerman")');
  await page.waitForSelector('details.overrides[open] li:has-text("Klant wilde geen tegoedbon")');
  await look(page, 'coaching-manager', 'coaching (manager)');
  await page.click('button[role=radio]:has-text("Coulance")');
  await page.waitForSelector('svg.funnel[data-rate="goodwill"]');
  await shot(page, 'coaching-goodwill');
  await logout(page);

  await login(page, 'lotte');
  await menu(page, 'Coaching', 'svg.funnel circle.dot.self');
  expect(await page.locator('svg.funnel circle.dot').count() === 2, 'two points: Lotte and one colleague');
  expect(await page.locator('svg.funnel circle[data-login="bo"]').count() === 0, 'the colleague is not named');
  expect(await page.locator('svg.funnel text.dot-label').allTextContents().then((l) => l.join() === 'jij'), 'only her own point is labelled');
  const mine = await page.$$eval('table.coach-people tbody th', (ths) => ths.map((th) => th.textContent.trim()));
  expect(mine.join() === 'Lotte de Wit', `only her own row (${mine.join(', ')})`);
  expect(!(await page.content()).includes('Akkerman'), 'Bo\'s name nowhere on Lotte\'s screen');
  await look(page, 'coaching-associate', 'coaching (associate)');
});

test('goodwill: does the gesture pay for itself? the figure with its interval, not estimable where a window is open, the assumption apart', async () => {
  // Twelve customers alike (new, no purchases before) complained at Alkmaar 120 days ago: six got
  // the desk's gesture, six were declined. Those given the gesture spent EUR 40 more afterwards.
  // A store of its own, so that the other stories' cases do not count in a full run.
  await call('POST', '/api/v1/stores', { code: 'ALK01', name: 'Alkmaar Langestraat', city: 'Alkmaar' });
  await call('POST', '/api/v1/staff', { login: 'femke', name: 'Femke Bakker', role: 'manager', store_code: 'ALK01', password: PASSWORD });
  const header = 'receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n';
  let csv = 'loyalty_number,name,email,home_store_code\n', after = header;
  for (let i = 0; i < 12; i++) csv += `NL-29${String(i).padStart(4, '0')},Klant Goodwill ${i},gw${i}@example.test,ALK01\n`;
  await call('POST', '/api/v1/imports/customers', csv, { type: 'text/csv' });
  const ids = [];
  for (let i = 0; i < 12; i++) {
    const loyalty = `NL-29${String(i).padStart(4, '0')}`;
    const k = await call('POST', '/api/v1/cases', { kind: 'complaint', customer_id: await customerId(loyalty), store_code: 'ALK01',
      receipt: false, customer_words: 'Lang gewacht bij de kassa.',
      items: [{ sold_here: false, brand: '-', description: 'Service', stated_price_cents: 0, condition: 'new' }] });
    const given = i % 2 === 0;
    const rec = await call('POST', `/api/v1/cases/${k.id}/decision`);
    await call('POST', `/api/v1/cases/${k.id}/resolve`, given ? { resolution: rec.resolution, amount_cents: rec.max_amount_cents }
      : { resolution: 'decline', amount_cents: 0, override_reason: 'Geen gebaar deze keer.' });
    ids.push(k.id);
    const euros = 10 + 3 * Math.floor(i / 2) + (given ? 40 : 0);
    after += `R-GW-${i},${daysAgo(60)},ALK01,${loyalty},GW-${i},Kussen,Huis,Wonen,${euros}.00,1\n`;
  }
  ageCases(ids.join(','), 120);
  await call('POST', '/api/v1/imports/purchases', after, { type: 'text/csv' });
  const page = await loggedIn('femke');
  await menu(page, 'Goodwill', 'table.goodwill');
  // The store's total: a dot with its whisker, the figure with its bounds, n per side.
  const utr = await text(page, 'table.goodwill tr:has(th:has-text("ALK01 (totaal)"))');
  expect(/n = 6 \/ 6/.test(utr) && /\(-?[0-9]+,[0-9]{2} … [0-9]+,[0-9]{2}\)/.test(utr), `the Alkmaar total with its interval and n (${utr})`);
  expect(await page.$('table.goodwill tr:has(th:has-text("ALK01 (totaal)")) svg circle'), 'the estimate drawn with its whisker');
  expect((await text(page, 'p.assumption')).includes('Aanname, geen data'), 'the multiplier is labelled an assumption');
  await look(page, 'goodwill', 'goodwill');
  // 180 days after cases of 120 days ago: still open, so not estimable, and said so.
  await page.click('button[role=radio]:has-text("180 dagen")');
  await page.waitForSelector('table.goodwill tr:has(th:has-text("ALK01 (totaal)")) :text("niet te schatten")');
  expect((await text(page, 'table.goodwill tr:has(th:has-text("ALK01 (totaal)"))')).includes('6 nog open'), 'the open window counted');
  // The assumption: a bad multiplier is refused at its field; 3 changes the column, not the data.
  await page.click('button[role=radio]:has-text("90 dagen")');
  await page.fill('#f-multiplier', '2.555');
  await page.waitForSelector('.field.invalid #f-multiplier');
  await page.fill('#f-multiplier', '3');
  await page.waitForSelector('table.goodwill th:has-text("Aanname ×3")');
  const figure = await text(page, 'table.goodwill tr:has(th:has-text("ALK01 (totaal)")) td:nth-child(4)');
  expect(utr.includes(figure.trim()), `the data's figure is unchanged (${figure})`);
  await shot(page, 'goodwill-assumption');
});

// ---- the run ----------------------------------------------------------------------------

let passed = 0, failed = 0;
rmSync(SHOTS, { recursive: true, force: true });
mkdirSync(SHOTS, { recursive: true });
try {
  await startServer();
  await seed();
  await openBrowser();
  // E2E_ONLY=text runs only the tests whose name holds text (for working on one story;
  // make test never sets it); 'well-kept|kitchen' runs the tests that hold either.
  const only = process.env.E2E_ONLY?.split('|').filter(Boolean);
  for (const t of tests.filter((t) => !only?.length || only.some((o) => t.name.includes(o)))) {
    try {
      await t.fn();
      passed++;
      console.log(`ok    e2e: ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL  e2e: ${t.name}\n      ${String(e.stack ?? e).split('\n').slice(0, 4).join('\n      ')}`);
      try { const p = context.pages()[0]; if (p) await shot(p, 'FAILED'); } catch { /* no page */ }
    }
  }
  if (a11yFindings.length) { failed++; console.log(`FAIL  e2e: WCAG 2.1 AA (axe-core) on every screen visited\n      ${a11yFindings.join('\n      ')}`); }
  else { passed++; console.log('ok    e2e: WCAG 2.1 AA (axe-core) on every screen visited'); }
  if (consoleErrors.length) { failed++; console.log(`FAIL  e2e: no script errors in the pages\n      ${consoleErrors.join('\n      ')}`); }
  else { passed++; console.log('ok    e2e: no script errors in the pages'); }
} catch (e) {
  failed++;
  console.log(`FAIL  e2e: setup: ${e.stack ?? e}`);
} finally {
  if (context) await context.close().catch(() => {});
  if (server) server.kill('SIGTERM');
  if (sink) sink.kill('SIGTERM');
  rmSync(TMP, { recursive: true, force: true });
}
console.log(`screenshots in ${SHOTS}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

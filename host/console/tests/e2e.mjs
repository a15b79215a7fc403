// The console in a real headless Chromium against a real Sopline server.
//
//   node host/console/tests/e2e.mjs URL agent=NAME:PASSWORD other=NAME:PASSWORD \
//        supervisor=NAME:PASSWORD admin=NAME:PASSWORD [screenshots=DIR]
//
// or the same through SOPLINE_E2E_URL, SOPLINE_E2E_AGENT, SOPLINE_E2E_OTHER,
// SOPLINE_E2E_SUPERVISOR, SOPLINE_E2E_ADMIN, SOPLINE_E2E_SCREENSHOTS.
// `agent` works property-frontdesk, `other` another department. The server's
// property-frontdesk should ring for a few seconds only (ring_length) so the
// answer deadline passes within the test. CHROMIUM overrides /usr/bin/chromium.
//
// Checks: an agent handles a complaint end to end and sees a violation before
// sending; a deadline turns red when it passes; a supervisor sees the miss;
// an admin swaps the SOP and new contacts follow it; an agent of another
// department cannot open the contact. Screenshots go to docs/screenshots/.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(3).map((a) => {
  const i = a.indexOf('=');
  return [a.slice(0, i), a.slice(i + 1)];
}));
const base = (process.argv[2] ?? process.env.SOPLINE_E2E_URL ?? '').replace(/\/$/, '');
const login = (key) => {
  const text = args[key] ?? process.env[`SOPLINE_E2E_${key.toUpperCase()}`];
  if (!text) throw new Error(`missing login ${key}=NAME:PASSWORD (or SOPLINE_E2E_${key.toUpperCase()})`);
  const i = text.indexOf(':');
  return { name: text.slice(0, i), password: text.slice(i + 1) };
};
if (!base.startsWith('http')) {
  console.error('usage: node e2e.mjs URL agent=NAME:PW other=NAME:PW supervisor=NAME:PW admin=NAME:PW');
  process.exit(2);
}
const users = { agent: login('agent'), other: login('other'), supervisor: login('supervisor'), admin: login('admin') };
const shots = resolve(args.screenshots ?? process.env.SOPLINE_E2E_SCREENSHOTS ?? join(here, '../../../docs/screenshots'));
mkdirSync(shots, { recursive: true });
const DEPT = 'property-frontdesk';

// --- the API, for what a phone system would do --------------------------------

async function call(method, path, token, body) {
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => null);
  return { status: r.status, json };
}

async function tokenOf(user) {
  const { status, json } = await call('POST', '/login', null, user);
  if (status !== 200) throw new Error(`login ${user.name}: ${status} ${JSON.stringify(json)}`);
  return json.token;
}

async function openContact(token, customer) {
  const { status, json } = await call('POST', '/contacts', token, {
    department: DEPT, channel: 'phone', category: 'complaint',
    customer: { id: `e2e-${Date.now()}`, name: customer, phone: '13800000007' }, fields: {},
  });
  if (status !== 201) throw new Error(`open contact: ${status} ${JSON.stringify(json)}`);
  return json.id;
}

// --- the browser ----------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  // A fresh profile every run (playwright's own temporary --user-data-dir).
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

const results = [];
const problems = [];

async function page(user, lang = 'zh') {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const p = await context.newPage();
  p.on('pageerror', (e) => problems.push(`${user.name}: page error: ${e.message}`));
  p.on('console', (m) => { if (m.type() === 'error' && !/40[134]|Failed to load resource/.test(m.text())) problems.push(`${user.name}: console: ${m.text()}`); });
  await p.goto(`${base}/console`);
  if (lang === 'en') await p.click('#lang');
  await p.fill('input[name=name]', user.name);
  await p.fill('input[name=password]', user.password);
  await p.click('button[type=submit]');
  await p.waitForSelector('#who:not(:empty)');
  await p.waitForSelector('.live.on', { timeout: 10000 });
  return p;
}

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.message.split('\n').slice(0, 6).join('\n     ')}`);
  }
}

/// A screenshot from the top of the page (so the sticky bar sits on top).
async function shot(p, options) {
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.waitForTimeout(150);
  await p.screenshot(options);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const agentToken = await tokenOf(users.agent);
const adminToken = await tokenOf(users.admin);
let complaint = null;
let ringing = null;

await step('the console is served from the binary, with types and cache headers', async () => {
  for (const [path, type] of [['/console', 'text/html'], ['/console/app.js', 'text/javascript'], ['/console/style.css', 'text/css']]) {
    const r = await fetch(`${base}${path}`);
    assert(r.status === 200, `${path}: ${r.status}`);
    assert(r.headers.get('content-type').startsWith(type), `${path}: ${r.headers.get('content-type')}`);
    assert(r.headers.get('cache-control'), `${path}: no cache-control`);
    const etag = r.headers.get('etag');
    if (path !== '/console') {
      const again = await fetch(`${base}${path}`, { headers: { 'If-None-Match': etag } });
      assert(again.status === 304, `${path}: revalidation answered ${again.status}`);
    }
  }
  const missing = await fetch(`${base}/console/nope.js`);
  assert(missing.status === 404, `unknown file: ${missing.status}`);
});

const agent = await page(users.agent);

await step('agent handles a complaint end to end, seeing a violation before sending', async () => {
  complaint = await openContact(agentToken, '王小明');
  const row = agent.locator(`#queue li[data-id="${complaint}"]`);
  await row.waitFor({ timeout: 10000 });
  assert(/等待|waiting/.test(await row.textContent()), 'the queue shows no waiting time');
  await row.locator('a').click();
  await agent.waitForSelector('#customer-name:has-text("王小明")');
  await agent.keyboard.press('a'); // answer
  await agent.waitForSelector('#contact-state.state-in_progress');
  const script = await agent.locator('#scripts li.current').textContent();
  assert(script.includes('欢迎致电'), `the greeting script is missing: ${script}`);
  assert((await agent.locator('#scripts').textContent()).includes('王小明'), 'scripts are not filled with the customer name');

  // The greeting, from the script, fits the SOP and is sent.
  await agent.locator('#scripts li.current button').click();
  await agent.waitForSelector('#check .ok', { timeout: 10000 });
  await agent.locator('#compose').press('Enter');
  await agent.waitForSelector('#timeline li.ev-message', { timeout: 10000 });

  // A rude sentence is flagged while typing, before anything is sent.
  await agent.locator('#compose').focus();
  await agent.keyboard.type('你听不懂吗?');
  await agent.waitForSelector('#check .violation', { timeout: 10000 });
  const violation = await agent.locator('#check .violation').first().textContent();
  assert(/PM-2\.k/.test(violation), `no rule in the violation: ${violation}`);
  assert(await agent.locator('#check .suggestion').count() > 0, 'no suggested wording');
  await agent.keyboard.press('Enter'); // refused while the violation stands
  await agent.waitForTimeout(500);
  assert(!(await agent.locator('#timeline').textContent()).includes('你听不懂吗'), 'the rude sentence was sent');
  await shot(agent, { path: join(shots, 'agent-violation.png'), fullPage: true });
  await agent.locator('#check .use-suggestion').first().click();
  await agent.waitForSelector('#check .ok', { timeout: 10000 });
  await agent.locator('#compose').press('Enter');
  await agent.waitForFunction(() => document.querySelectorAll('#timeline li.ev-message').length === 2, null, { timeout: 10000 });

  // The room is required before handing off.
  await agent.keyboard.press('Escape');
  await agent.keyboard.press('e'); // end the call
  await agent.waitForSelector('#contact-state.state-pending');
  const room = agent.locator('#fields-card input[data-field="room"]');
  if (await room.count()) {
    await room.fill('5栋1203');
    await room.press('Enter');
    await agent.waitForSelector('#fields-card label.field.done');
  }
  await agent.locator('#app').focus();
  await agent.keyboard.press('h');
  await agent.fill('#action-form input[name=to]', '工程部');
  await agent.keyboard.press('Enter');
  await agent.waitForSelector('#timeline li.ev-handed_off');
  await agent.keyboard.press('n');
  await agent.waitForSelector('#timeline li.ev-customer_notified');
  await agent.keyboard.press('r');
  await agent.locator('#action-form button[type=submit]').click();
  await agent.waitForSelector('#contact-state.state-resolved', { timeout: 10000 });
  const { json } = await call('GET', `/contacts/${complaint}`, agentToken);
  assert(json.state === 'resolved', `the server has ${json.state}`);
  const said = json.timeline.filter((e) => e.entry === 'event' && e.type === 'message').map((e) => e.text);
  assert(said.length === 2 && !said.some((m) => m.includes('听不懂')), `messages sent: ${JSON.stringify(said)}`);
  const fields = json.timeline.filter((e) => e.type === 'field_set');
  assert(fields.length === 1, `field_set recorded ${fields.length} times`);
  const penalties = json.timeline.filter((e) => e.kind === 'penalty');
  assert(penalties.length === 0, `penalties: ${JSON.stringify(penalties)}`);
  await shot(agent, { path: join(shots, 'agent-contact.png'), fullPage: true });
});

await step('a deadline turns red when it passes', async () => {
  ringing = await openContact(agentToken, '李秀英');
  await agent.goto(`${base}/console#/agent/${ringing}`);
  const answer = agent.locator('#deadlines li.deadline[data-name="answer"]');
  await answer.waitFor({ timeout: 10000 });
  const before = await answer.getAttribute('class');
  assert(!before.includes('red'), `red before due: ${before}`);
  await agent.waitForSelector('#deadlines li.deadline.red[data-name="answer"]', { timeout: 60000 });
  // …and the server's miss arrives through the stream.
  await agent.waitForSelector('#deadlines li.deadline.red[data-status="missed"]', { timeout: 20000 });
  await agent.waitForSelector('#timeline li.oc-deadline_missed', { timeout: 10000 });
  await shot(agent, { path: join(shots, 'agent-deadline-missed.png'), fullPage: true });
});

await step('a supervisor sees the miss', async () => {
  const sup = await page(users.supervisor);
  await sup.waitForSelector(`#misses li[data-contact="${ringing}"][data-kind="deadline_missed"]`, { timeout: 20000 });
  await sup.waitForSelector('#sla svg rect', { timeout: 10000 });
  await sup.waitForSelector(`#open-contacts tr[data-id="${ringing}"]`);
  await sup.locator(`#misses li[data-contact="${ringing}"] a`).first().click();
  await sup.waitForSelector('#drill #timeline li.oc-deadline_missed');
  await shot(sup, { path: join(shots, 'supervisor.png'), fullPage: true });
  await sup.context().close();
});

await step('an admin swaps the SOP and new contacts follow it', async () => {
  const adm = await page(users.admin);
  const dept = adm.locator(`article.dept[data-id="${DEPT}"]`);
  await dept.waitFor();
  const before = Number((await dept.locator('.revision').textContent()).replace('#', ''));
  await dept.locator(`button[data-edit="${DEPT}"]`).click();
  const name = dept.locator('input[name="property_name"]');
  const rings = dept.locator('input[name="max_rings"]');
  // Validation from the manifest: an integer parameter refuses text.
  await rings.fill('three');
  await dept.locator(`button[data-preview="${DEPT}"]`).click();
  await dept.locator('#swap-preview .error').waitFor();
  await rings.fill('3');
  await name.fill('测试花园');
  await dept.locator(`button[data-preview="${DEPT}"]`).click();
  const preview = dept.locator('#swap-preview .pinned');
  await preview.waitFor();
  const pinned = Number(await preview.getAttribute('data-pinned'));
  assert(pinned >= 1, `the preview shows ${pinned} pinned contacts`);
  await shot(adm, { path: join(shots, 'admin-swap-preview.png'), fullPage: true });
  await dept.locator(`button[data-apply="${DEPT}"]`).click();
  await adm.waitForSelector(`article.dept[data-id="${DEPT}"] .revision:has-text("#${before + 1}")`, { timeout: 10000 });
  await adm.waitForSelector('#audit-table td:has-text("swap")');
  await shot(adm, { path: join(shots, 'admin.png'), fullPage: true });
  await adm.context().close();

  // A new contact follows the new binding; the resolved one keeps its own.
  const fresh = await openContact(agentToken, '赵敏');
  await agent.goto(`${base}/console#/agent/${fresh}`);
  await agent.waitForSelector('#customer-name:has-text("赵敏")');
  await agent.keyboard.press('a');
  await agent.waitForSelector('#scripts li.current:has-text("测试花园")', { timeout: 10000 });
  const { json } = await call('GET', `/contacts/${fresh}`, agentToken);
  assert(json.plugin.binding === before + 1, `the new contact is on binding ${json.plugin.binding}`);
  const old = await call('GET', `/contacts/${ringing}`, agentToken);
  assert(old.json.plugin.binding === before, `the older contact moved to ${old.json.plugin.binding}`);
});

await step("an agent of another department cannot open this department's contact", async () => {
  const other = await page(users.other, 'en');
  await other.goto(`${base}/console#/agent/${complaint}`);
  await other.waitForSelector('.notfound', { timeout: 10000 });
  assert(!(await other.locator('#app').textContent()).includes('王小明'), 'the customer name leaked');
  assert(await other.locator(`#queue li[data-id="${ringing}"]`).count() === 0, 'the queue lists another department');
  const { status } = await call('GET', `/contacts/${complaint}`, await tokenOf(users.other));
  assert(status === 404, `the API answered ${status}`);
  await shot(other, { path: join(shots, 'agent-other-department-en.png') });
  await other.context().close();
});

await step('the agent screen in English, with the queue and points', async () => {
  await agent.goto(`${base}/console#/agent`);
  await agent.click('#lang');
  await agent.waitForSelector('#nav a:has-text("Agent")');
  await agent.waitForSelector('#points-total');
  await shot(agent, { path: join(shots, 'agent-queue-en.png'), fullPage: true });
  await agent.click('#lang');
});

await browser.close();
for (const p of problems) console.log(`warning: ${p}`);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`screenshots: ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || problems.some((p) => p.includes('page error')) ? 1 : 0);

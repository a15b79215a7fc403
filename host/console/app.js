// The console's shell: sign-in, the bar, the views by role, the live stream.
//
// Views are modules with `mount(root, ctx)` returning
// `{ unmount(), outcome(o), tick(now), resync() }`; the shell routes by the hash
// (`#/agent`, `#/agent/CONTACT`, `#/supervisor`, `#/supervisor/CONTACT`, `#/admin`).

import { api, session, stream } from './api.js';
import { t, lang, setLang } from './i18n.js';
import { h, toast } from './util.js';
import * as agent from './agent.js';
import * as supervisor from './supervisor.js';
import * as admin from './admin.js';

const VIEWS = { agent, supervisor, admin };
const ALLOWED = {
  agent: ['agent'],
  supervisor: ['supervisor', 'admin'],
  admin: ['admin'],
};

const root = document.getElementById('app');
let current = null; // { name, arg, view }
let closeStream = null;
let live = false;
/// Why the server ended the session, shown on the sign-in form that follows.
let endedBecause = null;
/// The 401 codes that say why a session ended (see the API's 401 answers).
const ENDED = ['token_revoked', 'token_expired', 'user_disabled', 'user_deleted'];

function defaultView(role) {
  if (role === 'admin') return 'admin';
  if (role === 'supervisor') return 'supervisor';
  return 'agent';
}

function route() {
  const [, name = '', arg = ''] = location.hash.match(/^#\/([a-z]+)\/?(.*)$/) ?? [];
  return { name, arg: decodeURIComponent(arg) };
}

export function go(name, arg = '') {
  const hash = `#/${name}${arg ? `/${encodeURIComponent(arg)}` : ''}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

function bar() {
  document.title = t('app.title');
  document.getElementById('title').textContent = t('app.title');
  document.getElementById('lang').textContent = t('lang.switch');
  const logout = document.getElementById('logout');
  logout.textContent = t('logout');
  logout.hidden = !session.user;
  const who = document.getElementById('who');
  who.textContent = session.user ? `${session.user.name} · ${t(`role.${session.user.role}`)}` : '';
  const nav = document.getElementById('nav');
  nav.replaceChildren();
  if (session.user) {
    for (const name of Object.keys(VIEWS)) {
      if (!ALLOWED[name].includes(session.user.role)) continue;
      const active = current?.name === name;
      nav.append(h('a', { href: `#/${name}`, class: active ? 'active' : '', 'aria-current': active ? 'page' : null }, t(`nav.${name}`)));
    }
  }
  const liveEl = document.getElementById('live');
  liveEl.hidden = !session.user;
  liveEl.className = `live ${live ? 'on' : 'off'}`;
  liveEl.textContent = live ? t('live.on') : t('live.off');
}

function render() {
  if (!session.user) {
    unmount();
    bar();
    root.replaceChildren(loginForm());
    root.querySelector('input')?.focus();
    return;
  }
  let { name, arg } = route();
  if (!VIEWS[name] || !ALLOWED[name].includes(session.user.role)) {
    name = defaultView(session.user.role);
    arg = '';
    history.replaceState(null, '', `#/${name}`);
  }
  if (current && current.name === name && current.view.show) {
    current.arg = arg;
    current.view.show(arg);
    bar();
    return;
  }
  unmount();
  root.replaceChildren();
  const ctx = { user: session.user, go, arg };
  current = { name, arg, view: VIEWS[name].mount(root, ctx) };
  bar();
}

function unmount() {
  current?.view.unmount?.();
  current = null;
}

function loginForm() {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autocapitalize: 'off' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p.error#login-error', { role: 'alert' }, endedBecause ?? '');
  endedBecause = null;
  const form = h('form.login.card', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        const answer = await api('POST', '/login', { name: name.value.trim(), password: password.value });
        session.token = answer.token;
        session.user = answer.user;
        start();
      } catch (err) {
        error.textContent = loginError(err);
        password.select();
      }
    },
  },
  h('h1', t('login.title')),
  h('label', t('login.name'), name),
  h('label', t('login.password'), password),
  error,
  h('button.primary', { type: 'submit' }, t('login.submit')));
  return h('div.centered', form);
}

/// What a refused login means, in the console's language.
function loginError(err) {
  if (err.status === 401) return t('login.failed');
  if (err.code === 'user_disabled') return t('login.disabled');
  if (err.status === 429) return t('login.throttled', { seconds: err.retryAfter ?? 60 });
  if (err.status === 503) return t('login.busy');
  return t('err.network', { what: err.message });
}

function start() {
  closeStream?.();
  closeStream = stream((outcome) => current?.view.outcome?.(outcome), (on) => {
    live = on;
    bar();
    // Whatever happened while the stream was not connected (before it
    // first opened, or during a reconnect) never arrives on it: read again.
    if (on) current?.view.resync?.();
  });
  if (!route().name) history.replaceState(null, '', `#/${defaultView(session.user.role)}`);
  render();
}

/// The sign-out button: the server revokes the token, then the console forgets it.
async function signOut() {
  closeStream?.();
  closeStream = null;
  try { await api('POST', '/logout'); } catch { /* already ended on the server */ }
  logout();
}

function logout() {
  closeStream?.();
  closeStream = null;
  session.token = null;
  session.user = null;
  live = false;
  history.replaceState(null, '', '#/');
  render();
}

async function boot() {
  setLang(lang);
  document.getElementById('lang').addEventListener('click', () => {
    setLang(lang === 'zh' ? 'en' : 'zh');
    const saved = current ? { name: current.name, arg: current.arg } : null;
    unmount();
    bar();
    if (saved) render();
    else render();
  });
  document.getElementById('logout').addEventListener('click', signOut);
  window.addEventListener('hashchange', render);
  window.addEventListener('sopline:logout', (e) => {
    if (!session.user) return;
    const code = e.detail?.code;
    endedBecause = t(ENDED.includes(code) ? `session.${code}` : 'session.unauthorized');
    toast(endedBecause, 'error');
    logout();
  });
  // Countdowns tick once a second, in every view.
  setInterval(() => current?.view.tick?.(Date.now()), 1000);
  if (session.token) {
    try {
      session.user = await api('GET', '/me');
      start();
      return;
    } catch {
      session.token = null;
    }
  }
  render();
}

boot();

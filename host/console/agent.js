// The agent's screen: the queue, the open contact with its script, the
// checked message box, one-key lifecycle actions, countdowns, callbacks and
// points. Keyboard first: see `KEYS`.

import { get, post, q } from './api.js';
import { t, label } from './i18n.js';
import { h, span, clock, ms, toast, typing } from './util.js';
import { deadlineRow, deadlineClass, timelineList, manifestOf } from './supervisor.js';

/// One key per lifecycle action (also with Alt while typing).
const KEYS = { a: 'answer', i: 'identify', h: 'handoff', n: 'notify', r: 'resolve', e: 'end' };

export function mount(root, ctx) {
  const me = ctx.user.name;
  const state = {
    contacts: [],
    deadlines: [],
    callbacks: [],
    points: null,
    open: null, // the contact view
    openId: ctx.arg || null,
    manifest: null,
    selected: 0,
    lastCheck: null,
    pendingForm: null,
  };

  // The three columns.
  const queueList = h('ol.list#queue', { 'aria-label': t('queue.title') });
  const mineList = h('ol.list#mine', { 'aria-label': t('mine.title') });
  const callbackList = h('ul.list#callbacks');
  const pointsBox = h('div#points');
  const allDeadlines = h('ul.list#all-deadlines');
  const left = h('aside.col.left',
    h('section.card', h('h2', t('queue.title')), queueList),
    h('section.card', h('h2', t('mine.title')), mineList),
    h('section.card', h('h2', t('callbacks.title')), callbackList),
    h('section.card', h('h2', t('points.title')), pointsBox));
  const center = h('section.col.center#contact', { 'aria-live': 'polite' });
  const right = h('aside.col.right',
    h('section.card', h('h2', t('deadlines.title')), h('ul.list#deadlines'), h('h3', t('deadlines.all')), allDeadlines),
    h('section.card#fields-card', { hidden: true }));
  const page = h('div.agent.grid3', left, center, right);
  root.append(page);

  // --- data ---------------------------------------------------------------

  async function loadLists() {
    try {
      const [contacts, deadlines, callbacks] = await Promise.all([
        get('/contacts?limit=200'),
        get('/deadlines'),
        get('/callbacks'),
      ]);
      state.contacts = contacts.contacts;
      state.deadlines = deadlines.deadlines;
      state.callbacks = callbacks.callbacks;
      drawLists();
    } catch (e) {
      toast(t('err.network', { what: e.message }), 'error');
    }
  }

  async function loadPoints() {
    const now = new Date();
    const from = new Date(now.getFullYear(), now.getMonth(), 1).toISOString();
    try {
      state.points = await get(`/points${q({ from })}`);
    } catch {
      state.points = null;
    }
    drawPoints();
  }

  async function loadContact() {
    if (!state.openId) {
      state.open = null;
      drawContact();
      return;
    }
    try {
      state.open = await get(`/contacts/${encodeURIComponent(state.openId)}`);
      state.manifest = await manifestOf(state.open.plugin);
    } catch (e) {
      state.open = { error: e.status === 404 || e.status === 403 ? t('contact.notfound') : e.message };
    }
    drawContact();
  }

  // --- the left column ----------------------------------------------------

  function queueItems() {
    const waiting = state.contacts.filter((c) => c.state === 'waiting').sort((a, b) => ms(a.opened_at) - ms(b.opened_at));
    const mine = state.contacts.filter((c) => c.agent === me && c.state !== 'waiting' && c.state !== 'closed');
    return { waiting, mine };
  }

  function drawLists() {
    const { waiting, mine } = queueItems();
    const all = [...waiting, ...mine];
    state.selected = Math.min(state.selected, Math.max(0, all.length - 1));
    const item = (c, i, showWait) => h('li', {
      class: `item${c.id === state.openId ? ' open' : ''}${i === state.selected ? ' selected' : ''}`,
      dataset: { id: c.id },
    },
    h('a', { href: `#/agent/${encodeURIComponent(c.id)}` },
      h('span.name', c.customer || c.id),
      h('span.meta', `${label('channel', c.channel)} · ${c.category}`),
      showWait
        ? h('span.wait', { dataset: { since: c.opened_at } }, t('queue.waiting', { time: span(Date.now() - ms(c.opened_at)) }))
        : h(`span.badge.state-${c.state}`, label('state', c.state))));
    queueList.replaceChildren(...(waiting.length ? waiting.map((c, i) => item(c, i, true)) : [h('li.empty', t('queue.empty'))]));
    mineList.replaceChildren(...(mine.length ? mine.map((c, i) => item(c, i + waiting.length, false)) : [h('li.empty', t('mine.empty'))]));

    callbackList.replaceChildren(...(state.callbacks.length
      ? state.callbacks.map((cb) => h(`li.item.cb-${cb.status}`,
        h('a', { href: `#/agent/${encodeURIComponent(cb.contact)}` },
          h('span.name', cb.purpose || cb.id),
          h('span.meta', `${clock(cb.due)} · ${cb.contact}`),
          h(`span.badge.cb-${cb.status}`, t(`callbacks.${cb.status}`) ?? cb.status))))
      : [h('li.empty', t('callbacks.none'))]));

    const shown = state.deadlines.filter((d) => {
      const c = state.contacts.find((x) => x.id === d.contact);
      return !c || c.agent === me || c.state === 'waiting';
    });
    allDeadlines.replaceChildren(...(shown.length
      ? shown.slice(0, 12).map((d) => deadlineRow(d, { link: `#/agent/${encodeURIComponent(d.contact)}`, contact: d.contact }))
      : [h('li.empty', t('deadlines.none'))]));
  }

  function drawPoints() {
    const a = state.points?.agents?.find((x) => x.agent === me) ?? { penalties: 0, rewards: 0, total: 0 };
    pointsBox.replaceChildren(h('dl.points',
      h('div', h('dt', t('points.penalties')), h('dd.bad', a.penalties ? `-${a.penalties}` : '0')),
      h('div', h('dt', t('points.rewards')), h('dd.good', a.rewards ? `+${a.rewards}` : '0')),
      h('div', h('dt', t('points.total')), h('dd#points-total', `${a.total > 0 ? '+' : ''}${a.total}`))));
  }

  // --- the open contact ---------------------------------------------------

  function drawContact() {
    const c = state.open;
    const deadlinesEl = right.querySelector('#deadlines');
    const fieldsCard = right.querySelector('#fields-card');
    if (!c || c.error) slots = null;
    if (!c) {
      center.replaceChildren(h('div.card.placeholder', h('p', t('contact.none')), h('p.keys', t('action.keys'))));
      deadlinesEl.replaceChildren(h('li.empty', t('deadlines.none')));
      fieldsCard.hidden = true;
      return;
    }
    if (c.error) {
      center.replaceChildren(h('div.card.placeholder.notfound', { role: 'alert' }, h('p', c.error)));
      deadlinesEl.replaceChildren();
      fieldsCard.hidden = true;
      return;
    }
    const customer = c.customer ?? {};
    const header = h('section.card.head',
      h('div.who',
        h('h1#customer-name', customer.name || customer.id || c.id),
        h('span.phone', customer.phone ?? ''),
        h(`span.badge.state-${c.state}#contact-state`, label('state', c.state))),
      h('dl.facts',
        fact('contact.channel', label('channel', c.channel)),
        fact('contact.category', c.category),
        fact('contact.agent', c.agent ?? '—'),
        fact('contact.opened', clock(c.opened_at)),
        fact('contact.plugin', `${c.plugin.id}@${c.plugin.version} (#${c.plugin.binding})`),
        ...Object.entries(c.fields ?? {}).map(([k, v]) => fact(null, v, k))));
    // The message box and an open action form survive live refreshes: a
    // draft is never lost because an outcome arrived.
    if (!slots || slots.id !== c.id) {
      slots = {
        id: c.id,
        head: h('div'),
        buttons: h('div'),
        form: h('div#action-form'),
        script: h('div'),
        compose: composer(c),
        timeline: h('section.card', h('h2', t('timeline.title')), h('div')),
      };
      center.replaceChildren(slots.head, h('section.card.actions', { 'aria-label': 'actions' }, slots.buttons, slots.form), slots.script, slots.compose, slots.timeline);
    }
    slots.head.replaceChildren(header);
    slots.buttons.replaceChildren(actionButtons(c));
    const scene = slots.script.querySelector('#scene')?.value;
    slots.script.replaceChildren(scriptCard(c));
    if (scene) {
      const pick = slots.script.querySelector('#scene');
      pick.value = scene;
      pick.dispatchEvent(new Event('change'));
    }
    slots.compose.querySelector('#compose').disabled = c.state === 'closed';
    slots.timeline.lastChild.replaceWith(timelineList(c.timeline));

    const running = c.deadlines.filter((d) => d.status === 'pending' || d.status === 'missed');
    const started = startsOf(c.timeline);
    deadlinesEl.replaceChildren(...(running.length
      ? running.map((d) => deadlineRow({ ...d, set: started[d.name] }, { big: true }))
      : [h('li.empty', t('deadlines.none'))]));
    drawFields(c, fieldsCard);
    tick(Date.now());
  }

  function fact(key, value, raw) {
    return h('div', h('dt', key ? t(key) : raw), h('dd', value));
  }

  /// When each deadline was set, to colour its countdown by the share left.
  function startsOf(timeline) {
    const out = {};
    for (const e of timeline) if (e.entry === 'outcome' && e.kind === 'deadline_set') out[e.name] = e.at;
    return out;
  }

  let slots = null;

  function actionButtons(c) {
    const btn = (action, key, extra = {}) => h('button.action', {
      type: 'button', dataset: { action }, title: `${t(`action.${action}`)} (${key.toUpperCase()})`,
      onclick: () => act(action), ...extra,
    }, h('kbd', key.toUpperCase()), ' ', t(`action.${action}`));
    const custom = (state.manifest?.event_types ?? []).map((type) => h('button.action.secondary', {
      type: 'button', dataset: { action: `custom:${type}` }, onclick: () => act(`custom:${type}`), disabled: c.state === 'waiting' || c.state === 'closed',
    }, label('event', type)));
    const openCallbacks = c.callbacks.filter((cb) => cb.status !== 'done');
    return h('div.buttons',
        btn('answer', 'a', { disabled: c.state !== 'waiting' }),
        btn('identify', 'i', { disabled: c.state === 'waiting' || c.state === 'closed' }),
        btn('handoff', 'h', { disabled: c.state === 'waiting' || c.state === 'closed' }),
        btn('notify', 'n', { disabled: c.state === 'waiting' || c.state === 'closed' }),
        btn('resolve', 'r', { disabled: c.state === 'waiting' || c.state === 'resolved' || c.state === 'closed' }),
        btn('end', 'e', { disabled: c.state !== 'in_progress' }),
        ...custom,
        openCallbacks.length ? h('button.action.secondary', { type: 'button', dataset: { action: 'callback' }, onclick: () => act('callback') }, t('action.callback')) : null,
        c.state === 'resolved' ? h('button.action.secondary', { type: 'button', dataset: { action: 'close' }, onclick: () => act('close') }, t('action.close')) : null);
  }

  function scriptCard(c) {
    // The scripts the plugin showed for the latest step, in order; the first is the current scene.
    let groups = [[]];
    for (const e of c.timeline) {
      if (e.entry === 'event') groups.push([]);
      else if (e.kind === 'script') groups[groups.length - 1].push(e);
    }
    groups = groups.filter((g) => g.length);
    const latest = groups[groups.length - 1] ?? [];
    const list = h('ol.scripts#scripts', ...latest.map((s, i) => h(`li${i === 0 ? '.current' : ''}`,
      h('span.scene', s.scene),
      h('p.text', s.text),
      h('button.ghost.small', { type: 'button', onclick: () => useText(s.text) }, t('script.use')))));
    const scenes = state.manifest?.scenes ?? [];
    const pick = h('select#scene', { 'aria-label': t('script.scene') }, h('option', { value: '' }, `${t('script.scene')}…`), ...scenes.map((s) => h('option', { value: s }, s)));
    const picked = h('div.picked');
    pick.addEventListener('change', async () => {
      if (!pick.value) return picked.replaceChildren();
      try {
        const answer = await get(`/contacts/${encodeURIComponent(c.id)}/script${q({ scene: pick.value })}`);
        picked.replaceChildren(answer.text
          ? h('div.script-pick', h('p.text', answer.text), h('button.ghost.small', { type: 'button', onclick: () => useText(answer.text) }, t('script.use')))
          : h('p.muted', t('script.none')));
      } catch (e) {
        picked.replaceChildren(h('p.error', e.message));
      }
    });
    return h('section.card.script', h('div.row', h('h2', t('script.title')), h('span.spacer'), pick), latest.length ? list : h('p.muted', t('script.none')), picked);
  }

  function useText(text) {
    const box = center.querySelector('#compose');
    if (!box) return;
    box.value = text;
    box.focus();
    checkSoon();
  }

  // --- the message box, checked against the SOP as the agent types ---------

  let checkTimer = null;
  function checkSoon() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => check(false), 350);
  }

  function composer(c) {
    const box = h('textarea#compose', { rows: 3, placeholder: t('compose.placeholder'), 'aria-describedby': 'check', disabled: c.state === 'closed' });
    const result = h('div#check', { 'aria-live': 'polite' });
    const customerBox = h('input#customer-said', { placeholder: t('compose.customer.placeholder') });
    box.addEventListener('input', checkSoon);
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send(e.ctrlKey || e.metaKey);
      } else if (e.key === 'Escape') {
        box.blur();
      }
    });
    customerBox.addEventListener('keydown', async (e) => {
      if (e.key !== 'Enter' || e.isComposing || !customerBox.value.trim()) return;
      e.preventDefault();
      await postEvent({ type: 'message', from: 'customer', text: customerBox.value.trim() }, t('event.message'));
      customerBox.value = '';
    });
    return h('section.card.compose',
      box,
      h('div.row', result, h('span.spacer'), h('button.primary#send', { type: 'button', onclick: () => send(false) }, t('compose.send'))),
      h('details', h('summary', t('compose.customer')), customerBox));
  }

  /// Checks the text; returns the violations (and shows them).
  async function check(final) {
    const box = center.querySelector('#compose');
    const result = center.querySelector('#check');
    const text = box?.value.trim();
    if (!box || !state.open?.id) return [];
    if (!text) {
      result.replaceChildren();
      return [];
    }
    if (final) result.replaceChildren(h('span.muted', t('compose.checking')));
    try {
      const answer = await post(`/contacts/${encodeURIComponent(state.open.id)}/check`, { text });
      if (box.value.trim() !== text) return answer.violations; // typed on meanwhile
      state.lastCheck = { text, violations: answer.violations };
      showCheck(answer.violations);
      return answer.violations;
    } catch (e) {
      result.replaceChildren(h('span.error', e.message));
      return [];
    }
  }

  function showCheck(violations) {
    const result = center.querySelector('#check');
    if (!violations.length) {
      result.replaceChildren(h('span.ok', '✓ ', t('compose.ok')));
      return;
    }
    result.replaceChildren(...violations.map((v) => h('div.violation', { role: 'alert' },
      h('strong', t('compose.violation'), ' ', h('code', v.rule)), ' ',
      h('mark', v.excerpt), ' — ', v.reason,
      v.suggestion ? h('div.suggestion', h('span', `${t('compose.suggest')}: `), h('q', v.suggestion), ' ',
        h('button.ghost.small.use-suggestion', { type: 'button', onclick: () => useSuggestion(v) }, t('compose.use'))) : null)),
    h('button.ghost.small.danger', { type: 'button', onclick: () => send(true) }, t('compose.sendAnyway')));
  }

  function useSuggestion(v) {
    const box = center.querySelector('#compose');
    box.value = box.value.includes(v.excerpt) ? box.value.split(v.excerpt).join(v.suggestion) : v.suggestion;
    box.focus();
    check(true);
  }

  async function send(anyway) {
    const box = center.querySelector('#compose');
    const text = box?.value.trim();
    if (!text) return;
    const violations = state.lastCheck?.text === text ? state.lastCheck.violations : await check(true);
    if (violations.length && !anyway) {
      showCheck(violations);
      box.focus();
      return;
    }
    const ok = await postEvent({ type: 'message', from: 'agent', agent: me, text }, t('event.message'));
    if (ok) {
      box.value = '';
      state.lastCheck = null;
      center.querySelector('#check')?.replaceChildren();
    }
  }

  // --- required fields ------------------------------------------------------

  function drawFields(c, card) {
    const needed = new Map();
    for (const e of c.timeline) {
      if (e.entry === 'outcome' && e.kind === 'fields_required') for (const f of e.fields) needed.set(f, e.before);
    }
    if (!needed.size) {
      card.hidden = true;
      return;
    }
    card.hidden = false;
    const rows = [...needed.entries()].map(([name, before]) => {
      const value = c.fields?.[name] ?? '';
      const input = h('input', { name, value, dataset: { field: name }, placeholder: `${label('event', before)}` });
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.isComposing) {
          e.preventDefault();
          input.blur(); // records it once, through `change`
        }
      });
      input.addEventListener('change', () => {
        if (input.value.trim() && input.value.trim() !== value) postEvent({ type: 'field_set', name, value: input.value.trim() }, `${name} = ${input.value.trim()}`);
      });
      return h(`label.field${value ? '.done' : ''}`, h('span', name, value ? ' ✓' : ''), input);
    });
    card.replaceChildren(h('h2', t('contact.fields')), ...rows);
  }

  // --- actions ------------------------------------------------------------

  async function postEvent(body, what) {
    const id = state.open?.id;
    if (!id) return false;
    try {
      const answer = await post(`/contacts/${encodeURIComponent(id)}/events`, body);
      const rejected = answer.outcomes.find((o) => o.kind === 'rejected');
      if (rejected) toast(t('action.rejected', { error: rejected.error }), 'error');
      else toast(t('action.done', { what }), 'ok');
      await Promise.all([loadContact(), loadLists()]);
      if (answer.outcomes.some((o) => o.kind === 'penalty' || o.kind === 'reward')) loadPoints();
      return !rejected;
    } catch (e) {
      toast(t('action.rejected', { error: e.message }), 'error');
      return false;
    }
  }

  function inlineForm(fields, submit) {
    const box = center.querySelector('#action-form');
    if (!box) return;
    const inputs = fields.map((f) => {
      const input = f.options
        ? h('select', { name: f.name }, ...f.options.map(([v, text]) => h('option', { value: v }, text)))
        : f.type === 'checkbox'
          ? h('input', { type: 'checkbox', name: f.name, checked: !!f.value })
          : h('input', { name: f.name, value: f.value ?? '', required: true, list: f.list ? `${f.name}-list` : null });
      return h('label', f.label, input, f.list ? h('datalist', { id: `${f.name}-list` }, ...f.list.map((v) => h('option', { value: v }))) : null);
    });
    const form = h('form.inline', {
      onsubmit: (e) => {
        e.preventDefault();
        const values = {};
        for (const el of form.elements) if (el.name) values[el.name] = el.type === 'checkbox' ? el.checked : el.value.trim();
        box.replaceChildren();
        submit(values);
      },
      onkeydown: (e) => { if (e.key === 'Escape') { box.replaceChildren(); document.getElementById('app').focus(); } },
    }, ...inputs, h('button.primary', { type: 'submit' }, 'OK'), h('button.ghost', { type: 'button', onclick: () => box.replaceChildren() }, t('admin.cancel')));
    box.replaceChildren(form);
    form.querySelector('input,select')?.focus();
  }

  function act(action) {
    const c = state.open;
    if (!c || c.error) return;
    const button = center.querySelector(`[data-action="${action}"]`);
    if (button?.disabled) return;
    switch (action) {
      case 'answer': return postEvent({ type: 'answered', agent: me }, t('action.answer'));
      case 'identify': return inlineForm([{ name: 'method', label: t('action.identify.method'), value: c.channel === 'phone' ? 'phone' : c.channel }],
        (v) => postEvent({ type: 'identified', agent: me, method: v.method }, t('action.identify')));
      case 'handoff': return inlineForm([{ name: 'to', label: t('action.handoff.to'), value: '', list: ['工程部', '客服中心', '安保部', '财务部', '维修部'] }],
        (v) => v.to && postEvent({ type: 'handed_off', agent: me, to: v.to }, `${t('action.handoff')} → ${v.to}`));
      case 'notify': return postEvent({ type: 'customer_notified', agent: me }, t('action.notify'));
      case 'resolve': return inlineForm([{ name: 'first', type: 'checkbox', label: t('action.resolve.first'), value: c.state === 'in_progress' }],
        (v) => postEvent({ type: 'resolved', agent: me, on_first_contact: !!v.first }, t('action.resolve')));
      case 'end': return postEvent({ type: 'ended', agent: me }, t('action.end'));
      case 'close': return postEvent({ type: 'closed', agent: me }, t('action.close'));
      case 'callback': {
        const open = c.callbacks.filter((cb) => cb.status !== 'done');
        return inlineForm([
          { name: 'callback', label: 'ID', options: open.map((cb) => [cb.id, `${cb.id} · ${cb.purpose}`]) },
          { name: 'outcome', label: t('callbacks.title'), options: ['satisfied', 'unsatisfied', 'no_answer', 'reached'].map((o) => [o, t(`cb.outcome.${o}`)]) },
        ], (v) => postEvent({ type: 'callback_attempted', agent: me, outcome: v.outcome, callback: v.callback }, t('action.callback')));
      }
      default:
        if (action.startsWith('custom:')) {
          const type = action.slice(7);
          return inlineForm([{ name: 'note', label: 'note', value: '' }], (v) => {
            const body = { type, agent: me };
            if (v.note) body.note = v.note;
            return postEvent(body, label('event', type));
          });
        }
    }
    return undefined;
  }

  // --- keyboard -------------------------------------------------------------

  function onKey(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey) return;
    const key = e.key.toLowerCase();
    const inText = typing(e);
    if (inText && !e.altKey) return;
    const code = e.code?.startsWith('Key') ? e.code.slice(3).toLowerCase() : key; // Alt+letter on macOS types symbols
    if (KEYS[code]) {
      e.preventDefault();
      act(KEYS[code]);
      return;
    }
    if (inText) return;
    const { waiting, mine } = queueItems();
    const all = [...waiting, ...mine];
    if (key === '/') {
      e.preventDefault();
      center.querySelector('#compose')?.focus();
    } else if (key === 'j' || e.key === 'ArrowDown') {
      e.preventDefault();
      state.selected = Math.min(all.length - 1, state.selected + 1);
      drawLists();
    } else if (key === 'k' || e.key === 'ArrowUp') {
      e.preventDefault();
      state.selected = Math.max(0, state.selected - 1);
      drawLists();
    } else if (e.key === 'Enter' && all[state.selected]) {
      e.preventDefault();
      ctx.go('agent', all[state.selected].id);
    }
  }
  document.addEventListener('keydown', onKey);

  // --- live -----------------------------------------------------------------

  let listTimer = null;
  let contactTimer = null;
  function outcome(o) {
    clearTimeout(listTimer);
    listTimer = setTimeout(loadLists, 250);
    if (o.contact === state.openId) {
      clearTimeout(contactTimer);
      contactTimer = setTimeout(loadContact, 150);
    }
    if ((o.kind === 'penalty' || o.kind === 'reward') && o.agent === me) loadPoints();
  }

  function tick(now) {
    for (const el of root.querySelectorAll('.wait[data-since]')) {
      el.textContent = t('queue.waiting', { time: span(now - ms(el.dataset.since)) });
    }
    for (const el of root.querySelectorAll('.deadline[data-due]')) deadlineClass(el, now);
  }

  function show(arg) {
    state.openId = arg || null;
    state.lastCheck = null;
    loadContact();
    drawLists();
  }

  loadLists();
  loadPoints();
  loadContact();

  return {
    show,
    outcome,
    tick,
    unmount() {
      document.removeEventListener('keydown', onKey);
      clearTimeout(listTimer);
      clearTimeout(contactTimer);
      clearTimeout(checkTimer);
      page.remove();
    },
  };
}

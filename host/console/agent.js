// The agent's screen: the queue, a form to start a contact, the open
// contact with what to do next and its script, the checked message box,
// one-key lifecycle actions, countdowns, callbacks and points. Keyboard
// first: see `KEYS`.

import { get, post, q } from './api.js';
import { t, label } from './i18n.js';
import { h, span, clock, ms, toast, typing, latest } from './util.js';
import { deadlineRow, deadlineClass, timelineList, manifestOf } from './supervisor.js';

/// One key per lifecycle action (also with Alt while typing).
const KEYS = { a: 'answer', i: 'identify', h: 'handoff', n: 'notify', r: 'resolve', e: 'end' };
const CHANNELS = ['phone', 'chat', 'email', 'visit', 'web'];

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
    departments: null, // the caller's departments with their plugin's manifest, for the new-contact form
    creating: false,
  };

  // The three columns.
  const queueList = h('ol.list#queue', { 'aria-label': t('queue.title') });
  const mineList = h('ol.list#mine', { 'aria-label': t('mine.title') });
  const callbackList = h('ul.list#callbacks');
  const pointsBox = h('div#points');
  const allDeadlines = h('ul.list#all-deadlines');
  const left = h('aside.col.left',
    h('button.primary.wide#new-contact', { type: 'button', title: `${t('new.title')} (C)`, onclick: () => newContact() }, h('kbd', 'C'), ' ', t('new.title')),
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

  const loadLists = latest(async (fresh) => {
    try {
      const [contacts, deadlines, callbacks] = await Promise.all([
        get('/contacts?limit=200'),
        get('/deadlines'),
        get('/callbacks'),
      ]);
      if (!fresh()) return;
      state.contacts = contacts.contacts;
      state.deadlines = deadlines.deadlines;
      state.callbacks = callbacks.callbacks;
      drawLists();
    } catch (e) {
      toast(t('err.network', { what: e.message }), 'error');
    }
  });

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

  // A newer load (the stream's, after an action) wins over an older one
  // still on its way: a late answer must not draw a stale contact.
  const loadContact = latest(async (fresh) => {
    if (!state.openId) {
      state.open = null;
      drawContact();
      return;
    }
    let open, manifest = null;
    try {
      open = await get(`/contacts/${encodeURIComponent(state.openId)}`);
      manifest = await manifestOf(open.plugin);
    } catch (e) {
      open = { error: e.status === 404 || e.status === 403 ? t('contact.notfound') : e.message };
    }
    if (!fresh()) return;
    state.open = open;
    state.manifest = manifest;
    drawContact();
  });

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
      h('span.meta', `${label('channel', c.channel)} · ${label('category', c.category)}`),
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
    if (state.creating) return;
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
        fact('contact.category', label('category', c.category)),
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
        next: h('div'),
        buttons: h('div'),
        form: h('div#action-form'),
        script: h('div'),
        compose: composer(c),
        timeline: h('section.card', h('h2', t('timeline.title')), h('div')),
      };
      center.replaceChildren(slots.head, slots.next, h('section.card.actions', { 'aria-label': 'actions' }, slots.buttons, slots.form), slots.script, slots.compose, slots.timeline);
    }
    slots.head.replaceChildren(header);
    slots.next.replaceChildren(nextStep(c));
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
    const more = (action, enabled) => h('button.action.secondary', {
      type: 'button', dataset: { action }, onclick: () => act(action), disabled: !enabled,
    }, t(`action.${action}`));
    return h('div.buttons',
        btn('answer', 'a', { disabled: c.state !== 'waiting' }),
        btn('identify', 'i', { disabled: c.state === 'waiting' || c.state === 'closed' }),
        btn('handoff', 'h', { disabled: c.state === 'waiting' || c.state === 'closed' }),
        btn('notify', 'n', { disabled: c.state === 'waiting' || c.state === 'closed' }),
        btn('resolve', 'r', { disabled: c.state === 'waiting' || c.state === 'resolved' || c.state === 'closed' }),
        btn('end', 'e', { disabled: c.state !== 'in_progress' }),
        ...custom,
        openCallbacks.length ? h('button.action.secondary', { type: 'button', dataset: { action: 'callback' }, onclick: () => act('callback') }, t('action.callback')) : null,
        c.state === 'resolved' ? h('button.action.secondary', { type: 'button', dataset: { action: 'close' }, onclick: () => act('close') }, t('action.close')) : null,
        h('span.more', { 'aria-label': t('action.more') },
          more('replied', c.state !== 'waiting'),
          more('escalate', c.state !== 'waiting' && c.state !== 'closed'),
          more('reopen', ['pending', 'resolved', 'closed'].includes(c.state))));
  }

  /// The fields the plugin asked for that are still empty, with the step that needs them.
  function missingFields(c) {
    const missing = new Map();
    for (const e of c.timeline) {
      if (e.entry === 'outcome' && e.kind === 'fields_required') for (const f of e.fields) if (!c.fields?.[f]) missing.set(f, e.before);
    }
    return [...missing.entries()];
  }

  /// What the SOP expects next, so nobody has to know it by heart: the
  /// lifecycle step, fields still missing, the running time limits (each
  /// with the action that keeps it) and callbacks that fell due.
  function nextStep(c) {
    const steps = [];
    const hint = (name) => {
      const how = label('hint', name);
      return how === name ? '' : how;
    };
    if (c.state === 'waiting') steps.push([t('next.answer'), '']);
    if (c.state === 'in_progress') steps.push([t('next.talk'), '']);
    for (const [field, before] of missingFields(c)) steps.push([t('next.field', { field, before: label('event', before) }), t('next.field.how')]);
    const running = c.deadlines.filter((d) => d.status === 'pending' && d.name !== 'answer').sort((a, b) => ms(a.due) - ms(b.due));
    for (const d of running) steps.push([t('next.deadline', { what: label('deadline', d.name), time: clock(d.due) }), hint(d.name)]);
    for (const cb of c.callbacks.filter((x) => x.status !== 'done' && ms(x.due) <= Date.now())) steps.push([t('next.callback', { what: cb.purpose }), t('next.callback.how')]);
    if (c.state === 'resolved' && !running.length && !c.callbacks.some((x) => x.status !== 'done')) steps.push([t('next.close'), '']);
    if (c.state === 'resolved' && c.callbacks.some((x) => x.status !== 'done' && ms(x.due) > Date.now())) steps.push([t('next.wait.callback'), '']);
    if (c.state === 'closed') steps.push([t('next.closed'), '']);
    return h('section.card.next#next-step', { 'aria-live': 'polite' },
      h('h2', t('next.title')),
      h('ol', ...steps.map(([what, how], i) => h(`li${i === 0 ? '.first' : ''}`, what, how ? h('span.how', ` — ${how}`) : null))));
  }

  // --- a new contact ----------------------------------------------------------

  /// The form to start a contact: the customer, the channel and a category
  /// the department's SOP knows.
  async function newContact() {
    if (!state.departments) {
      try {
        state.departments = (await get('/departments')).departments;
      } catch (e) {
        toast(t('err.network', { what: e.message }), 'error');
        return;
      }
    }
    state.creating = true;
    slots = null;
    const deps = state.departments;
    const department = h('select', { name: 'department', required: true }, ...deps.map((d) => h('option', { value: d.id }, d.binding.name || d.id)));
    const category = h('select', { name: 'category', required: true });
    const fillCategories = () => {
      const d = deps.find((x) => x.id === department.value);
      category.replaceChildren(...(d?.manifest.categories ?? []).map((c) => h('option', { value: c }, label('category', c))));
    };
    department.addEventListener('change', fillCategories);
    fillCategories();
    const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
    const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'off', pattern: '[0-9+\\- ]{3,20}' });
    const channel = h('select', { name: 'channel' }, ...CHANNELS.map((c) => h('option', { value: c }, label('channel', c))));
    const answerNow = h('input', { type: 'checkbox', name: 'answer', checked: true });
    const error = h('p.error', { role: 'alert' });
    const form = h('form.card.new-contact#new-contact-form', {
      onsubmit: async (e) => {
        e.preventDefault();
        error.textContent = '';
        try {
          const created = await post('/contacts', {
            department: department.value, channel: channel.value, category: category.value,
            customer: { name: name.value.trim(), phone: phone.value.trim() },
          });
          if (answerNow.checked) await post(`/contacts/${encodeURIComponent(created.id)}/events`, { type: 'answered', agent: me });
          toast(t('new.done', { name: name.value.trim() }), 'ok');
          state.creating = false;
          ctx.go('agent', created.id);
          loadLists();
        } catch (err) {
          error.textContent = err.message;
        }
      },
      onkeydown: (e) => { if (e.key === 'Escape') cancelNew(); },
    },
    h('h2', t('new.title')),
    h('p.muted.small', t('new.help')),
    h('div.form-grid',
      deps.length > 1 ? h('label', t('new.department'), department) : null,
      h('label', t('contact.customer'), name),
      h('label', t('contact.phone'), phone),
      h('label', t('contact.channel'), channel),
      h('label', t('contact.category'), category)),
    h('label.check', answerNow, ' ', t('new.answer')),
    error,
    h('div.row',
      h('button.primary', { type: 'submit' }, t('new.submit')),
      h('button.ghost', { type: 'button', onclick: cancelNew }, t('admin.cancel'))));
    center.replaceChildren(form);
    name.focus();
  }

  function cancelNew() {
    state.creating = false;
    drawContact();
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

  /// The fields the plugin asked for. The inputs stay in place across live
  /// refreshes (only rebuilt when other fields are asked for), so what an
  /// agent is typing is never wiped by an outcome arriving meanwhile.
  function drawFields(c, card) {
    const needed = new Map();
    for (const e of c.timeline) {
      if (e.entry === 'outcome' && e.kind === 'fields_required') for (const f of e.fields) needed.set(f, e.before);
    }
    card.hidden = !needed.size;
    const names = [...needed.keys()];
    const shown = [...card.querySelectorAll('input[data-field]')].map((i) => i.dataset.field);
    if (card.dataset.contact !== c.id || shown.join('\n') !== names.join('\n')) {
      card.dataset.contact = c.id;
      card.replaceChildren(h('h2', t('contact.fields')), ...names.map((name) => fieldRow(name, needed.get(name))));
    }
    for (const input of card.querySelectorAll('input[data-field]')) {
      const value = c.fields?.[input.dataset.field] ?? '';
      const typing = document.activeElement === input || input.value !== input.dataset.saved;
      if (!typing) input.value = value;
      input.dataset.saved = value;
      const row = input.closest('label');
      row.classList.toggle('done', !!value);
      row.querySelector('span').textContent = `${input.dataset.field}${value ? ' ✓' : ''}`;
    }
  }

  function fieldRow(name, before) {
    const input = h('input', { name, dataset: { field: name, saved: '' }, placeholder: t('fields.before', { before: label('event', before) }) });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.isComposing) {
        e.preventDefault();
        input.blur(); // records it once, through `change`
      }
    });
    input.addEventListener('change', () => {
      const value = input.value.trim();
      if (value && value !== input.dataset.saved) postEvent({ type: 'field_set', name, value }, `${name} = ${value}`);
    });
    return h('label.field', h('span', name), input);
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
          : h('input', { name: f.name, value: f.value ?? '', required: !f.optional, list: f.list ? `${f.name}-list` : null });
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
      case 'replied': {
        const handed = c.timeline.filter((e) => e.entry === 'event' && e.type === 'handed_off').pop();
        return inlineForm([
          { name: 'from', label: t('action.replied.from'), value: handed?.to ?? '' },
          { name: 'text', label: t('action.replied.text'), value: '' },
        ], (v) => postEvent({ type: 'department_replied', from: v.from, text: v.text }, t('action.replied')));
      }
      case 'escalate': return inlineForm([{ name: 'reason', label: t('action.reason'), value: '' }],
        (v) => postEvent({ type: 'escalation_requested', agent: me, reason: v.reason }, t('action.escalate')));
      case 'reopen': return inlineForm([{ name: 'reason', label: t('action.reason'), value: '' }],
        (v) => postEvent({ type: 'reopened', reason: v.reason }, t('action.reopen')));
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
          return inlineForm([{ name: 'note', label: t('action.note'), value: '', optional: true }], (v) => {
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
    } else if (key === 'c') {
      e.preventDefault();
      newContact();
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
    state.creating = false;
    loadContact();
    drawLists();
  }

  /// Reads everything again (the stream reconnected and may have missed outcomes).
  function resync() {
    loadLists();
    loadPoints();
    loadContact();
  }

  loadLists();
  loadPoints();
  loadContact();

  return {
    show,
    outcome,
    tick,
    resync,
    unmount() {
      document.removeEventListener('keydown', onKey);
      clearTimeout(listTimer);
      clearTimeout(contactTimer);
      clearTimeout(checkTimer);
      page.remove();
    },
  };
}

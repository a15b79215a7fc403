// The supervisor's screen: open contacts by state and age, deadlines about
// to be missed, today's misses and escalations, points per agent, SLA
// compliance per day, and any contact's timeline. Also the shared pieces
// (countdowns, timelines) the agent's screen uses.

import { get } from './api.js';
import { t, label } from './i18n.js';
import { h, svg, span, clock, ms, day, toast } from './util.js';

// --- shared -----------------------------------------------------------------

const manifests = new Map();

/// The manifest of a contact's plugin (`{id, version}`), cached.
export async function manifestOf(plugin) {
  const key = `${plugin.id}@${plugin.version}`;
  if (!manifests.has(key)) {
    manifests.set(key, get(`/plugins/${encodeURIComponent(plugin.id)}/${encodeURIComponent(plugin.version)}`).catch(() => null));
  }
  return manifests.get(key);
}

/// A countdown row for a deadline `{name, due, status?, set?, contact?}`.
export function deadlineRow(d, { big = false, link = null, contact = null } = {}) {
  const time = h('span.countdown');
  const body = [h('span.dname', d.name), contact ? h('span.meta', contact) : null, time];
  const el = h(`li.deadline${big ? '.big' : ''}`, {
    dataset: { due: d.due, set: d.set ?? '', status: d.status ?? 'pending', name: d.name, contact: contact ?? '' },
  }, link ? h('a', { href: link }, ...body) : body);
  deadlineClass(el, Date.now());
  return el;
}

/// Green while there is time, amber in the last quarter (or last 5 minutes
/// when the start is unknown), red once due or missed.
export function deadlineClass(el, now) {
  const due = ms(el.dataset.due);
  const left = due - now;
  const status = el.dataset.status;
  let level = 'ok';
  if (status === 'missed' || left <= 0) level = 'red';
  else {
    const set = el.dataset.set ? ms(el.dataset.set) : NaN;
    const total = due - set;
    const amber = Number.isFinite(total) && total > 0 ? left <= Math.max(total * 0.25, 1000) : left <= 5 * 60 * 1000;
    if (amber) level = 'amber';
  }
  el.classList.toggle('ok', level === 'ok');
  el.classList.toggle('amber', level === 'amber');
  el.classList.toggle('red', level === 'red');
  const time = el.querySelector('.countdown');
  if (time) {
    time.textContent = left > 0 && status !== 'missed'
      ? t('deadlines.left', { time: span(left) })
      : t('deadlines.over', { time: span(-left) });
  }
}

/// A contact's timeline: events and outcomes in order.
export function timelineList(timeline) {
  const items = timeline.filter((e) => (e.entry === 'event' || e.entry === 'outcome') && e.kind !== 'script');
  return h('ol.timeline#timeline', ...items.map((e) => {
    if (e.entry === 'event') {
      return h(`li.ev.ev-${e.type}`,
        h('time', clock(e.at)),
        h('span.kind', label('event', e.type)),
        h('span.body', eventText(e)));
    }
    const tone = { penalty: 'bad', violation: 'bad', deadline_missed: 'bad', escalated: 'warn', rejected: 'bad', plugin_failed: 'bad',
      reward: 'good', deadline_met: 'good' }[e.kind] ?? '';
    return h(`li.oc.oc-${e.kind}${tone ? `.${tone}` : ''}`,
      h('time', clock(e.at)),
      h('span.kind', label('kind', e.kind)),
      h('span.body', outcomeText(e)));
  }));
}

function eventText(e) {
  switch (e.type) {
    case 'opened': return `${e.customer?.name ?? ''} ${e.customer?.phone ?? ''} · ${label('channel', e.channel)} · ${e.category}`;
    case 'message': return `${e.from === 'agent' ? e.agent : t('contact.customer')}: ${e.text}`;
    case 'handed_off': return `${e.agent} → ${e.to}`;
    case 'identified': return `${e.agent} (${e.method ?? ''})`;
    case 'field_set': return `${e.name} = ${e.value}`;
    case 'resolved': return `${e.agent}${e.on_first_contact ? ' ★' : ''}`;
    case 'callback_attempted': return `${e.agent} · ${e.callback ?? ''} · ${t(`cb.outcome.${e.outcome}`)}`;
    default: {
      const rest = Object.entries(e).filter(([k]) => !['at', 'entry', 'type', 'contact'].includes(k));
      return rest.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ');
    }
  }
}

function outcomeText(e) {
  switch (e.kind) {
    case 'state': return `${label('state', e.from)} → ${label('state', e.to)}`;
    case 'deadline_set': return `${e.name} · ${clock(e.due)}`;
    case 'deadline_met': case 'deadline_cancelled': return e.name;
    case 'deadline_missed': return `${e.name} · ${clock(e.due)}`;
    case 'escalated': return `${e.level} → ${e.to}: ${e.reason}`;
    case 'callback_scheduled': return `${e.id} · ${clock(e.due)} · ${e.purpose}`;
    case 'callback_due': return `${e.id} · ${e.purpose}`;
    case 'penalty': return `${e.agent} -${e.points} · ${e.rule} · ${e.reason}`;
    case 'reward': return `${e.agent} +${e.points} · ${e.rule} · ${e.reason}`;
    case 'violation': return `${e.agent} · ${e.rule} · 「${e.excerpt}」 ${e.reason}`;
    case 'notify': return `${e.to}: ${e.text}`;
    case 'fields_required': return `${e.fields.join(', ')} ← ${label('event', e.before)} (${e.rule})`;
    case 'rejected': return `${e.event}: ${e.error}`;
    default: return JSON.stringify(e);
  }
}

// --- the supervisor's screen ------------------------------------------------

const OPEN_STATES = ['waiting', 'in_progress', 'pending', 'resolved'];

export function mount(root, ctx) {
  const state = { contacts: [], deadlines: [], points: null, timelines: new Map(), drill: ctx.arg || null };
  const openBox = h('div#open-contacts');
  const soonBox = h('ul.list#soon');
  const missBox = h('ul.list#misses');
  const pointsBox = h('div#agent-points');
  const slaBox = h('div#sla');
  const drillBox = h('section.card.drill#drill', { hidden: true });
  const page = h('div.supervisor',
    h('div.grid2',
      h('section.card', h('h2', t('sup.open')), openBox),
      h('div.stack',
        h('section.card', h('h2', t('sup.soon')), soonBox),
        h('section.card', h('h2', t('sup.misses')), missBox))),
    drillBox,
    h('div.grid2',
      h('section.card', h('h2', t('sup.points')), pointsBox),
      h('section.card', h('h2', t('sup.sla')), h('p.muted.small', t('sup.sla.note')), slaBox)));
  root.append(page);

  async function load() {
    try {
      const [contacts, deadlines, points] = await Promise.all([get('/contacts?limit=200'), get('/deadlines'), get('/points')]);
      state.contacts = contacts.contacts;
      state.deadlines = deadlines.deadlines;
      state.points = points;
      drawOpen();
      drawSoon();
      drawPoints();
      await loadTimelines();
    } catch (e) {
      toast(t('err.network', { what: e.message }), 'error');
    }
  }

  // The API has no per-day statistics yet: misses, escalations and SLA are
  // counted from the timelines of the most recent contacts (at most 60).
  async function loadTimelines() {
    const recent = state.contacts.slice(0, 60);
    await Promise.all(recent.map(async (c) => {
      const known = state.timelines.get(c.id);
      if (known && known.updated === c.updated_at) return;
      try {
        const full = await get(`/contacts/${encodeURIComponent(c.id)}`);
        state.timelines.set(c.id, { updated: c.updated_at, timeline: full.timeline, agent: full.agent, department: full.department });
      } catch { /* gone or not visible */ }
    }));
    drawMisses();
    drawSla();
  }

  function drawOpen() {
    const now = Date.now();
    const groups = OPEN_STATES.map((s) => {
      const rows = state.contacts.filter((c) => c.state === s).sort((a, b) => ms(a.opened_at) - ms(b.opened_at));
      return h('details.group', { open: true },
        h('summary', h(`span.badge.state-${s}`, label('state', s)), ` ${rows.length}`),
        rows.length ? h('table.rows',
          h('thead', h('tr', h('th', t('contact.customer')), h('th', t('contact.category')), h('th', t('sup.agent')), h('th', t('sup.age')), h('th', ''))),
          h('tbody', ...rows.map((c) => h('tr', { dataset: { id: c.id } },
            h('td', c.customer || c.id, h('div.meta', c.department)),
            h('td', c.category),
            h('td', c.agent ?? '—'),
            h('td.age', { dataset: { since: c.opened_at } }, span(now - ms(c.opened_at))),
            h('td', h('a', { href: `#/supervisor/${encodeURIComponent(c.id)}` }, t('sup.open.contact'))))))) : null);
    });
    openBox.replaceChildren(...groups);
  }

  function drawSoon() {
    const rows = state.deadlines.slice(0, 15);
    soonBox.replaceChildren(...(rows.length
      ? rows.map((d) => deadlineRow(d, { link: `#/supervisor/${encodeURIComponent(d.contact)}`, contact: d.contact }))
      : [h('li.empty', t('sup.none'))]));
  }

  function drawMisses() {
    const today = day(new Date().toISOString());
    const rows = [];
    for (const [id, c] of state.timelines) {
      for (const e of c.timeline) {
        if (e.entry === 'outcome' && (e.kind === 'deadline_missed' || e.kind === 'escalated') && day(e.at) === today) rows.push({ id, agent: c.agent, ...e });
      }
    }
    rows.sort((a, b) => ms(b.at) - ms(a.at));
    missBox.replaceChildren(...(rows.length
      ? rows.map((e) => h(`li.item.miss.${e.kind === 'escalated' ? 'warn' : 'bad'}`, { dataset: { contact: e.id, kind: e.kind } },
        h('a', { href: `#/supervisor/${encodeURIComponent(e.id)}` },
          h('span.name', `${label('kind', e.kind)} · ${e.name ?? e.level ?? ''}`),
          h('span.meta', `${clock(e.at)} · ${e.id} · ${e.agent ?? '—'}${e.reason ? ` · ${e.reason}` : ''}`))))
      : [h('li.empty', t('sup.none'))]));
  }

  function drawPoints() {
    const agents = state.points?.agents ?? [];
    const max = Math.max(1, ...agents.map((a) => Math.max(a.penalties, a.rewards)));
    pointsBox.replaceChildren(agents.length
      ? h('table.rows.points-table',
        h('thead', h('tr', h('th', t('sup.agent')), h('th', t('points.penalties')), h('th', t('points.rewards')), h('th', t('points.total')))),
        h('tbody', ...agents.map((a) => h('tr', { dataset: { agent: a.agent } },
          h('td', a.agent),
          h('td.bad', bar(a.penalties, max, 'bad'), ` -${a.penalties}`),
          h('td.good', bar(a.rewards, max, 'good'), ` +${a.rewards}`),
          h('td', `${a.total}`)))))
      : h('p.muted', t('sup.none')));
  }

  function bar(value, max, tone) {
    const el = h(`span.bar.${tone}`);
    el.style.width = `${Math.round((value / max) * 80)}px`;
    return el;
  }

  function drawSla() {
    const days = new Map();
    for (const c of state.timelines.values()) {
      for (const e of c.timeline) {
        if (e.entry !== 'outcome' || (e.kind !== 'deadline_met' && e.kind !== 'deadline_missed')) continue;
        const d = day(e.at);
        const row = days.get(d) ?? { met: 0, missed: 0 };
        row[e.kind === 'deadline_met' ? 'met' : 'missed'] += 1;
        days.set(d, row);
      }
    }
    const rows = [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(-14);
    if (!rows.length) {
      slaBox.replaceChildren(h('p.muted', t('sup.none')));
      return;
    }
    const W = 40 * rows.length + 40, H = 160, top = 10, bottom = 30;
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': t('sup.sla'), class: 'chart' });
    for (const p of [0, 50, 100]) {
      const y = top + (H - top - bottom) * (1 - p / 100);
      chart.append(svg('line', { x1: 30, x2: W, y1: y, y2: y, class: 'grid' }), svg('text', { x: 0, y: y + 4, class: 'axis' }, `${p}%`));
    }
    rows.forEach(([d, r], i) => {
      const rate = r.met / Math.max(1, r.met + r.missed);
      const hgt = (H - top - bottom) * rate;
      const x = 36 + i * 40;
      const tone = rate >= 0.9 ? 'good' : rate >= 0.7 ? 'warn' : 'bad';
      chart.append(
        svg('rect', { x, y: H - bottom - hgt, width: 26, height: Math.max(1, hgt), class: `sla ${tone}` },
          svg('title', {}, `${d}: ${Math.round(rate * 100)}% (${r.met}/${r.met + r.missed})`)),
        svg('text', { x: x + 13, y: H - bottom - hgt - 3, class: 'val', 'text-anchor': 'middle' }, `${Math.round(rate * 100)}`),
        svg('text', { x: x + 13, y: H - 12, class: 'axis', 'text-anchor': 'middle' }, d.slice(5)));
    });
    slaBox.replaceChildren(chart);
  }

  async function drawDrill() {
    if (!state.drill) {
      drillBox.hidden = true;
      return;
    }
    drillBox.hidden = false;
    try {
      const c = await get(`/contacts/${encodeURIComponent(state.drill)}`);
      drillBox.replaceChildren(
        h('div.row', h('h2', `${t('sup.drill')} · ${c.customer?.name ?? ''} · ${c.id}`), h('span.spacer'),
          h('a.ghost', { href: '#/supervisor' }, '×')),
        h('dl.facts',
          h('div', h('dt', t('contact.state')), h('dd', label('state', c.state))),
          h('div', h('dt', t('contact.agent')), h('dd', c.agent ?? '—')),
          h('div', h('dt', t('contact.category')), h('dd', c.category)),
          h('div', h('dt', t('contact.plugin')), h('dd', `${c.plugin.id}@${c.plugin.version} (#${c.plugin.binding})`))),
        h('ul.list.deadlines', ...c.deadlines.map((d) => deadlineRow(d))),
        timelineList(c.timeline));
      drillBox.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      drillBox.replaceChildren(h('p.error', { role: 'alert' }, e.status === 404 ? t('contact.notfound') : e.message));
    }
  }

  let timer = null;
  function outcome(o) {
    clearTimeout(timer);
    timer = setTimeout(load, 400);
    if (o.contact === state.drill) drawDrill();
  }

  function tick(now) {
    for (const el of root.querySelectorAll('.deadline[data-due]')) deadlineClass(el, now);
    for (const el of root.querySelectorAll('.age[data-since]')) el.textContent = span(now - ms(el.dataset.since));
  }

  load();
  drawDrill();
  const refresh = setInterval(load, 30000);

  return {
    outcome,
    tick,
    show(arg) {
      state.drill = arg || null;
      drawDrill();
    },
    unmount() {
      clearTimeout(timer);
      clearInterval(refresh);
      page.remove();
    },
  };
}


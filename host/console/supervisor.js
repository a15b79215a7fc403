// The supervisor's screen: open contacts by state and age, deadlines about
// to be missed, today's misses and escalations, points per agent, SLA
// compliance per day, and any contact's timeline. Also the shared pieces
// (countdowns, timelines) the agent's screen uses.

import { get, q } from './api.js';
import { t, label } from './i18n.js';
import { h, svg, span, clock, ms, toast, latest } from './util.js';

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
  const body = [h('span.dname', { title: d.name }, label('deadline', d.name)), contact ? h('span.meta', contact) : null, time];
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
    case 'opened': return `${e.customer?.name ?? ''} ${e.customer?.phone ?? ''} · ${label('channel', e.channel)} · ${label('category', e.category)}`;
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
    case 'deadline_set': return `${label('deadline', e.name)} · ${clock(e.due)}`;
    case 'deadline_met': case 'deadline_cancelled': return label('deadline', e.name);
    case 'deadline_missed': return `${label('deadline', e.name)} · ${clock(e.due)}`;
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
const PERIODS = [7, 14, 30];

export function mount(root, ctx) {
  const state = { contacts: [], deadlines: [], stats: null, days: PERIODS[0], drill: ctx.arg || null };
  const openBox = h('div#open-contacts');
  const soonBox = h('ul.list#soon');
  const missBox = h('ul.list#misses');
  const todayCounts = h('span.counts#today-counts');
  const pointsBox = h('div#agent-points');
  const slaBox = h('div#sla');
  const zoneNote = h('span.muted.small#zone-note');
  const period = h('select#period', {
    'aria-label': t('sup.period'),
    onchange: () => { state.days = Number(period.value); load(); },
  }, ...PERIODS.map((n) => h('option', { value: n }, t('sup.days', { n }))));
  const drillBox = h('section.card.drill#drill', { hidden: true });
  const page = h('div.supervisor',
    h('div.grid2',
      h('section.card', h('h2', t('sup.open')), openBox),
      h('div.stack',
        h('section.card', h('h2', t('sup.soon')), soonBox),
        h('section.card', h('div.row', h('h2', t('sup.misses')), h('span.spacer'), todayCounts), missBox))),
    drillBox,
    h('div.row.period', h('label', t('sup.period'), ' ', period), h('span.spacer'), zoneNote),
    h('div.grid2',
      h('section.card', h('h2', t('sup.points')), pointsBox),
      h('section.card', h('h2', t('sup.sla')), h('p.muted.small', t('sup.sla.note')), slaBox)));
  root.append(page);

  const load = latest(async (fresh) => {
    try {
      const [contacts, deadlines, stats] = await Promise.all([
        get('/contacts?limit=200'), get('/deadlines'), get(`/stats${q({ days: state.days })}`)]);
      if (!fresh()) return;
      state.contacts = contacts.contacts;
      state.deadlines = deadlines.deadlines;
      state.stats = stats;
      drawOpen();
      drawSoon();
      drawMisses();
      drawPoints();
      drawSla();
    } catch (e) {
      toast(t('err.network', { what: e.message }), 'error');
    }
  });

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
            h('td', label('category', c.category)),
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

  /// Today's misses and escalations, as the server counted them.
  function drawMisses() {
    const { misses, escalations, incidents } = state.stats.today;
    todayCounts.replaceChildren(
      h('span.bad', { dataset: { misses } }, t('sup.today.misses', { n: misses })), ' · ',
      h('span.warn', { dataset: { escalations } }, t('sup.today.escalations', { n: escalations })));
    missBox.replaceChildren(...(incidents.length
      ? incidents.map((i) => {
        const o = i.outcome;
        const what = i.kind === 'escalated' ? `${o.level} → ${o.to}` : label('deadline', o.name);
        return h(`li.item.miss.${i.kind === 'escalated' ? 'warn' : 'bad'}`, { dataset: { contact: i.contact, kind: i.kind } },
          h('a', { href: `#/supervisor/${encodeURIComponent(i.contact)}` },
            h('span.name', `${label('kind', i.kind)} · ${what}`),
            h('span.meta', `${clock(o.at)} · ${i.contact} · ${i.agent ?? '—'}${o.reason ? ` · ${o.reason}` : ''}`)));
      })
      : [h('li.empty', t('sup.none'))]));
    const zones = [...new Set(state.stats.departments.map((d) => d.timezone))];
    zoneNote.textContent = zones.length ? t('sup.zone', { zone: zones.join(', ') }) : '';
  }

  function drawPoints() {
    const agents = state.stats.agents;
    const max = Math.max(1, ...agents.map((a) => Math.max(a.penalties, a.rewards)));
    pointsBox.replaceChildren(agents.length
      ? h('table.rows.points-table',
        h('thead', h('tr', h('th', t('sup.agent')), h('th', t('points.penalties')), h('th', t('points.rewards')), h('th', t('points.total')))),
        h('tbody', ...agents.map((a) => h('tr', { dataset: { agent: a.agent } },
          h('td', a.agent),
          h('td.bad', bar(a.penalties, max, 'bad'), a.penalties ? ` -${a.penalties}` : ' 0'),
          h('td.good', bar(a.rewards, max, 'good'), ` +${a.rewards}`),
          h('td.total', `${a.total}`)))))
      : h('p.muted', t('sup.none')));
  }

  function bar(value, max, tone) {
    const el = h(`span.bar.${tone}`);
    el.style.width = `${Math.round((value / max) * 80)}px`;
    return el;
  }

  /// One bar per day: deadlines met ÷ (met + missed); a day without deadlines has none.
  function drawSla() {
    const rows = state.stats.days;
    const step = rows.length > 14 ? 22 : 40;
    const W = step * rows.length + 40, H = 170, top = 14, bottom = 30, barW = step - 12;
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': t('sup.sla'), class: 'chart' });
    for (const p of [0, 50, 100]) {
      const y = top + (H - top - bottom) * (1 - p / 100);
      chart.append(svg('line', { x1: 30, x2: W, y1: y, y2: y, class: 'grid' }), svg('text', { x: 0, y: y + 4, class: 'axis' }, `${p}%`));
    }
    rows.forEach((r, i) => {
      const x = 36 + i * step;
      const title = svg('title', {}, `${r.date}: ${t('sup.sla.day', { met: r.met, missed: r.missed, escalations: r.escalations })}`);
      if (r.compliance === null) {
        chart.append(svg('rect', { x, y: H - bottom - 1, width: barW, height: 1, class: 'sla none' }, title));
      } else {
        const hgt = Math.max(1, (H - top - bottom) * r.compliance);
        const tone = r.compliance >= 0.9 ? 'good' : r.compliance >= 0.7 ? 'warn' : 'bad';
        chart.append(
          svg('rect', { x, y: H - bottom - hgt, width: barW, height: hgt, class: `sla ${tone}`, 'data-date': r.date, 'data-met': r.met, 'data-missed': r.missed }, title),
          svg('text', { x: x + barW / 2, y: H - bottom - hgt - 3, class: 'val', 'text-anchor': 'middle' }, `${Math.round(r.compliance * 100)}`));
      }
      if (step >= 40 || (rows.length - 1 - i) % 2 === 0) {
        chart.append(svg('text', { x: x + barW / 2, y: H - 12, class: 'axis', 'text-anchor': 'middle' }, r.date.slice(5)));
      }
    });
    slaBox.replaceChildren(chart);
  }

  const drawDrill = latest(async (fresh) => {
    if (!state.drill) {
      drillBox.hidden = true;
      return;
    }
    try {
      const c = await get(`/contacts/${encodeURIComponent(state.drill)}`);
      if (!fresh()) return;
      drillBox.hidden = false;
      drillBox.replaceChildren(
        h('div.row', h('h2', `${t('sup.drill')} · ${c.customer?.name ?? ''} · ${c.id}`), h('span.spacer'),
          h('a.ghost', { href: '#/supervisor' }, '×')),
        h('dl.facts',
          h('div', h('dt', t('contact.state')), h('dd', label('state', c.state))),
          h('div', h('dt', t('contact.agent')), h('dd', c.agent ?? '—')),
          h('div', h('dt', t('contact.category')), h('dd', label('category', c.category))),
          h('div', h('dt', t('contact.plugin')), h('dd', `${c.plugin.id}@${c.plugin.version} (#${c.plugin.binding})`))),
        h('ul.list.deadlines', ...c.deadlines.map((d) => deadlineRow(d))),
        timelineList(c.timeline));
      drillBox.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      if (!fresh()) return;
      drillBox.hidden = false;
      drillBox.replaceChildren(h('p.error', { role: 'alert' }, e.status === 404 ? t('contact.notfound') : e.message));
    }
  });

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
    resync() {
      load();
      drawDrill();
    },
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

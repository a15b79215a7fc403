// The admin's screen: departments with their bound SOP and calendar,
// parameter editing validated against the plugin's manifest, SOP and
// calendar swaps with a preview of the contacts that stay pinned, moving
// those contacts to the current SOP, plugin upload, users and roles, the
// audit trail.

import { api, get, put, post, del } from './api.js';
import { t, label } from './i18n.js';
import { h, clock, toast, latest } from './util.js';

/// Checks a parameter value against its manifest kind; returns the JSON value or throws.
export function parseParam(param, text) {
  const raw = typeof text === 'string' ? text.trim() : text;
  switch (param.kind) {
    case 'integer': {
      if (!/^-?\d+$/.test(String(raw))) throw new Error(`${param.name}: ${t('kind.integer')}`);
      return Number(raw);
    }
    case 'flag':
      return raw === true || raw === 'true';
    case 'duration': {
      // As the rules files write them: 30s, 10m, 2h, 3d, or combined (1h30m).
      if (!/^(\d+[dhms])+$/.test(String(raw))) throw new Error(`${param.name}: ${t('kind.duration')} (30s, 10m, 2h, 1d)`);
      return String(raw);
    }
    default:
      return String(raw ?? '');
  }
}

export function mount(root, ctx) {
  const depBox = h('div#departments');
  const pluginsBox = h('div#plugins');
  const usersBox = h('div#users');
  const auditBox = h('div#audit');
  const page = h('div.admin',
    h('section.card', h('h2', t('admin.departments')), depBox),
    h('div.grid2',
      h('section.card', h('h2', t('admin.upload')), pluginsBox),
      h('section.card', h('h2', t('admin.users')), usersBox)),
    h('section.card', h('h2', t('admin.audit')), auditBox));
  root.append(page);
  const state = {
    departments: [], calendars: [], plugins: [], users: [], editing: null, migrating: null,
    // The users card: whose tokens are open, which change awaits confirmation.
    tokensOf: null, tokens: [], confirming: null,
    audit: [], auditNext: null,
  };

  const load = latest(async (fresh) => {
    try {
      const [deps, plugins, users, audit] = await Promise.all([get('/departments'), get('/plugins'), get('/users'), get('/audit?limit=50')]);
      if (!fresh()) return;
      state.departments = deps.departments;
      state.calendars = deps.calendars;
      state.plugins = plugins.plugins;
      state.users = users.users;
      drawDepartments();
      drawPlugins();
      state.audit = audit.entries;
      state.auditNext = audit.next;
      if (state.tokensOf) state.tokens = (await get(`/users/${encodeURIComponent(state.tokensOf)}/tokens`)).tokens;
      if (!fresh()) return;
      drawUsers();
      drawAudit();
    } catch (e) {
      toast(t('err.network', { what: e.message }), 'error');
    }
  });

  /// Open contacts on older revisions than the current one: those a migration moves.
  function pinnedOf(d) {
    return Object.entries(d.open_per_binding ?? {}).filter(([rev]) => Number(rev) < d.binding.revision).reduce((n, [, count]) => n + count, 0);
  }

  function zoneOf(name) {
    return state.calendars.find((c) => c.name === name)?.timezone ?? '';
  }

  function drawDepartments() {
    depBox.replaceChildren(...state.departments.map((d) => {
      const b = d.binding;
      const open = Object.entries(d.open_per_binding ?? {}).map(([rev, n]) => `#${rev}: ${n}`).join(' · ') || '0';
      const pinned = pinnedOf(d);
      const card = h('article.dept', { dataset: { id: d.id } },
        h('div.row',
          h('h3', d.binding.name || d.id, h('span.meta', ` ${d.id}`)), h('span.spacer'),
          h('button.primary.small', { type: 'button', dataset: { edit: d.id }, onclick: () => { state.editing = d.id; drawDepartments(); } }, t('admin.edit'))),
        h('dl.facts',
          h('div', h('dt', t('admin.plugin')), h('dd.plugin', b.plugin_id)),
          h('div', h('dt', t('admin.version')), h('dd.version', b.plugin_version)),
          h('div', h('dt', t('admin.revision')), h('dd.revision', `#${b.revision}`)),
          h('div', h('dt', t('admin.calendar')), h('dd.calendar', b.calendar, h('span.muted.small', ` ${zoneOf(b.calendar)}`))),
          h('div', h('dt', t('admin.open')), h('dd.open', open)),
          h('div', h('dt', ''), h('dd', h('button.ghost.small', {
            type: 'button', dataset: { migrate: d.id }, disabled: pinned === 0, onclick: () => confirmMigrate(d.id),
          }, pinned ? t('admin.migrate', { n: pinned, rev: b.revision }) : t('admin.migrate.none'))))),
        state.migrating?.id === d.id ? migrateConfirm(state.migrating) : null,
        h('details', h('summary', t('admin.params')),
          h('table.rows.params', h('tbody', ...(d.manifest.params ?? []).map((p) => h('tr',
            h('th', p.name), h('td', String(b.params?.[p.name] ?? p.default)), h('td.muted.small', `${label('kind', p.kind)} · ${p.description}`)))))),
        state.editing === d.id ? editor(d) : null);
      return card;
    }));
  }

  function editor(d) {
    const b = d.binding;
    const versions = state.plugins;
    const pluginSel = h('select', { name: 'plugin' }, ...[...new Set(versions.map((p) => p.id))].map((id) => h('option', { value: id, selected: id === b.plugin_id }, id)));
    const versionSel = h('select', { name: 'version' });
    const fillVersions = () => {
      versionSel.replaceChildren(...versions.filter((p) => p.id === pluginSel.value).map((p) => h('option', { value: p.version, selected: p.version === b.plugin_version && p.id === b.plugin_id }, p.version)));
    };
    fillVersions();
    pluginSel.addEventListener('change', fillVersions);
    const calendarSel = h('select', { name: 'calendar' },
      ...state.calendars.map((c) => h('option', { value: c.name, selected: c.name === b.calendar }, `${c.name} (${c.timezone})`)));
    const inputs = (d.manifest.params ?? []).map((p) => {
      const value = b.params?.[p.name] ?? p.default;
      const input = p.kind === 'flag'
        ? h('input', { type: 'checkbox', name: p.name, checked: value === true })
        : h('input', { name: p.name, value: String(value), dataset: { kind: p.kind }, inputmode: p.kind === 'integer' ? 'numeric' : null });
      const err = h('span.error.small');
      input.addEventListener('input', () => {
        try { parseParam(p, input.value); err.textContent = ''; input.removeAttribute('aria-invalid'); } catch (e) { err.textContent = e.message; input.setAttribute('aria-invalid', 'true'); }
      });
      return { p, input, row: h('label.param', h('span', p.name, h('span.muted.small', ` ${label('kind', p.kind)}`)), input, err, h('span.muted.small', p.description)) };
    });
    const preview = h('div.preview#swap-preview', { 'aria-live': 'polite' });
    const body = () => {
      const params = {};
      const errors = [];
      for (const { p, input } of inputs) {
        try { params[p.name] = parseParam(p, input.type === 'checkbox' ? input.checked : input.value); } catch (e) { errors.push(e.message); }
      }
      if (errors.length) throw new Error(errors.join('; '));
      // A different plugin takes its own parameters: send only those of the current manifest when it stays.
      const samePlugin = pluginSel.value === b.plugin_id;
      return { plugin: pluginSel.value, version: versionSel.value, calendar: calendarSel.value, params: samePlugin ? params : undefined };
    };
    const submit = async (dryRun) => {
      let request;
      try { request = body(); } catch (e) { preview.replaceChildren(h('p.error', { role: 'alert' }, t('admin.invalid', { what: e.message }))); return; }
      try {
        const answer = await put(`/departments/${encodeURIComponent(d.id)}/binding`, { ...request, dry_run: dryRun });
        if (dryRun) {
          preview.replaceChildren(h('p.pinned', { dataset: { pinned: answer.pinned } },
            `${answer.binding.plugin_id}@${answer.binding.plugin_version} · ${answer.binding.calendar} → #${answer.binding.revision}. `, t('admin.pinned', { n: answer.pinned })));
        } else {
          toast(t('admin.applied', { rev: answer.binding.revision }), 'ok');
          state.editing = null;
          load();
        }
      } catch (e) {
        preview.replaceChildren(h('p.error', { role: 'alert' }, e.message));
      }
    };
    return h('form.editor', { onsubmit: (e) => { e.preventDefault(); submit(false); } },
      h('div.row', h('label', t('admin.plugin'), pluginSel), h('label', t('admin.version'), versionSel), h('label', t('admin.calendar'), calendarSel)),
      h('div.params-grid', ...inputs.map((i) => i.row)),
      preview,
      h('div.row',
        h('button.ghost', { type: 'button', dataset: { preview: d.id }, onclick: () => submit(true) }, t('admin.preview')),
        h('button.primary', { type: 'submit', dataset: { apply: d.id } }, t('admin.apply')),
        h('button.ghost', { type: 'button', onclick: () => { state.editing = null; drawDepartments(); } }, t('admin.cancel'))));
  }

  /// Asks before moving a department's pinned contacts, with the count as it is now.
  async function confirmMigrate(id) {
    try {
      const d = (await get('/departments')).departments.find((x) => x.id === id);
      state.migrating = { id, n: pinnedOf(d), rev: d.binding.revision, result: null };
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    drawDepartments();
  }

  function migrateConfirm(m) {
    if (m.result) {
      return h('div.confirm#migrate-result', { role: 'status', dataset: { migrated: m.result.migrated, failed: m.result.failed.length } },
        h('p', t('admin.migrate.done', { n: m.result.migrated, failed: m.result.failed.length })),
        m.result.failed.length ? h('ul.small', ...m.result.failed.map((f) => h('li.error', f))) : null,
        h('button.ghost.small', { type: 'button', onclick: () => { state.migrating = null; drawDepartments(); } }, t('admin.close')));
    }
    return h('div.confirm#migrate-confirm', { role: 'alertdialog', dataset: { n: m.n } },
      h('p', t('admin.migrate.confirm', { n: m.n, rev: m.rev })),
      h('div.row',
        h('button.primary', { type: 'button', dataset: { confirm: m.id }, disabled: m.n === 0, onclick: () => migrate(m) }, t('admin.migrate.go', { n: m.n })),
        h('button.ghost', { type: 'button', onclick: () => { state.migrating = null; drawDepartments(); } }, t('admin.cancel'))));
  }

  async function migrate(m) {
    try {
      m.result = await post(`/departments/${encodeURIComponent(m.id)}/migrate`);
      toast(t('admin.migrate.done', { n: m.result.migrated, failed: m.result.failed.length }), m.result.failed.length ? 'error' : 'ok');
    } catch (e) {
      toast(e.message, 'error');
      state.migrating = null;
    }
    load();
  }

  function drawPlugins() {
    const file = h('input#plugin-file', { type: 'file', accept: '.wasm,application/wasm' });
    const result = h('p', { 'aria-live': 'polite' });
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      try {
        const manifest = await api('POST', '/plugins', await f.arrayBuffer());
        result.className = 'ok';
        result.textContent = t('admin.upload.done', { id: manifest.id, version: manifest.version });
        load();
      } catch (e) {
        result.className = 'error';
        result.textContent = e.message;
      }
    });
    pluginsBox.replaceChildren(file, result,
      h('table.rows', h('tbody', ...state.plugins.map((p) => h('tr', h('td', p.id), h('td', p.version), h('td.muted.small.mono', p.sha256.slice(0, 12)))))));
  }

  function drawUsers() {
    const roles = ['agent', 'supervisor', 'admin', 'author'];
    const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
    const role = h('select', { name: 'role' }, ...roles.map((r) => h('option', { value: r }, t(`role.${r}`))));
    const deps = h('select', { name: 'departments', multiple: true, size: 4 }, ...state.departments.map((d) => h('option', { value: d.id }, d.id)));
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: 8 });
    const form = h('form.user-form', {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await post('/users', {
            name: name.value.trim(), role: role.value,
            departments: [...deps.selectedOptions].map((o) => o.value),
            password: password.value || undefined,
          });
          toast(t('saved'), 'ok');
          load();
        } catch (err) {
          toast(err.message, 'error');
        }
      },
    },
    h('label', t('admin.user.name'), name), h('label', t('admin.user.role'), role),
    h('label', t('admin.user.departments'), deps), h('label', t('admin.user.password'), password),
    h('button.primary', { type: 'submit' }, t('admin.user.add')));
    usersBox.replaceChildren(
      h('table.rows#user-table',
        h('thead', h('tr', ...['name', 'role', 'departments', 'status', 'actions'].map((k) => h('th', t(`admin.user.${k}`))))),
        h('tbody', ...state.users.flatMap(userRows))),
      form);
  }

  /// A user's row, with the confirmation or the token list below it when open.
  function userRows(u) {
    const self = u.name === ctx.user.name;
    const ask = (action) => { state.confirming = { name: u.name, action }; drawUsers(); };
    const row = h('tr', { dataset: { user: u.name, disabled: u.disabled } },
      h('td', u.name), h('td', t(`role.${u.role}`)), h('td.small', u.departments.join(', ') || '—'),
      h('td.status', u.disabled ? h('span.error', t('admin.user.disabled')) : t('admin.user.active')),
      h('td.row',
        h('button.ghost.small', { type: 'button', dataset: { tokens: u.name }, onclick: () => toggleTokens(u.name) }, t('admin.user.tokens')),
        u.disabled
          ? h('button.ghost.small', { type: 'button', dataset: { enable: u.name }, onclick: () => change(u.name, 'enable') }, t('admin.user.enable'))
          : h('button.ghost.small.danger', { type: 'button', dataset: { disable: u.name }, disabled: self, title: self ? t('admin.user.self') : null, onclick: () => ask('disable') }, t('admin.user.disable')),
        h('button.ghost.small.danger', { type: 'button', dataset: { delete: u.name }, disabled: self, title: self ? t('admin.user.self') : null, onclick: () => ask('delete') }, t('admin.user.delete'))));
    const rows = [row];
    const c = state.confirming;
    if (c?.name === u.name) {
      const n = state.tokens.filter((tk) => tk.status === 'active').length;
      rows.push(h('tr', h('td', { colSpan: 5 }, h('div.confirm#user-confirm', { role: 'alertdialog', dataset: { action: c.action, user: u.name } },
        h('p', t(`admin.user.${c.action}.confirm`, { name: u.name, n })),
        h('div.row',
          h('button.primary.danger', { type: 'button', dataset: { confirm: c.action }, onclick: () => change(u.name, c.action) }, t('admin.confirm')),
          h('button.ghost', { type: 'button', onclick: () => { state.confirming = null; drawUsers(); } }, t('admin.cancel')))))));
    }
    if (state.tokensOf === u.name) rows.push(h('tr', h('td', { colSpan: 5 }, tokenTable(u.name))));
    return rows;
  }

  function tokenTable(name) {
    const active = state.tokens.filter((tk) => tk.status === 'active');
    if (!state.tokens.length) return h('p.muted.small#token-table', t('admin.token.none'));
    return h('div#token-table',
      h('table.rows.small',
        h('thead', h('tr', ...['id', 'kind', 'created', 'expires', 'status', ''].map((k) => h('th', k ? t(`admin.token.${k}`) : '')))),
        h('tbody', ...state.tokens.map((tk) => h('tr', { dataset: { token: tk.id, status: tk.status } },
          h('td.mono', tk.id), h('td', t(`admin.token.kind.${tk.kind}`)), h('td.nowrap', clock(tk.created_at)),
          h('td.nowrap', tk.expires_at ? clock(tk.expires_at) : t('admin.token.never')),
          h('td', t(`admin.token.status.${tk.status}`)),
          h('td', tk.status === 'active'
            ? h('button.ghost.small.danger', { type: 'button', dataset: { revoke: tk.id }, onclick: () => revoke(tk.id) }, t('admin.token.revoke'))
            : null))))),
      active.length ? h('button.ghost.small.danger', { type: 'button', dataset: { revokeAll: name }, onclick: () => { state.confirming = { name, action: 'revokeAll' }; drawUsers(); } }, t('admin.token.revokeAll')) : null);
  }

  async function toggleTokens(name) {
    state.tokensOf = state.tokensOf === name ? null : name;
    state.tokens = [];
    if (state.tokensOf) {
      try { state.tokens = (await get(`/users/${encodeURIComponent(name)}/tokens`)).tokens; } catch (e) { toast(e.message, 'error'); }
    }
    drawUsers();
  }

  /// Disables, enables or deletes a user, or revokes all their tokens; then reads everything again.
  async function change(name, action) {
    const path = `/users/${encodeURIComponent(name)}`;
    state.confirming = null;
    try {
      if (action === 'disable' || action === 'enable') {
        await post(`${path}/${action}`);
        toast(t(`admin.user.${action}.done`, { name }), 'ok');
      } else if (action === 'delete') {
        const answer = await del(path);
        if (state.tokensOf === name) state.tokensOf = null;
        toast(t('admin.user.delete.done', { name, n: answer.revoked }), 'ok');
      } else {
        const answer = await del(`${path}/tokens`);
        toast(t('admin.token.revoked.done', { n: answer.revoked }), 'ok');
      }
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  async function revoke(id) {
    try {
      await del(`/tokens/${encodeURIComponent(id)}`);
      toast(t('admin.token.revoked.done', { n: 1 }), 'ok');
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  function drawAudit() {
    const more = async () => {
      try {
        const page = await get(`/audit?limit=50&before=${state.auditNext}`);
        state.audit = [...state.audit, ...page.entries];
        state.auditNext = page.next;
        drawAudit();
      } catch (e) {
        toast(e.message, 'error');
      }
    };
    auditBox.replaceChildren(h('table.rows#audit-table',
      h('thead', h('tr', ...['at', 'actor', 'action', 'subject', 'detail'].map((k) => h('th', t(`admin.audit.${k}`))))),
      h('tbody', ...state.audit.map((e) => h('tr', { dataset: { id: e.id } },
        h('td.nowrap', clock(e.at)), h('td', e.actor), h('td', e.action), h('td', e.subject),
        h('td.small.mono', JSON.stringify(e.detail)))))),
    state.auditNext
      ? h('button.ghost.small#audit-more', { type: 'button', onclick: more }, t('admin.audit.more'))
      : h('p.muted.small#audit-end', t('admin.audit.end')));
  }

  load();
  return {
    outcome() {},
    resync: load,
    unmount() { page.remove(); },
  };
}

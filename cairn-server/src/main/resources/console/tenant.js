// A tenant's pages, for the provider and for the tenant's own users (viewers read only):
// overview (usage and cost), machines, enrollment tokens, repositories and snapshots, users.

import {h, badge, dl, fmtBytes, fmtMoney, moneyDigits, fmtNumber, fmtRatio, fmtTime, fmtMonth, table, truthy, parseDate,
  currentMonth, monthDays, shiftMonth, clockText} from './dom.js';
import {get, post, patch, del, seg, serverInfo} from './api.js';
import {field, makeForm, FieldError, optionalNumber, retentionFields, retentionValue, retentionText,
  actionButton} from './forms.js';
import {lineChart, barChart, meterBar} from './charts.js';
import {loading, section, sectionError, loadTenant, tenantHeader, tenantBase, tenantHash} from './views.js';

function card(title, body, opts = {}) {
  return h('section', {class: 'card', 'aria-label': title, ...opts}, h('h2', {class: 'card-title'}, title), body);
}

function sum(rows, key) {
  return rows.reduce((a, r) => a + (Number(r[key]) || 0), 0);
}

// ---- overview: usage and cost ----

function validMonth(m) {
  return m && /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(m) ? m : null;
}

function lastDay(month) {
  const [y, m] = month.split('-').map(Number);
  return month + '-' + String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0');
}

export async function tenantOverview(ctx, root) {
  const slug = ctx.params[0];
  const month = validMonth(ctx.query.get('month')) || currentMonth();
  const isCurrent = month === currentMonth();
  const base = tenantBase(slug);
  const from = month + '-01';
  const to = lastDay(month);
  loading(root);

  const keepError = err => (err && err.name === 'AbortError' ? Promise.reject(err) : err);
  async function load() {
    const [tenant, usage, cost] = await Promise.all([
      loadTenant(ctx),
      get(`${base}/usage?from=${from}&to=${to}`, {signal: ctx.signal}),
      get(`${base}/cost?month=${month}`, {signal: ctx.signal}).catch(keepError),
    ]);
    return {tenant, usage: usage.filter(r => !r.tenant || r.tenant === slug), cost};
  }

  const first = await load();
  const body = tenantHeader(ctx, root, first.tenant, {tab: '', title: null});
  const updated = h('span', {class: 'muted small'});

  function draw({tenant, usage, cost}) {
    const costOk = cost && !(cost instanceof Error);
    const currency = costOk ? cost.currency : null;
    const days = monthDays(month);
    const byDay = new Map(usage.map(r => [String(r.day).slice(0, 10), r]));
    const costByDay = new Map(costOk ? (cost.days || []).map(d => [String(d.day).slice(0, 10), d]) : []);
    const lastRow = usage.length ? usage[usage.length - 1] : null;
    const physical = isCurrent ? Number(tenant.physicalBytes ?? (lastRow ? lastRow.physicalBytes : 0))
      : Number(lastRow ? lastRow.physicalBytes : 0);
    const logical = isCurrent ? Number(tenant.logicalBytes ?? (lastRow ? lastRow.logicalBytes : 0))
      : Number(lastRow ? lastRow.logicalBytes : 0);
    const savings = Math.max(0, logical - physical);
    const ingress = sum(usage, 'ingressBytes');
    const egress = sum(usage, 'egressBytes');
    const hard = tenant.hardQuotaBytes === null || tenant.hardQuotaBytes === undefined ? null : Number(tenant.hardQuotaBytes);
    const soft = tenant.softQuotaBytes === null || tenant.softQuotaBytes === undefined ? null : Number(tenant.softQuotaBytes);

    // Series over the days of the month so far: levels carried forward, traffic per day, cost cumulated.
    let lastPhysical = null;
    let lastLogical = null;
    let running = 0;
    const storedP = [];
    const storedL = [];
    const inS = [];
    const outS = [];
    const costS = [];
    for (const day of days) {
      const r = byDay.get(day);
      if (r) {
        lastPhysical = Number(r.physicalBytes) || 0;
        lastLogical = Number(r.logicalBytes) || 0;
      }
      storedP.push(lastPhysical);
      storedL.push(lastLogical);
      inS.push(r ? Number(r.ingressBytes) || 0 : 0);
      outS.push(r ? Number(r.egressBytes) || 0 : 0);
      const c = costByDay.get(day);
      if (c) running += (Number(c.storageCost) || 0) + (Number(c.egressCost) || 0);
      costS.push(costOk ? running : null);
    }

    const monthNav = h('nav', {class: 'month-nav', 'aria-label': 'Month'},
      h('a', {class: 'button small subtle', href: tenantHash(slug) + '?month=' + shiftMonth(month, -1)},
        h('span', {'aria-hidden': 'true'}, '← '), 'Previous month'),
      h('h2', {id: 'month-title', class: 'month-title'}, fmtMonth(month), isCurrent ? h('span', {class: 'muted'}, ' · so far') : null),
      isCurrent ? h('span') : h('a', {class: 'button small subtle', href: tenantHash(slug) + '?month=' + shiftMonth(month, 1)},
        'Next month', h('span', {'aria-hidden': 'true'}, ' →')));

    const digits = costOk ? moneyDigits(cost.total, cost.storageCost, cost.egressCost) : 2;
    const costCard = costOk
      ? card(isCurrent ? 'Cost so far' : 'Cost', [
        h('p', {class: 'big', id: 'cost-total', dataset: {value: cost.total, currency}},
          fmtMoney(cost.total, currency, digits)),
        dl([
          ['Storage', `${fmtMoney(cost.storageCost, currency, digits)} (${fmtNumber(cost.storageGbMonths, 6)} GB-months)`],
          ['Egress', `${fmtMoney(cost.egressCost, currency, digits)} (${fmtNumber(cost.egressGb, 6)} GB)`],
          ['Prices', `${fmtMoney(cost.pricePerGbMonth, currency)} per GB-month, ${fmtMoney(cost.pricePerGbEgress, currency)} per GB out`],
        ]),
      ], {id: 'card-cost'})
      : card('Cost', sectionError(cost), {id: 'card-cost'});

    const cards = h('div', {class: 'cards'},
      card('Stored', [
        h('p', {class: 'big', id: 'stored-physical', dataset: {value: physical}}, fmtBytes(physical)),
        dl([
          ['On disk (physical)', fmtBytes(physical)],
          ['Backed up (logical)', h('span', {id: 'stored-logical', dataset: {value: logical}}, fmtBytes(logical))],
        ]),
        hard !== null ? [meterBar(hard ? physical / hard : 1, `Hard quota: ${hard ? fmtNumber((physical / hard) * 100, 1) : 100}% used`),
          h('p', {class: 'hint'}, `Quota: ${soft !== null ? fmtBytes(soft) + ' soft, ' : ''}${fmtBytes(hard)} hard`)]
          : h('p', {class: 'hint'}, 'No hard quota.'),
      ], {id: 'card-stored'}),
      card('Deduplication savings', [
        h('p', {class: 'big', id: 'dedupe-savings', dataset: {value: savings}}, fmtBytes(savings)),
        dl([['Ratio, logical ÷ physical', h('span', {id: 'dedupe-ratio'}, fmtRatio(logical, physical))]]),
        h('p', {class: 'hint'}, 'Backed-up bytes that did not need storing again: logical − physical, after '
          + 'deduplication and compression.'),
      ], {id: 'card-dedupe'}),
      card(isCurrent ? 'Bandwidth this month' : 'Bandwidth', [
        dl([
          ['In (backups)', h('span', {id: 'bandwidth-in', dataset: {value: ingress}}, fmtBytes(ingress))],
          ['Out (restores, reads)', h('span', {id: 'bandwidth-out', dataset: {value: egress}}, fmtBytes(egress))],
          ['Requests', fmtNumber(sum(usage, 'requests'))],
          ['Snapshots stored', fmtNumber(sum(usage, 'snapshotsCreated'))],
        ]),
      ], {id: 'card-bandwidth'}),
      costCard);

    const csvHref = `/api/v1/tenants/${seg(slug)}/usage?format=csv&from=${from}&to=${to}`;
    const charts = h('div', {class: 'charts'},
      lineChart({id: 'chart-stored', title: 'Stored bytes', labels: days, format: fmtBytes,
        series: [{name: 'Physical (on disk)', values: storedP}, {name: 'Logical (backed up)', values: storedL}]}),
      barChart({id: 'chart-traffic', title: 'Ingress and egress per day', labels: days, format: fmtBytes,
        series: [{name: 'Ingress', values: inS}, {name: 'Egress', values: outS}]}),
      costOk ? lineChart({id: 'chart-cost', title: 'Cost, cumulative', labels: days, area: true,
        format: v => fmtMoney(v, currency), series: [{name: 'Cost', values: costS}]}) : null);

    const provider = ctx.provider ? h('div', {class: 'toolbar'}, suspendButton(ctx, tenant)) : null;
    body.replaceChildren(...[
      provider,
      monthNav,
      cards,
      section('Daily usage', charts, h('p', {class: 'actions'},
        h('a', {href: csvHref, class: 'button', download: `cairn-usage-${slug}-${month}.csv`, id: 'usage-csv'},
          'Download CSV'),
        isCurrent ? actionButton('Refresh', async () => {
          await refresh();
          ctx.announce('Usage updated');
        }, {attrs: {id: 'refresh-usage'}}) : null,
        updated))].filter(Boolean));
    updated.textContent = 'Updated ' + clockText();
  }

  async function refresh() {
    try {
      draw(await load());
    } catch (err) {
      if (err && err.name !== 'AbortError') ctx.announce('Could not refresh: ' + err.message);
    }
  }

  draw(first);
  if (isCurrent) ctx.every(30000, refresh);
}

function suspendButton(ctx, tenant) {
  const suspended = truthy(tenant.suspended);
  return actionButton(suspended ? 'Resume tenant' : 'Suspend tenant', async () => {
    try {
      await patch(tenantBase(tenant.slug), {suspended: !suspended});
      ctx.announce(`Tenant ${tenant.slug} ${suspended ? 'resumed' : 'suspended'}`);
      await ctx.rerender();
    } catch (err) {
      ctx.announce(err.message);
    }
  }, {className: 'button small' + (suspended ? '' : ' danger'),
    confirm: suspended ? null : `Suspend ${tenant.slug}? Its machines can no longer store backups until it is resumed.`});
}

// ---- machines ----

const STATES = {
  ok: ['ok', 'OK', '✓'],
  missed: ['warn', 'Missed', '⚠'],
  never: ['muted', 'Never backed up', '○'],
  partial: ['warn', 'Partial', '◐'],
  refused: ['danger', 'Refused', '✕'],
  revoked: ['muted', 'Revoked', '✕'],
};

export async function machinesView(ctx, root) {
  const slug = ctx.params[0];
  const base = tenantBase(slug);
  loading(root);
  const [tenant, machines] = await Promise.all([loadTenant(ctx), get(base + '/machines', {signal: ctx.signal})]);
  const body = tenantHeader(ctx, root, tenant, {tab: 'machines', title: 'Machines'});
  const canEdit = ctx.admin;

  const counts = {};
  for (const m of machines) counts[m.state] = (counts[m.state] || 0) + 1;
  const summaryText = machines.length === 0 ? null : h('p', {class: 'summary-line'},
    `${machines.length} machine${machines.length === 1 ? '' : 's'}: `,
    Object.entries(counts).map(([state, n], i) => {
      const [kind, label, icon] = STATES[state] || ['muted', state, '?'];
      return [i ? ' ' : '', badge(kind, `${n} ${label.toLowerCase()}`, icon)];
    }));

  const rows = machines.map(m => {
    const [kind, label, icon] = STATES[m.state] || ['muted', m.state, '?'];
    const last = m.lastBackup;
    const revoked = !!m.revokedAt;
    let interval;
    if (canEdit && !revoked) {
      const id = 'interval-' + m.id;
      const input = h('input', {id, type: 'number', name: 'expectedIntervalHours', min: 1, max: 8784, step: 1,
        required: true, class: 'narrow', value: m.expectedIntervalHours, inputmode: 'numeric'});
      const err = h('span', {class: 'field-error', role: 'alert'});
      const form = h('form', {class: 'inline-edit', 'aria-label': 'Expected backup interval of ' + m.name},
        h('label', {for: id, class: 'sr-only'}, `Expected backup interval of ${m.name}, in hours`),
        input, h('span', {'aria-hidden': 'true'}, ' h '),
        h('button', {type: 'submit', class: 'button small'}, 'Save'), err);
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        err.textContent = '';
        try {
          const hours = optionalNumber(input.value, 'expectedIntervalHours', {integer: true, min: 1});
          await patch(`${base}/agents/${seg(m.id)}`, {expectedIntervalHours: hours});
          ctx.announce(`${m.name}: a backup is expected every ${hours} hours`);
          await ctx.rerender();
        } catch (ex) {
          err.textContent = ex.message;
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        }
      });
      interval = form;
    } else {
      interval = `${fmtNumber(m.expectedIntervalHours)} h`;
    }
    return h('tr', {dataset: {machine: m.name, state: m.state, id: m.id}},
      h('th', {scope: 'row'}, m.name, h('div', {class: 'small muted'}, m.scope)),
      h('td', h('a', {href: tenantHash(slug, 'repos/' + encodeURIComponent(m.repository))}, m.repository)),
      h('td', {class: 'state'}, badge(kind, label, icon),
        m.lastRefusal ? h('div', {class: 'small warn-text refusal'}, fmtTime(m.lastRefusal.time), ': ',
          m.lastRefusal.message) : null),
      h('td', {class: 'last-backup'}, last ? fmtTime(last.time) : h('span', {class: 'muted'}, 'none yet'),
        last && Number(last.errors) > 0 ? h('div', {class: 'small warn-text'}, `${fmtNumber(last.errors)} unreadable files`) : null),
      h('td', {class: 'num'}, last ? fmtBytes(last.logicalBytes) : '—'),
      h('td', {class: 'num'}, last ? fmtBytes(last.newStoredBytes) : '—'),
      h('td', interval),
      h('td', fmtTime(m.lastSeenAt)),
      canEdit ? h('td', revoked ? h('span', {class: 'muted small'}, 'revoked ', fmtTime(m.revokedAt))
        : actionButton('Revoke', async () => {
          try {
            await del(`${base}/agents/${seg(m.id)}`);
            ctx.announce(`${m.name} revoked`);
            await ctx.rerender();
          } catch (err) {
            ctx.announce(err.message);
          }
        }, {className: 'button small danger', attrs: {'aria-label': 'Revoke ' + m.name},
          confirm: `Revoke ${m.name}? It can no longer reach its repository; enroll it again to undo.`})) : null);
  });
  const columns = [{label: 'Machine'}, {label: 'Repository'}, {label: 'State'}, {label: 'Last backup'},
    {label: 'Size', className: 'num'}, {label: 'New data', className: 'num'}, {label: 'Expected every'},
    {label: 'Last seen'}].concat(canEdit ? [{label: 'Actions'}] : []);
  body.replaceChildren(section('Machines', summaryText,
    table({caption: 'Machines', className: 'machines', columns, rows,
      empty: 'No machine is enrolled yet.' + (canEdit ? ' Create an enrollment token to add one.' : '')}),
    canEdit ? h('p', h('a', {href: tenantHash(slug, 'enrollments')}, 'Enroll a machine')) : null,
    h('p', {class: 'hint'}, 'A machine is “missed” when its last backup is older than the interval it is expected to back up in, '
      + 'and “refused” when the server refused its last backup (a full quota, a scope that does not allow it, '
      + 'an object that is not valid) and no backup has been stored since.')));
}

// ---- enrollment tokens ----

function enrollmentState(e) {
  if (e.revokedAt) return ['muted', 'Revoked', '✕'];
  const exp = parseDate(e.expiresAt);
  if (exp && exp < new Date()) return ['muted', 'Expired', '–'];
  if (Number(e.uses) >= Number(e.maxUses)) return ['muted', 'Used up', '∅'];
  return ['ok', 'Active', '✓'];
}

function copyButton(text, label) {
  return h('button', {type: 'button', class: 'button small', onclick: async (e) => {
    const b = e.currentTarget;
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = 'Copied';
    } catch {
      b.textContent = 'Select and copy by hand';
    }
    setTimeout(() => {
      if (b.isConnected) b.textContent = label;
    }, 2500);
  }}, label);
}

export async function enrollmentsView(ctx, root) {
  const slug = ctx.params[0];
  const base = tenantBase(slug);
  loading(root);
  const [tenant, enrollments, repos] = await Promise.all([loadTenant(ctx),
    get(base + '/enrollments', {signal: ctx.signal}), get(base + '/repos', {signal: ctx.signal})]);
  const body = tenantHeader(ctx, root, tenant, {tab: 'enrollments', title: 'Enrollment tokens'});
  const result = h('div', {id: 'enrollment-result-slot'});
  const listSlot = h('div');

  function drawList(list) {
    const rows = list.map(e => {
      const [kind, label, icon] = enrollmentState(e);
      return h('tr', {dataset: {enrollment: e.id}},
        h('td', {class: 'num'}, '#' + e.id),
        h('td', e.repository),
        h('td', e.scope),
        h('td', e.note || h('span', {class: 'muted'}, '—')),
        h('td', fmtTime(e.createdAt)),
        h('td', fmtTime(e.expiresAt)),
        h('td', {class: 'num'}, `${fmtNumber(e.uses)} of ${fmtNumber(e.maxUses)}`),
        h('td', badge(kind, label, icon)),
        h('td', label === 'Active' ? actionButton('Revoke', async () => {
          try {
            await del(`${base}/enrollments/${seg(e.id)}`);
            ctx.announce(`Enrollment token #${e.id} revoked`);
            drawList(await get(base + '/enrollments', {signal: ctx.signal}));
          } catch (err) {
            if (err.name !== 'AbortError') ctx.announce(err.message);
          }
        }, {className: 'button small danger', attrs: {'aria-label': 'Revoke enrollment token #' + e.id}}) : ''));
    });
    listSlot.replaceChildren(table({caption: 'Enrollment tokens', className: 'enrollments',
      columns: [{label: 'Token', className: 'num'}, {label: 'Repository'}, {label: 'Scope'}, {label: 'Note'},
        {label: 'Created'}, {label: 'Expires'}, {label: 'Uses', className: 'num'}, {label: 'State'}, {label: 'Actions'}],
      rows, empty: 'No enrollment tokens yet.'}));
  }

  async function showResult(e) {
    let info = null;
    try {
      info = await serverInfo();
    } catch {
      info = null;
    }
    const url = (info && info.publicUrl) || location.origin;
    const fingerprint = info && info.fingerprint;
    const command = `cairn enroll ${url} --token ${e.token}` + (fingerprint ? ` --fingerprint ${fingerprint}` : '');
    const repoUrl = e.repositoryUrl || `${url}/repos/${slug}/${e.repository || ''}`;
    const panel = h('section', {class: 'panel highlight', id: 'enrollment-result', 'aria-labelledby': 'enrollment-result-title',
      tabindex: '-1'},
      h('h2', {id: 'enrollment-result-title'}, 'New enrollment token'),
      h('p', h('strong', 'Copy it now: it is shown only once.'),
        ` Scope ${e.scope}, up to ${e.maxUses} machine${Number(e.maxUses) === 1 ? '' : 's'}, valid until `, fmtTime(e.expiresAt), '.'),
      h('div', {class: 'secret'}, h('code', {id: 'enrollment-token'}, e.token), copyButton(e.token, 'Copy token')),
      h('p', 'On the machine, enroll it:'),
      h('div', {class: 'secret'}, h('pre', h('code', {id: 'enroll-command'}, command)), copyButton(command, 'Copy command')),
      h('p', 'Then initialise the repository once, and back up:'),
      h('pre', h('code', {id: 'repo-commands'}, `cairn -r ${repoUrl} init\ncairn -r ${repoUrl} backup /home`)),
      fingerprint ? h('p', {class: 'hint'}, 'The fingerprint pins this server’s certificate; check that it matches the one '
        + 'the server printed when it started.') : null);
    result.replaceChildren(panel);
    panel.focus();
  }

  const repoOptions = repos.length ? repos.map(r => ({value: r.name, label: r.name}))
    : [{value: '', label: 'No repositories yet'}];
  const form = makeForm({
    label: 'New enrollment token', submitLabel: 'Create token',
    fields: [
      h('div', {class: 'grid-fields'},
        field({label: 'Repository', name: 'repository', type: 'select', required: true, options: repoOptions}),
        field({label: 'Scope', name: 'scope', type: 'select', required: true, value: 'append', options: [
          {value: 'append', label: 'append — back up and restore, never delete'},
          {value: 'write-only', label: 'write-only — back up, cannot read file contents'},
          {value: 'restore', label: 'restore — read only'}]}),
        field({label: 'Valid for', name: 'expiresIn', type: 'select', value: '7d', options: [
          {value: '1h', label: '1 hour'}, {value: '24h', label: '1 day'}, {value: '7d', label: '7 days'},
          {value: '30d', label: '30 days'}]}),
        field({label: 'Machines that may use it', name: 'maxUses', type: 'number', value: 1, required: true,
          attrs: {min: 1, max: 10000, step: 1, inputmode: 'numeric'}}),
        field({label: 'Note', name: 'note', hint: 'For the list, such as “office laptops”.', attrs: {maxlength: 200}})),
      repos.length ? null : h('p', {class: 'notice'}, 'Create a repository first: ',
        h('a', {href: tenantHash(slug, 'repos')}, 'Repositories'), '.'),
    ],
    onSubmit: async (v) => {
      if (!v.repository) throw new FieldError('repository', 'Choose a repository.');
      const bodyJson = {repository: v.repository, scope: v.scope, expiresIn: v.expiresIn,
        maxUses: optionalNumber(v.maxUses, 'maxUses', {integer: true, min: 1}) ?? 1};
      if (v.note) bodyJson.note = v.note;
      const e = await post(base + '/enrollments', bodyJson);
      await showResult({...e, repository: v.repository});
      ctx.announce('Enrollment token created. Copy it now: it is shown only once.');
      try {
        drawList(await get(base + '/enrollments', {signal: ctx.signal}));
      } catch (err) {
        if (err.name !== 'AbortError') listSlot.replaceChildren(sectionError(err));
      }
      return null;
    },
  });
  form.id = 'enrollment-form';
  drawList(enrollments);
  body.replaceChildren(
    h('p', {class: 'lead'}, 'A machine exchanges an enrollment token for its own credential with ',
      h('code', 'cairn enroll'), '. Tokens are short-lived and can be used a limited number of times.'),
    section('New enrollment token', form),
    result,
    section('Tokens', listSlot));
}

// ---- repositories ----

export async function reposView(ctx, root) {
  const slug = ctx.params[0];
  const base = tenantBase(slug);
  loading(root);
  const [tenant, repos] = await Promise.all([loadTenant(ctx), get(base + '/repos', {signal: ctx.signal})]);
  const body = tenantHeader(ctx, root, tenant, {tab: 'repos', title: 'Repositories'});
  const rows = repos.map(r => h('tr', {dataset: {repo: r.name}},
    h('th', {scope: 'row'}, h('a', {href: tenantHash(slug, 'repos/' + encodeURIComponent(r.name))}, r.name)),
    h('td', {class: 'num'}, fmtBytes(r.physicalBytes)),
    h('td', {class: 'num'}, fmtNumber(r.objects)),
    h('td', retentionText(r.retention)),
    h('td', {class: 'num'}, fmtNumber(r.immutabilityDays) + ' d'),
    h('td', fmtTime(r.createdAt, {dateOnly: true}))));
  const parts = [section('Repositories', table({caption: 'Repositories', className: 'repos',
    columns: [{label: 'Name'}, {label: 'On disk', className: 'num'}, {label: 'Objects', className: 'num'},
      {label: 'Retention'}, {label: 'Immutability', className: 'num'}, {label: 'Created'}],
    rows, empty: 'No repositories yet.'}))];
  if (ctx.admin) {
    const form = makeForm({
      label: 'New repository', submitLabel: 'Create repository',
      fields: [
        h('div', {class: 'grid-fields'},
          field({label: 'Name', name: 'name', required: true, hint: 'Lower-case letters, digits and dashes.',
            attrs: {pattern: '[a-z0-9][a-z0-9\\-]{0,62}', maxlength: 63, autocomplete: 'off', autocapitalize: 'none',
              spellcheck: 'false'}}),
          field({label: 'Immutability (days)', name: 'immutabilityDays', type: 'number',
            hint: tenant.plan ? 'Empty: the plan’s.' : 'Empty: none.', attrs: {min: 0, max: 36500, step: 1}})),
        retentionFields(null, {legend: tenant.plan ? 'Retention (empty: the plan’s policy)' : 'Retention (optional)'}),
      ],
      onSubmit: async (v) => {
        const b = {name: v.name};
        const days = optionalNumber(v.immutabilityDays, 'immutabilityDays', {integer: true, min: 0});
        if (days !== null) b.immutabilityDays = days;
        const retention = retentionValue(v);
        if (retention) b.retention = retention;
        const r = await post(base + '/repos', b);
        ctx.announce(`Repository ${r.name} created`);
        await ctx.rerender();
        return null;
      },
    });
    form.id = 'repo-form';
    parts.push(section('New repository', form));
  }
  body.replaceChildren(...parts);
}

export async function repoView(ctx, root) {
  const [slug, name] = ctx.params;
  const base = tenantBase(slug) + '/repos/' + seg(name);
  loading(root);
  const [tenant, repo, snapshots] = await Promise.all([loadTenant(ctx), get(base, {signal: ctx.signal}),
    get(base + '/snapshots', {signal: ctx.signal})]);
  const body = tenantHeader(ctx, root, tenant, {tab: 'repos', title: 'Repository ' + repo.name});
  const parts = [];
  const totalLogical = snapshots.reduce((a, x) => a + (Number(x.logicalBytes) || 0), 0);
  parts.push(h('p', h('a', {href: tenantHash(slug, 'repos')}, '← All repositories')));
  parts.push(section('Details', dl([
    ['On disk', fmtBytes(repo.physicalBytes)],
    ['Objects', fmtNumber(repo.objects)],
    ['Snapshots', fmtNumber(snapshots.length)],
    ['Backed up (all snapshots)', fmtBytes(totalLogical)],
    ['Retention', retentionText(repo.retention)],
    ['Immutability', fmtNumber(repo.immutabilityDays) + ' days'],
    ['Created', fmtTime(repo.createdAt)],
  ])));

  const rows = snapshots.map(x => {
    const locked = parseDate(x.lockedUntil);
    const tags = String(x.tags || '').split(',').map(t => t.trim()).filter(Boolean);
    return h('tr', {dataset: {snapshot: x.id}},
      h('td', {class: 'nowrap'}, fmtTime(x.time)),
      h('td', x.host || '—'),
      h('td', tags.length ? h('ul', {class: 'tags'}, tags.map(t => h('li', {class: 'tag'}, t))) : h('span', {class: 'muted'}, '—')),
      h('td', {class: 'num'}, fmtBytes(x.logicalBytes)),
      h('td', {class: 'num'}, fmtBytes(x.newStoredBytes)),
      h('td', {class: 'num ratio'}, fmtRatio(x.logicalBytes, x.newStoredBytes)),
      h('td', {class: 'num'}, fmtNumber(x.files)),
      h('td', {class: 'num'}, Number(x.errors) > 0 ? badge('warn', fmtNumber(x.errors), '⚠') : '0'),
      h('td', {class: 'nowrap'}, locked && locked > new Date()
        ? [h('img', {src: 'lock.svg', alt: 'locked until', class: 'icon', width: 14, height: 14}), ' ', fmtTime(x.lockedUntil)]
        : locked ? fmtTime(x.lockedUntil) : h('span', {class: 'muted'}, '—')),
      h('td', h('code', {class: 'snapshot-id', title: x.id}, String(x.id).slice(0, 8))));
  });
  parts.push(section('Snapshots', table({caption: 'Snapshots of ' + repo.name, className: 'snapshots',
    columns: [{label: 'Time'}, {label: 'Host'}, {label: 'Tags'}, {label: 'Size', className: 'num'},
      {label: 'New data', className: 'num'}, {label: 'Dedupe ratio', className: 'num'}, {label: 'Files', className: 'num'},
      {label: 'Errors', className: 'num'}, {label: 'Locked until'}, {label: 'ID'}],
    rows, empty: 'No snapshots yet. Back up a machine enrolled for this repository.'}),
  h('p', {class: 'hint'}, 'New data is what the snapshot added to the repository after deduplication and compression; '
    + 'the dedupe ratio is its size divided by that.')));

  if (ctx.admin) {
    const form = makeForm({
      label: 'Retention and immutability of ' + repo.name, submitLabel: 'Save',
      fields: [
        field({label: 'Immutability (days)', name: 'immutabilityDays', type: 'number', value: repo.immutabilityDays,
          hint: 'It can only be lengthened.', attrs: {min: repo.immutabilityDays || 0, max: 36500, step: 1}}),
        retentionFields(repo.retention, {legend: 'Retention', editing: true}),
      ],
      onSubmit: async (v) => {
        const b = {};
        const days = optionalNumber(v.immutabilityDays, 'immutabilityDays', {integer: true, min: 0});
        if (days !== null && days !== Number(repo.immutabilityDays)) b.immutabilityDays = days;
        const retention = retentionValue(v);
        if (retention) b.retention = retention;
        if (!Object.keys(b).length) return 'Nothing to change.';
        await patch(base, b);
        ctx.announce('Repository saved');
        await ctx.rerender();
        return null;
      },
    });
    form.id = 'repo-edit-form';
    parts.push(section('Retention', form));
  }
  if (ctx.provider) {
    const status = h('p', {role: 'status', 'aria-live': 'polite'});
    parts.push(section('Maintenance', h('div', {class: 'actions'},
      ['retention', 'gc', 'scrub'].map(kind => actionButton('Run ' + kind, async () => {
        try {
          const job = await post(base + '/jobs', {kind});
          status.replaceChildren(`Job #${job.id} (${kind}) is ${job.status}. `,
            h('a', {href: tenantHash(slug, 'jobs')}, 'See jobs'));
        } catch (err) {
          status.replaceChildren(sectionError(err));
        }
      }))), status));
  }
  body.replaceChildren(...parts);
}

// ---- users ----

const ROLES = {tenant_admin: 'Administrator', tenant_viewer: 'Viewer (read only)', provider_admin: 'Provider admin'};

export async function usersView(ctx, root) {
  const slug = ctx.params[0];
  const base = tenantBase(slug);
  loading(root);
  const [tenant, users] = await Promise.all([loadTenant(ctx), get(base + '/users', {signal: ctx.signal})]);
  const body = tenantHeader(ctx, root, tenant, {tab: 'users', title: 'Users'});
  // Changes to a user: role, disabled (every token of the user stops at once), a lost second factor.
  const change = (u, body, done) => actionButton(done.label, async () => {
    try {
      await patch(`${base}/users/${seg(u.id)}`, body);
      ctx.announce(done.announce);
      await ctx.rerender();
    } catch (err) {
      ctx.announce(err.message);
    }
  }, {className: 'button small' + (done.danger ? ' danger' : ''), attrs: {'aria-label': `${done.label}: ${u.username}`},
    confirm: done.confirm});
  const rows = users.map(u => h('tr', {dataset: {user: u.username}},
    h('th', {scope: 'row'}, u.username),
    h('td', ROLES[u.role] || u.role),
    h('td', truthy(u.totp) ? badge('ok', 'On', '✓') : badge('muted', 'Off', '–')),
    h('td', truthy(u.disabled) ? badge('danger', 'Disabled', '✕') : badge('ok', 'Active', '✓'),
      u.failedLogins ? h('div', {class: 'muted small'}, `${fmtNumber(u.failedLogins)} failed login`
        + (u.failedLogins === 1 ? '' : 's'), u.loginsHeldUntil ? [', held until ', fmtTime(u.loginsHeldUntil)] : null)
        : null),
    h('td', fmtTime(u.createdAt, {dateOnly: true})),
    h('td', {class: 'actions'},
      u.role === 'tenant_viewer'
        ? change(u, {role: 'tenant_admin'}, {label: 'Make administrator', announce: `${u.username} is now an administrator`})
        : change(u, {role: 'tenant_viewer'}, {label: 'Make viewer', announce: `${u.username} is now a viewer`}),
      truthy(u.disabled)
        ? change(u, {disabled: false}, {label: 'Enable', announce: `${u.username} enabled`})
        : change(u, {disabled: true}, {label: 'Disable', announce: `${u.username} disabled`, danger: true,
          confirm: `Disable ${u.username}? Their sessions and API tokens stop working at once.`}),
      truthy(u.totp)
        ? change(u, {resetTotp: true}, {label: 'Reset two-factor', announce: `Two-factor reset for ${u.username}`,
          danger: true, confirm: `Turn off two-factor authentication for ${u.username}? They can set it up again.`})
        : null,
      u.failedLogins
        ? change(u, {unlockLogins: true}, {label: 'Unlock logins', announce: `${u.username} can log in again at once`})
        : null)));
  const form = makeForm({
    label: 'New user', submitLabel: 'Create user',
    fields: h('div', {class: 'grid-fields'},
      field({label: 'User name', name: 'username', required: true, hint: 'Unique on this server, such as an e-mail address.',
        attrs: {autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 128,
          pattern: '[A-Za-z0-9][A-Za-z0-9._@+\\-]{0,127}'}}),
      field({label: 'Password', name: 'password', type: 'password', required: true, hint: 'At least 12 characters.',
        attrs: {autocomplete: 'new-password', minlength: 12}}),
      field({label: 'Role', name: 'role', type: 'select', value: 'tenant_viewer', options: [
        {value: 'tenant_viewer', label: 'Viewer — sees usage, machines and snapshots'},
        {value: 'tenant_admin', label: 'Administrator — also enrolls machines and manages users'}]})),
    onSubmit: async (v) => {
      if (v.password.length < 12) throw new FieldError('password', 'The password needs at least 12 characters.');
      const u = await post(base + '/users', {username: v.username, password: v.password, role: v.role});
      ctx.announce(`User ${u.username} created`);
      await ctx.rerender();
      return null;
    },
  });
  form.id = 'user-form';
  body.replaceChildren(
    section('Users', table({caption: 'Users', className: 'users',
      columns: [{label: 'User name'}, {label: 'Role'}, {label: 'Two-factor'}, {label: 'Status'}, {label: 'Created'},
        {label: 'Actions'}],
      rows, empty: 'No users yet.'})),
    section('New user', form));
}

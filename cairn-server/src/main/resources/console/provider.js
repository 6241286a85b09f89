// The provider's pages: dashboard, plans, tenants, jobs (also per tenant), audit log (also per tenant).

import {h, badge, dl, fmtBytes, fmtMoney, moneyDigits, fmtNumber, fmtRatio, fmtTime, fmtDuration, fmtMonth, parseDate, table,
  truthy, GB, clockText, currentMonth, shiftMonth} from './dom.js';
import {get, post, patch, seg} from './api.js';
import {field, makeForm, FieldError, optionalNumber, requiredNumber, retentionFields, retentionValue, retentionText,
  actionButton} from './forms.js';
import {meterBar} from './charts.js';
import {loading, section, sectionError, loadTenant, tenantHeader, tenantBase, tenantHash} from './views.js';

// ---- dashboard ----

const ALERT_KINDS = {
  missed_backup: ['Missed backup', 'warn', '⚠'],
  backup_refused: ['Backup refused', 'danger', '✕'],
  failed_job: ['Failed job', 'danger', '✕'],
  scrub_errors: ['Scrub errors', 'danger', '⚠'],
  over_soft_quota: ['Over soft quota', 'warn', '▲'],
  suspended: ['Suspended', 'muted', '‖'],
};

function card(title, body, {id, className} = {}) {
  return h('section', {class: ['card', className], id, 'aria-label': title}, h('h2', {class: 'card-title'}, title), body);
}

function big(text, opts = {}) {
  return h('p', {class: 'big', ...opts}, text);
}

export async function dashboardView(ctx, root) {
  ctx.title('Dashboard');
  loading(root);
  const d = await get('/dashboard', {signal: ctx.signal});
  const cap = d.capacity || {};
  const total = Number(cap.totalBytes) || 0;
  const used = Number(cap.usedBytes) || 0;
  // As df computes it: used over used plus available (blocks reserved for root count for neither).
  const usedFraction = cap.usedPercent === null || cap.usedPercent === undefined ? 0 : Number(cap.usedPercent) / 100;
  const forData = Number(cap.forDataBytes) || 0;
  const sold = Number(d.quotaSoldBytes) || 0;
  const ratio = d.overbookingRatio === null || d.overbookingRatio === undefined ? null : Number(d.overbookingRatio);
  const today = d.today || {};
  const alerts = Array.isArray(d.alerts) ? d.alerts : [];
  const updated = h('p', {class: 'muted small', role: 'status', 'aria-live': 'polite'}, 'Updated ' + clockText());

  const cards = h('div', {class: 'cards'},
    card('Capacity', [
      big(fmtBytes(used) + ' used', {dataset: {value: used}}),
      meterBar(usedFraction, `Capacity: ${fmtNumber(usedFraction * 100, 1)}% used`),
      dl([
        ['Free', fmtBytes(cap.freeBytes)],
        ['Total', fmtBytes(total)],
        ['Used', cap.usedPercent === null || cap.usedPercent === undefined ? '—' : fmtNumber(cap.usedPercent) + '\u00a0%'],
        cap.path ? ['Data directory', h('span', {class: 'mono small path'}, cap.path)] : null,
      ]),
    ], {id: 'card-capacity'}),
    card('Quota sold', [
      big(fmtBytes(sold), {dataset: {value: sold}}),
      meterBar(forData ? sold / forData : 0,
        `Quota sold: ${forData ? fmtNumber((sold / forData) * 100, 1) : '—'}% of the space for data`,
        {warn: 0.9, danger: 1.5}),
      dl([
        ['Space for data', fmtBytes(forData)],
        ['Overbooking ratio', ratio === null ? '—' : fmtNumber(ratio, 2) + '×',
          {class: ['fact', ratio !== null && ratio > 1 ? 'fact-warn' : null]}],
        d.tenantsWithoutQuota ? ['Tenants without a hard quota', fmtNumber(d.tenantsWithoutQuota)] : null,
      ]),
      h('p', {class: 'hint'}, 'Hard quotas of active tenants against the space for data: what the tenants store '
        + 'now plus what is free for them.'),
    ], {id: 'card-quota'}),
    card('Stored', [
      big(fmtBytes(d.physicalBytes), {dataset: {value: d.physicalBytes}}),
      dl([
        ['On disk (physical)', fmtBytes(d.physicalBytes)],
        ['Backed up (logical)', fmtBytes(d.logicalBytes)],
        ['Deduplication', fmtRatio(d.logicalBytes, d.physicalBytes)],
      ]),
    ], {id: 'card-stored'}),
    card('Today (UTC)', [
      dl([
        ['Ingress', fmtBytes(today.ingressBytes), {class: 'fact', dataset: {value: today.ingressBytes}}],
        ['Egress', fmtBytes(today.egressBytes)],
        ['Requests', fmtNumber(today.requests)],
      ]),
    ], {id: 'card-today'}),
    card('Tenants', [
      big(fmtNumber(d.tenants)),
      h('p', h('a', {href: '#/tenants'}, 'Manage tenants')),
    ], {id: 'card-tenants'}));

  const alertList = alerts.length === 0
    ? h('p', {class: 'empty'}, badge('ok', 'No alerts', '✓'), ' Every machine is on time and every job ended well.')
    : h('ul', {class: 'alerts'}, alerts.map(a => {
      const [label, kind, icon] = ALERT_KINDS[a.kind] || [a.kind, 'warn', '!'];
      return h('li', {class: 'alert-item', dataset: {kind: a.kind}},
        badge(kind, label, icon),
        h('div', {class: 'alert-text'},
          h('p', h('a', {href: tenantHash(a.tenant)}, a.tenant), a.target ? ' · ' + a.target : ''),
          h('p', {class: 'muted'}, a.message, a.since ? [' · since ', fmtTime(a.since)] : null)));
    }));

  root.replaceChildren(
    h('div', {class: 'page-head'}, h('h1', 'Dashboard'), updated),
    cards,
    section(`Alerts (${alerts.length})`, alertList));
}

// ---- plans ----

function gbText(bytes) {
  return bytes === null || bytes === undefined ? '' : String(Number(bytes) / GB);
}

function quotaText(bytes) {
  return bytes === null || bytes === undefined ? 'none' : fmtBytes(bytes);
}

function planFields(plan) {
  const p = plan || {};
  return [
    field({label: 'Name', name: 'name', required: true, value: p.name, attrs: {maxlength: 100, autocomplete: 'off'}}),
    h('div', {class: 'grid-fields'},
      field({label: 'Soft quota (GB)', name: 'softQuotaGb', type: 'number', api: 'softQuotaBytes',
        value: gbText(p.softQuotaBytes), hint: 'Over it, backups succeed with a warning. Empty: none.',
        attrs: {min: 0, step: 'any', inputmode: 'decimal'}}),
      field({label: 'Hard quota (GB)', name: 'hardQuotaGb', type: 'number', api: 'hardQuotaBytes',
        value: gbText(p.hardQuotaBytes), hint: 'Over it, new data is refused. Empty: none.',
        attrs: {min: 0, step: 'any', inputmode: 'decimal'}}),
      field({label: 'Price per GB-month', name: 'pricePerGbMonth', type: 'number', required: true,
        value: p.pricePerGbMonth, hint: 'Stored data, charged by the day.', attrs: {min: 0, step: 'any', inputmode: 'decimal'}}),
      field({label: 'Price per GB of egress', name: 'pricePerGbEgress', type: 'number', required: true,
        value: p.pricePerGbEgress, hint: 'Data sent to the tenant’s machines.',
        attrs: {min: 0, step: 'any', inputmode: 'decimal'}}),
      field({label: 'Currency', name: 'currency', required: true, value: p.currency || 'EUR',
        hint: 'ISO 4217 code, such as EUR or USD.',
        attrs: {pattern: '[A-Z]{3}', maxlength: 3, autocomplete: 'off', autocapitalize: 'characters'}}),
      field({label: 'Immutability (days)', name: 'immutabilityDays', type: 'number', value: p.immutabilityDays ?? 0,
        hint: 'Snapshots younger than this are never forgotten.', attrs: {min: 0, max: 36500, step: 1}})),
    retentionFields(p.retention, {legend: 'Retention of new repositories (optional)'}),
    h('p', {class: 'hint'}, 'GB here is 10⁹ bytes, as prices count it.'),
  ];
}

function planBody(v) {
  const soft = optionalNumber(v.softQuotaGb, 'softQuotaGb', {min: 0});
  const hard = optionalNumber(v.hardQuotaGb, 'hardQuotaGb', {min: 0});
  if (soft !== null && hard !== null && soft > hard) {
    throw new FieldError('softQuotaGb', 'The soft quota cannot be larger than the hard quota.');
  }
  const currency = (v.currency || '').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new FieldError('currency', 'The currency is a three-letter code such as EUR.');
  return {
    name: v.name,
    softQuotaBytes: soft === null ? null : Math.round(soft * GB),
    hardQuotaBytes: hard === null ? null : Math.round(hard * GB),
    pricePerGbMonth: requiredNumber(v.pricePerGbMonth, 'pricePerGbMonth', {min: 0}),
    pricePerGbEgress: requiredNumber(v.pricePerGbEgress, 'pricePerGbEgress', {min: 0}),
    currency,
    retention: retentionValue(v),
    immutabilityDays: optionalNumber(v.immutabilityDays, 'immutabilityDays', {integer: true, min: 0}) ?? 0,
  };
}

export async function plansView(ctx, root) {
  ctx.title('Plans');
  loading(root);
  const plans = await get('/plans', {signal: ctx.signal});
  const editor = h('div', {class: 'editor'});

  function showCreate() {
    const form = makeForm({
      label: 'New plan', submitLabel: 'Create plan', fields: planFields(null),
      onSubmit: async (v) => {
        const p = await post('/plans', planBody(v));
        ctx.announce(`Plan ${p.name} created`);
        await ctx.rerender();
        return null;
      },
    });
    form.id = 'plan-form';
    editor.replaceChildren(section('New plan', form));
  }

  function showEdit(plan) {
    const form = makeForm({
      label: 'Edit plan ' + plan.name, submitLabel: 'Save changes', fields: planFields(plan),
      extraActions: h('button', {type: 'button', class: 'button subtle', onclick: showCreate}, 'Cancel'),
      onSubmit: async (v) => {
        await patch('/plans/' + seg(plan.id), planBody(v));
        ctx.announce(`Plan ${plan.name} saved`);
        await ctx.rerender();
        return null;
      },
    });
    form.id = 'plan-form';
    editor.replaceChildren(section('Edit plan “' + plan.name + '”', form));
    form.querySelector('input').focus();
  }

  const rows = plans.map(p => h('tr', {dataset: {plan: p.name}},
    h('th', {scope: 'row'}, p.name),
    h('td', {class: 'num'}, quotaText(p.softQuotaBytes)),
    h('td', {class: 'num'}, quotaText(p.hardQuotaBytes)),
    h('td', {class: 'num'}, fmtMoney(p.pricePerGbMonth, p.currency)),
    h('td', {class: 'num'}, fmtMoney(p.pricePerGbEgress, p.currency)),
    h('td', retentionText(p.retention)),
    h('td', {class: 'num'}, fmtNumber(p.immutabilityDays) + ' d'),
    h('td', h('button', {type: 'button', class: 'button small', onclick: () => showEdit(p),
      'aria-label': 'Edit plan ' + p.name}, 'Edit'))));
  showCreate();
  root.replaceChildren(
    h('div', {class: 'page-head'}, h('h1', 'Plans'),
      h('p', {class: 'subtitle'}, 'Templates of quota, prices, retention and immutability for new tenants.')),
    section('Plans', table({caption: 'Plans', className: 'plans',
      columns: [{label: 'Name'}, {label: 'Soft quota', className: 'num'}, {label: 'Hard quota', className: 'num'},
        {label: 'Per GB-month', className: 'num'}, {label: 'Per GB egress', className: 'num'}, {label: 'Retention'},
        {label: 'Immutability', className: 'num'}, {label: 'Actions'}],
      rows, empty: 'No plans yet. Create the first one below.'})),
    editor);
}

// ---- tenants ----

export async function tenantsView(ctx, root) {
  ctx.title('Tenants');
  loading(root);
  const [tenants, plans] = await Promise.all([get('/tenants', {signal: ctx.signal}),
    get('/plans', {signal: ctx.signal})]);

  const status = h('div', {role: 'status', 'aria-live': 'polite'});
  const rows = tenants.map(t => {
    const suspended = truthy(t.suspended);
    const toggle = actionButton(suspended ? 'Resume' : 'Suspend', async () => {
      try {
        await patch(tenantBase(t.slug), {suspended: !suspended});
        ctx.announce(`Tenant ${t.slug} ${suspended ? 'resumed' : 'suspended'}`);
        await ctx.rerender();
      } catch (err) {
        status.replaceChildren(sectionError(err));
      }
    }, {className: 'button small' + (suspended ? '' : ' danger'),
      confirm: suspended ? null : `Suspend ${t.slug}? Its machines can no longer store backups until it is resumed.`,
      attrs: {'aria-label': (suspended ? 'Resume ' : 'Suspend ') + t.slug}});
    return h('tr', {dataset: {tenant: t.slug}},
      h('th', {scope: 'row'}, h('a', {href: tenantHash(t.slug)}, t.name || t.slug),
        h('div', {class: 'mono small muted'}, t.slug)),
      h('td', t.plan || h('span', {class: 'muted'}, 'none')),
      h('td', {class: 'num'}, fmtBytes(t.physicalBytes)),
      h('td', {class: 'num'}, fmtBytes(t.logicalBytes)),
      h('td', {class: 'num'}, quotaText(t.softQuotaBytes), ' / ', quotaText(t.hardQuotaBytes)),
      h('td', suspended ? badge('danger', 'Suspended', '‖') : badge('ok', 'Active', '✓')),
      h('td', fmtTime(t.createdAt, {dateOnly: true})),
      h('td', toggle));
  });

  const planOptions = [{value: '', label: plans.length ? 'Choose a plan…' : 'No plans yet'}]
    .concat(plans.map(p => ({value: String(p.id), label: `${p.name} — ${quotaText(p.hardQuotaBytes)}, `
      + `${fmtMoney(p.pricePerGbMonth, p.currency)}/GB-month`})));
  const form = makeForm({
    label: 'New tenant', submitLabel: 'Create tenant',
    fields: [
      h('div', {class: 'grid-fields'},
        field({label: 'Slug', name: 'slug', required: true, hint: 'Lower-case letters, digits and dashes; names the tenant '
          + 'in repository URLs.', attrs: {pattern: '[a-z0-9][a-z0-9\\-]{0,62}', maxlength: 63, autocomplete: 'off',
          autocapitalize: 'none', spellcheck: 'false'}}),
        field({label: 'Name', name: 'name', hint: 'Default: the slug.', attrs: {maxlength: 200, autocomplete: 'off'}}),
        field({label: 'Plan', name: 'plan', type: 'select', required: true, options: planOptions,
          hint: 'Quotas and prices come from the plan.'})),
      plans.length ? null : h('p', {class: 'notice'}, 'Create a plan first: ', h('a', {href: '#/plans'}, 'Plans'), '.'),
    ],
    onSubmit: async (v) => {
      if (!v.plan) throw new FieldError('plan', 'Choose a plan.');
      const body = {slug: v.slug, plan: Number(v.plan)};
      if (v.name) body.name = v.name;
      const t = await post('/tenants', body);
      ctx.announce(`Tenant ${t.slug} created`);
      await ctx.rerender();
      return null;
    },
  });
  form.id = 'tenant-form';
  root.replaceChildren(
    h('div', {class: 'page-head'}, h('h1', 'Tenants')),
    status,
    section('Tenants', table({caption: 'Tenants', className: 'tenants',
      columns: [{label: 'Tenant'}, {label: 'Plan'}, {label: 'Stored', className: 'num'},
        {label: 'Logical', className: 'num'}, {label: 'Soft / hard quota', className: 'num'}, {label: 'Status'},
        {label: 'Created'}, {label: 'Actions'}],
      rows, empty: 'No tenants yet.'})),
    section('New tenant', form));
}

// ---- jobs ----

const JOB_STATUS = {
  queued: ['info', 'Queued', '…'],
  running: ['info', 'Running', '▶'],
  ok: ['ok', 'OK', '✓'],
  problems: ['warn', 'Problems', '⚠'],
  failed: ['danger', 'Failed', '✕'],
  interrupted: ['warn', 'Interrupted', '■'],
};

function summaryView(summary) {
  if (!summary) return h('span', {class: 'muted'}, '—');
  let obj = summary;
  if (typeof summary === 'string') {
    try {
      obj = JSON.parse(summary);
    } catch {
      return h('span', summary);
    }
  }
  if (!obj || typeof obj !== 'object') return h('span', String(summary));
  return h('ul', {class: 'kv'}, Object.entries(obj).map(([k, v]) =>
    h('li', h('span', {class: 'k'}, k), ' ', h('span', {class: 'v'},
      /bytes/i.test(k) && typeof v === 'number' ? fmtBytes(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)))));
}

export async function jobsView(ctx, root) {
  const slug = ctx.params[0];
  loading(root);
  const [tenant, jobs] = await Promise.all([
    slug ? loadTenant(ctx) : null,
    get(slug ? tenantBase(slug) + '/jobs' : '/jobs', {signal: ctx.signal}),
  ]);
  let body;
  if (slug) {
    body = tenantHeader(ctx, root, tenant, {tab: 'jobs', title: 'Jobs'});
  } else {
    ctx.title('Jobs');
    body = h('div', {class: 'page-body'});
    root.replaceChildren(h('div', {class: 'page-head'}, h('h1', 'Jobs'),
      h('p', {class: 'subtitle'}, 'Retention, garbage collection and scrubbing run on the server, without any key.')),
    body);
  }
  const rows = jobs.map(j => {
    const [kind, label, icon] = JOB_STATUS[j.status] || ['muted', j.status, '?'];
    const started = parseDate(j.startedAt);
    const finished = parseDate(j.finishedAt);
    return h('tr', {dataset: {job: j.id, status: j.status}},
      h('td', {class: 'num'}, '#' + j.id),
      slug ? null : h('td', h('a', {href: tenantHash(j.tenant)}, j.tenant)),
      h('td', h('a', {href: tenantHash(j.tenant, 'repos/' + encodeURIComponent(j.repository))}, j.repository)),
      h('td', j.kind),
      h('td', j.trigger),
      h('td', badge(kind, label, icon)),
      h('td', fmtTime(j.queuedAt || j.startedAt)),
      h('td', started && finished ? fmtDuration(finished - started) : started ? 'running' : '—'),
      h('td', summaryView(j.summary), j.error ? h('p', {class: 'error-text'}, j.error) : null));
  });
  const columns = [{label: 'Job', className: 'num'}].concat(slug ? [] : [{label: 'Tenant'}]).concat([
    {label: 'Repository'}, {label: 'Kind'}, {label: 'Trigger'}, {label: 'Status'}, {label: 'Queued'},
    {label: 'Took'}, {label: 'Summary'}]);
  const parts = [];
  if (ctx.provider) parts.push(await startJobForm(ctx, slug));
  parts.push(section('Recent jobs', table({caption: 'Recent jobs', className: 'jobs', columns, rows,
    empty: 'No jobs have run yet.'})));
  body.replaceChildren(...parts);
  if (jobs.some(j => j.status === 'queued' || j.status === 'running')) {
    ctx.every(4000, () => ctx.rerender());
  }
}

async function startJobForm(ctx, fixedTenant) {
  const tenants = fixedTenant ? [{slug: fixedTenant}] : await get('/tenants', {signal: ctx.signal});
  const repoSelect = field({label: 'Repository', name: 'repo', type: 'select', required: true, options: []});
  const select = repoSelect.querySelector('select');
  async function loadRepos(slug) {
    select.replaceChildren(h('option', {value: ''}, slug ? 'Loading…' : 'Choose a tenant first'));
    if (!slug) return;
    try {
      const repos = await get(tenantBase(slug) + '/repos', {signal: ctx.signal});
      select.replaceChildren(...(repos.length ? repos.map(r => h('option', {value: r.name}, r.name))
        : [h('option', {value: ''}, 'This tenant has no repositories')]));
    } catch (err) {
      if (err.name !== 'AbortError') select.replaceChildren(h('option', {value: ''}, 'Could not load: ' + err.message));
    }
  }
  const fields = [];
  if (!fixedTenant) {
    const tenantField = field({label: 'Tenant', name: 'tenant', type: 'select', required: true,
      options: [{value: '', label: 'Choose a tenant…'}].concat(tenants.map(t => ({value: t.slug, label: t.slug})))});
    tenantField.querySelector('select').addEventListener('change', e => loadRepos(e.target.value));
    fields.push(tenantField);
  }
  fields.push(repoSelect, field({label: 'Kind', name: 'kind', type: 'select', required: true, options: [
    {value: 'retention', label: 'Retention: forget snapshots by the policy'},
    {value: 'gc', label: 'Garbage collection: free unreferenced data'},
    {value: 'scrub', label: 'Scrub: verify stored data'}]}));
  const form = makeForm({
    label: 'Start a job', submitLabel: 'Start job', fields: h('div', {class: 'grid-fields'}, fields),
    onSubmit: async (v) => {
      const slug = fixedTenant || v.tenant;
      if (!slug) throw new FieldError('tenant', 'Choose a tenant.');
      if (!v.repo) throw new FieldError('repo', 'Choose a repository.');
      const job = await post(tenantBase(slug) + '/repos/' + seg(v.repo) + '/jobs', {kind: v.kind});
      ctx.announce(`Job #${job.id} queued`);
      setTimeout(() => ctx.rerender(), 800);
      return `Job #${job.id} (${job.kind} of ${slug}/${v.repo}) is ${job.status}.`;
    },
  });
  form.id = 'job-form';
  if (fixedTenant) loadRepos(fixedTenant);
  else loadRepos('');
  return section('Start a job', form);
}

// ---- audit log ----

function parseJson(v) {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** An entry's detail (a JSON object as a string, whose values may hold JSON again) as key: value lines. */
function detailView(detail) {
  const obj = parseJson(detail);
  if (!obj || typeof obj !== 'object') return detail ? h('code', {class: 'detail'}, String(detail)) : '';
  const entries = Object.entries(obj);
  if (entries.length === 0) return '';
  return h('ul', {class: 'kv detail'}, entries.map(([k, v]) => {
    const value = parseJson(v);
    return h('li', h('span', {class: 'k'}, k + ':'), ' ',
      h('code', typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)));
  }));
}

export async function auditView(ctx, root) {
  const slug = ctx.params[0];
  const action = ctx.query.get('action') || '';
  loading(root);
  const base = slug ? tenantBase(slug) + '/audit' : '/audit';
  const query = (before) => {
    const p = new URLSearchParams();
    if (action) p.set('action', action);
    if (before) p.set('before', before);
    const s = p.toString();
    return base + (s ? '?' + s : '');
  };
  const [tenant, first] = await Promise.all([slug ? loadTenant(ctx) : null, get(query(null), {signal: ctx.signal})]);
  let body;
  if (slug) {
    body = tenantHeader(ctx, root, tenant, {tab: 'audit', title: 'Audit log'});
  } else {
    ctx.title('Audit log');
    body = h('div', {class: 'page-body'});
    root.replaceChildren(h('div', {class: 'page-head'}, h('h1', 'Audit log'),
      h('p', {class: 'subtitle'}, 'Every change and every failed login, newest first. Entries cannot be changed.')), body);
  }
  const hashBase = slug ? tenantHash(slug, 'audit') : '#/audit';
  const filter = makeForm({
    label: 'Filter the audit log', submitLabel: 'Filter', className: 'inline-form',
    fields: field({label: 'Action starts with', name: 'action', value: action,
      hint: 'Such as login.failed, agent. or tenant.', attrs: {autocomplete: 'off', spellcheck: 'false'}}),
    extraActions: action ? h('a', {href: hashBase, class: 'button subtle'}, 'Show all') : null,
    onSubmit: async (v) => {
      ctx.go(hashBase + (v.action ? '?action=' + encodeURIComponent(v.action) : ''));
      return null;
    },
  });
  filter.id = 'audit-filter';
  const tbody = h('tbody');
  const PAGE = 500;
  const more = h('div', {class: 'actions'});
  const count = h('p', {class: 'muted small', role: 'status', 'aria-live': 'polite'});
  let shown = 0;
  function add(entries) {
    for (const e of entries) {
      tbody.append(h('tr', {dataset: {id: e.id, action: e.action}},
        h('td', {class: 'nowrap'}, fmtTime(e.at)),
        h('td', h('span', {class: 'muted small'}, e.actorKind), ' ', e.actor || ''),
        slug ? null : h('td', e.tenant ? h('a', {href: tenantHash(e.tenant)}, e.tenant) : h('span', {class: 'muted'}, '—')),
        h('td', h('code', e.action)),
        h('td', e.target || ''),
        h('td', detailView(e.detail)),
        h('td', {class: 'mono small'}, e.remoteAddr || '')));
    }
    shown += entries.length;
    count.textContent = `${fmtNumber(shown)} entr${shown === 1 ? 'y' : 'ies'} shown` + (action ? ` for “${action}”` : '');
    more.replaceChildren();
    if (entries.length >= PAGE) {
      const oldest = Math.min(...entries.map(e => Number(e.id)));
      more.append(actionButton('Load older entries', async () => {
        try {
          const next = await get(query(oldest), {signal: ctx.signal});
          add(next);
        } catch (err) {
          if (err.name !== 'AbortError') more.append(sectionError(err));
        }
      }, {attrs: {id: 'audit-older'}}));
    }
  }
  const tableEl = h('div', {class: 'table-wrap', role: 'region', 'aria-label': 'Audit entries', tabindex: '0'},
    h('table', {class: 'data audit'},
      h('caption', {class: 'sr-only'}, 'Audit entries'),
      h('thead', h('tr', ['Time', 'Actor'].concat(slug ? [] : ['Tenant']).concat(['Action', 'Target', 'Detail', 'Address'])
        .map(l => h('th', {scope: 'col'}, l)))),
      tbody));
  add(first);
  body.replaceChildren(section('Filter', filter), section('Entries', count, first.length ? tableEl
    : h('p', {class: 'empty'}, 'No entries match.'), more));
}


// ---- billing: every tenant's cost of a month ----

export async function billingView(ctx, root) {
  ctx.title('Billing');
  const wanted = ctx.query.get('month');
  const month = wanted && /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(wanted) ? wanted : currentMonth();
  const isCurrent = month === currentMonth();
  loading(root);
  const rows = await get('/billing?month=' + month, {signal: ctx.signal});
  const totals = new Map();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) || 0) + (Number(r.total) || 0));
  const monthNav = h('nav', {class: 'month-nav', 'aria-label': 'Month'},
    h('a', {class: 'button small subtle', href: '#/billing?month=' + shiftMonth(month, -1)},
      h('span', {'aria-hidden': 'true'}, '← '), 'Previous month'),
    h('h2', {class: 'month-title'}, fmtMonth(month), isCurrent ? h('span', {class: 'muted'}, ' · so far') : null),
    isCurrent ? h('span') : h('a', {class: 'button small subtle', href: '#/billing?month=' + shiftMonth(month, 1)},
      'Next month', h('span', {'aria-hidden': 'true'}, ' →')));
  const digits = moneyDigits(...rows.flatMap(r => [r.storageCost, r.egressCost, r.total]));
  const trs = rows.map(r => h('tr', {dataset: {tenant: r.tenant}},
    h('th', {scope: 'row'}, h('a', {href: tenantHash(r.tenant) + '?month=' + month}, r.name || r.tenant),
      h('div', {class: 'mono small muted'}, r.tenant)),
    h('td', r.plan || h('span', {class: 'muted'}, 'none')),
    h('td', {class: 'num'}, fmtNumber(r.storageGbMonths, 6)),
    h('td', {class: 'num'}, fmtMoney(r.storageCost, r.currency, digits)),
    h('td', {class: 'num'}, fmtNumber(r.egressGb, 6)),
    h('td', {class: 'num'}, fmtMoney(r.egressCost, r.currency, digits)),
    h('td', {class: 'num'}, h('strong', fmtMoney(r.total, r.currency, digits)))));
  root.replaceChildren(
    h('div', {class: 'page-head'}, h('h1', 'Billing'),
      h('p', {class: 'subtitle'}, 'Each tenant’s cost: storage charged by the day, egress by the GB, at its plan’s prices.')),
    monthNav,
    h('div', {class: 'cards'}, [...totals.entries()].map(([currency, total]) =>
      h('section', {class: 'card', 'aria-label': 'Total in ' + currency},
        h('h2', {class: 'card-title'}, (isCurrent ? 'Total so far' : 'Total') + ' · ' + currency),
        h('p', {class: 'big'}, fmtMoney(total, currency, digits))))),
    section('Tenants', table({caption: 'Cost per tenant', className: 'billing',
      columns: [{label: 'Tenant'}, {label: 'Plan'}, {label: 'GB-months', className: 'num'},
        {label: 'Storage', className: 'num'}, {label: 'Egress GB', className: 'num'}, {label: 'Egress', className: 'num'},
        {label: 'Total', className: 'num'}],
      rows: trs, empty: 'No tenants.'}),
    h('p', {class: 'actions'}, h('a', {class: 'button', href: '/api/v1/billing?format=csv&month=' + month,
      download: `cairn-billing-${month}.csv`}, 'Download CSV for the billing system'))));
}

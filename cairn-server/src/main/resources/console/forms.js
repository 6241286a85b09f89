// Forms: labelled fields, an alert region for the server's error message, field-level errors
// when the message names a field, and a polite status region for results.

import {h} from './dom.js';

let counter = 0;
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A client-side refusal that names the field at fault. */
export class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

/**
 * One labelled field. type: text, password, number, email, select, textarea, checkbox.
 * `api` names the request field the input stands for, so that a server message such as
 * "'hardQuotaBytes' must be …" marks the right input.
 */
export function field({label, name, type = 'text', value, required = false, hint, options, api, attrs = {}}) {
  const id = uid('f');
  let input;
  if (type === 'select') {
    input = h('select', {id, name, required, ...attrs},
      (options || []).map(o => h('option', {value: o.value}, o.label)));
  } else if (type === 'textarea') {
    input = h('textarea', {id, name, required, rows: 3, ...attrs});
  } else {
    input = h('input', {id, name, type, required, ...attrs});
  }
  if (api) input.dataset.api = api;
  if (type === 'checkbox') {
    input.checked = !!value;
  } else if (value !== undefined && value !== null) {
    input.value = String(value);
  }
  const hintEl = hint ? h('p', {class: 'hint', id: id + '-hint'}, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  const errEl = h('p', {class: 'field-error', id: id + '-error', hidden: true});
  const labelEl = h('label', {for: id}, label,
    required ? h('span', {class: 'required', 'aria-hidden': 'true'}, ' *') : null);
  if (type === 'checkbox') {
    return h('div', {class: 'field field-check'}, input, labelEl, hintEl, errEl);
  }
  return h('div', {class: 'field'}, labelEl, input, hintEl, errEl);
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    const err = document.getElementById(el.id + '-error');
    if (err) {
      err.hidden = true;
      err.textContent = '';
    }
    const hint = document.getElementById(el.id + '-hint');
    if (hint) el.setAttribute('aria-describedby', hint.id);
    else el.removeAttribute('aria-describedby');
  }
}

function inputFor(form, name) {
  for (const el of form.querySelectorAll('input, select, textarea')) {
    if (el.name === name || el.dataset.api === name) return el;
  }
  return null;
}

export function markField(form, name, message) {
  const el = inputFor(form, name);
  if (!el) return false;
  el.setAttribute('aria-invalid', 'true');
  const err = document.getElementById(el.id + '-error');
  if (err) {
    err.textContent = message;
    err.hidden = false;
    const hint = document.getElementById(el.id + '-hint');
    el.setAttribute('aria-describedby', [err.id, hint && hint.id].filter(Boolean).join(' '));
  }
  return el;
}

/** Shows an error: its message in the form's alert region, and next to the field it names. */
export function showFormError(form, alert, err) {
  const message = err && err.message ? err.message : String(err);
  alert.replaceChildren(h('p', message));
  let target = null;
  if (err instanceof FieldError) {
    target = markField(form, err.field, message);
  } else {
    for (const m of message.matchAll(/'([A-Za-z][A-Za-z0-9.]*)'/g)) {
      target = markField(form, m[1], message) || target;
      if (target) break;
    }
    if (!target) {
      const m = /^([a-z][A-Za-z]+) (?:must|is|are|cannot)\b/.exec(message);
      if (m) target = markField(form, m[1], message);
    }
  }
  if (target) target.focus();
}

/**
 * A form. onSubmit(values, form) may answer a Node or text for the status region, and may throw
 * ApiError or FieldError, which are shown in the alert region.
 */
export function makeForm({label, fields, submitLabel, onSubmit, extraActions, className}) {
  const alert = h('div', {class: 'alert alert-error', role: 'alert'});
  const status = h('div', {class: 'form-status', role: 'status', 'aria-live': 'polite'});
  const button = h('button', {type: 'submit', class: 'button primary'}, submitLabel);
  const form = h('form', {class: ['form', className], 'aria-label': label},
    alert, fields, h('div', {class: 'actions'}, button, extraActions), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    alert.replaceChildren();
    status.replaceChildren();
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const result = await onSubmit(values(form), form);
      if (result !== undefined && result !== null && form.isConnected) status.replaceChildren(result);
    } catch (err) {
      if (err && err.name === 'AbortError') return;
      showFormError(form, alert, err);
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  form.alertRegion = alert;
  form.statusRegion = status;
  return form;
}

export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.value.trim();
  }
  return out;
}

export function optionalNumber(v, name, {integer = false, min} = {}) {
  if (v === undefined || v === null || String(v).trim() === '') return null;
  const n = Number(String(v).replace(',', '.'));
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || (min !== undefined && n < min)) {
    throw new FieldError(name, `${name} must be ${integer ? 'a whole number' : 'a number'}`
      + (min !== undefined ? ` of at least ${min}` : ''));
  }
  return n;
}

export function requiredNumber(v, name, opts) {
  const n = optionalNumber(v, name, opts);
  if (n === null) throw new FieldError(name, `${name} is required`);
  return n;
}

const RULES = [
  ['keepLast', 'Keep the last N'],
  ['keepHourly', 'Hourly'],
  ['keepDaily', 'Daily'],
  ['keepWeekly', 'Weekly'],
  ['keepMonthly', 'Monthly'],
  ['keepYearly', 'Yearly'],
];

/** The fields of a retention policy; `initial` is an object, a JSON string or null. */
export function retentionFields(initial, {legend = 'Retention (optional)', editing = false} = {}) {
  let policy = initial;
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(policy);
    } catch {
      policy = null;
    }
  }
  policy = policy || {};
  const counts = RULES.map(([rule, label]) => field({
    label, name: 'retention.' + rule, type: 'number', value: policy[rule], api: rule,
    attrs: {min: 0, step: 1, inputmode: 'numeric'},
  }));
  return h('fieldset', {class: 'retention'},
    h('legend', legend),
    h('p', {class: 'hint'}, editing
      ? 'A snapshot is kept if any rule keeps it. A new policy replaces the old one and needs at least one rule.'
      : 'A snapshot is kept if any rule keeps it. Leave every field empty for no policy: the server then never '
        + 'forgets a snapshot.'),
    h('div', {class: 'grid-fields'}, counts),
    field({label: 'Keep everything within', name: 'retention.keepWithin', value: policy.keepWithin, api: 'keepWithin',
      hint: 'A duration such as 30d, 6m or 1y6m.', attrs: {pattern: '^([0-9]+[ymwdh])+$', autocomplete: 'off'}}),
    field({label: 'Keep snapshots tagged', name: 'retention.keepTags', api: 'keepTags',
      value: Array.isArray(policy.keepTags) ? policy.keepTags.join(', ') : '', hint: 'Tags, separated by commas.',
      attrs: {autocomplete: 'off'}}));
}

/** The retention object from a form's values, or null when every rule is empty. */
export function retentionValue(v) {
  const out = {};
  for (const [rule, label] of RULES) {
    const n = optionalNumber(v['retention.' + rule], rule, {integer: true, min: 0});
    if (n !== null) out[rule] = n;
    void label;
  }
  if (v['retention.keepWithin']) out.keepWithin = v['retention.keepWithin'];
  if (v['retention.keepTags']) {
    const tags = v['retention.keepTags'].split(',').map(t => t.trim()).filter(Boolean);
    if (tags.length) out.keepTags = tags;
  }
  return Object.keys(out).length ? out : null;
}

/** A policy (object or JSON string) in words. */
export function retentionText(policy) {
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(policy);
    } catch {
      return policy;
    }
  }
  if (!policy || typeof policy !== 'object' || Object.keys(policy).length === 0) return 'keep everything';
  const parts = [];
  const names = {keepLast: 'last', keepHourly: 'hourly', keepDaily: 'daily', keepWeekly: 'weekly',
    keepMonthly: 'monthly', keepYearly: 'yearly'};
  for (const [rule, word] of Object.entries(names)) if (policy[rule] !== undefined) parts.push(`${policy[rule]} ${word}`);
  if (policy.keepWithin) parts.push(`all within ${policy.keepWithin}`);
  if (Array.isArray(policy.keepTags) && policy.keepTags.length) parts.push(`tagged ${policy.keepTags.join(', ')}`);
  return parts.join(', ') || JSON.stringify(policy);
}

/** A button that runs an async action, announcing its result in `live` and disabling itself meanwhile. */
export function actionButton(label, action, {className = 'button', confirm: question, attrs = {}} = {}) {
  const b = h('button', {type: 'button', class: className, ...attrs}, label);
  b.addEventListener('click', async () => {
    if (question && !window.confirm(question)) return;
    b.disabled = true;
    try {
      await action(b);
    } finally {
      if (b.isConnected) b.disabled = false;
    }
  });
  return b;
}

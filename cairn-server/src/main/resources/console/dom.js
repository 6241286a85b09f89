// DOM building and formatting. Every node is made with createElement/createElementNS and text
// nodes, so data from the server is never parsed as HTML. The CSP forbids inline styles: looks
// come from classes in style.css, sizes of chart shapes from SVG presentation attributes.

const SVG_NS = 'http://www.w3.org/2000/svg';
const PROPS = new Set(['value', 'checked', 'selected', 'indeterminate']);

function append(el, child) {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
  } else if (child instanceof Node) {
    el.appendChild(child);
  } else {
    el.appendChild(document.createTextNode(String(child)));
  }
}

function build(el, attrs, children, svg) {
  if (attrs !== null && attrs !== undefined
      && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  const late = [];
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'style') throw new Error('inline styles are refused by the Content-Security-Policy');
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class') {
      el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    } else if (k === 'dataset') {
      for (const [dk, dv] of Object.entries(v)) if (dv !== null && dv !== undefined) el.dataset[dk] = String(dv);
    } else if (!svg && PROPS.has(k)) {
      late.push([k, v]);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  for (const [k, v] of late) el[k] = v;  // after the children, so a <select> finds its option
  return el;
}

/** An HTML element: h('p', {class: 'x'}, 'text', child, ...). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children, false);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children, true);
}

// ---- formatting (the browser's locale) ----

const numberFormats = new Map();
function nf(opts) {
  const key = JSON.stringify(opts || {});
  if (!numberFormats.has(key)) numberFormats.set(key, new Intl.NumberFormat(undefined, opts));
  return numberFormats.get(key);
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '—';
  return nf({maximumFractionDigits: digits}).format(Number(n));
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Bytes in binary units: 1.46 MiB. */
export function fmtBytes(n) {
  if (n === null || n === undefined || n === '' || Number.isNaN(Number(n))) return '—';
  const value = Number(n);
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
  return (value < 0 ? '−' : '') + nf({minimumFractionDigits: digits, maximumFractionDigits: digits}).format(v)
    + '\u00a0' + UNITS[i];
}

/** GB as prices count them (10^9 bytes). */
export const GB = 1e9;

export function parseDate(v) {
  if (v === null || v === undefined || v === '') return null;
  const d = new Date(typeof v === 'number' ? v : String(v));
  return Number.isNaN(d.getTime()) ? null : d;
}

const dateTime = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const dateOnly = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium'});
const dayShort = new Intl.DateTimeFormat(undefined, {month: 'short', day: 'numeric', timeZone: 'UTC'});
const monthLong = new Intl.DateTimeFormat(undefined, {month: 'long', year: 'numeric', timeZone: 'UTC'});
const clock = new Intl.DateTimeFormat(undefined, {timeStyle: 'medium'});

/** A <time> element in the browser's locale and time zone; the exact instant in its title. */
export function fmtTime(v, {dateOnly: onlyDate = false} = {}) {
  const d = parseDate(v);
  if (!d) return h('span', {class: 'muted'}, v ? String(v) : '—');
  return h('time', {datetime: d.toISOString(), title: d.toISOString()},
    (onlyDate ? dateOnly : dateTime).format(d));
}

export function timeText(v) {
  const d = parseDate(v);
  return d ? dateTime.format(d) : '—';
}

export function clockText(d = new Date()) {
  return clock.format(d);
}

/** A UTC day 'YYYY-MM-DD' as a short label: 'Nov 23'. */
export function fmtDay(day) {
  const d = parseDate(String(day).slice(0, 10) + 'T00:00:00Z');
  return d ? dayShort.format(d) : String(day);
}

/** 'YYYY-MM' as 'November 2026'. */
export function fmtMonth(month) {
  const d = parseDate(month + '-01T00:00:00Z');
  return d ? monthLong.format(d) : month;
}

/**
 * The decimals for amounts shown together (a total and its parts, a table's columns): four when
 * any of them is under one unit and not zero, so that no part reads as zero beside a total that
 * does not; two otherwise. The server rounds amounts to four decimals.
 */
export function moneyDigits(...amounts) {
  return amounts.some(a => {
    const v = Math.abs(Number(a));
    return Number.isFinite(v) && v !== 0 && v < 1;
  }) ? 4 : 2;
}

/**
 * Money in a currency. Amounts shown together pass the same digits (moneyDigits of them all);
 * an amount alone, such as a price, keeps two decimals and up to four when it is under one unit.
 */
export function fmtMoney(n, currency, digits) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '—';
  const v = Number(n);
  const fraction = digits === undefined
    ? {minimumFractionDigits: 2, maximumFractionDigits: moneyDigits(v)}
    : {minimumFractionDigits: digits, maximumFractionDigits: digits};
  if (currency) {
    try {
      return nf({style: 'currency', currency, ...fraction}).format(v);
    } catch {
      // not an ISO 4217 code this browser knows: fall through
    }
  }
  return nf(fraction).format(v) + (currency ? '\u00a0' + currency : '');
}

/** a / b as '3.2×'; '∞' when b is 0 and a is not. */
export function fmtRatio(a, b) {
  a = Number(a);
  b = Number(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return '—';
  if (b === 0) return a > 0 ? '∞' : '—';
  return nf({maximumFractionDigits: 2}).format(a / b) + '\u2060×';  // a word joiner: never wrap before ×
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '—';
  if (ms < 1000) return fmtNumber(ms) + ' ms';
  const sec = ms / 1000;
  if (sec < 60) return fmtNumber(sec, 1) + ' s';
  const min = Math.floor(sec / 60);
  if (min < 60) return min + ' min ' + Math.round(sec % 60) + ' s';
  return Math.floor(min / 60) + ' h ' + (min % 60) + ' min';
}

/** A status label that does not rely on colour alone: an icon, a word, and a class for the colour. */
export function badge(kind, text, icon) {
  return h('span', {class: ['badge', 'badge-' + kind]},
    icon ? h('span', {class: 'badge-icon', 'aria-hidden': 'true'}, icon) : null, text);
}

export function truthy(v) {
  return v === true || v === 1 || v === '1' || v === 'true';
}

/** A table with a caption and keyboard-scrollable wrapper on narrow screens. */
export function table({caption, columns, rows, empty, className}) {
  const head = h('thead', h('tr', columns.map(c => h('th', {scope: 'col', class: c.className}, c.label))));
  const body = h('tbody');
  for (const row of rows) body.append(row);
  const t = h('table', {class: ['data', className]},
    caption ? h('caption', {class: 'sr-only'}, caption) : null, head, body);
  const wrap = h('div', {class: 'table-wrap', role: 'region', 'aria-label': caption || 'table', tabindex: '0'}, t);
  if (rows.length === 0 && empty) {
    return h('div', {class: 'empty'}, h('p', empty));
  }
  return wrap;
}

export function dl(pairs) {
  return h('dl', {class: 'facts'}, pairs.filter(Boolean).map(([k, v, opts]) =>
    h('div', {class: 'fact', ...(opts || {})}, h('dt', k), h('dd', v))));
}

export function base64Utf8(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Today's UTC month as 'YYYY-MM'. */
export function currentMonth() {
  return new Date().toISOString().slice(0, 7);
}

export function monthDays(month) {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const today = new Date().toISOString().slice(0, 10);
  const days = [];
  for (let d = 1; d <= last; d++) {
    const day = month + '-' + String(d).padStart(2, '0');
    if (day > today) break;
    days.push(day);
  }
  return days;
}

export function shiftMonth(month, delta) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}

// Small SVG charts built with createElementNS. Colours come from classes (s1, s2, ...) in
// style.css; geometry from presentation attributes. Every chart has a text alternative: an
// aria-label summary and a table of the figures behind a <details>.

import {h, s, fmtDay} from './dom.js';
import {uid} from './forms.js';

const W = 640;
const H = 220;
const PAD = {left: 70, right: 14, top: 14, bottom: 30};

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

function frame(labels, max, format) {
  const g = s('g', {class: 'axes'});
  const plotH = H - PAD.top - PAD.bottom;
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - f);
    g.append(s('line', {x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: f === 0 ? 'axis' : 'grid'}));
    g.append(s('text', {x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick'}, format(max * f)));
  }
  const n = labels.length;
  const picks = n <= 1 ? [0] : n <= 3 ? [...Array(n).keys()] : [0, Math.floor((n - 1) / 2), n - 1];
  for (const i of picks) {
    if (i >= n) continue;
    g.append(s('text', {x: xAt(i, n), y: H - 8, 'text-anchor': n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle',
      class: 'tick'}, fmtDay(labels[i])));
  }
  return g;
}

function xAt(i, n) {
  const plotW = W - PAD.left - PAD.right;
  return n <= 1 ? PAD.left + plotW / 2 : PAD.left + (plotW * i) / (n - 1);
}

function yAt(v, max) {
  const plotH = H - PAD.top - PAD.bottom;
  return PAD.top + plotH * (1 - (v || 0) / max);
}

function legend(series) {
  if (series.length < 2) return null;
  return h('ul', {class: 'legend'}, series.map((se, i) =>
    h('li', h('span', {class: ['swatch', 's' + (i + 1)], 'aria-hidden': 'true'}), se.name)));
}

function dataTable(title, labels, series, format) {
  return h('details', {class: 'chart-data'},
    h('summary', 'Figures'),
    h('div', {class: 'table-wrap', role: 'region', 'aria-label': title + ' figures', tabindex: '0'},
      h('table', {class: 'data compact'},
        h('thead', h('tr', h('th', {scope: 'col'}, 'Day'), series.map(se => h('th', {scope: 'col', class: 'num'}, se.name)))),
        h('tbody', labels.map((day, i) => h('tr',
          h('th', {scope: 'row'}, fmtDay(day)),
          series.map(se => h('td', {class: 'num'}, se.values[i] === null ? '—' : format(se.values[i])))))))));
}

function summary(title, labels, series, format) {
  if (labels.length === 0) return `${title}: no data yet`;
  const last = labels.length - 1;
  return `${title}, ${fmtDay(labels[0])} to ${fmtDay(labels[last])}. `
    + series.map(se => {
      const vals = se.values.filter(v => v !== null);
      const peak = vals.length ? Math.max(...vals) : 0;
      return `${se.name}: latest ${format(se.values[last] || 0)}, highest ${format(peak)}`;
    }).join('; ');
}

function figure(title, svg, labels, series, format, id) {
  return h('figure', {class: 'chart', id},
    h('figcaption', title), svg, legend(series), dataTable(title, labels, series, format));
}

/** Lines over days. series: [{name, values: [number|null]}]. */
export function lineChart({title, labels, series, format, id, area = false}) {
  const max = niceMax(Math.max(0, ...series.flatMap(se => se.values.filter(v => v !== null))));
  const titleId = uid('chart');
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': titleId, class: 'chart-svg'},
    s('title', {id: titleId}, summary(title, labels, series, format)),
    frame(labels, max, format));
  series.forEach((se, si) => {
    const pts = [];
    se.values.forEach((v, i) => {
      if (v !== null && v !== undefined) pts.push([xAt(i, labels.length), yAt(v, max), v, i]);
    });
    if (area && pts.length > 1) {
      const base = yAt(0, max);
      const d = `M${pts[0][0]},${base} ` + pts.map(p => `L${p[0]},${p[1]}`).join(' ') + ` L${pts[pts.length - 1][0]},${base} Z`;
      svg.append(s('path', {d, class: ['area', 's' + (si + 1)]}));
    }
    if (pts.length > 1) {
      svg.append(s('polyline', {points: pts.map(p => `${p[0]},${p[1]}`).join(' '), class: ['line', 's' + (si + 1)],
        fill: 'none'}));
    }
    for (const [x, y, v, i] of pts) {
      svg.append(s('circle', {cx: x, cy: y, r: pts.length > 12 ? 2.25 : 3.5, class: ['dot', 's' + (si + 1)]},
        s('title', `${fmtDay(labels[i])} — ${se.name}: ${format(v)}`)));
    }
  });
  return figure(title, svg, labels, series, format, id);
}

/** Bars per day, one per series side by side. */
export function barChart({title, labels, series, format, id}) {
  const max = niceMax(Math.max(0, ...series.flatMap(se => se.values.map(v => v || 0))));
  const titleId = uid('chart');
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': titleId, class: 'chart-svg'},
    s('title', {id: titleId}, summary(title, labels, series, format)),
    frame(labels, max, format));
  const n = Math.max(labels.length, 1);
  const plotW = W - PAD.left - PAD.right;
  const slot = plotW / n;
  const barW = Math.max(1, Math.min(18, (slot * 0.8) / series.length));
  labels.forEach((day, i) => {
    const centre = n === 1 ? PAD.left + plotW / 2 : PAD.left + slot * (i + 0.5);
    series.forEach((se, si) => {
      const v = se.values[i] || 0;
      const y = yAt(v, max);
      const x = centre - (barW * series.length) / 2 + barW * si;
      svg.append(s('rect', {x, y, width: barW, height: Math.max(0, yAt(0, max) - y), class: ['bar', 's' + (si + 1)]},
        s('title', `${fmtDay(day)} — ${se.name}: ${format(v)}`)));
    });
  });
  return figure(title, svg, labels, series, format, id);
}

/** A horizontal bar for a fraction (0..1), e.g. capacity used. */
export function meterBar(fraction, label, {warn = 0.8, danger = 0.95} = {}) {
  const f = Math.max(0, Math.min(1, Number(fraction) || 0));
  const level = f >= danger ? 'danger' : f >= warn ? 'warn' : 'ok';
  return s('svg', {viewBox: '0 0 100 8', preserveAspectRatio: 'none', class: ['meter', 'meter-' + level], role: 'img',
    'aria-label': label},
    s('rect', {x: 0, y: 0, width: 100, height: 8, rx: 2, class: 'meter-track'}),
    s('rect', {x: 0, y: 0, width: (f * 100).toFixed(2), height: 8, rx: 2, class: 'meter-fill'}));
}

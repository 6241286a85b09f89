// Pieces shared by the pages: loading, not-found and error views, the tenant pages' header.

import {h, badge, truthy} from './dom.js';
import {get, seg} from './api.js';

export function loading(container, text = 'Loading…') {
  container.replaceChildren(h('p', {class: 'loading', role: 'status'}, text));
}

/** The view for anything that does not exist or is not the caller's to see: the API answers both alike. */
export function notFound(ctx, container, message, err) {
  ctx.title('Not found');
  const section = h('section', {class: 'not-found', id: 'not-found', 'aria-labelledby': 'not-found-title',
    dataset: {status: err ? err.status : 404, request: err ? `${err.method} /api/v1${err.path}` : null}},
    h('h1', {id: 'not-found-title'}, 'Not found'),
    h('p', {class: 'lead'}, message || 'This page does not exist.'),
    h('p', 'Check the address. Pages of other tenants are not visible from this account.'),
    h('p', h('a', {href: '#/', class: 'button'}, 'Go to your start page')));
  container.replaceChildren(section);
}

/** The view for a page the caller's role may not use (the API answered 403). */
export function forbidden(ctx, container, err) {
  ctx.title('Not available');
  container.replaceChildren(h('section', {class: 'not-found', id: 'forbidden', 'aria-labelledby': 'forbidden-title',
    dataset: {status: 403}},
    h('h1', {id: 'forbidden-title'}, 'Not available to your role'),
    h('p', {class: 'lead'}, err.message),
    h('p', h('a', {href: '#/', class: 'button'}, 'Go to your start page'))));
}

export function errorPanel(err, retry) {
  const message = err && err.message ? err.message : String(err);
  return h('section', {class: 'error-panel', 'aria-labelledby': 'error-title'},
    h('h1', {id: 'error-title'}, 'This page could not be loaded'),
    h('div', {class: 'alert alert-error', role: 'alert'}, h('p', message)),
    retry ? h('button', {type: 'button', class: 'button', onclick: retry}, 'Try again') : null);
}

/** An error inside a section of a page that otherwise loaded. */
export function sectionError(err) {
  return h('div', {class: 'alert alert-error', role: 'alert'}, h('p', err && err.message ? err.message : String(err)));
}

export function tenantBase(slug) {
  return '/tenants/' + seg(slug);
}

export function tenantHash(slug, sub = '') {
  return '#/tenants/' + encodeURIComponent(slug) + (sub ? '/' + sub : '');
}

export function loadTenant(ctx) {
  return get(tenantBase(ctx.params[0]), {signal: ctx.signal});
}

const TABS = [
  ['', 'Overview'], ['machines', 'Machines'], ['enrollments', 'Enrollment tokens', 'admin'],
  ['repos', 'Repositories'], ['users', 'Users', 'admin'], ['jobs', 'Jobs'], ['audit', 'Audit log', 'admin'],
];

/**
 * The top of every tenant page: breadcrumb and section tabs for the provider, the heading, and
 * the tenant's status. Answers the element that the page's content goes into.
 */
export function tenantHeader(ctx, container, tenant, {tab, title}) {
  ctx.title(title === null ? tenant.name || tenant.slug : `${title} · ${tenant.name || tenant.slug}`);
  const slug = tenant.slug;
  const parts = [];
  if (ctx.provider) {
    parts.push(h('nav', {class: 'breadcrumb', 'aria-label': 'Breadcrumb'},
      h('ol', h('li', h('a', {href: '#/tenants'}, 'Tenants')),
        h('li', h('a', {href: tenantHash(slug), 'aria-current': tab === '' ? 'page' : null}, tenant.name || slug)))));
  }
  const status = truthy(tenant.suspended) ? badge('danger', 'Suspended', '‖') : null;
  parts.push(h('div', {class: 'page-head'},
    h('h1', title === null ? (tenant.name || slug) : title),
    h('p', {class: 'subtitle'},
      title === null ? h('span', {class: 'mono'}, slug) : h('span', tenant.name || slug),
      tenant.plan ? h('span', ' · plan ', h('strong', tenant.plan)) : h('span', ' · no plan'),
      status ? [' ', status] : null)));
  if (ctx.provider) {
    parts.push(h('nav', {class: 'tabs', 'aria-label': 'Tenant sections'},
      h('ul', TABS.filter(t => !t[2] || ctx.admin).map(([sub, label]) =>
        h('li', h('a', {href: tenantHash(slug, sub), 'aria-current': sub === tab ? 'page' : null}, label))))));
  }
  const body = h('div', {class: 'page-body'});
  container.replaceChildren(...parts, body);
  return body;
}

export function section(title, ...children) {
  const id = 'sec-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', {class: 'panel', 'aria-labelledby': id}, h('h2', {id}, title), children);
}

// The console's shell: session check, navigation, hash routing and the login screens.

import {h} from './dom.js';
import {ApiError, session, loadMe, login, logout, onSessionExpired} from './api.js';
import {field, makeForm, FieldError} from './forms.js';
import {dashboardView, plansView, tenantsView, jobsView, auditView, billingView} from './provider.js';
import {tenantOverview, machinesView, enrollmentsView, reposView, repoView, usersView} from './tenant.js';
import {accountView} from './account.js';
import {notFound, forbidden, errorPanel} from './views.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const navList = document.getElementById('nav-links');
const whoami = document.getElementById('whoami');
const menuButton = document.getElementById('menu-toggle');
const live = document.getElementById('live');

const isProvider = () => session.me && session.me.role === 'provider_admin';
const isTenantAdmin = () => session.me && session.me.role === 'tenant_admin';

/** Routes: a pattern over the hash path, the view, and who may open it from the menu. */
const ROUTES = [
  {path: /^\/dashboard$/, view: dashboardView, provider: true},
  {path: /^\/plans$/, view: plansView, provider: true},
  {path: /^\/billing$/, view: billingView, provider: true},
  {path: /^\/tenants$/, view: tenantsView, provider: true},
  {path: /^\/jobs$/, view: jobsView, provider: true},
  {path: /^\/audit$/, view: auditView, provider: true},
  {path: /^\/account$/, view: accountView},
  {path: /^\/tenants\/([^/]+)$/, view: tenantOverview},
  {path: /^\/tenants\/([^/]+)\/machines$/, view: machinesView},
  {path: /^\/tenants\/([^/]+)\/enrollments$/, view: enrollmentsView},
  {path: /^\/tenants\/([^/]+)\/repos$/, view: reposView},
  {path: /^\/tenants\/([^/]+)\/repos\/([^/]+)$/, view: repoView},
  {path: /^\/tenants\/([^/]+)\/users$/, view: usersView},
  {path: /^\/tenants\/([^/]+)\/jobs$/, view: jobsView},
  {path: /^\/tenants\/([^/]+)\/audit$/, view: auditView},
];

function home() {
  if (!session.me) return '#/login';
  if (isProvider()) return '#/dashboard';
  return '#/tenants/' + encodeURIComponent(session.me.tenant);
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  return {path: path || '/', query};
}

// ---- navigation menu ----

function menuItems() {
  if (!session.me) return [];
  if (isProvider()) {
    return [
      ['#/dashboard', 'Dashboard'], ['#/tenants', 'Tenants'], ['#/plans', 'Plans'], ['#/billing', 'Billing'],
      ['#/jobs', 'Jobs'],
      ['#/audit', 'Audit log'],
    ];
  }
  const t = '#/tenants/' + encodeURIComponent(session.me.tenant);
  const items = [[t, 'Overview'], [t + '/machines', 'Machines']];
  if (isTenantAdmin()) items.push([t + '/enrollments', 'Enrollment tokens']);
  items.push([t + '/repos', 'Repositories']);
  if (isTenantAdmin()) items.push([t + '/users', 'Users']);
  items.push([t + '/jobs', 'Jobs']);
  if (isTenantAdmin()) items.push([t + '/audit', 'Audit log']);
  return items;
}

function renderNav() {
  const items = menuItems();
  navList.replaceChildren(...items.map(([href, label]) => h('li', h('a', {href, class: 'nav-link'}, label))));
  if (session.me) {
    const role = {provider_admin: 'provider admin', tenant_admin: 'tenant admin', tenant_viewer: 'viewer'}[session.me.role]
      || session.me.role;
    whoami.replaceChildren(
      h('a', {class: 'who', href: '#/account', id: 'account-link', title: 'Your account: two-factor authentication, API tokens'},
        h('span', {class: 'who-name'}, session.me.username),
        h('span', {class: 'who-role'}, role + (session.me.tenant ? ' · ' + session.me.tenant : '') + ' · Account')),
      h('button', {type: 'button', class: 'button subtle', id: 'logout', onclick: doLogout}, 'Log out'));
  } else {
    whoami.replaceChildren();
  }
  document.body.classList.toggle('logged-in', !!session.me);
  menuButton.hidden = !session.me;
  markCurrent();
}

function markCurrent() {
  const {path} = parseHash();
  let best = null;
  for (const a of navList.querySelectorAll('a')) {
    a.removeAttribute('aria-current');
    const target = a.getAttribute('href').slice(1);
    if (path === target || path.startsWith(target + '/')) {
      if (!best || target.length > best.getAttribute('href').length - 1) best = a;
    }
  }
  if (best) best.setAttribute('aria-current', 'page');
  const account = document.getElementById('account-link');
  if (account) {
    if (path === '/account') account.setAttribute('aria-current', 'page');
    else account.removeAttribute('aria-current');
  }
}

menuButton.addEventListener('click', () => {
  const open = menuButton.getAttribute('aria-expanded') !== 'true';
  menuButton.setAttribute('aria-expanded', String(open));
  nav.classList.toggle('open', open);
});

function closeMenu() {
  menuButton.setAttribute('aria-expanded', 'false');
  nav.classList.remove('open');
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && nav.classList.contains('open')) {
    closeMenu();
    menuButton.focus();
  }
});

export function announce(text) {
  live.textContent = '';
  // A fresh text node in a live region is read out even when the text repeats.
  setTimeout(() => {
    live.textContent = text;
  }, 30);
}

// ---- routing ----

let current = null;

async function render({focus = true} = {}) {
  if (current) current.dispose();
  closeMenu();
  const {path, query} = parseHash();
  if (!session.me) {
    showLogin();
    return;
  }
  if (path === '/' || path === '/login') {
    location.replace(home());
    return;
  }
  markCurrent();
  const container = h('div', {class: 'view'});
  main.replaceChildren(container);
  main.setAttribute('aria-busy', 'true');
  const controller = new AbortController();
  const timers = [];
  const ctx = {
    me: session.me,
    provider: isProvider(),
    admin: isProvider() || isTenantAdmin(),
    query,
    signal: controller.signal,
    params: [],
    title(t) {
      document.title = t + ' · Cairn';
    },
    every(ms, fn) {
      timers.push(setInterval(() => {
        if (document.visibilityState === 'visible' && !controller.signal.aborted) fn();
      }, ms));
    },
    announce,
    rerender: () => render({focus: false}),
    go(hash) {
      if (location.hash === hash) render({focus: false});
      else location.hash = hash;
    },
    dispose() {
      controller.abort();
      for (const t of timers) clearInterval(t);
    },
  };
  current = ctx;
  let route = null;
  for (const r of ROUTES) {
    const m = r.path.exec(path);
    if (m) {
      route = r;
      try {
        ctx.params = m.slice(1).map(decodeURIComponent);
      } catch {
        route = null;
      }
      break;
    }
  }
  try {
    if (!route || (route.provider && !ctx.provider)) {
      notFound(ctx, container, 'There is no page at ' + path + '.');
    } else {
      await route.view(ctx, container);
    }
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    if (controller.signal.aborted) return;
    if (err instanceof ApiError && err.status === 404) {
      notFound(ctx, container, err.message, err);
    } else if (err instanceof ApiError && err.status === 403) {
      forbidden(ctx, container, err);
    } else if (err instanceof ApiError && err.status === 401) {
      return;  // the session ended: the login screen is showing
    } else {
      console.error(err);
      container.replaceChildren(errorPanel(err, () => ctx.rerender()));
    }
  } finally {
    if (current === ctx) main.removeAttribute('aria-busy');
  }
  if (focus && current === ctx && !controller.signal.aborted) {
    const h1 = container.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({preventScroll: true});
    }
  }
}

window.addEventListener('hashchange', () => {
  const {path} = parseHash();
  if (!path.startsWith('/')) return;  // e.g. the skip link's #main
  render();
});

// ---- login ----

let loginNotice = null;
let afterLogin = null;

function showLogin() {
  if (current) current.dispose();
  current = null;
  renderNav();
  document.title = 'Sign in · Cairn';
  const {path} = parseHash();
  if (path && path !== '/' && path !== '/login' && path.startsWith('/')) afterLogin = '#' + path;
  const card = h('section', {class: 'login-card', 'aria-labelledby': 'login-title'});
  main.replaceChildren(card);
  passwordStep(card);
}

function passwordStep(card, username = '') {
  const notice = loginNotice ? h('p', {class: 'notice', role: 'status'}, loginNotice) : null;
  loginNotice = null;
  const form = makeForm({
    label: 'Sign in',
    submitLabel: 'Sign in',
    fields: [
      field({label: 'User name', name: 'username', required: true, value: username,
        attrs: {autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false'}}),
      field({label: 'Password', name: 'password', type: 'password', required: true,
        attrs: {autocomplete: 'current-password'}}),
    ],
    onSubmit: async (v) => {
      try {
        await login(v.username, v.password);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'totp_required') {
          totpStep(card, v.username, v.password);
          return null;
        }
        throw err;
      }
      await enter();
      return null;
    },
  });
  form.id = 'login-form';
  card.replaceChildren(...[
    h('h1', {id: 'login-title'}, 'Sign in to Cairn'),
    h('p', {class: 'muted'}, 'The console of the Cairn backup vault.'),
    notice, form].filter(Boolean));
  form.querySelector(username ? 'input[name=password]' : 'input[name=username]').focus();
}

function totpStep(card, username, password) {
  const form = makeForm({
    label: 'Two-factor code',
    submitLabel: 'Verify',
    fields: [
      field({label: 'Six-digit code', name: 'totp', required: true,
        hint: 'The code your authenticator app shows for Cairn now.',
        attrs: {inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6,
          minlength: 6, spellcheck: 'false'}}),
    ],
    extraActions: h('button', {type: 'button', class: 'button subtle', onclick: () => {
      password = null;
      passwordStep(card, username);
    }}, 'Back'),
    onSubmit: async (v) => {
      const code = v.totp.replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(code)) throw new FieldError('totp', 'The code has six digits.');
      await login(username, password, code);
      password = null;
      await enter();
      return null;
    },
  });
  form.id = 'totp-form';
  card.replaceChildren(
    h('h1', {id: 'login-title'}, 'Two-factor authentication'),
    h('p', 'Your account asks for a code from your authenticator app.'),
    form);
  form.querySelector('input[name=totp]').focus();
}

async function enter() {
  const me = await loadMe();
  if (!me) throw new ApiError(401, 'unauthenticated',
    'The server did not keep the session. Cookies must be allowed for this site.', 'GET', '/me');
  renderNav();
  const target = afterLogin;
  afterLogin = null;
  if (target && location.hash !== target) {
    location.hash = target;  // hashchange renders
  } else if (!target && location.hash !== home()) {
    location.hash = home();
  } else {
    render();
  }
  announce('Signed in as ' + me.username);
}

async function doLogout() {
  try {
    await logout();
  } catch {
    // the cookie is gone or the server is away: the session is over for this page either way
  }
  afterLogin = null;
  history.replaceState(null, '', '#/login');
  showLogin();
  announce('Signed out');
}

onSessionExpired(() => {
  if (!session.me) return;
  session.me = null;
  session.csrf = null;
  loginNotice = 'Your session has ended. Sign in again to continue.';
  showLogin();
});

// ---- start ----

async function start() {
  main.replaceChildren(h('p', {class: 'loading', role: 'status'}, 'Loading…'));
  try {
    await loadMe();
  } catch (err) {
    main.replaceChildren(errorPanel(err, () => start()));
    return;
  }
  renderNav();
  if (!session.me) {
    showLogin();
  } else {
    render();
  }
}

document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

start();

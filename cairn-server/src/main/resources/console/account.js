// The account page: who is logged in, two-factor authentication, API tokens for scripts.

import {h, badge, dl, fmtTime, base64Utf8, truthy} from './dom.js';
import {get, post, del, seg, loadMe} from './api.js';
import {field, makeForm, FieldError, actionButton} from './forms.js';
import {loading, section, sectionError} from './views.js';

const ROLE_NAMES = {provider_admin: 'Provider administrator', tenant_admin: 'Tenant administrator',
  tenant_viewer: 'Tenant viewer (read only)'};

export async function accountView(ctx, root) {
  ctx.title('Account');
  loading(root);
  const [me, tokens] = await Promise.all([loadMe(), get('/tokens', {signal: ctx.signal})]);
  if (!me) return;  // the session ended; the login screen shows
  const totpOn = truthy(me.totp);

  const totpSlot = h('div', {id: 'totp-slot'});
  const totpStatus = h('p', {id: 'totp-status'}, 'Two-factor authentication is ',
    totpOn ? badge('ok', 'On', '✓') : badge('warn', 'Off', '!'), '.');

  function startButton(label) {
    return actionButton(label, async () => {
      try {
        const setup = await post('/me/totp', {});
        showSetup(setup);
      } catch (err) {
        totpSlot.replaceChildren(sectionError(err));
      }
    }, {className: 'button primary', attrs: {id: 'totp-start'}});
  }

  function showSetup(setup) {
    const secretGroups = String(setup.secret || '').replace(/(.{4})/g, '$1 ').trim();
    const img = setup.qrSvg
      ? h('img', {src: 'data:image/svg+xml;base64,' + base64Utf8(setup.qrSvg), alt: 'QR code for the authenticator app',
        class: 'qr', id: 'totp-qr', width: 220, height: 220})
      : null;
    const form = makeForm({
      label: 'Confirm two-factor authentication', submitLabel: 'Turn on two-factor authentication',
      fields: field({label: 'Six-digit code from the app', name: 'code', required: true,
        attrs: {inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, minlength: 6,
          spellcheck: 'false'}}),
      onSubmit: async (v) => {
        const code = v.code.replace(/\s+/g, '');
        if (!/^[0-9]{6}$/.test(code)) throw new FieldError('code', 'The code has six digits.');
        await post('/me/totp/confirm', {code});
        await loadMe();
        ctx.announce('Two-factor authentication is on');
        await ctx.rerender();
        return null;
      },
    });
    form.id = 'totp-form';
    totpSlot.replaceChildren(h('div', {class: 'totp-setup'},
      h('ol', {class: 'steps'},
        h('li', 'Scan this QR code with an authenticator app (such as FreeOTP, Aegis or Google Authenticator).'),
        h('li', 'Or type this key into the app: ', h('code', {id: 'totp-secret', class: 'secret-key'}, secretGroups)),
        h('li', 'Enter the code the app shows, to check that it works.')),
      h('div', {class: 'totp-grid'}, img, form)));
    form.querySelector('input').focus();
  }

  const tokenSlot = h('div');
  function drawTokens(list) {
    const rows = list.filter(t => t.kind === 'api' || !t.kind).map(t => h('tr', {dataset: {token: t.id}},
      h('th', {scope: 'row'}, t.name || '—'),
      h('td', fmtTime(t.createdAt)),
      h('td', t.revokedAt ? badge('muted', 'Revoked', '✕') : badge('ok', 'Active', '✓')),
      h('td', t.revokedAt ? '' : actionButton('Revoke', async () => {
        try {
          await del('/tokens/' + seg(t.id));
          ctx.announce(`API token ${t.name} revoked`);
          drawTokens(await get('/tokens', {signal: ctx.signal}));
        } catch (err) {
          if (err.name !== 'AbortError') ctx.announce(err.message);
        }
      }, {className: 'button small danger', attrs: {'aria-label': 'Revoke API token ' + (t.name || t.id)},
        confirm: `Revoke the API token “${t.name}”? Scripts using it stop working.`}))));
    tokenSlot.replaceChildren(h('div', {
      class: 'table-wrap', role: 'region', 'aria-label': 'API tokens', tabindex: '0'},
    rows.length ? h('table', {class: 'data'}, h('caption', {class: 'sr-only'}, 'API tokens'),
      h('thead', h('tr', ['Name', 'Created', 'State', 'Actions'].map(l => h('th', {scope: 'col'}, l)))),
      h('tbody', rows)) : h('p', {class: 'empty'}, 'No API tokens.')));
  }
  drawTokens(tokens);
  const newToken = h('div');
  const tokenForm = makeForm({
    label: 'New API token', submitLabel: 'Create API token', className: 'inline-form',
    fields: field({label: 'Name', name: 'name', required: true, hint: 'What it is for, such as “billing export”.',
      attrs: {maxlength: 100, autocomplete: 'off'}}),
    onSubmit: async (v) => {
      const t = await post('/tokens', {name: v.name});
      newToken.replaceChildren(h('div', {class: 'panel highlight'},
        h('p', h('strong', 'Copy this token now: it is shown only once. '),
          'Scripts send it as ', h('code', 'Authorization: Bearer …'), '.'),
        h('div', {class: 'secret'}, h('code', {id: 'api-token'}, t.token))));
      drawTokens(await get('/tokens', {signal: ctx.signal}));
      return 'API token created.';
    },
  });

  root.replaceChildren(
    h('div', {class: 'page-head'}, h('h1', 'Account')),
    section('You', dl([
      ['User name', me.username],
      ['Role', ROLE_NAMES[me.role] || me.role],
      me.tenant ? ['Tenant', h('a', {href: '#/tenants/' + encodeURIComponent(me.tenant)}, me.tenant)] : null,
    ])),
    section('Two-factor authentication', totpStatus,
      h('p', totpOn
        ? 'Signing in asks for a code from your authenticator app. Setting it up again replaces the app’s key once the '
          + 'new code is confirmed.'
        : 'With two-factor authentication, signing in also asks for a six-digit code from an app on your phone, so a '
          + 'stolen password alone is not enough.'),
      totpOn ? startButton('Set up again with a new key') : startButton('Set up two-factor authentication'),
      totpSlot),
    section('API tokens', h('p', {class: 'hint'}, 'For scripts that call the API. They act as you, with your role, until revoked.'),
      tokenSlot, tokenForm, newToken));
}

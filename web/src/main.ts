// The dashboard's entry: sign-in, the header with the views and the language switch,
// and a router on location.hash ("#/map", "#/tiers?node=…").
import './style.css';
import { Api, ApiError } from './api';
import { Context, type View } from './context';
import { h } from './dom';
import { describeError, errorPanel } from './errors';
import { initLang, lang, setLang, t, type Key } from './i18n';
import { loadBasemap } from './map';
import { credentialsFromFragment, kViews, parseRoute, routeHash, type ViewName } from './transforms';
import { overviewView } from './views/overview';

// When the app's modules have loaded and this one starts (web/README.md's timings).
performance.mark('renkei:module');

// The first view comes with the page; the others load when first opened.
const views: Record<ViewName, () => Promise<View>> = {
  overview: () => Promise.resolve(overviewView),
  map: () => import('./views/map').then((m) => m.mapView),
  tiers: () => import('./views/tiers').then((m) => m.tiersView),
  concentration: () => import('./views/concentration').then((m) => m.concentrationView),
  whatif: () => import('./views/whatif').then((m) => m.whatifView),
  footprint: () => import('./views/footprint').then((m) => m.footprintView),
  circularity: () => import('./views/footprint').then((m) => m.circularityView),
  changes: () => import('./views/changes').then((m) => m.changesView),
};

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
})();
const session = (() => {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
})();
initLang(storage, navigator.language);
// The countries load while the page signs in; the map draws them when both are there.
void loadBasemap().catch(() => {});

const api = new Api('', session);
const ctx = new Context(api);
const app = document.getElementById('app')!;
let release: (() => void) | void = undefined;
let renderId = 0;

function signInPage(message = '', prefill = { clientId: '', secret: '' }): void {
  document.title = t('title');
  document.documentElement.lang = lang();
  const id = h('input', { name: 'client', id: 'client', autocomplete: 'username', required: true, value: prefill.clientId });
  const secret = h('input', {
    name: 'secret',
    id: 'secret',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    value: prefill.secret,
  });
  const msg = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message);
  const form = h(
    'form',
    { class: 'signin', id: 'signin' },
    h('h1', {}, t('title')),
    h('p', {}, t('signInHint')),
    h('label', { for: 'client' }, t('clientId')),
    id,
    h('label', { for: 'secret' }, t('secret')),
    secret,
    h('button', { type: 'submit' }, t('signIn')),
    msg,
    langButton(() => signInPage(msg.textContent ?? '', { clientId: id.value, secret: secret.value })),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void signIn(id.value.trim(), secret.value);
  });
  app.replaceChildren(form);
}

async function signIn(clientId: string, secret: string): Promise<void> {
  try {
    await api.signIn(clientId, secret);
    performance.mark('renkei:signed-in');
  } catch (e) {
    const m =
      e instanceof ApiError && e.status === 401 ? t('badCredentials') : describeError(e);
    signInPage(m, { clientId, secret: '' });
    return;
  }
  ctx.reset();
  const route = parseRoute(location.hash);
  if (location.hash === routeHash(route.view, Object.fromEntries(route.params))) void render();
  else location.hash = routeHash(route.view, Object.fromEntries(route.params));
}

function langButton(rerender: () => void): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'lang',
      id: 'lang',
      onclick: () => {
        setLang(lang() === 'ja' ? 'en' : 'ja', storage);
        rerender();
      },
    },
    t('language'),
  );
}

async function render(): Promise<void> {
  if (!api.signedIn) return signInPage();
  const id = ++renderId;
  if (release) release();
  release = undefined;
  const route = parseRoute(location.hash);
  document.title = `${t(route.view as Key)} — ${t('title')}`;
  document.documentElement.lang = lang();
  const nav = h(
    'nav',
    {},
    kViews.map((v) =>
      h('a', { href: routeHash(v), class: v === route.view ? 'active' : '', 'data-view': v }, t(v as Key)),
    ),
  );
  const main = h('main', { id: 'view', 'data-view': route.view }, h('p', { class: 'loading' }, t('loading')));
  app.replaceChildren(
    h(
      'header',
      {},
      h('span', { class: 'brand' }, '連携 Renkei'),
      nav,
      langButton(() => void render()),
      h(
        'button',
        {
          type: 'button',
          id: 'signout',
          onclick: () => {
            api.signOut();
            ctx.reset();
            signInPage();
          },
        },
        t('signOut'),
      ),
    ),
    main,
  );
  const started = performance.now();
  try {
    const body = h('div', { class: 'view-body' });
    const view = await views[route.view]();
    release = await view(ctx, body, route.params);
    if (id !== renderId) {
      if (release) release();
      return;
    }
    main.replaceChildren(body);
    main.dataset.ready = 'true';
    main.dataset.ms = String(Math.round(performance.now() - started));
  } catch (e) {
    if (id !== renderId) return;
    main.replaceChildren(errorPanel(e));
    main.dataset.ready = 'error';
    if (e instanceof ApiError && e.status === 401) {
      api.signOut();
      signInPage(describeError(e));
    }
  }
}

window.addEventListener('hashchange', () => {
  const creds = credentialsFromFragment(location.hash);
  if (creds) return startFromFragment();
  void render();
});

// "#client=ID&secret=SECRET[&view=VIEW]": fill the form, drop the secret from the address bar and
// history, and sign in.
function startFromFragment(): boolean {
  const creds = credentialsFromFragment(location.hash);
  if (!creds) return false;
  // An optional "&view=map" opens that view instead of the overview.
  const view = parseRoute(`#/${new URLSearchParams(location.hash.slice(1)).get('view') ?? ''}`).view;
  history.replaceState(null, '', location.pathname + location.search + routeHash(view));
  signInPage('', creds);
  void signIn(creds.clientId, creds.secret);
  return true;
}

// A reload of a signed-in tab opens its view again; otherwise the sign-in page.
if (!startFromFragment()) {
  if (api.restore()) void render();
  else signInPage();
}

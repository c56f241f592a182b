// What-if: an event (a circle on the map, a country, a company or sites) for a number
// of days; shows the sites hit, what stops, TTS against TTR and the losses.
import type { View } from '../context';
import { errorPanel } from '../errors';
import { fill, h } from '../dom';
import { countryName, format, lang, num, t, unitName } from '../i18n';
import { clusterColour, routeHash, sitesInCircle } from '../transforms';
import type { EventArea, EventResult, Product } from '../types';
import { field, mapBox, table } from './common';
import type { SitePoints } from '../transforms';

type Kind = 'circle' | 'country' | 'company' | 'sites';

export function eventResult(
  r: EventResult,
  pts: SitePoints,
  products: Map<string, Product> = new Map(),
  title = r.event,
): HTMLElement {
  const name = (id: string) => {
    const i = pts.byId.get(id);
    if (i === undefined) return id;
    const p = pts.props[i];
    return `${(lang() === 'ja' && p.name_ja) || p.name} (${id})`;
  };
  // A product by its name, the id on hover.
  const product = (id: string) => h('span', { title: id }, products.get(id)?.name ?? id);
  const unit = (id: string) => unitName(products.get(id)?.unit ?? '');
  const s = r.result;
  const exposed = s.tts_days !== null && s.tts_days < s.ttr_days;
  const lost = Object.entries(s.lost_units).filter(([, v]) => v > 0);
  // Units differ between products: a total only when they agree.
  const units = new Set(lost.map(([p]) => unit(p)));
  const lostTotal =
    lost.length === 0 ? '0' : units.size === 1 ? `${num(s.lost_units_total, 0)} ${[...units][0]}` : t('severalUnits');
  return h(
    'div',
    { class: 'event-result', id: 'event-result' },
    h('h2', { title: r.event }, `${title} · ${num(r.days)} ${t('dayUnit')}`),
    h(
      'div',
      { class: 'kpis' },
      kpi(t('tts'), s.tts_days === null ? t('unbounded') : num(s.tts_days, 1), 'kpi-tts'),
      kpi(t('ttr'), num(s.ttr_days, 1), 'kpi-ttr'),
      kpi(t('lostUnits'), lostTotal, 'kpi-lost'),
      kpi(t('impact'), r.currency ? `${num(s.impact, 0)} ${r.currency}` : num(s.impact, 0), 'kpi-impact'),
    ),
    h('p', { class: exposed ? 'error' : 'ok', id: 'tts-verdict' }, exposed ? t('ttsBelowTtr') : t('ttsAboveTtr')),
    h('h3', {}, `${t('sitesHit')} (${r.sites.length})`),
    h('ul', { id: 'sites-hit' }, r.sites.map((id) => h('li', {}, name(id)))),
    h('h3', {}, `${t('affectedProducts')} (${r.affected_products.length})`),
    h('p', { id: 'affected-products', class: 'chips' }, r.affected_products.map((p) => h('span', { class: 'chip', title: p }, products.get(p)?.name ?? p))),
    h('h3', {}, `${t('stoppedDemand')} (${r.stopped_demand.length})`),
    h('p', { class: 'muted', id: 'stopped-hint' }, t('stoppedDemandHint')),
    table(
      [t('site'), t('product'), t('country')],
      r.stopped_demand.map((v) => [name(v.site), product(v.product), countryName(v.country)]),
    ),
    h('h3', {}, t('lostUnits')),
    h('p', { class: 'muted' }, t('lostHint')),
    lost.length
      ? table(
          [t('product'), t('lostUnits')],
          lost.map(([p, v]) => [product(p), `${num(v, 0)} ${unit(p)}`]),
          'lost-units',
        )
      : h('p', { id: 'nothing-lost' }, '0'),
  );
}

function kpi(label: string, value: string, id: string): HTMLElement {
  return h('div', { class: 'kpi', id }, h('span', { class: 'kpi-label' }, label), h('strong', {}, value));
}

// The last what-if of this tab, for coming back to the view from elsewhere.
const kLastWhatif = 'renkei.whatif';
function lastWhatif(): URLSearchParams | null {
  try {
    const saved = sessionStorage.getItem(kLastWhatif);
    return saved ? new URLSearchParams(saved) : null;
  } catch {
    return null;
  }
}

export const whatifView: View = async (ctx, el, given) => {
  // Opened without inputs (from the navigation): the tab's last inputs, not run again.
  const params = given.has('kind') ? given : (lastWhatif() ?? given);
  if (params !== given) params.delete('run');
  const [pts, productList, names] = await Promise.all([
    ctx.sites(),
    ctx.products().catch(() => [] as Product[]),
    ctx.names(),
  ]);
  const products = new Map(productList.map((p) => [p.id, p]));
  const { box, map } = mapBox('japan');
  map.setPoints(pts, { colour: (i) => clusterColour(pts.props[i].cluster), radius: () => 3.5 });
  const countries = [...new Set(pts.props.map((p) => p.country))].sort();
  const companies = [...new Set(pts.props.map((p) => p.organization))].sort();
  const kindSel = h(
    'select',
    { id: 'event-kind', onchange: () => update() },
    h('option', { value: 'circle' }, t('circle')),
    h('option', { value: 'country' }, t('country')),
    h('option', { value: 'company' }, t('companyEvent')),
    h('option', { value: 'sites' }, t('sitesEvent')),
  );
  kindSel.value = params.get('kind') ?? 'circle';
  const lat = h('input', { id: 'lat', type: 'number', step: 'any', value: params.get('lat') ?? '32.88', oninput: () => update() });
  const lon = h('input', { id: 'lon', type: 'number', step: 'any', value: params.get('lon') ?? '130.84', oninput: () => update() });
  const radius = h('input', { id: 'radius', type: 'number', min: 1, step: 'any', value: params.get('radius') ?? '30', oninput: () => update() });
  const country = h('input', { id: 'country', list: 'countries', value: params.get('country') ?? 'JP', size: 4 });
  const company = h('input', { id: 'company', list: 'companies', value: params.get('company') ?? '', size: 30 });
  const sites = h('input', { id: 'sites', value: params.get('sites') ?? '', size: 40, placeholder: 'site:a, site:b' });
  const days = h('input', { id: 'days', type: 'number', min: 1, step: 'any', value: params.get('days') ?? '30' });
  const out = h('div', { class: 'panel', id: 'whatif-out' }, h('p', { class: 'muted' }, t('clickCentre')));
  const groups: Record<Kind, HTMLElement> = {
    circle: h('span', { class: 'group' }, field(t('lat'), lat), field(t('lon'), lon), field(t('radiusKm'), radius)),
    country: h('span', { class: 'group' }, field(t('country'), country)),
    company: h('span', { class: 'group' }, field(t('companyEvent'), company)),
    sites: h('span', { class: 'group' }, field(t('sitesEvent'), sites)),
  };
  const siteList = () =>
    sites.value
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
  // The inputs as the address's parameters, so that a link or a reload shows the
  // same what-if (with `run`, its result too).
  const state = (ran: boolean): Record<string, string> => {
    const kind = kindSel.value as Kind;
    const p: Record<string, string> = { kind, days: days.value };
    if (kind === 'circle') Object.assign(p, { lat: lat.value, lon: lon.value, radius: radius.value });
    else if (kind === 'country') p.country = country.value;
    else if (kind === 'company') p.company = company.value;
    else p.sites = sites.value;
    if (ran) p.run = '1';
    return p;
  };
  const remember = (ran: boolean) => {
    const p = state(ran);
    history.replaceState(null, '', routeHash('whatif', p));
    try {
      sessionStorage.setItem(kLastWhatif, new URLSearchParams(p).toString());
    } catch {
      // not kept: the address still holds the inputs
    }
  };
  function update(): void {
    // An answer or error of other inputs no longer applies.
    if (out.querySelector('#whatif-error, #event-result')) {
      out.replaceChildren(h('p', { class: 'muted' }, t('clickCentre')));
    }
    remember(false);
    const kind = kindSel.value as Kind;
    for (const [k, g] of Object.entries(groups)) g.hidden = k !== kind;
    if (kind === 'circle') {
      const c = { lat: Number(lat.value), lon: Number(lon.value), radiusKm: Number(radius.value) };
      if ([c.lat, c.lon, c.radiusKm].every(Number.isFinite) && c.radiusKm > 0) {
        map.setCircle(c);
        map.setHighlighted(sitesInCircle(pts, c.lat, c.lon, c.radiusKm).map((id) => pts.byId.get(id)!));
      }
    } else {
      map.setCircle(null);
      const ids =
        kind === 'sites'
          ? siteList()
          : pts.ids.filter((_, i) =>
              kind === 'country' ? pts.props[i].country === country.value : pts.props[i].organization === company.value,
            );
      map.setHighlighted(ids.filter((id) => pts.byId.has(id)).map((id) => pts.byId.get(id)!));
    }
  }
  country.addEventListener('input', update);
  company.addEventListener('input', update);
  sites.addEventListener('input', update);
  days.addEventListener('input', update);
  map.onPlace = (x, y) => {
    if (kindSel.value !== 'circle') return;
    lon.value = x.toFixed(3);
    lat.value = y.toFixed(3);
    update();
  };
  map.onSite = (i) => {
    if (kindSel.value === 'circle') {
      lon.value = pts.lon[i].toFixed(3);
      lat.value = pts.lat[i].toFixed(3);
    } else if (kindSel.value === 'sites') {
      const list = siteList();
      const id = pts.ids[i];
      sites.value = (list.includes(id) ? list.filter((s) => s !== id) : [...list, id]).join(', ');
    }
    update();
  };
  const run = async () => {
    const kind = kindSel.value as Kind;
    const area: EventArea =
      kind === 'circle'
        ? { circle: { lat: Number(lat.value), lon: Number(lon.value), radius_km: Number(radius.value) } }
        : kind === 'country'
          ? { country: country.value.trim() }
          : kind === 'company'
            ? { company: company.value.trim() }
            : { sites: siteList() };
    out.replaceChildren(h('p', { class: 'loading' }, t('loading')));
    remember(true);
    try {
      const r = await ctx.api.scenario({ name: '', days: Number(days.value), ...area });
      const title =
        'circle' in area
          ? format(t('eventCircle'), {
              r: num(area.circle.radius_km),
              lat: String(area.circle.lat),
              lon: String(area.circle.lon),
            })
          : 'country' in area
            ? `${countryName(area.country)} (${area.country})`
            : 'company' in area
              ? names.organization(area.company)
              : format(t('eventSites'), { n: String(area.sites.length) });
      out.replaceChildren(eventResult(r, pts, products, title));
      map.setHighlighted(r.sites.filter((id) => pts.byId.has(id)).map((id) => pts.byId.get(id)!));
    } catch (e) {
      out.replaceChildren(errorPanel(e, 'whatif-error'));
    }
  };
  fill(el,
    h(
      'form',
      {
        class: 'controls',
        id: 'whatif-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void run();
        },
      },
      field(t('eventKind'), kindSel),
      Object.values(groups),
      field(t('days'), days),
      h('button', { type: 'submit', id: 'run' }, t('run')),
      h('datalist', { id: 'countries' }, countries.map((c) => h('option', { value: c }))),
      h('datalist', { id: 'companies' }, companies.map((c) => h('option', { value: c }))),
    ),
    h('div', { class: 'split' }, box, h('aside', {}, out)),
  );
  update();
  if (params.get('run') === '1') void run();
  return () => map.destroy();
};

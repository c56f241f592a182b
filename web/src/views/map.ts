// The map: every site coloured by cluster or by risk, the supply links of one
// product as arcs, and the details of a clicked site.
import type { Context, Names, View } from '../context';
import { describeError } from '../errors';
import { fill, h } from '../dom';
import { clusterName, countryName, num, t } from '../i18n';
import type { MapCanvas } from '../map';
import {
  clusterColour,
  productArcs,
  riskColour,
  riskRadius,
  routeHash,
  type SitePoints,
} from '../transforms';
import type { SiteDetail, SiteProductRef } from '../types';
import { field, mapBox, productSelect, table } from './common';

export function siteDetails(d: SiteDetail, names: Names): HTMLElement {
  const refs = (list: SiteProductRef[]) =>
    list.length
      ? h(
          'ul',
          { class: 'refs' },
          list.map((r) =>
            h('li', { title: `${r.site} — ${r.product}` }, `${names.site(r.site)} — ${names.product(r.product)}`),
          ),
        )
      : h('p', { class: 'muted' }, t('none'));
  return h(
    'div',
    { class: 'site-details', id: 'site-details', 'data-site': d.id },
    h('h2', { title: d.id }, names.site(d.id)),
    h(
      'dl',
      {},
      h('dt', {}, t('organization')),
      h('dd', { title: d.organization.id }, names.organization(d.organization.id)),
      h('dt', {}, t('country')),
      h('dd', { title: d.country }, [countryName(d.country), d.region].filter(Boolean).join(' · ')),
      h('dt', {}, t('cluster')),
      h('dd', {}, d.cluster ? clusterName(d.cluster) : t('none')),
      h('dt', {}, t('recoveryDays')),
      h('dd', {}, d.recovery_days == null ? '—' : num(d.recovery_days)),
      h('dt', {}, t('demandStopped')),
      h('dd', {}, num(d.demand_stopped ?? 0, 0)),
      h('dt', {}, t('exposed')),
      h('dd', {}, d.exposed == null ? t('computing') : d.exposed ? t('yes') : t('no')),
    ),
    h('h3', {}, t('products')),
    table(
      [t('product'), t('capacityPerDay'), t('inventory')],
      d.products.map((p) => [
        h('a', { href: routeHash('tiers', { node: `${d.id}/${p.id}` }), title: p.id }, names.product(p.id)),
        p.capacity_per_day == null ? '—' : num(p.capacity_per_day),
        p.inventory_units == null ? '—' : num(p.inventory_units),
      ]),
    ),
    h('h3', {}, t('suppliers')),
    refs(d.suppliers),
    h('h3', {}, t('customers')),
    refs(d.customers),
    h('h3', {}, t('dependents')),
    refs(d.dependent_demand),
  );
}

// Shows a site's details in `panel` and rings it on the map.
export async function showSite(
  ctx: Context,
  map: MapCanvas,
  pts: SitePoints,
  panel: HTMLElement,
  index: number,
): Promise<void> {
  map.select(index);
  panel.replaceChildren(h('p', { class: 'loading' }, t('loading')));
  try {
    const [detail, names] = await Promise.all([ctx.api.site(pts.ids[index]), ctx.names()]);
    panel.replaceChildren(siteDetails(detail, names));
  } catch (e) {
    panel.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(e)));
  }
}

export const mapView: View = async (ctx, el, params) => {
  // The product list only feeds the arcs' picker: the map works without it.
  const [pts, products] = await Promise.all([ctx.sites(), ctx.products().catch(() => [])]);
  const { box, map } = mapBox(params.get('region') === 'world' ? 'world' : 'japan');
  let by: 'cluster' | 'risk' = params.get('by') === 'risk' ? 'risk' : 'cluster';
  const style = () =>
    by === 'cluster'
      ? { colour: (i: number) => clusterColour(pts.props[i].cluster), radius: () => 4 }
      : { colour: (i: number) => riskColour(pts.props[i]), radius: (i: number) => riskRadius(pts.props[i]) };
  map.setPoints(pts, style());
  const panel = h('div', { class: 'panel' }, h('p', { class: 'muted' }, t('clickSite')));
  const linksNote = h('p', { class: 'muted', id: 'links-note' });
  const setProduct = async (id: string) => {
    map.setArcs([]);
    linksNote.textContent = '';
    if (!id) return;
    try {
      const tiers = await ctx.api.tiers(id, 'down', 1);
      const arcs = productArcs(tiers.links ?? [], id, pts);
      map.setArcs(arcs);
      linksNote.textContent = `${num(arcs.length, 0)} ${t('supplyLinks')}`;
    } catch (e) {
      linksNote.textContent = describeError(e);
    }
  };
  const colourSel = h(
    'select',
    {
      id: 'colour-by',
      onchange: () => {
        by = colourSel.value === 'risk' ? 'risk' : 'cluster';
        map.setStyle(style());
      },
    },
    h('option', { value: 'cluster' }, t('byCluster')),
    h('option', { value: 'risk' }, t('byRisk')),
  );
  colourSel.value = by;
  const product = params.get('product') ?? '';
  map.onSite = (i) => void showSite(ctx, map, pts, panel, i);
  fill(el,
    h(
      'div',
      { class: 'controls' },
      field(t('colourBy'), colourSel),
      field(t('product'), productSelect(products, product, (id) => void setProduct(id), true)),
      linksNote,
      h('span', { class: 'muted', id: 'site-count' }, `${num(pts.ids.length, 0)} ${t('sites')}`),
    ),
    h('div', { class: 'split' }, box, h('aside', {}, panel)),
  );
  if (product) void setProduct(product);
  const site = params.get('site');
  if (site && pts.byId.has(site)) void showSite(ctx, map, pts, panel, pts.byId.get(site)!);
  // For the end-to-end tests: they pan, zoom and click sites through it.
  (window as unknown as { renkeiMap?: MapCanvas; renkeiSites?: SitePoints }).renkeiMap = map;
  (window as unknown as { renkeiSites?: SitePoints }).renkeiSites = pts;
  return () => map.destroy();
};

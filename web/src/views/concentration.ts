// Company and country shares of a product's capacity with their HHI.
import type { View } from '../context';
import { bars, fill, h } from '../dom';
import { countryName, num, pct, t, unitName, type Key } from '../i18n';
import { hhiBand, routeHash } from '../transforms';
import type { CapacityShare } from '../types';
import { dataOrError, field, productSelect, productsOrFirst } from './common';

const kBandKey: Record<ReturnType<typeof hhiBand>, Key> = {
  high: 'hhiHigh',
  moderate: 'hhiModerate',
  low: 'hhiLow',
};

function block(
  title: string,
  hhi: number,
  shares: CapacityShare[],
  id: string,
  label: (key: string) => string,
): HTMLElement {
  const band = hhiBand(hhi);
  return h(
    'section',
    { class: `concentration band-${band}`, id },
    h('h2', {}, title),
    h(
      'p',
      { class: `hhi hhi-${band}` },
      `${t('hhi')} ${num(hhi, 0)} — ${t(kBandKey[band])}`,
    ),
    bars(
      shares.map((s) => ({
        label: label(s.key),
        title: s.key,
        value: s.share,
        text: `${pct(s.share)} · ${num(s.capacity)}`,
      })),
      1,
    ),
  );
}

export const concentrationView: View = async (ctx, el, params) => {
  const { products, product } = await productsOrFirst(ctx, params, ['prod:sic-wafer-150mm']);
  const target = params.get('target') ?? '';
  const targetInput = h('input', { id: 'target', value: target, size: 36 });
  const go = (p: string) =>
    (location.hash = routeHash('concentration', {
      product: p,
      ...(targetInput.value.trim() ? { target: targetInput.value.trim() } : {}),
    }));
  const sel = productSelect(products, product, go);
  const controls = () =>
    h(
      'form',
      {
        class: 'controls',
        onsubmit: (e: Event) => {
          e.preventDefault();
          go(sel.value);
        },
      },
      field(t('product'), sel),
      field(t('targetNode'), targetInput),
      h('button', { type: 'submit' }, t('show')),
    );
  const data = await dataOrError(el, controls, () =>
    Promise.all([ctx.api.concentration(product, target || undefined), ctx.names()]),
  );
  if (!data) return;
  const [c, names] = data;
  fill(el,
    controls(),
    h(
      'p',
      { class: 'muted' },
      `${c.basis} · ${num(c.nodes, 0)} ${t('nodes')} · ${t('capacity')} ${num(c.total_capacity)} ${unitName(names.unit(product))}`,
    ),
    h(
      'div',
      { class: 'columns' },
      block(t('byCompany'), c.hhi_company, c.by_company, 'by-company', (k) => names.organization(k)),
      block(t('byCountry'), c.hhi_country, c.by_country, 'by-country', countryName),
    ),
  );
};

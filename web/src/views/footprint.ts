// A product's carbon footprint split by tier, country, supplier and stage; its
// recycled content against the EU minimums, and its battery passport.
import type { View } from '../context';
import { bars, fill, h } from '../dom';
import { countryName, fixed, num, pct, t, unitName, type Key } from '../i18n';
import { circularityRows, routeHash, splitBars } from '../transforms';
import type { Dqr, Passport, SplitBy } from '../types';
import { dataOrError, productSelect, productsOrFirst, table, field } from './common';

const kSplits: { by: SplitBy; label: Key }[] = [
  { by: 'tier', label: 'byTier' },
  { by: 'country', label: 'byCountry' },
  { by: 'supplier', label: 'bySupplier' },
  { by: 'stage', label: 'byStage' },
];

function dqrText(d: Dqr | null): string {
  if (!d) return '—';
  return [d.ter, d.ger, d.tir].map((x) => (x == null ? '—' : num(x, 2))).join(' / ');
}

export const footprintView: View = async (ctx, el, params) => {
  const { products, product } = await productsOrFirst(ctx, params, ['prod:ev-battery-pack-prismatic']);
  const controls = () =>
    h(
      'div',
      { class: 'controls' },
      field(
        t('product'),
        productSelect(products, product, (p) => (location.hash = routeHash('footprint', { product: p }))),
      ),
    );
  const data = await dataOrError(el, controls, () =>
    Promise.all([Promise.all(kSplits.map((s) => ctx.api.footprint(product, s.by))), ctx.names()]),
  );
  if (!data) return;
  const [docs, names] = data;
  const fp = docs[0];
  // What a split's key names, in words (the key itself on hover).
  const label: Record<SplitBy, (key: string) => string> = {
    tier: (k) => `${t('tier')} ${k}`,
    country: countryName,
    supplier: (k) => names.organization(k),
    stage: (k) => (k === 'raw_material_extraction' ? t('stageRaw') : k === 'main_production' ? t('stageMain') : k),
  };
  fill(el,
    controls(),
    h(
      'div',
      { class: 'kpis' },
      h('div', { class: 'kpi', id: 'pcf' }, h('span', { class: 'kpi-label' }, t('pcf')), h('strong', {}, `${num(Number(fp.pcf_kgco2e_per_unit), 3)}`), h('span', { class: 'muted' }, ` / ${unitName(fp.unit)}`)),
      h('div', { class: 'kpi', id: 'primary-share' }, h('span', { class: 'kpi-label' }, t('primaryShare')), h('strong', {}, pct(fp.primary_data_share))),
      h('div', { class: 'kpi', id: 'dqr' }, h('span', { class: 'kpi-label' }, t('dqr')), h('strong', {}, dqrText(fp.dqr))),
    ),
    fp.verified === false ? h('p', { class: 'error', id: 'unverified' }, t('unverified')) : null,
    h(
      'div',
      { class: 'charts' },
      kSplits.map((s, i) => {
        const entries = docs[i][`by_${s.by}` as const];
        const rows = splitBars(entries, 12, t('others'), s.by === 'tier');
        return h(
          'section',
          { class: 'chart', id: `split-${s.by}` },
          h('h2', {}, t(s.label)),
          rows.length
            ? bars(
                rows.map((b) => ({
                  label: b.key === t('others') ? b.key : label[s.by](b.key),
                  title: b.key,
                  value: b.value,
                  text: `${fixed(b.value, 1)} (${pct(b.share)})`,
                })),
              )
            : h('p', { class: 'muted' }, t('noData')),
        );
      }),
    ),
    fp.notes?.length ? h('ul', { class: 'notes muted' }, fp.notes.map((n) => h('li', {}, n))) : null,
  );
};

export const circularityView: View = async (ctx, el, params) => {
  const { products, product } = await productsOrFirst(ctx, params, ['prod:ev-battery-pack-prismatic']);
  const controls = () =>
    h(
      'div',
      { class: 'controls' },
      field(
        t('product'),
        productSelect(products, product, (p) => (location.hash = routeHash('circularity', { product: p }))),
      ),
    );
  const data = await dataOrError(el, controls, () => Promise.all([ctx.api.circularity(product), ctx.api.passport(product)]));
  if (!data) return;
  const [c, passport] = data;
  const rows = circularityRows(c.substances);
  const verdict = (m: boolean | null) =>
    m === null ? '—' : h('span', { class: m ? 'ok' : 'error' }, m ? t('meets') : t('below'));
  fill(el,
    controls(),
    rows.length
      ? [
          table(
            [t('substance'), 'kg', t('recycled'), t('preConsumer'), t('postConsumer'), t('eu2031'), '', t('eu2036'), ''],
            rows.map((r) => [
              r.substance,
              num(r.massKg, 3),
              pct(r.recycled),
              pct(r.pre),
              pct(r.post),
              r.min2031 === null ? '—' : pct(r.min2031, 0),
              verdict(r.meets2031),
              r.min2036 === null ? '—' : pct(r.min2036, 0),
              verdict(r.meets2036),
            ]),
            'circularity',
          ),
          h(
            'div',
            { class: 'recycled-chart', id: 'recycled-chart' },
            rows.map((r) =>
              h(
                'div',
                { class: 'target-row' },
                h('span', { class: 'bar-label' }, r.substance),
                h(
                  'span',
                  { class: 'bar-track' },
                  h('span', { class: 'bar-fill', style: `width:${(Math.min(1, r.recycled) * 100).toFixed(2)}%` }),
                  r.min2031 !== null ? h('span', { class: 'mark m2031', style: `left:${r.min2031 * 100}%`, title: t('eu2031') }) : null,
                  r.min2036 !== null ? h('span', { class: 'mark m2036', style: `left:${r.min2036 * 100}%`, title: t('eu2036') }) : null,
                ),
                h('span', { class: 'bar-value' }, pct(r.recycled)),
              ),
            ),
            h('p', { class: 'muted legend' }, h('span', { class: 'mark-key m2031' }), ` ${t('eu2031')}  `, h('span', { class: 'mark-key m2036' }), ` ${t('eu2036')}`),
          ),
        ]
      : h('p', { class: 'muted' }, t('noMaterials')),
    passportSection(passport),
  );
};

// The passport's state, its class and footprint, and a download of the document.
function passportSection(p: Passport): HTMLElement {
  const missing = p.missing ?? [];
  const cf = p.carbonFootprint;
  const download = h(
    'button',
    { type: 'button', id: 'passport-download' },
    missing.length ? t('passportDownloadIncomplete') : t('passportDownload'),
  );
  download.addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(p, null, 2) + '\n'], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `passport-${p.product.replace(/[^\w.-]+/g, '_')}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  return h(
    'section',
    { class: 'passport', id: 'passport' },
    h('h3', {}, t('passport')),
    missing.length
      ? h(
          'details',
          { class: 'passport-missing' },
          h('summary', { class: 'error' }, `${missing.length} ${t('passportMissing')}`),
          h('ul', {}, missing.map((m) => h('li', {}, h('code', {}, m.field), ` ← ${m.provide}`))),
        )
      : h('p', { class: 'ok', id: 'passport-state' }, t('passportComplete')),
    cf.carbonFootprintPerformanceClass !== undefined || cf.batteryCarbonFootprint !== undefined
      ? h(
          'p',
          {},
          cf.carbonFootprintPerformanceClass !== undefined
            ? [`${t('passportClass')}: `, h('strong', { id: 'passport-class' }, cf.carbonFootprintPerformanceClass), '  ']
            : null,
          cf.batteryCarbonFootprint !== undefined ? `${num(cf.batteryCarbonFootprint, 4)} ${t('passportPerKwh')}` : null,
        )
      : null,
    h('p', { class: 'muted' }, `${p.dataModel.carbonFootprint} · ${p.dataModel.circularity}`),
    download,
  );
}

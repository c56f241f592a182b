// The supply tree behind a product or site, one column per tier, SPOFs marked.
import type { View } from '../context';
import { fill, h } from '../dom';
import { countryName, num, t } from '../i18n';
import { routeHash, tierColumns } from '../transforms';
import { field, productsOrFirst } from './common';

export const tiersView: View = async (ctx, el, params) => {
  const { products, product } = await productsOrFirst(ctx, params, ['prod:bev-suv']);
  const node = params.get('node') ?? product;
  const direction = params.get('direction') === 'down' ? 'down' : 'up';
  const depthParam = params.get('depth');
  const depth = depthParam ? Number(depthParam) : undefined;
  const [tiers, names] = await Promise.all([ctx.api.tiers(node, direction, depth), ctx.names()]);
  const go = () =>
    (location.hash = routeHash('tiers', {
      node: nodeInput.value.trim(),
      direction: dirSel.value,
      ...(depthInput.value ? { depth: depthInput.value } : {}),
    }));
  const nodeInput = h('input', { id: 'node', list: 'node-list', value: node, size: 40 });
  const list = h(
    'datalist',
    { id: 'node-list' },
    products.map((p) => h('option', { value: p.id }, p.name)),
  );
  const dirSel = h(
    'select',
    { id: 'direction' },
    h('option', { value: 'up' }, t('upstream')),
    h('option', { value: 'down' }, t('downstream')),
  );
  dirSel.value = direction;
  const depthInput = h('input', { id: 'depth', type: 'number', min: 1, max: 50, value: depthParam ?? '' });
  const columns = tierColumns(tiers.tiers);
  const spofs = tiers.tiers.filter((e) => e.spof).length;
  fill(el,
    h(
      'form',
      {
        class: 'controls',
        onsubmit: (e: Event) => {
          e.preventDefault();
          go();
        },
      },
      field(`${t('product')} / ${t('site')}`, nodeInput),
      list,
      field(t('direction'), dirSel),
      field(t('depth'), depthInput),
      h('button', { type: 'submit' }, t('show')),
    ),
    h(
      'p',
      { id: 'tiers-summary' },
      `${num(tiers.tiers.length, 0)} ${t('nodes')} · ${num(columns.length, 0)} ${t('tiers')} · ${num(spofs, 0)} ${t('spofShort')}`,
      h('span', { class: 'legend spof-mark' }, ` ■ ${t('spof')}`),
    ),
    columns.length
      ? h(
          'div',
          { class: 'tiers', id: 'tiers' },
          columns.map((c) =>
            h(
              'section',
              { class: 'tier' },
              h('h3', {}, `${t('tier')} ${c.tier} (${c.entries.length}${c.spofs ? `, ${c.spofs} ${t('spofShort')}` : ''})`),
              h(
                'ul',
                {},
                c.entries.map((e) =>
                  h(
                    'li',
                    { class: e.spof ? 'spof' : '', title: `${names.organization(e.organization)} (${e.organization})` },
                    h('a', { href: routeHash('map', { site: e.site }), title: e.site }, names.site(e.site)),
                    h('span', { class: 'muted', title: e.product }, ` ${names.product(e.product)}`),
                    h('span', { class: 'cc', title: e.country }, ` ${countryName(e.country)}`),
                    e.kind === 'demand' ? h('span', { class: 'tag' }, ` ${t('demandTag')}`) : null,
                  ),
                ),
              ),
            ),
          ),
        )
      : h('p', {}, t('noData')),
  );
};

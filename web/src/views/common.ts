// Pieces several views share: the map with its World / Japan buttons, product
// pickers and small tables.
import type { Context } from '../context';
import { fill, h } from '../dom';
import { errorPanel } from '../errors';
import { lang, t } from '../i18n';
import { MapCanvas, type Region } from '../map';
import type { Product } from '../types';

// The map first shows `region` (from its first frame: no frame drawn at another view).
export function mapBox(region: Region): { box: HTMLElement; map: MapCanvas } {
  const area = h('div', { class: 'map-area' });
  const map = new MapCanvas(area, region);
  const box = h(
    'div',
    { class: 'map-box' },
    h(
      'div',
      { class: 'map-buttons' },
      h('button', { type: 'button', id: 'show-world', onclick: () => map.show('world') }, t('world')),
      h('button', { type: 'button', id: 'show-japan', onclick: () => map.show('japan') }, t('japan')),
    ),
    area,
  );
  return { box, map };
}

export function productSelect(
  products: Product[],
  selected: string,
  onChange: (id: string) => void,
  allowNone = false,
  id = 'product',
): HTMLSelectElement {
  const sel = h(
    'select',
    { id, onchange: () => onChange(sel.value) },
    allowNone ? h('option', { value: '' }, t('none')) : null,
    products.map((p) => h('option', { value: p.id }, `${(lang() === 'ja' && p.name_ja) || p.name} (${p.id})`)),
  );
  sel.value = selected;
  return sel;
}

export async function productsOrFirst(
  ctx: Context,
  params: URLSearchParams,
  prefer: string[] = [],
): Promise<{ products: Product[]; product: string }> {
  const given = params.get('product');
  // A node without the product list still serves a product named in the address.
  const products = await ctx.products().catch((e: unknown) => {
    if (given) return [{ id: given, name: given, category: '', unit: '' }];
    throw e;
  });
  const product =
    given ?? prefer.find((p) => products.some((x) => x.id === p)) ?? products[0]?.id ?? '';
  return { products, product };
}

export function table(head: string[], rows: (string | Node)[][], className = ''): HTMLTableElement {
  return h(
    'table',
    { class: className },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))),
    ),
  );
}

export function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

// The view's data, or, when it cannot be had, the view's controls with the error
// under them (the user can pick something else): null then.
export async function dataOrError<T>(el: HTMLElement, controls: () => HTMLElement, load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (e) {
    fill(el, controls(), errorPanel(e));
    return null;
  }
}

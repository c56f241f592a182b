// A small element builder: h('div', {class: 'x'}, 'text', child).
type Child = Node | string | number | null | undefined | false;
export type Children = Child | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: Children[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
  return el;
}

// A horizontal bar chart as plain HTML: label, bar, text. Bars are scaled to `scale`,
// or to the largest value.
export function bars(
  rows: { label: string; value: number; text: string; className?: string; title?: string }[],
  scale?: number,
): HTMLElement {
  const max = scale ?? Math.max(1e-12, ...rows.map((r) => Math.abs(r.value)));
  return h(
    'div',
    { class: 'bars' },
    rows.map((r) =>
      h(
        'div',
        { class: `bar-row ${r.className ?? ''}` },
        h('span', { class: 'bar-label', title: r.title ?? r.label }, r.label),
        h(
          'span',
          { class: 'bar-track' },
          h('span', {
            class: 'bar-fill',
            style: `width:${Math.min(100, (Math.abs(r.value) / max) * 100).toFixed(2)}%`,
          }),
        ),
        h('span', { class: 'bar-value' }, r.text),
      ),
    ),
  );
}

// Appends children to `el`, skipping null, undefined and false, flattening arrays.
export function fill(el: HTMLElement, ...children: Children[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
}

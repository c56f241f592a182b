// What changed between two versions of the store: the rows per table, the sites
// that became or stopped being single points of failure, and the footprints that
// moved with the changed rows each is computed from (GET /api/v1/diff).
import type { View } from '../context';
import { fill, h } from '../dom';
import { num, t } from '../i18n';
import { routeHash } from '../transforms';
import type { Diff, Version } from '../types';
import { field } from './common';

// Rows listed per table and causes per footprint before "…".
const kRowsShown = 50;
const kCausesShown = 8;

function versionLabel(v: Version): string {
  return `${v.version} · ${v.time.replace('T', ' ').replace('Z', ' UTC')}`;
}

function rowChanges(diff: Diff): HTMLElement {
  const tables = Object.entries(diff.tables);
  if (!tables.length) return h('p', { id: 'changes-none' }, t('noRowChanges'));
  return h(
    'div',
    { id: 'changes-rows' },
    h(
      'table',
      { class: 'changes', id: 'changes-tables' },
      h('thead', {}, h('tr', {}, h('th', {}, t('rowsTable')), h('th', {}, t('rowsAdded')), h('th', {}, t('rowsChanged')), h('th', {}, t('rowsRemoved')))),
      h(
        'tbody',
        {},
        tables.map(([name, c]) =>
          h('tr', { 'data-table': name }, h('td', {}, name), h('td', {}, num(c.added.length, 0)), h('td', {}, num(c.changed.length, 0)), h('td', {}, num(c.removed.length, 0))),
        ),
      ),
    ),
    tables.map(([name, c]) => {
      const lines = [
        ...c.added.map((k) => `+ ${name} ${k}`),
        ...c.changed.map(
          (r) => `~ ${name} ${r.key}: ${Object.entries(r.cells).map(([col, v]) => `${col} ${v.before || '–'} → ${v.after || '–'}`).join(', ')}`,
        ),
        ...c.removed.map((k) => `− ${name} ${k}`),
      ];
      return h(
        'details',
        { class: 'changed-rows' },
        h('summary', {}, name),
        h('ul', {}, lines.slice(0, kRowsShown).map((l) => h('li', {}, l)), lines.length > kRowsShown ? h('li', { class: 'muted' }, '…') : null),
      );
    }),
  );
}

export const changesView: View = async (ctx, el, params) => {
  const [{ versions }, names] = await Promise.all([ctx.api.versions(), ctx.names()]);
  if (versions.length < 2) {
    fill(el, h('p', { id: 'changes-one' }, t('oneVersion')));
    return;
  }
  const known = (x: string | null, fallback: number) => {
    const n = Number(x);
    return versions.some((v) => v.version === n) ? n : fallback;
  };
  const from = known(params.get('from'), versions[versions.length - 2].version);
  const to = known(params.get('to'), versions[versions.length - 1].version);
  const select = (id: string, value: number) => {
    const s = h('select', { id }, versions.map((v) => h('option', { value: String(v.version) }, versionLabel(v))));
    s.value = String(value);
    return s;
  };
  const fromSel = select('from', from);
  const toSel = select('to', to);
  const diff = await ctx.api.diff(from, to);
  const { gained, lost } = diff.analyses.single_points_of_failure;
  const footprints = diff.analyses.footprints_kgco2e_per_unit;
  // Three decimals, or as many more as it takes to tell the two values apart.
  const digits = (a: number | null, b: number | null) => {
    let d = 3;
    while (d < 9 && a !== null && b !== null && num(a, d) === num(b, d)) ++d;
    return d;
  };
  fill(
    el,
    h(
      'form',
      {
        class: 'controls',
        onsubmit: (e: Event) => {
          e.preventDefault();
          location.hash = routeHash('changes', { from: fromSel.value, to: toSel.value });
        },
      },
      field(t('versionFrom'), fromSel),
      field(t('versionTo'), toSel),
      h('button', { type: 'submit' }, t('show')),
    ),
    rowChanges(diff),
    gained.length ? h('section', { id: 'spof-gained' }, h('h3', {}, t('spofGained')), h('ul', {}, gained.map((s) => h('li', { title: s }, names.site(s))))) : null,
    lost.length ? h('section', { id: 'spof-lost' }, h('h3', {}, t('spofLost')), h('ul', {}, lost.map((s) => h('li', { title: s }, names.site(s))))) : null,
    footprints.length
      ? h(
          'section',
          {},
          h('h3', {}, t('footprintChanges')),
          h(
            'table',
            { class: 'changes', id: 'footprint-changes' },
            h('thead', {}, h('tr', {}, h('th', {}, t('product')), h('th', {}, t('valueBefore')), h('th', {}, t('valueAfter')), h('th', {}, t('causedBy')))),
            h(
              'tbody',
              {},
              footprints.map((f) =>
                h(
                  'tr',
                  { 'data-product': f.product },
                  h('td', { title: f.product }, names.product(f.product)),
                  h('td', {}, f.before === null ? '–' : num(f.before, digits(f.before, f.after))),
                  h('td', {}, f.after === null ? '–' : num(f.after, digits(f.before, f.after))),
                  h(
                    'td',
                    { class: 'caused-by' },
                    f.caused_by.slice(0, kCausesShown).join('; ') +
                      (f.caused_by.length > kCausesShown || !f.caused_by_complete
                        ? ` … (${num(f.caused_by.length, 0)}${f.caused_by_complete ? '' : '+'})`
                        : ''),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
    h('p', { class: 'muted' }, t('ttsNotComputed')),
  );
};

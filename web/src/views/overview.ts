// The first view: the eight strategic clusters on the map and the battery targets
// against the capacity in the data.
import type { View } from '../context';
import { bars, fill, h } from '../dom';
import { clusterName, num, pct, t } from '../i18n';
import {
  batteryProgress,
  clusterColour,
  kStrategicClusters,
  sitesPerCluster,
} from '../transforms';
import type { ClusterSummary } from '../types';
import { mapBox, table } from './common';

export const overviewView: View = async (ctx, el) => {
  const [pts, overview] = await Promise.all([ctx.sites(), ctx.api.overview()]);
  performance.mark('renkei:overview-data');
  const strategic = new Set(kStrategicClusters);
  const { box, map } = mapBox('japan');
  map.setPoints(pts, {
    colour: (i) =>
      strategic.has(pts.props[i].cluster ?? '') ? clusterColour(pts.props[i].cluster) : 'rgba(150,150,150,0.35)',
    radius: (i) => (strategic.has(pts.props[i].cluster ?? '') ? 5 : 2.5),
  });
  const byCluster = new Map<string, ClusterSummary>(overview.clusters.map((c) => [c.id, c]));
  const counts = sitesPerCluster(pts.props);
  const rows = kStrategicClusters.map((id) => {
    const c = byCluster.get(id);
    const sites = c?.sites ?? counts.find((x) => x.cluster === id)?.sites ?? 0;
    return [
      h('span', { class: 'swatch', style: `background:${clusterColour(id)}` }),
      clusterName(id),
      num(sites, 0),
      c ? num(c.organizations, 0) : '',
      c ? num(c.products, 0) : '',
    ];
  });
  const battery = batteryProgress(overview.battery).map((p) => ({
    label: p.label === 'japan' ? t('madeInJapan') : t('byJapaneseMakers'),
    value: p.ratio,
    text: `${num(p.actual, 1)} / ${num(p.target, 0)} ${t('gwhYear')} (${pct(p.ratio)})`,
  }));
  fill(el,
    h(
      'div',
      { class: 'split' },
      box,
      h(
        'aside',
        {},
        h('h2', {}, t('clusters')),
        table(['', t('cluster'), t('sites'), t('organizations'), t('products')], rows, 'clusters'),
        h('h2', {}, `${t('batteryTargets')} (${overview.battery.target_year})`),
        h('div', { id: 'battery' }, bars(battery, 1)),
      ),
    ),
  );
  // The first view is complete when its map shows Japan's countries and clusters.
  void map.whenDrawn().then(() => performance.mark('renkei:first-view'));
  return () => map.destroy();
};

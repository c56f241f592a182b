// Pure transforms from API documents to what the views draw. No DOM here: each is
// unit tested in transforms.test.ts.
import type {
  Battery,
  SiteFeature,
  SiteProperties,
  SplitEntry,
  Substance,
  TierEntry,
  TierLink,
} from './types';

// ---- sign-in fragment and routes -------------------------------------------------

export interface Credentials {
  clientId: string;
  secret: string;
}

// "#client=ID&secret=SECRET" (values percent-encoded) → the credentials, else null.
export function credentialsFromFragment(hash: string): Credentials | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h.startsWith('/')) return null;
  const q = new URLSearchParams(h);
  const clientId = q.get('client');
  const secret = q.get('secret');
  if (!clientId || !secret) return null;
  return { clientId, secret };
}

export const kViews = [
  'overview',
  'map',
  'tiers',
  'concentration',
  'whatif',
  'footprint',
  'circularity',
  'changes',
] as const;
export type ViewName = (typeof kViews)[number];

export interface Route {
  view: ViewName;
  params: URLSearchParams;
}

// "#/tiers?node=prod:x" → {view: 'tiers', params}; anything else → the overview.
export function parseRoute(hash: string): Route {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  const m = /^\/([a-z]+)(?:\?(.*))?$/.exec(h);
  const view = m && (kViews as readonly string[]).includes(m[1]) ? (m[1] as ViewName) : 'overview';
  return { view, params: new URLSearchParams(m?.[2] ?? '') };
}

export function routeHash(view: ViewName, params?: Record<string, string>): string {
  const q = params ? new URLSearchParams(params).toString() : '';
  return `#/${view}${q ? '?' + q : ''}`;
}

// ---- concentration ---------------------------------------------------------------

export type HhiBand = 'high' | 'moderate' | 'low';

// The usual bands: above 2,500 high, 1,500 to 2,500 moderate, below 1,500 low.
export function hhiBand(hhi: number): HhiBand {
  if (hhi > 2500) return 'high';
  if (hhi >= 1500) return 'moderate';
  return 'low';
}

// HHI of shares in [0, 1]: Σ (100·share)², 0..10,000.
export function hhiOf(shares: number[]): number {
  return shares.reduce((sum, s) => sum + (100 * s) ** 2, 0);
}

// ---- sites and map ---------------------------------------------------------------

export const kClusterColours: Record<string, string> = {
  'next-gen-logic': '#e6194b',
  'specialty-kyushu': '#f58231',
  'trusted-memory': '#911eb4',
  'advanced-packaging': '#4363d8',
  'computing-hub': '#42d4f4',
  'green-power': '#3cb44b',
  'battery-kansai': '#ffe119',
  cybersecurity: '#f032e6',
  upstream: '#9a9a9a',
  downstream: '#5a5a5a',
};
export const kStrategicClusters = [
  'next-gen-logic',
  'specialty-kyushu',
  'trusted-memory',
  'advanced-packaging',
  'computing-hub',
  'green-power',
  'battery-kansai',
  'cybersecurity',
];
const kOtherColour = '#b0b0b0';

export function clusterColour(cluster: string | undefined): string {
  return (cluster && kClusterColours[cluster]) || kOtherColour;
}

// Risk colour: red when exposed (TTS < TTR), orange shades by how many demand nodes
// the site stops alone, grey otherwise.
export function riskColour(p: Pick<SiteProperties, 'exposed' | 'demand_stopped'>): string {
  const n = p.demand_stopped ?? 0;
  if (p.exposed) return '#d7191c';
  if (n >= 10) return '#e6550d';
  if (n >= 3) return '#fd8d3c';
  if (n >= 1) return '#fdbe85';
  return '#9ecae1';
}

// Point radius in pixels: criticality makes a site bigger.
export function riskRadius(p: Pick<SiteProperties, 'demand_stopped'>): number {
  const n = p.demand_stopped ?? 0;
  return n > 0 ? Math.min(3 + Math.sqrt(n) * 1.5, 10) : 3;
}

export interface SitePoints {
  ids: string[];
  lon: Float64Array;
  lat: Float64Array;
  props: SiteProperties[];
  byId: Map<string, number>;
}

// Flat arrays for the canvas: one index per site with a place (external sites,
// known by id alone, have none and are not drawn).
export function sitePoints(all: SiteFeature[]): SitePoints {
  const features = all.filter(
    (f): f is SiteFeature & { geometry: NonNullable<SiteFeature['geometry']> } => f.geometry !== null,
  );
  const n = features.length;
  const pts: SitePoints = {
    ids: new Array<string>(n),
    lon: new Float64Array(n),
    lat: new Float64Array(n),
    props: new Array<SiteProperties>(n),
    byId: new Map(),
  };
  features.forEach((f, i) => {
    pts.ids[i] = f.properties.id;
    pts.lon[i] = f.geometry.coordinates[0];
    pts.lat[i] = f.geometry.coordinates[1];
    pts.props[i] = f.properties;
    pts.byId.set(f.properties.id, i);
  });
  return pts;
}

const kEarthRadiusKm = 6371.0088;

// Great-circle distance in km.
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const dlat = (lat2 - lat1) * r;
  const dlon = (lon2 - lon1) * r;
  const a =
    Math.sin(dlat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dlon / 2) ** 2;
  return 2 * kEarthRadiusKm * Math.asin(Math.min(1, Math.sqrt(a)));
}

// Ids of the sites within radiusKm of (lat, lon), for previewing a circle event.
export function sitesInCircle(pts: SitePoints, lat: number, lon: number, radiusKm: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < pts.ids.length; ++i) {
    if (distanceKm(lat, lon, pts.lat[i], pts.lon[i]) <= radiusKm) out.push(pts.ids[i]);
  }
  return out;
}

export interface Arc {
  from: number;
  to: number;
  share: number | null;
}

// Supply links of `product` (shipments of it) as pairs of site indices, one per
// distinct supplier and customer site pair; links to unseen sites are dropped.
export function productArcs(links: TierLink[], product: string, pts: SitePoints): Arc[] {
  const seen = new Set<string>();
  const arcs: Arc[] = [];
  for (const l of links) {
    if (l.from.product !== product) continue;
    const a = pts.byId.get(l.from.site);
    const b = pts.byId.get(l.to.site);
    if (a === undefined || b === undefined || a === b) continue;
    const k = `${a}>${b}`;
    if (seen.has(k)) continue;
    seen.add(k);
    arcs.push({ from: a, to: b, share: l.share ?? null });
  }
  return arcs;
}

// Cluster → number of sites, strategic clusters first in their fixed order.
export function sitesPerCluster(props: SiteProperties[]): { cluster: string; sites: number }[] {
  const count = new Map<string, number>();
  for (const p of props) {
    const c = p.cluster || '';
    count.set(c, (count.get(c) ?? 0) + 1);
  }
  const order = (c: string) => {
    const i = kStrategicClusters.indexOf(c);
    return i < 0 ? kStrategicClusters.length : i;
  };
  return [...count.entries()]
    .map(([cluster, sites]) => ({ cluster, sites }))
    .sort((a, b) => order(a.cluster) - order(b.cluster) || a.cluster.localeCompare(b.cluster));
}

// ---- tiers -----------------------------------------------------------------------

export interface TierColumn {
  tier: number;
  entries: TierEntry[];
  spofs: number;
}

// Entries grouped by tier (ascending), each column sorted by site then product.
export function tierColumns(entries: TierEntry[]): TierColumn[] {
  const by = new Map<number, TierEntry[]>();
  for (const e of entries) {
    const list = by.get(e.tier) ?? [];
    list.push(e);
    by.set(e.tier, list);
  }
  return [...by.keys()]
    .sort((a, b) => a - b)
    .map((tier) => {
      const list = by.get(tier)!;
      list.sort((a, b) => a.site.localeCompare(b.site) || a.product.localeCompare(b.product));
      return { tier, entries: list, spofs: list.filter((e) => e.spof).length };
    });
}

// ---- footprint and circularity ---------------------------------------------------

export interface Bar {
  key: string;
  value: number;
  share: number;
}

// Split entries as bars, largest first (or in the keys' order, numbers as numbers:
// tiers 1, 2, ..., 10); past `top` bars the rest is summed into one bar keyed `others`.
export function splitBars(entries: SplitEntry[] | undefined, top = 12, others = 'others', inKeyOrder = false): Bar[] {
  if (!entries) return [];
  const bars = entries
    .map((e) => ({ key: e.key, value: Number(e.kgco2e), share: e.share }))
    .sort((a, b) =>
      inKeyOrder
        ? a.key.localeCompare(b.key, undefined, { numeric: true })
        : Math.abs(b.value) - Math.abs(a.value) || a.key.localeCompare(b.key),
    );
  if (bars.length <= top) return bars;
  const rest = bars.slice(top - 1);
  return [
    ...bars.slice(0, top - 1),
    {
      key: others,
      value: rest.reduce((s, b) => s + b.value, 0),
      share: rest.reduce((s, b) => s + b.share, 0),
    },
  ];
}

// EU Battery Regulation 2023/1542 Art. 8 minimum recycled shares.
export const kEuMinimum: Record<string, { y2031: number; y2036: number }> = {
  Co: { y2031: 0.16, y2036: 0.26 },
  Pb: { y2031: 0.85, y2036: 0.85 },
  Li: { y2031: 0.06, y2036: 0.12 },
  Ni: { y2031: 0.06, y2036: 0.15 },
};

export interface CircularityRow {
  substance: string;
  massKg: number;
  recycled: number;
  pre: number;
  post: number;
  min2031: number | null;
  min2036: number | null;
  meets2031: boolean | null;
  meets2036: boolean | null;
}

// One row per substance with the EU minimums: the node's numbers when it gives them,
// else the regulation's for Co, Li, Ni and Pb, else none.
export function circularityRows(substances: Substance[]): CircularityRow[] {
  return substances.map((s) => {
    const eu = kEuMinimum[s.substance];
    const min2031 = s.eu_minimum_2031 ?? eu?.y2031 ?? null;
    const min2036 = s.eu_minimum_2036 ?? eu?.y2036 ?? null;
    const meets = (min: number | null, given: boolean | undefined) =>
      given ?? (min === null ? null : s.recycled_share + 1e-12 >= min);
    return {
      substance: s.substance,
      massKg: Number(s.mass_kg_per_unit),
      recycled: s.recycled_share,
      pre: s.pre_consumer_share,
      post: s.post_consumer_share,
      min2031,
      min2036,
      meets2031: meets(min2031, s.meets_2031),
      meets2036: meets(min2036, s.meets_2036),
    };
  });
}

export interface TargetProgress {
  label: 'japan' | 'makers';
  actual: number;
  target: number;
  ratio: number;
}

// Battery capacity in the data against the 2030 targets.
export function batteryProgress(b: Battery): TargetProgress[] {
  const p = (label: TargetProgress['label'], actual: number, target: number) => ({
    label,
    actual,
    target,
    ratio: target > 0 ? actual / target : 0,
  });
  return [
    p('japan', b.japan_gwh_per_year, b.target_japan_gwh_per_year),
    p('makers', b.japanese_makers_gwh_per_year, b.target_japanese_makers_gwh_per_year),
  ];
}

// "prod:x" → products; "site:x" or "site:x/prod:y" → the site's id.
export function siteOfNode(node: string): string | null {
  if (node.startsWith('prod:')) return null;
  const slash = node.indexOf('/');
  return slash < 0 ? node : node.slice(0, slash);
}

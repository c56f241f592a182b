import { describe, expect, it } from 'vitest';
import { basicAuth } from './api';
import { countryName, format, initLang, kLangKey, num, setLang, t, unitName } from './i18n';
import {
  batteryProgress,
  circularityRows,
  credentialsFromFragment,
  distanceKm,
  hhiBand,
  hhiOf,
  parseRoute,
  productArcs,
  riskColour,
  routeHash,
  sitePoints,
  sitesInCircle,
  sitesPerCluster,
  siteOfNode,
  splitBars,
  tierColumns,
} from './transforms';
import type { SiteFeature, TierEntry } from './types';

const site = (id: string, lon: number, lat: number, cluster = ''): SiteFeature => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [lon, lat] },
  properties: { id, name: id, organization: 'org:x', country: 'JP', cluster },
});

// Coordinates of the demo's Kumamoto sites and one far away.
const features = [
  site('site:jasm-kikuyo', 130.8, 32.88, 'specialty-kyushu'),
  site('site:sony-kumamoto', 130.76, 32.87, 'specialty-kyushu'),
  site('site:rapidus-chitose', 141.65, 42.82, 'next-gen-logic'),
  site('site:tsmc-tainan', 120.28, 23.11),
];

describe('sign-in fragment and routes', () => {
  it('reads client and secret from the fragment', () => {
    expect(credentialsFromFragment('#client=abc%3A1&secret=s3cr%2Bt')).toEqual({
      clientId: 'abc:1',
      secret: 's3cr+t',
    });
  });
  it('ignores routes and incomplete fragments', () => {
    expect(credentialsFromFragment('#/map')).toBeNull();
    expect(credentialsFromFragment('#client=abc')).toBeNull();
    expect(credentialsFromFragment('')).toBeNull();
  });
  it('parses and builds routes', () => {
    const r = parseRoute('#/tiers?node=site%3Aa%2Fprod%3Ab&direction=down');
    expect(r.view).toBe('tiers');
    expect(r.params.get('node')).toBe('site:a/prod:b');
    expect(parseRoute('#/nothing').view).toBe('overview');
    expect(parseRoute('').view).toBe('overview');
    expect(routeHash('footprint', { product: 'prod:x' })).toBe('#/footprint?product=prod%3Ax');
    expect(routeHash('map')).toBe('#/map');
  });
  it('encodes HTTP Basic credentials form-encoded', () => {
    // base64("id%3A1:a+b") by hand: the colon of the id is escaped, the space is "+".
    expect(basicAuth('id:1', 'a b')).toBe('Basic ' + btoa('id%3A1:a+b'));
  });
});

describe('concentration', () => {
  it('bands the HHI', () => {
    expect(hhiBand(10000)).toBe('high');
    expect(hhiBand(2501)).toBe('high');
    expect(hhiBand(2500)).toBe('moderate');
    expect(hhiBand(1500)).toBe('moderate');
    expect(hhiBand(1499.9)).toBe('low');
  });
  it('computes HHI from shares', () => {
    // 60/30/10: 3600 + 900 + 100
    expect(hhiOf([0.6, 0.3, 0.1])).toBeCloseTo(4600, 9);
    expect(hhiOf([1])).toBe(10000);
  });
});

describe('sites', () => {
  const pts = sitePoints(features);
  it('indexes the features', () => {
    expect(pts.ids.length).toBe(4);
    expect(pts.byId.get('site:rapidus-chitose')).toBe(2);
    expect(pts.lat[0]).toBe(32.88);
  });
  it('leaves out external sites, which have no place', () => {
    const external: SiteFeature = {
      type: 'Feature',
      geometry: null,
      properties: { id: 'site:theirs', name: '', organization: 'org:y', country: '', external: true },
    };
    const with_external = sitePoints([external, ...features]);
    expect(with_external.ids.length).toBe(4);
    expect(with_external.byId.has('site:theirs')).toBe(false);
    expect(with_external.byId.get('site:jasm-kikuyo')).toBe(0);
  });
  it('measures great-circle distances', () => {
    // One degree of latitude is 111.195 km on the mean-radius sphere.
    expect(distanceKm(0, 0, 1, 0)).toBeCloseTo(111.195, 2);
    expect(distanceKm(35, 139, 35, 139)).toBe(0);
  });
  it('finds the sites in a circle', () => {
    expect(sitesInCircle(pts, 32.88, 130.84, 30)).toEqual(['site:jasm-kikuyo', 'site:sony-kumamoto']);
    expect(sitesInCircle(pts, 32.88, 130.84, 1)).toEqual([]);
  });
  it('counts sites per cluster, strategic clusters first', () => {
    expect(sitesPerCluster(pts.props)).toEqual([
      { cluster: 'next-gen-logic', sites: 1 },
      { cluster: 'specialty-kyushu', sites: 2 },
      { cluster: '', sites: 1 },
    ]);
  });
  it('colours by risk', () => {
    expect(riskColour({ exposed: true, demand_stopped: 0 })).toBe('#d7191c');
    expect(riskColour({ exposed: false, demand_stopped: 12 })).toBe('#e6550d');
    expect(riskColour({})).toBe('#9ecae1');
  });
  it('draws one arc per supplier-customer pair of the product', () => {
    const links = [
      { from: { site: 'site:jasm-kikuyo', product: 'prod:w' }, to: { site: 'site:sony-kumamoto', product: 'prod:s' }, share: 1 },
      { from: { site: 'site:jasm-kikuyo', product: 'prod:w' }, to: { site: 'site:sony-kumamoto', product: 'prod:t' }, share: 0.5 },
      { from: { site: 'site:jasm-kikuyo', product: 'prod:w' }, to: { site: 'site:unknown', product: 'prod:s' }, share: 1 },
      { from: { site: 'site:tsmc-tainan', product: 'prod:other' }, to: { site: 'site:jasm-kikuyo', product: 'prod:w' } },
    ];
    expect(productArcs(links, 'prod:w', pts)).toEqual([{ from: 0, to: 1, share: 1 }]);
  });
  it('takes the site of a node', () => {
    expect(siteOfNode('site:a/prod:b')).toBe('site:a');
    expect(siteOfNode('site:a')).toBe('site:a');
    expect(siteOfNode('prod:b')).toBeNull();
  });
});

describe('tiers', () => {
  it('groups entries by tier and counts SPOFs', () => {
    const e = (site: string, tier: number, spof = false): TierEntry => ({
      site,
      product: 'prod:p',
      kind: 'node',
      country: 'JP',
      organization: 'org:x',
      tier,
      spof,
    });
    const cols = tierColumns([e('site:c', 1, true), e('site:a', 0), e('site:b', 1), e('site:d', 2, true)]);
    expect(cols.map((c) => c.tier)).toEqual([0, 1, 2]);
    expect(cols[1].entries.map((x) => x.site)).toEqual(['site:b', 'site:c']);
    expect(cols.map((c) => c.spofs)).toEqual([0, 1, 1]);
  });
});

describe('footprint and circularity', () => {
  it('sorts split entries and folds the tail into others', () => {
    const split = [
      { key: 'JP', kgco2e: '10', share: 0.1 },
      { key: 'CN', kgco2e: '60', share: 0.6 },
      { key: 'AU', kgco2e: '20', share: 0.2 },
      { key: 'CL', kgco2e: '10', share: 0.1 },
    ];
    expect(splitBars(split, 3)).toEqual([
      { key: 'CN', value: 60, share: 0.6 },
      { key: 'AU', value: 20, share: 0.2 },
      { key: 'others', value: 20, share: 0.2 },
    ]);
    expect(splitBars(undefined)).toEqual([]);
  });
  it('keeps tiers in their order, 10 after 9', () => {
    const tiers = ['10', '2', '1', '9'].map((key, i) => ({ key, kgco2e: String(i + 1), share: 0.25 }));
    expect(splitBars(tiers, 12, 'others', true).map((b) => b.key)).toEqual(['1', '2', '9', '10']);
  });
  it('uses the node’s EU minimums and the regulation’s when absent', () => {
    const rows = circularityRows([
      {
        substance: 'Co',
        mass_kg_per_unit: '2.5',
        pre_consumer_share: 0,
        post_consumer_share: 0.2,
        recycled_share: 0.2,
        eu_minimum_2031: 0.16,
        meets_2031: true,
        eu_minimum_2036: 0.26,
        meets_2036: false,
      },
      { substance: 'Li', mass_kg_per_unit: '1', pre_consumer_share: 0, post_consumer_share: 0.06, recycled_share: 0.06 },
      { substance: 'Mn', mass_kg_per_unit: '1', pre_consumer_share: 0, post_consumer_share: 0, recycled_share: 0 },
    ]);
    expect(rows[0]).toMatchObject({ massKg: 2.5, min2031: 0.16, meets2031: true, min2036: 0.26, meets2036: false });
    expect(rows[1]).toMatchObject({ min2031: 0.06, meets2031: true, min2036: 0.12, meets2036: false });
    expect(rows[2]).toMatchObject({ min2031: null, meets2031: null });
  });
  it('measures battery capacity against the targets', () => {
    const p = batteryProgress({
      japan_gwh_per_year: 53,
      japanese_makers_gwh_per_year: 120.9,
      world_gwh_per_year: 200,
      target_japan_gwh_per_year: 150,
      target_japanese_makers_gwh_per_year: 600,
      target_year: 2030,
    });
    expect(p[0]).toEqual({ label: 'japan', actual: 53, target: 150, ratio: 53 / 150 });
    expect(p[1].ratio).toBeCloseTo(0.2015, 4);
  });
});

describe('i18n', () => {
  it('keeps the choice and formats numbers for the locale', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(initLang(storage, 'en-US')).toBe('en');
    expect(t('map')).toBe('Map');
    expect(num(1234567.891)).toBe('1,234,567.89');
    setLang('ja', storage);
    expect(store.get(kLangKey)).toBe('ja');
    expect(initLang(storage, 'en-US')).toBe('ja');
    expect(t('map')).toBe('地図');
    expect(initLang(null, 'ja-JP')).toBe('ja');
  });
});

describe('names in the UI language', () => {
  it('countries, units and templates', () => {
    setLang('ja', null);
    expect(countryName('JP')).toBe('日本');
    expect(unitName('piece')).toBe('個');
    expect(format(t('eventCircle'), { r: '30', lat: '32.88', lon: '130.84' })).toBe('32.88, 130.84 の半径 30 km');
    setLang('en', null);
    expect(countryName('CD')).toBe('Congo - Kinshasa');
    expect(unitName('kWh')).toBe('kWh');
    expect(countryName('')).toBe('');
  });
});

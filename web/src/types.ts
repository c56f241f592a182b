// Shapes of the node's /api/v1 answers (the `renkei ... --json` documents).

export interface ApiErrorBody {
  code: string;
  message: string;
}

export interface SiteProduct {
  id: string;
  capacity_per_day?: number | null;
  inventory_units?: number | null;
}

export interface SiteProperties {
  id: string;
  name: string;
  organization: string;
  country: string;
  region?: string;
  cluster?: string;
  name_ja?: string;
  // another company's site, known by id and organization alone: no place
  external?: boolean;
  recovery_days?: number | null;
  products?: SiteProduct[];
  demand_stopped?: number;
  // null while the node is still computing its TTS table
  exposed?: boolean | null;
}

export interface SiteFeature {
  type: 'Feature';
  // null for an external site: another company's, known by id alone
  geometry: { type: 'Point'; coordinates: [number, number] } | null;
  properties: SiteProperties;
}

export interface SiteCollection {
  type: 'FeatureCollection';
  features: SiteFeature[];
  // each site's organization by id: its name, and its Japanese name when known
  organizations?: Record<string, { name: string; name_ja?: string }>;
}

export interface SiteProductRef {
  site: string;
  product: string;
}

export interface SiteDetail {
  id: string;
  name: string;
  organization: { id: string; name: string };
  country: string;
  region?: string;
  cluster?: string;
  lat: number;
  lon: number;
  recovery_days?: number | null;
  products: SiteProduct[];
  demand_stopped?: number;
  exposed?: boolean | null;
  customers: SiteProductRef[];
  suppliers: SiteProductRef[];
  dependent_demand: SiteProductRef[];
}

export interface Product {
  id: string;
  name: string;
  name_ja?: string; // empty when the data has none
  category: string;
  unit: string;
  sites?: number;
}

export interface Network {
  organization: string;
  organizations: number;
  sites: number;
  products: number;
  countries: string[];
}

export interface TierEntry {
  site: string;
  product: string;
  kind: 'demand' | 'node';
  country: string;
  organization: string;
  tier: number;
  spof?: boolean;
}

export interface TierLink {
  from: SiteProductRef;
  to: SiteProductRef;
  share?: number | null;
}

export interface Tiers {
  direction: 'up' | 'down';
  tiers: TierEntry[];
  links?: TierLink[];
}

export interface CapacityShare {
  key: string;
  capacity: number;
  share: number;
}

export interface Concentration {
  product: string;
  target: string | null;
  basis: string;
  nodes: number;
  nodes_without_capacity: number;
  total_capacity: number;
  by_company: CapacityShare[];
  by_country: CapacityShare[];
  hhi_company: number;
  hhi_country: number;
  company_highly_concentrated: boolean;
  country_highly_concentrated: boolean;
  dominant_countries: string[];
}

export interface ScenarioResult {
  scenario: string;
  sites: string[];
  tts_days: number | null;
  ttr_days: number;
  lost_units: Record<string, number>;
  lost_units_total: number;
  impact: number;
  rei: number;
  exposed: boolean;
}

export interface Vertex {
  site: string;
  product: string;
  kind: 'demand' | 'node';
  country: string;
  organization: string;
}

export interface EventResult {
  event: string;
  days: number;
  sites: string[];
  nodes_hit: number;
  affected_nodes: number;
  affected_products: string[];
  affected_demand: Vertex[];
  stopped_demand: Vertex[];
  result: ScenarioResult;
  currency?: string | null; // of the margins (renkei policy --currency); null when not set
}

export type EventArea =
  | { circle: { lat: number; lon: number; radius_km: number } }
  | { country: string }
  | { company: string }
  | { sites: string[] };

export type EventRequest = { name: string; days: number } & EventArea;

export interface SplitEntry {
  key: string;
  kgco2e: string;
  share: number;
}

export type SplitBy = 'tier' | 'country' | 'supplier' | 'stage';

export interface Dqr {
  ter: number | null;
  ger: number | null;
  tir: number | null;
}

export interface Footprint {
  product: string;
  unit: string;
  pcf_kgco2e_per_unit: string;
  primary_data_share: number;
  dqr: Dqr | null;
  received?: boolean;
  verified?: boolean;
  by_tier?: SplitEntry[];
  by_country?: SplitEntry[];
  by_supplier?: SplitEntry[];
  by_stage?: SplitEntry[];
  notes?: string[];
}

export interface Substance {
  substance: string;
  mass_kg_per_unit: string;
  pre_consumer_share: number;
  post_consumer_share: number;
  recycled_share: number;
  eu_minimum_2031?: number;
  meets_2031?: boolean;
  eu_minimum_2036?: number;
  meets_2036?: boolean;
}

export interface Circularity {
  product: string;
  substances: Substance[];
}

export interface MissingValue {
  field: string;
  provide: string;
}

// GET /api/v1/products/{id}/passport?allow_incomplete=true: the Battery Pass
// CarbonFootprint and Circularity aspects (1.2.0) and what they rest on.
export interface Passport {
  product: string;
  name: string;
  dataModel: { carbonFootprint: string; circularity: string };
  carbonFootprint: {
    batteryCarbonFootprint?: number;
    carbonFootprintPerformanceClass?: string;
    absoluteCarbonFootprint?: number;
  };
  circularity: Record<string, unknown>;
  basis: { lifetimeEnergyKwh: number | null };
  missing?: MissingValue[];
}

export interface ClusterSummary {
  id: string;
  sites: number;
  organizations: number;
  products: number;
}

export interface Battery {
  japan_gwh_per_year: number;
  japanese_makers_gwh_per_year: number;
  world_gwh_per_year: number;
  target_japan_gwh_per_year: number;
  target_japanese_makers_gwh_per_year: number;
  target_year: number;
}

export interface Overview {
  clusters: ClusterSummary[];
  battery: Battery;
}

export interface Spofs {
  demand_nodes: number;
  spof_nodes: number;
  spof_sites: number;
  nodes: (Vertex & { demand_stopped: number })[];
  sites: { site: string; demand_stopped: number }[];
}

// GET /api/v1/versions: the store's versions, oldest first (actor and action for admins).
export interface Version {
  version: number;
  time: string;
  actor?: string;
  action?: string;
}

// GET /api/v1/diff: the rows two versions differ in, and the analyses' changes.
export interface TableChanges {
  added: string[];
  changed: { key: string; cells: Record<string, { before: string; after: string }> }[];
  removed: string[];
}

export interface FootprintChange {
  product: string;
  before: number | null;
  after: number | null;
  caused_by: string[];
  caused_by_complete: boolean; // false: more rows than the node lists
}

export interface Diff {
  from: number;
  to: number;
  tables: Record<string, TableChanges>;
  analyses: {
    single_points_of_failure: { gained: string[]; lost: string[] };
    footprints_kgco2e_per_unit: FootprintChange[];
    time_to_survive: string;
  };
}

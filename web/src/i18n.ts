// Japanese and English labels. The choice is kept in localStorage under kLangKey;
// numbers are formatted for the chosen locale.

export type Lang = 'ja' | 'en';
export const kLangKey = 'renkei.lang';

const en = {
  title: 'Renkei supply-chain dashboard',
  signIn: 'Sign in',
  signOut: 'Sign out',
  clientId: 'Client ID',
  secret: 'Client secret',
  signInHint: 'Sign in with this node’s client credentials.',
  badCredentials: 'Wrong client ID or secret: the node refused them.',
  unreachable: 'The node could not be reached.',
  apiError: 'The node answered with an error',
  stageRaw: 'Raw material extraction',
  stageMain: 'Main production',
  demandTag: 'demand',
  unitPiece: 'pcs',
  eventCircle: '{r} km around {lat}, {lon}',
  eventSites: '{n} sites',
  errBadRequest: 'The request was not accepted: check the inputs.',
  errNotFound: 'Not found: it is not in this node’s data.',
  errAccessDenied: 'Your client may not see this.',
  errTokenExpired: 'The sign-in has expired: sign in again.',
  errPassportIncomplete: 'The passport lacks values the data model requires.',
  errInternal: 'The node failed to answer.',
  errUnavailable: 'The node is busy or its store is unavailable: try again.',
  loading: 'Loading…',
  overview: 'Overview',
  map: 'Map',
  tiers: 'Tiers',
  concentration: 'Concentration',
  whatif: 'What-if',
  footprint: 'Footprint',
  circularity: 'Circularity',
  world: 'World',
  japan: 'Japan',
  colourBy: 'Colour by',
  byCluster: 'cluster',
  byRisk: 'risk',
  product: 'Product',
  site: 'Site',
  none: '(none)',
  sites: 'sites',
  organizations: 'organizations',
  products: 'products',
  organization: 'Organization',
  country: 'Country',
  region: 'Region',
  cluster: 'Cluster',
  recoveryDays: 'Recovery (days)',
  capacityPerDay: 'Capacity / day',
  inventory: 'Inventory',
  demandStopped: 'Demand nodes it stops alone',
  exposed: 'Exposed (TTS < TTR)',
  customers: 'Customers',
  suppliers: 'Suppliers',
  dependents: 'Demand that depends on it',
  yes: 'yes',
  dayUnit: 'days',
  computing: 'still being computed',
  no: 'no',
  clickSite: 'Click a site to see its details.',
  supplyLinks: 'Supply links of the selected product',
  clusters: 'The eight strategic clusters',
  batteryTargets: 'Battery capacity against the 2030 targets',
  madeInJapan: 'Made in Japan',
  byJapaneseMakers: 'By Japanese makers worldwide',
  target: 'target',
  inData: 'in the data',
  gwhYear: 'GWh/year',
  direction: 'Direction',
  upstream: 'upstream (suppliers)',
  downstream: 'downstream (customers)',
  depth: 'Depth',
  show: 'Show',
  tier: 'Tier',
  spof: 'single point of failure',
  spofShort: 'SPOF',
  kind: 'Kind',
  nodes: 'nodes',
  byCompany: 'By company',
  byCountry: 'By country',
  hhi: 'HHI',
  hhiHigh: 'highly concentrated',
  hhiModerate: 'moderately concentrated',
  hhiLow: 'unconcentrated',
  share: 'Share',
  capacity: 'Capacity',
  targetNode: 'Supply reaching (optional: site/product)',
  eventKind: 'Event',
  circle: 'Circle on the map',
  companyEvent: 'Company',
  sitesEvent: 'Sites',
  lat: 'Latitude',
  lon: 'Longitude',
  radiusKm: 'Radius (km)',
  days: 'Duration (days)',
  run: 'Run',
  clickCentre: 'Click the map to set the centre.',
  sitesHit: 'Sites hit',
  affectedProducts: 'Affected products',
  stoppedDemand: 'Demand cut off at once',
  stoppedDemandHint: 'Demand points whose supply stops when the event starts; inventories may still bridge them until recovery.',
  lostHint: 'What inventories cannot bridge before the sites recover, in each product’s unit.',
  severalUnits: 'several units',
  tts: 'Time to survive (days)',
  ttr: 'Time to recover (days)',
  unbounded: 'unbounded',
  lostUnits: 'Lost after inventories',
  impact: 'Lost margin',
  ttsBelowTtr: 'TTS < TTR: inventories run out before recovery, and demand is lost',
  ttsAboveTtr: 'TTS ≥ TTR: inventories bridge the event until recovery; nothing is lost',
  pcf: 'Carbon footprint (kgCO2e per unit)',
  primaryShare: 'Primary-data share',
  dqr: 'Data quality (TeR / GeR / TiR)',
  byTier: 'By tier',
  bySupplier: 'By supplier',
  byStage: 'By stage',
  substance: 'Substance',
  recycled: 'Recycled',
  preConsumer: 'pre-consumer',
  postConsumer: 'post-consumer',
  eu2031: 'EU minimum 2031',
  eu2036: 'EU minimum 2036',
  meets: 'meets',
  below: 'below',
  noMaterials: 'No recycled-content data for this product.',
  passport: 'Battery passport',
  passportComplete: 'Complete: meets the Battery Pass data model',
  passportMissing: 'values the data model requires are missing',
  passportClass: 'Performance class',
  passportPerKwh: 'kgCO2e per kWh of lifetime energy',
  passportDownload: 'Download passport (JSON)',
  passportDownloadIncomplete: 'Download incomplete passport (JSON)',
  language: '日本語',
  noData: 'No data.',
  unverified: 'Unverified: rests on received footprints without a verified signature',
  others: 'others',
  changes: 'Changes',
  versionFrom: 'From version',
  versionTo: 'to version',
  oneVersion: 'The store has one version: there is nothing to compare yet.',
  rowsTable: 'Table',
  rowsAdded: 'Added',
  rowsChanged: 'Changed',
  rowsRemoved: 'Removed',
  noRowChanges: 'No rows differ between these versions.',
  spofGained: 'Became a single point of failure',
  spofLost: 'No longer a single point of failure',
  footprintChanges: 'Footprints that changed (kgCO2e per unit)',
  valueBefore: 'Before',
  valueAfter: 'After',
  causedBy: 'Changed rows it is computed from',
  ttsNotComputed: 'Time to survive is not compared between versions.',
};

export type Key = keyof typeof en;

const ja: Record<Key, string> = {
  title: '連携 サプライチェーン・ダッシュボード',
  signIn: 'サインイン',
  signOut: 'サインアウト',
  clientId: 'クライアントID',
  secret: 'クライアントシークレット',
  signInHint: 'このノードのクライアント認証情報でサインインします。',
  badCredentials: 'クライアントIDまたはシークレットが違います（ノードが拒否しました）。',
  unreachable: 'ノードに接続できません。',
  apiError: 'ノードがエラーを返しました',
  stageRaw: '原材料採掘',
  stageMain: '主要製造',
  demandTag: '需要',
  unitPiece: '個',
  eventCircle: '{lat}, {lon} の半径 {r} km',
  eventSites: '{n} 拠点',
  errBadRequest: '要求が受け付けられませんでした。入力を確認してください。',
  errNotFound: '見つかりません。このノードのデータにありません。',
  errAccessDenied: 'このクライアントには閲覧権限がありません。',
  errTokenExpired: 'サインインの有効期限が切れました。再度サインインしてください。',
  errPassportIncomplete: 'パスポートにデータモデルが求める値が不足しています。',
  errInternal: 'ノードが応答できませんでした。',
  errUnavailable: 'ノードが混雑しているか、ストアを利用できません。再試行してください。',
  loading: '読み込み中…',
  overview: '概要',
  map: '地図',
  tiers: '階層',
  concentration: '集中度',
  whatif: '影響分析',
  footprint: 'フットプリント',
  circularity: '資源循環',
  world: '世界',
  japan: '日本',
  colourBy: '色分け',
  byCluster: 'クラスター',
  byRisk: 'リスク',
  product: '製品',
  site: '拠点',
  none: '（なし）',
  sites: '拠点',
  organizations: '組織',
  products: '製品',
  organization: '組織',
  country: '国',
  region: '地域',
  cluster: 'クラスター',
  recoveryDays: '復旧日数',
  capacityPerDay: '日産能力',
  inventory: '在庫',
  demandStopped: '単独で止める需要ノード数',
  exposed: '脆弱（TTS < TTR）',
  customers: '供給先',
  suppliers: '調達先',
  dependents: '依存する需要',
  yes: 'はい',
  dayUnit: '日間',
  computing: '計算中',
  no: 'いいえ',
  clickSite: '拠点をクリックすると詳細を表示します。',
  supplyLinks: '選択した製品の供給リンク',
  clusters: '8つの戦略クラスター',
  batteryTargets: '蓄電池の生産能力と2030年目標',
  madeInJapan: '国内製造',
  byJapaneseMakers: '日本企業（グローバル）',
  target: '目標',
  inData: 'データ上',
  gwhYear: 'GWh/年',
  direction: '方向',
  upstream: '上流（調達先）',
  downstream: '下流（供給先）',
  depth: '深さ',
  show: '表示',
  tier: '階層',
  spof: '単一障害点',
  spofShort: 'SPOF',
  kind: '種別',
  nodes: 'ノード',
  byCompany: '企業別',
  byCountry: '国別',
  hhi: 'HHI',
  hhiHigh: '高集中',
  hhiModerate: '中程度の集中',
  hhiLow: '非集中',
  share: 'シェア',
  capacity: '能力',
  targetNode: '供給先（任意：拠点/製品）',
  eventKind: '事象',
  circle: '地図上の円',
  companyEvent: '企業',
  sitesEvent: '拠点',
  lat: '緯度',
  lon: '経度',
  radiusKm: '半径（km）',
  days: '期間（日）',
  run: '実行',
  clickCentre: '地図をクリックして中心を設定します。',
  sitesHit: '被災拠点',
  affectedProducts: '影響を受ける製品',
  stoppedDemand: '直ちに供給が止まる需要',
  stoppedDemandHint: '事象の発生と同時に供給が止まる需要点。復旧までは在庫で補える場合があります。',
  lostHint: '拠点の復旧までに在庫で補えない量（製品ごとの単位）。',
  severalUnits: '複数の単位',
  tts: '存続可能期間 TTS（日）',
  ttr: '復旧期間 TTR（日）',
  unbounded: '無制限',
  lostUnits: '在庫で補えない逸失数量',
  impact: '逸失利益',
  ttsBelowTtr: 'TTS < TTR：復旧前に在庫が尽き、需要が失われます',
  ttsAboveTtr: 'TTS ≥ TTR：復旧まで在庫で補えるため、逸失はありません',
  pcf: 'カーボンフットプリント（kgCO2e/単位）',
  primaryShare: '一次データ比率',
  dqr: 'データ品質（TeR / GeR / TiR）',
  byTier: '階層別',
  bySupplier: 'サプライヤー別',
  byStage: '段階別',
  substance: '物質',
  recycled: '再生材',
  preConsumer: 'プレコンシューマー',
  postConsumer: 'ポストコンシューマー',
  eu2031: 'EU最低基準 2031',
  eu2036: 'EU最低基準 2036',
  meets: '達成',
  below: '未達',
  noMaterials: 'この製品の再生材データはありません。',
  passport: 'バッテリーパスポート',
  passportComplete: '完全：Battery Pass データモデルを満たしています',
  passportMissing: '件、データモデルが求める値が不足しています',
  passportClass: '性能クラス',
  passportPerKwh: 'kgCO2e／生涯供給電力量 kWh',
  passportDownload: 'パスポートをダウンロード（JSON）',
  passportDownloadIncomplete: '不完全なパスポートをダウンロード（JSON）',
  language: 'English',
  noData: 'データがありません。',
  unverified: '未検証：検証済みの署名がない受領フットプリントに基づく値',
  others: 'その他',
  changes: '変更履歴',
  versionFrom: '比較元の版',
  versionTo: '比較先の版',
  oneVersion: 'ストアの版は一つだけです。比較できる変更はまだありません。',
  rowsTable: '表',
  rowsAdded: '追加',
  rowsChanged: '変更',
  rowsRemoved: '削除',
  noRowChanges: 'この二つの版で違いのある行はありません。',
  spofGained: '新たに単一障害点になった拠点',
  spofLost: '単一障害点でなくなった拠点',
  footprintChanges: '変化したフットプリント（kgCO2e／単位）',
  valueBefore: '変更前',
  valueAfter: '変更後',
  causedBy: '計算の元になった変更行',
  ttsNotComputed: '存続可能期間（TTS）は版の間で比較しません。',
};

const dictionaries: Record<Lang, Record<Key, string>> = { en, ja };

export const clusterNames: Record<Lang, Record<string, string>> = {
  en: {
    'next-gen-logic': 'Next-generation logic',
    'specialty-kyushu': 'Specialty semiconductors (Kyushu)',
    'trusted-memory': 'Trusted memory',
    'advanced-packaging': 'Advanced packaging',
    'computing-hub': 'Computing network',
    'green-power': 'Green power (power semiconductors)',
    'battery-kansai': 'Battery cluster (Kansai)',
    cybersecurity: 'Cybersecurity base',
    upstream: 'Upstream',
    downstream: 'Downstream',
  },
  ja: {
    'next-gen-logic': '次世代半導体',
    'specialty-kyushu': '先端特殊半導体（九州）',
    'trusted-memory': '信頼性メモリ',
    'advanced-packaging': '先端パッケージ',
    'computing-hub': '次世代計算基盤',
    'green-power': 'グリーン電力（パワー半導体）',
    'battery-kansai': '蓄電池クラスター（関西）',
    cybersecurity: 'サイバーセキュリティ基盤',
    upstream: '上流',
    downstream: '下流',
  },
};

let current: Lang = 'ja';

export function initLang(storage: Pick<Storage, 'getItem'> | null, fallback: string): Lang {
  const saved = storage?.getItem(kLangKey);
  current = saved === 'en' || saved === 'ja' ? saved : fallback.startsWith('ja') ? 'ja' : 'en';
  return current;
}

export function setLang(lang: Lang, storage: Pick<Storage, 'setItem'> | null): void {
  current = lang;
  storage?.setItem(kLangKey, lang);
}

export function lang(): Lang {
  return current;
}

export function t(key: Key): string {
  return dictionaries[current][key];
}

export function clusterName(id: string): string {
  return clusterNames[current][id] ?? id;
}

// Numbers in the chosen locale, at most `digits` fraction digits.
// `x` with exactly `digits` decimals, so that the numbers of one list line up.
export function fixed(x: number, digits = 1): string {
  return new Intl.NumberFormat(current === 'ja' ? 'ja-JP' : 'en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(x);
}

export function num(x: number, digits = 2): string {
  return new Intl.NumberFormat(current === 'ja' ? 'ja-JP' : 'en-US', {
    maximumFractionDigits: digits,
  }).format(x);
}

export function pct(share: number, digits = 1): string {
  return new Intl.NumberFormat(current === 'ja' ? 'ja-JP' : 'en-US', {
    style: 'percent',
    maximumFractionDigits: digits,
  }).format(share);
}

// A country's name in the UI's language ("JP" -> "Japan" / "日本"); the code when
// the browser has no name for it.
export function countryName(code: string): string {
  if (!code) return '';
  try {
    return new Intl.DisplayNames([current === 'ja' ? 'ja' : 'en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

// A unit as the UI writes it: "piece" in words, the others as symbols.
export function unitName(unit: string): string {
  return unit === 'piece' ? t('unitPiece') : unit;
}

// `template` with {name} replaced by values[name].
export function format(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

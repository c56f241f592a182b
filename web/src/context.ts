// What every view gets: the API client and the documents shared between views,
// fetched once per sign-in.
import { Api } from './api';
import { lang } from './i18n';
import { sitePoints, type SitePoints } from './transforms';
import type { Product, SiteCollection } from './types';

// Names for ids, in the UI's language where the data has Japanese names; an id the
// node did not name stays as it is.
export class Names {
  constructor(
    private readonly sites: Map<string, { name: string; name_ja?: string }>,
    private readonly organizations: Map<string, { name: string; name_ja?: string }>,
    private readonly products: Map<string, Product>,
  ) {}
  site(id: string): string {
    return pick(this.sites.get(id)) ?? id;
  }
  organization(id: string): string {
    return pick(this.organizations.get(id)) ?? id;
  }
  product(id: string): string {
    return pick(this.products.get(id)) ?? id;
  }
  unit(product: string): string {
    return this.products.get(product)?.unit ?? '';
  }
}

function pick(n: { name: string; name_ja?: string } | undefined): string | undefined {
  if (!n) return undefined;
  return (lang() === 'ja' && n.name_ja) || n.name || undefined;
}

export class Context {
  private collectionP: Promise<SiteCollection> | null = null;
  private sitesP: Promise<SitePoints> | null = null;
  private productsP: Promise<Product[]> | null = null;

  constructor(readonly api: Api) {}

  private collection(): Promise<SiteCollection> {
    this.collectionP ??= this.api.sites();
    this.collectionP.catch(() => (this.collectionP = null));
    return this.collectionP;
  }

  sites(): Promise<SitePoints> {
    this.sitesP ??= this.collection().then((c: SiteCollection) => sitePoints(c.features));
    this.sitesP.catch(() => (this.sitesP = null));
    return this.sitesP;
  }

  // Names of the sites, organizations and products this client sees; without the
  // lists (a node that refuses them) every id names itself.
  async names(): Promise<Names> {
    const [c, products] = await Promise.all([
      this.collection().catch(() => null),
      this.products().catch(() => [] as Product[]),
    ]);
    return new Names(
      new Map((c?.features ?? []).map((f) => [f.properties.id, f.properties])),
      new Map(Object.entries(c?.organizations ?? {})),
      new Map(products.map((p) => [p.id, p])),
    );
  }

  products(): Promise<Product[]> {
    this.productsP ??= this.api
      .products()
      .then((r) => [...r.products].sort((a, b) => a.name.localeCompare(b.name)));
    this.productsP.catch(() => (this.productsP = null));
    return this.productsP;
  }

  reset(): void {
    this.collectionP = null;
    this.sitesP = null;
    this.productsP = null;
  }
}

// A view draws into `el`; it may return a function that releases what it holds.
export type View = (
  ctx: Context,
  el: HTMLElement,
  params: URLSearchParams,
) => Promise<(() => void) | void>;

// What every view gets: the API client and the documents shared between views,
// fetched once per sign-in.
import { Api } from './api';
import { sitePoints, type SitePoints } from './transforms';
import type { Product, SiteCollection } from './types';

export class Context {
  private sitesP: Promise<SitePoints> | null = null;
  private productsP: Promise<Product[]> | null = null;

  constructor(readonly api: Api) {}

  sites(): Promise<SitePoints> {
    this.sitesP ??= this.api.sites().then((c: SiteCollection) => sitePoints(c.features));
    this.sitesP.catch(() => (this.sitesP = null));
    return this.sitesP;
  }

  products(): Promise<Product[]> {
    this.productsP ??= this.api
      .products()
      .then((r) => [...r.products].sort((a, b) => a.name.localeCompare(b.name)));
    this.productsP.catch(() => (this.productsP = null));
    return this.productsP;
  }

  reset(): void {
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

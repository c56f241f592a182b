// Typed client of the node's API. The bearer token (never the secret) is kept in
// the tab's session storage with its expiry, so a reload of the tab stays signed in
// until the token expires; signing out forgets it.
import type {
  Circularity,
  Passport,
  Concentration,
  Diff,
  EventRequest,
  EventResult,
  Footprint,
  Network,
  Overview,
  Product,
  SiteCollection,
  SiteDetail,
  SplitBy,
  Spofs,
  Tiers,
  Version,
} from './types';

// An answer other than 2xx: `status` 0 when the node could not be reached.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// HTTP Basic credentials as RFC 6749 2.3.1 wants them: form-encoded id and secret.
export function basicAuth(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const raw = `${enc(clientId)}:${enc(secret)}`;
  const bytes = new TextEncoder().encode(raw);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return 'Basic ' + btoa(bin);
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `HTTP ${res.status}`;
  let message = res.statusText || code;
  try {
    const body = (await res.json()) as Record<string, unknown>;
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.error_description === 'string') message = body.error_description;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

// Where the signed-in session is kept: the tab's sessionStorage (or nothing).
export interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const kSessionKey = 'renkei.session';

export class Api {
  private token: string | null = null;

  constructor(
    private readonly base = '',
    private readonly session: SessionStore | null = null,
  ) {}

  // Takes up the token of an earlier sign-in in this tab when it has not expired
  // (with 30 s to spare); true when signed in.
  restore(now = Date.now()): boolean {
    try {
      const saved = JSON.parse(this.session?.getItem(kSessionKey) ?? 'null') as {
        token?: unknown;
        expires?: unknown;
      } | null;
      if (saved && typeof saved.token === 'string' && typeof saved.expires === 'number' && saved.expires > now + 30000) {
        this.token = saved.token;
        return true;
      }
    } catch {
      // unreadable: sign in again
    }
    this.session?.removeItem(kSessionKey);
    return false;
  }

  get signedIn(): boolean {
    return this.token !== null;
  }

  // POST /auth/token with the client credentials. Throws ApiError (401
  // invalid_client for wrong credentials).
  async signIn(clientId: string, secret: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/auth/token`, {
        method: 'POST',
        // 'omit' keeps the browser from showing its own Basic-auth prompt on a 401.
        credentials: 'omit',
        headers: {
          Authorization: basicAuth(clientId, secret),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
    } catch (e) {
      throw new ApiError(0, 'Unreachable', String(e));
    }
    if (!res.ok) throw await errorOf(res);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new ApiError(res.status, 'BadAnswer', 'no access_token');
    this.token = body.access_token;
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    try {
      this.session?.setItem(kSessionKey, JSON.stringify({ token: this.token, expires: Date.now() + lifetime * 1000 }));
    } catch {
      // storage full or refused: the sign-in lasts for this page only
    }
  }

  signOut(): void {
    this.token = null;
    this.session?.removeItem(kSessionKey);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        credentials: 'omit',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'Unreachable', String(e));
    }
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }

  private get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  network(): Promise<Network> {
    return this.get('/api/v1/network');
  }
  sites(): Promise<SiteCollection> {
    return this.get('/api/v1/sites');
  }
  site(id: string): Promise<SiteDetail> {
    return this.get(`/api/v1/sites/${encodeURIComponent(id)}`);
  }
  products(): Promise<{ products: Product[] }> {
    return this.get('/api/v1/products');
  }
  overview(): Promise<Overview> {
    return this.get('/api/v1/overview');
  }
  tiers(node: string, direction: 'up' | 'down', depth?: number): Promise<Tiers> {
    const q = new URLSearchParams({ node, direction });
    if (depth !== undefined) q.set('depth', String(depth));
    return this.get(`/api/v1/tiers?${q}`);
  }
  concentration(product: string, target?: string): Promise<Concentration> {
    const q = target ? `?${new URLSearchParams({ target })}` : '';
    return this.get(`/api/v1/products/${encodeURIComponent(product)}/concentration${q}`);
  }
  spofs(target?: string, top?: number): Promise<Spofs> {
    const q = new URLSearchParams();
    if (target) q.set('target', target);
    if (top !== undefined) q.set('top', String(top));
    const s = q.toString();
    return this.get(`/api/v1/spofs${s ? '?' + s : ''}`);
  }
  scenario(req: EventRequest): Promise<EventResult> {
    return this.request('POST', '/api/v1/scenarios', req);
  }
  footprint(product: string, split?: SplitBy): Promise<Footprint> {
    const q = split ? `?split=${split}` : '';
    return this.get(`/api/v1/products/${encodeURIComponent(product)}/footprint${q}`);
  }
  circularity(product: string): Promise<Circularity> {
    return this.get(`/api/v1/products/${encodeURIComponent(product)}/circularity`);
  }
  versions(): Promise<{ versions: Version[] }> {
    return this.get('/api/v1/versions');
  }
  // What changed from one version to another. An earlier version the node does
  // not hold is read in the background (202 with its progress): asked again
  // each second until it is there.
  async diff(from: number, to: number): Promise<Diff> {
    const q = new URLSearchParams({ from: String(from), to: String(to) });
    for (;;) {
      const answer = await this.get<Diff | { state: 'building' }>(`/api/v1/diff?${q}`);
      if (!('state' in answer)) return answer;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  passport(product: string): Promise<Passport> {
    return this.get(`/api/v1/products/${encodeURIComponent(product)}/passport?allow_incomplete=true`);
  }
}

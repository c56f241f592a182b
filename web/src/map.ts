// The map: a canvas of countries, site points, supply arcs and an event circle, with
// zoom and pan (d3-zoom). Geometry is projected once into a fixed 1000-unit-wide
// plane; a frame only applies the zoom transform, so panning 10,000 sites stays cheap.
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import basemapUrl from 'virtual:basemap';
import { parseBasemap } from './basemap';
import { circlePath, planeProjection } from './plane_geo';
import type { Arc, SitePoints } from './transforms';

const kSettleMs = 120;

interface Basemap {
  land: Path2D;
  borders: Path2D;
  sphere: Path2D;
}

// The plane the basemap was projected into at build time (plane_geo.ts).
const geo = planeProjection();
const projection = {
  project: (lon: number, lat: number) => geo([lon, lat]) as [number, number],
  invert: (x: number, y: number) => geo.invert!([x, y]) as [number, number],
};

let basemap: Promise<Basemap> | null = null;

// The countries, pre-projected at build time (basemap.ts) and served with the
// dashboard's assets. Called as the page starts, so the fetch runs while the page
// signs in; index.html also preloads it.
export function loadBasemap(): Promise<Basemap> {
  basemap ??= fetch(basemapUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`basemap: HTTP ${r.status}`);
      return r.text();
    })
    .then((text) => {
      const { scale, paths } = parseBasemap(text);
      const toPlane = new DOMMatrix().scale(1 / scale);
      const path = (d: string) => {
        const p = new Path2D();
        p.addPath(new Path2D(d), toPlane);
        return p;
      };
      const b = { sphere: path(paths.sphere), land: path(paths.land), borders: path(paths.borders) };
      performance.mark('renkei:basemap-decoded');
      return b;
    });
  basemap.catch(() => (basemap = null));
  return basemap;
}

export type Region = 'world' | 'japan';

// [west, south, east, north] in degrees.
const kRegions: Record<Region, [number, number, number, number]> = {
  world: [-180, -60, 180, 85],
  japan: [127.5, 30.0, 146.5, 45.8],
};

export interface Circle {
  lat: number;
  lon: number;
  radiusKm: number;
}

export interface PointStyle {
  colour(i: number): string;
  radius(i: number): number;
}

export class MapCanvas {
  readonly canvas: HTMLCanvasElement;
  private ctx: CanvasRenderingContext2D;
  private base: Basemap | null = null;
  private px = new Float32Array(0);
  private py = new Float32Array(0);
  private style: PointStyle = { colour: () => '#333', radius: () => 3 };
  private arcs: Arc[] = [];
  private circle: Path2D | null = null;
  private highlighted = new Set<number>();
  private selected = -1;
  private transform: ZoomTransform = zoomIdentity;
  private zoomer: ZoomBehavior<HTMLCanvasElement, unknown>;
  private settingView = false; // paint() is placing the initial region
  private pending = 0;
  private animation = 0;
  // The countries rasterised at `cacheAt`; while the view moves the frame scales this
  // bitmap, and it is redrawn sharp once the view has been still for kSettleMs.
  private cache: HTMLCanvasElement | null = null;
  private cacheAt: ZoomTransform | null = null;
  private settle = 0;
  private width = 0;
  private height = 0;
  private resizeObserver: ResizeObserver;
  private drawnWaiters: (() => void)[] = [];
  onSite: ((index: number) => void) | null = null;
  onPlace: ((lon: number, lat: number) => void) | null = null;

  // Shows `region` from the first frame in which the container has a size.
  constructor(
    private readonly container: HTMLElement,
    private initialRegion: Region | null = 'world',
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'map-canvas';
    container.appendChild(this.canvas);
    this.ctx = this.canvas.getContext('2d')!;
    this.zoomer = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.8, 400])
      .on('zoom', (e: { transform: ZoomTransform }) => {
        this.transform = e.transform;
        if (!this.settingView) this.draw();
      });
    select(this.canvas).call(this.zoomer);
    this.canvas.addEventListener('click', (e) => this.click(e));
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
    void loadBasemap().then(
      (b) => {
        this.base = b;
        this.draw();
      },
      () => {}, // the map still shows the sites; the countries come with the next map
    );
  }

  // Resolves after the next frame that paints the countries (with the points, arcs and
  // view set so far).
  whenDrawn(): Promise<void> {
    const p = new Promise<void>((resolve) => this.drawnWaiters.push(resolve));
    this.draw();
    return p;
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.pending);
    cancelAnimationFrame(this.animation);
    clearTimeout(this.settle);
  }

  setPoints(pts: SitePoints, style: PointStyle): void {
    this.style = style;
    const n = pts.ids.length;
    this.px = new Float32Array(n);
    this.py = new Float32Array(n);
    for (let i = 0; i < n; ++i) {
      const p = projection.project(pts.lon[i], pts.lat[i]);
      this.px[i] = p[0];
      this.py[i] = p[1];
    }
    this.draw();
  }

  setStyle(style: PointStyle): void {
    this.style = style;
    this.draw();
  }

  setArcs(arcs: Arc[]): void {
    this.arcs = arcs;
    this.draw();
  }

  setHighlighted(indices: Iterable<number>): void {
    this.highlighted = new Set(indices);
    this.draw();
  }

  select(index: number): void {
    this.selected = index;
    this.draw();
  }

  setCircle(c: Circle | null): void {
    this.circle = c ? new Path2D(circlePath(c.lon, c.lat, c.radiusKm)) : null;
    this.draw();
  }

  // The transform that fits `region` into the canvas.
  private fit(region: Region): ZoomTransform {
    const [w, s, e, n] = kRegions[region];
    const a = projection.project(w, n);
    const b = projection.project(e, s);
    const k = Math.min(this.width / (b[0] - a[0]), this.height / (b[1] - a[1]));
    return zoomIdentity
      .translate(this.width / 2, this.height / 2)
      .scale(k)
      .translate(-(a[0] + b[0]) / 2, -(a[1] + b[1]) / 2);
  }

  // Zooms to the world or to Japan over `ms` milliseconds; 0 jumps.
  show(region: Region, ms = 500): void {
    this.resize(); // the container may have been laid out since the last observation
    this.initialRegion = null;
    const t = this.fit(region);
    const sel = select(this.canvas);
    const from = this.transform;
    const start = performance.now();
    cancelAnimationFrame(this.animation);
    const step = () => {
      const f = ms > 0 ? Math.min(1, (performance.now() - start) / ms) : 1;
      const e = f * f * (3 - 2 * f);
      const k = from.k * Math.pow(t.k / from.k, e);
      const x = from.x + (t.x - from.x) * e;
      const y = from.y + (t.y - from.y) * e;
      this.zoomer.transform(sel, zoomIdentity.translate(x, y).scale(k));
      if (f < 1) this.animation = requestAnimationFrame(step);
    };
    step();
  }

  // Pans by (dx, dy) CSS pixels and zooms by factor k about the centre (tests use it).
  panZoom(dx: number, dy: number, k = 1): void {
    const sel = select(this.canvas);
    this.zoomer.translateBy(sel, dx / this.transform.k, dy / this.transform.k);
    if (k !== 1) this.zoomer.scaleBy(sel, k);
  }

  // Where site `i` is drawn, in CSS pixels from the canvas's top left.
  screenPosition(i: number): [number, number] {
    const { x, y, k } = this.transform;
    return [this.px[i] * k + x, this.py[i] * k + y];
  }

  private resize(): void {
    const r = this.container.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    if (Math.max(1, r.width) === this.width && Math.max(1, r.height) === this.height) return;
    this.width = Math.max(1, r.width);
    this.height = Math.max(1, r.height);
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.zoomer.extent([
      [0, 0],
      [this.width, this.height],
    ]);
    this.draw();
  }

  private click(e: MouseEvent): void {
    const r = this.canvas.getBoundingClientRect();
    const sx = e.clientX - r.left;
    const sy = e.clientY - r.top;
    const { x, y, k } = this.transform;
    let best = -1;
    let bestD = 64; // 8 px
    for (let i = 0; i < this.px.length; ++i) {
      const dx = this.px[i] * k + x - sx;
      const dy = this.py[i] * k + y - sy;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best >= 0 && this.onSite) this.onSite(best);
    else if (this.onPlace) {
      const p = projection.invert((sx - x) / k, (sy - y) / k);
      this.onPlace(p[0], p[1]);
    }
  }

  draw(): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.paint();
    });
  }

  // Countries: the cached bitmap, scaled to the current transform; a fresh one when
  // the cache is missing, or after the view has settled.
  private paintBase(dpr: number): void {
    const { x, y, k } = this.transform;
    const w = this.canvas.width;
    const h = this.canvas.height;
    const fresh = this.cache && this.cacheAt === this.transform && this.cache.width === w && this.cache.height === h;
    if (!this.cache || this.cache.width !== w || this.cache.height !== h) {
      this.rasterise();
    } else if (!fresh) {
      clearTimeout(this.settle);
      this.settle = window.setTimeout(() => {
        this.rasterise();
        this.draw();
      }, kSettleMs);
    }
    const c = this.cacheAt!;
    const s = k / c.k;
    this.ctx.setTransform(s, 0, 0, s, dpr * (x - s * c.x), dpr * (y - s * c.y));
    this.ctx.drawImage(this.cache!, 0, 0);
  }

  private rasterise(): void {
    const base = this.base!;
    const dpr = window.devicePixelRatio || 1;
    const { x, y, k } = this.transform;
    this.cache ??= document.createElement('canvas');
    this.cache.width = this.canvas.width;
    this.cache.height = this.canvas.height;
    this.cacheAt = this.transform;
    const g = this.cache.getContext('2d')!;
    g.setTransform(dpr * k, 0, 0, dpr * k, dpr * x, dpr * y);
    g.fillStyle = '#cfe0ee';
    g.fill(base.sphere);
    g.fillStyle = '#f7f5ef';
    g.fill(base.land);
    g.strokeStyle = '#b9b4a8';
    g.lineWidth = 0.6 / k;
    g.stroke(base.borders);
    this.canvas.dataset.basemap = 'drawn';
  }

  private paint(): void {
    if (this.initialRegion) {
      this.resize(); // the first frame may come before the resize observer's first call
      if (this.width <= 1 || this.height <= 1) return; // not laid out yet: drawn on resize
      this.settingView = true; // this frame draws it: no second frame for the zoom event
      this.zoomer.transform(select(this.canvas), this.fit(this.initialRegion));
      this.settingView = false;
      this.initialRegion = null;
    }
    const { ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const { x, y, k } = this.transform;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#dfeaf2';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.base) this.paintBase(dpr);
    ctx.setTransform(dpr * k, 0, 0, dpr * k, dpr * x, dpr * y);
    if (this.circle) {
      ctx.fillStyle = 'rgba(215, 25, 28, 0.18)';
      ctx.strokeStyle = '#d7191c';
      ctx.lineWidth = 1.5 / k;
      ctx.fill(this.circle);
      ctx.stroke(this.circle);
    }
    // Screen-space drawing from here: points keep their pixel size at any zoom.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (this.arcs.length) {
      ctx.strokeStyle = 'rgba(33, 102, 172, 0.55)';
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      for (const a of this.arcs) {
        const x0 = this.px[a.from] * k + x;
        const y0 = this.py[a.from] * k + y;
        const x1 = this.px[a.to] * k + x;
        const y1 = this.py[a.to] * k + y;
        const mx = (x0 + x1) / 2 - (y1 - y0) * 0.2;
        const my = (y0 + y1) / 2 + (x1 - x0) * 0.2;
        ctx.moveTo(x0, y0);
        ctx.quadraticCurveTo(mx, my, x1, y1);
      }
      ctx.stroke();
    }
    const n = this.px.length;
    // Batch by colour: one path per colour keeps 10,000 points to a few fills.
    const batches = new Map<string, number[]>();
    for (let i = 0; i < n; ++i) {
      const sx = this.px[i] * k + x;
      const sy = this.py[i] * k + y;
      if (sx < -10 || sy < -10 || sx > this.width + 10 || sy > this.height + 10) continue;
      const c = this.style.colour(i);
      let b = batches.get(c);
      if (!b) batches.set(c, (b = []));
      b.push(i);
    }
    let shown = 0;
    for (const idx of batches.values()) shown += idx.length;
    // Outlines help a few points stand apart and only blacken thousands.
    const outline = shown < 2000;
    for (const [colour, idx] of batches) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      for (const i of idx) {
        const r = this.style.radius(i);
        const sx = this.px[i] * k + x;
        const sy = this.py[i] * k + y;
        ctx.moveTo(sx + r, sy);
        ctx.arc(sx, sy, r, 0, 2 * Math.PI);
      }
      ctx.fill();
      if (outline) {
        ctx.strokeStyle = 'rgba(0,0,0,0.45)';
        ctx.lineWidth = 0.6;
        ctx.stroke();
      }
    }
    const ring = (i: number, colour: string, width: number) => {
      const r = this.style.radius(i) + 2.5;
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.arc(this.px[i] * k + x, this.py[i] * k + y, r, 0, 2 * Math.PI);
      ctx.stroke();
    };
    for (const i of this.highlighted) ring(i, '#d7191c', 2);
    if (this.selected >= 0) ring(this.selected, '#111', 2.5);
    if (this.base && this.drawnWaiters.length) {
      for (const resolve of this.drawnWaiters.splice(0)) resolve();
    }
  }
}

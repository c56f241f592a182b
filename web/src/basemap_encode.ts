// Build-time side of basemap.ts: projects, simplifies and quantises world-atlas
// countries into the basemap (run by the Vite plugin in vite.config.ts and by
// the unit tests; never part of the page).
import { geoPath, type GeoPermissibleObjects } from 'd3-geo';
import { merge, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { kLayers, kMagic, type Layer } from './basemap.ts';
import { planeProjection } from './plane_geo.ts';

// Stored integer = plane unit × kScale; 1/32 of a plane unit is about half a CSS pixel
// at the Japan view of a 1400-pixel-wide page.
export const kScale = 32;

interface Subpath {
  points: number[]; // x0, y0, x1, y1, … in stored integers
  closed: boolean;
}

// Records what d3-geo draws (moveTo / lineTo / closePath) as integer subpaths.
class Recorder {
  readonly subpaths: Subpath[] = [];
  moveTo(x: number, y: number): void {
    this.subpaths.push({ points: [Math.round(x * kScale), Math.round(y * kScale)], closed: false });
  }
  lineTo(x: number, y: number): void {
    const p = this.subpaths[this.subpaths.length - 1].points;
    const qx = Math.round(x * kScale);
    const qy = Math.round(y * kScale);
    if (qx !== p[p.length - 2] || qy !== p[p.length - 1]) p.push(qx, qy);
  }
  closePath(): void {
    this.subpaths[this.subpaths.length - 1].closed = true;
  }
  // The rest of d3-geo's context: points and the caller's own path, neither used here.
  arc(): void {}
  beginPath(): void {}
}

// Douglas–Peucker on integer points: drops points within `tolerance` of the line
// through the points kept around them.
export function simplify(points: number[], tolerance: number): number[] {
  const n = points.length / 2;
  if (n <= 2) return points;
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack: [number, number][] = [[0, n - 1]];
  const t2 = tolerance * tolerance;
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const ax = points[2 * a];
    const ay = points[2 * a + 1];
    const dx = points[2 * b] - ax;
    const dy = points[2 * b + 1] - ay;
    const len2 = dx * dx + dy * dy;
    let far = -1;
    let farD = t2;
    for (let i = a + 1; i < b; ++i) {
      const px = points[2 * i] - ax;
      const py = points[2 * i + 1] - ay;
      // Squared distance to the segment (to the point a when a and b coincide: rings).
      let d: number;
      if (len2 === 0) d = px * px + py * py;
      else {
        const c = px * dy - py * dx;
        d = (c * c) / len2;
      }
      if (d > farD) {
        farD = d;
        far = i;
      }
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([a, far], [far, b]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; ++i) if (keep[i]) out.push(points[2 * i], points[2 * i + 1]);
  return out;
}

// Writes the layers (subpaths of stored integers) in basemap.ts's layout.
export function encodeLayers(layers: Record<Layer, Subpath[]>): string {
  const line = (subpaths: Subpath[]) =>
    subpaths
      .map(({ points: p, closed }) => {
        const d = [`M${p[0]} ${p[1]}`];
        if (p.length > 2) d.push('l');
        for (let i = 2; i < p.length; i += 2) d.push(`${p[i] - p[i - 2]} ${p[i + 1] - p[i - 1]}`);
        return d.join(' ').replace(/ l /, 'l') + (closed ? 'z' : '');
      })
      .join('');
  return [`${kMagic} ${kScale}`, ...kLayers.map((l) => line(layers[l]))].join('\n');
}

// The basemap of a world-atlas countries topology: the sphere's outline, the land
// (all countries merged) and the borders between countries, simplified to
// `toleranceUnits` plane units.
export function encodeBasemap(topo: Topology, toleranceUnits = 1 / kScale): string {
  const countries = topo.objects.countries as GeometryCollection;
  const draw = (g: GeoPermissibleObjects): Subpath[] => {
    const r = new Recorder();
    geoPath(planeProjection(), r)(g);
    return r.subpaths
      .map((p) => ({ points: simplify(p.points, toleranceUnits * kScale), closed: p.closed }))
      .filter((p) => p.points.length >= (p.closed ? 6 : 4));
  };
  return encodeLayers({
    sphere: draw({ type: 'Sphere' }),
    land: draw(merge(topo, countries.geometries as never)),
    borders: draw(mesh(topo, countries, (a, b) => a !== b)),
  });
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Topology } from 'topojson-specification';
import { describe, expect, it } from 'vitest';
import { kMagic, parseBasemap } from './basemap';
import { encodeBasemap, encodeLayers, kScale, simplify } from './basemap_encode';
import { planeProjection } from './plane_geo';

// The absolute points of path data made by encodeLayers ("M x y l dx dy … z"), per
// subpath, divided by `scale`.
function subpaths(d: string, scale: number): { points: number[][]; closed: boolean }[] {
  return d
    .split('M')
    .filter(Boolean)
    .map((part) => {
      const closed = part.endsWith('z');
      const [abs, rel = ''] = part.replace(/z$/, '').split('l');
      const [x0, y0] = abs.trim().split(' ').map(Number);
      const points = [[x0, y0]];
      const d = rel.trim() ? rel.trim().split(' ').map(Number) : [];
      for (let i = 0; i < d.length; i += 2) {
        const [px, py] = points[points.length - 1];
        points.push([px + d[i], py + d[i + 1]]);
      }
      return { points: points.map(([x, y]) => [x / scale, y / scale]), closed };
    });
}

describe('basemap', () => {
  it('simplify drops points within the tolerance and keeps corners', () => {
    // A straight line with a 1-unit wobble, then a corner 40 units out.
    expect(simplify([0, 0, 10, 1, 20, 0, 30, 40, 40, 0], 2)).toEqual([0, 0, 20, 0, 30, 40, 40, 0]);
    expect(simplify([0, 0, 10, 1, 20, 0], 0.5)).toEqual([0, 0, 10, 1, 20, 0]);
    expect(simplify([5, 5, 6, 6], 100)).toEqual([5, 5, 6, 6]);
  });

  it('writes SVG path data of integers, relative after the first point', () => {
    const text = encodeLayers({
      sphere: [{ points: [0, 0, 32, 0, 32, 16], closed: true }],
      land: [],
      borders: [
        { points: [64, 64, 96, 32], closed: false },
        { points: [-32, 320], closed: false },
      ],
    });
    expect(text).toBe(`${kMagic} 32\nM0 0l32 0 0 16z\n\nM64 64l32 -32M-32 320`);
    const { scale, paths } = parseBasemap(text);
    expect(scale).toBe(32);
    expect(paths).toEqual({ sphere: 'M0 0l32 0 0 16z', land: '', borders: 'M64 64l32 -32M-32 320' });
    expect(subpaths(paths.borders, scale)).toEqual([
      { points: [[2, 2], [3, 1]], closed: false },
      { points: [[-1, 10]], closed: false },
    ]);
  });

  it('refuses text of another kind, with the reason', () => {
    expect(() => parseBasemap('{"type":"Topology"}')).toThrow('basemap: not a Renkei basemap');
    expect(() => parseBasemap(`${kMagic} 32\nM0 0z`)).toThrow('basemap: 1 layers, not 3');
  });

  it('world-atlas 50m: Japan is land, the Pacific is not, the sphere fills the plane', { timeout: 30000 }, () => {
    const file = createRequire(import.meta.url).resolve('world-atlas/countries-50m.json');
    const topo = JSON.parse(readFileSync(file, 'utf8')) as Topology;
    const { scale, paths } = parseBasemap(encodeBasemap(topo));
    // The sphere's outline spans the plane's 1000 × 520 units.
    const xs = subpaths(paths.sphere, scale).flatMap((p) => p.points.map(([x]) => x));
    expect(Math.min(...xs)).toBeCloseTo(0, 1);
    expect(Math.max(...xs)).toBeCloseTo(1000, 1);
    // Tokyo (139.69 E, 35.69 N) inside a land ring; 150 E 30 N (Pacific) in none.
    const inside = (lon: number, lat: number) => {
      const [px, py] = planeProjection()([lon, lat])!;
      let crossings = 0;
      for (const { points: ring } of subpaths(paths.land, scale)) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [xi, yi] = ring[i];
          const [xj, yj] = ring[j];
          if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) ++crossings;
        }
      }
      return crossings % 2 === 1;
    };
    expect(inside(139.69, 35.69)).toBe(true);
    expect(inside(150, 30)).toBe(false);
    // Integers: 1/kScale of a plane unit.
    expect(scale).toBe(kScale);
    expect(/^[Mlz0-9 -]*$/.test(paths.borders)).toBe(true);
  });
});

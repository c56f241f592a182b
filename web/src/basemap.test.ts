import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Topology } from 'topojson-specification';
import { describe, expect, it } from 'vitest';
import { decodeBasemap, decodeSteps, kMagic, type PathSink } from './basemap';
import { encodeBasemap, encodeLayers, kScale, simplify } from './basemap_encode';
import { PlaneProjection } from './plane';
import { planeFit, planeProjection } from './plane_geo';

class Log implements PathSink {
  readonly ops: string[] = [];
  moveTo(x: number, y: number) {
    this.ops.push(`M${x},${y}`);
  }
  lineTo(x: number, y: number) {
    this.ops.push(`L${x},${y}`);
  }
  closePath() {
    this.ops.push('Z');
  }
}

const buffer = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('plane', () => {
  it('projects and inverts as d3-geo does', () => {
    const d3 = planeProjection();
    const ours = new PlaneProjection(planeFit());
    for (const [lon, lat] of [
      [0, 0],
      [139.69, 35.69],
      [130.84, 32.88],
      [-180, 85],
      [179.9, -60],
      [-70.6, -33.4],
      [12.5, 89.9],
    ]) {
      const [x, y] = d3([lon, lat])!;
      const [px, py] = ours.project(lon, lat);
      expect(px).toBeCloseTo(x, 9);
      expect(py).toBeCloseTo(y, 9);
      const [ilon, ilat] = ours.invert(px, py);
      expect(ilon).toBeCloseTo(lon, 9);
      expect(ilat).toBeCloseTo(lat, 9);
    }
    // The sphere spans the plane.
    expect(ours.project(-180, 0)[0]).toBeCloseTo(0, 6);
    expect(ours.project(180, 0)[0]).toBeCloseTo(1000, 6);
  });
});

describe('basemap', () => {
  it('simplify drops points within the tolerance and keeps corners', () => {
    // A straight line with a 1-unit wobble, then a corner 40 units out.
    expect(simplify([0, 0, 10, 1, 20, 0, 30, 40, 40, 0], 2)).toEqual([0, 0, 20, 0, 30, 40, 40, 0]);
    expect(simplify([0, 0, 10, 1, 20, 0], 0.5)).toEqual([0, 0, 10, 1, 20, 0]);
    expect(simplify([5, 5, 6, 6], 100)).toEqual([5, 5, 6, 6]);
  });

  it('decodes what it encodes, in plane units', () => {
    const bytes = encodeLayers({
      sphere: [{ points: [0, 0, 32, 0, 32, 16], closed: true }],
      land: [],
      borders: [
        { points: [64, 64, 96, 32], closed: false },
        { points: [-32, 320, 16, 8], closed: false },
      ],
    });
    // Header: magic, scale, 3 layers, counts 1 0 2, three subpaths; 7 points of 4 bytes.
    expect(bytes.byteLength).toBe(4 * 9 + 4 * 7);
    const out = decodeBasemap(buffer(bytes), () => new Log());
    expect(out.sphere.ops).toEqual(['M0,0', 'L1,0', 'L1,0.5', 'Z']);
    expect(out.land.ops).toEqual([]);
    expect(out.borders.ops).toEqual(['M2,2', 'L3,1', 'M-1,10', 'L0.5,0.25']);
  });

  it('decodes in steps of about the given number of points', () => {
    const bytes = encodeLayers({
      sphere: [{ points: [0, 0, 32, 0, 32, 16], closed: true }],
      land: [{ points: [0, 0, 32, 32], closed: false }],
      borders: [{ points: [64, 64, 96, 32], closed: false }],
    });
    const steps = decodeSteps(buffer(bytes), () => new Log(), 3);
    // Pauses after the sphere (3 points) and after the borders (2 + 2 since the last).
    expect(steps.next().done).toBe(false);
    expect(steps.next().done).toBe(false);
    const last = steps.next();
    expect(last.done).toBe(true);
    expect(last.value!.borders.ops).toEqual(['M2,2', 'L3,1']);
  });

  it('refuses a buffer of another kind, with the reason', () => {
    const good = buffer(encodeLayers({ sphere: [{ points: [0, 0, 1, 1], closed: false }], land: [], borders: [] }));
    expect(() => decodeBasemap(new ArrayBuffer(4), () => new Log())).toThrow('basemap: truncated header');
    const other = good.slice(0);
    new Uint32Array(other, 0, 1)[0] = kMagic + 1;
    expect(() => decodeBasemap(other, () => new Log())).toThrow('basemap: not a Renkei basemap');
    expect(() => decodeBasemap(good.slice(0, good.byteLength - 2), () => new Log())).toThrow('basemap: wrong size');
  });

  it('refuses a point outside the plane', () => {
    expect(() =>
      encodeLayers({ sphere: [], land: [], borders: [{ points: [0, 0, 40000, 0], closed: false }] }),
    ).toThrow('basemap: a point outside the plane');
  });

  it('world-atlas 50m: Japan is land, the Pacific is not, the sphere fills the plane', { timeout: 30000 }, () => {
    const file = createRequire(import.meta.url).resolve('world-atlas/countries-50m.json');
    const topo = JSON.parse(readFileSync(file, 'utf8')) as Topology;
    const out = decodeBasemap(buffer(encodeBasemap(topo)), () => new Log());
    // The sphere's outline spans the plane's 1000 × 520 units.
    const xs = out.sphere.ops.filter((o) => o !== 'Z').map((o) => Number(o.slice(1).split(',')[0]));
    expect(Math.min(...xs)).toBeCloseTo(0, 1);
    expect(Math.max(...xs)).toBeCloseTo(1000, 1);
    // Tokyo (139.69 E, 35.69 N) inside a land ring; 150 E 30 N (Pacific) in none.
    const inside = (lon: number, lat: number) => {
      const [px, py] = planeProjection()([lon, lat])!;
      let crossings = 0;
      let ring: number[][] = [];
      const flush = () => {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [xi, yi] = ring[i];
          const [xj, yj] = ring[j];
          if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) ++crossings;
        }
        ring = [];
      };
      for (const o of out.land.ops) {
        if (o === 'Z') flush();
        else ring.push(o.slice(1).split(',').map(Number));
      }
      return crossings % 2 === 1;
    };
    expect(inside(139.69, 35.69)).toBe(true);
    expect(inside(150, 30)).toBe(false);
    // Quantised to 1/kScale of a plane unit.
    expect(out.borders.ops.every((o) => Number.isInteger(Number(o.slice(1).split(',')[0]) * kScale))).toBe(true);
  });
});

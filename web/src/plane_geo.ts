// The plane of plane.ts as a d3-geo projection: for the build (basemap, fit) and for
// drawing geodesic shapes such as a what-if circle, loaded when one is drawn.
import { geoCircle, geoNaturalEarth1, geoPath, type GeoProjection } from 'd3-geo';
import { kPlaneHeight, kPlaneWidth, type PlaneFit } from './plane.ts';

export function planeProjection(): GeoProjection {
  return geoNaturalEarth1().fitExtent(
    [
      [0, 0],
      [kPlaneWidth, kPlaneHeight],
    ],
    { type: 'Sphere' },
  );
}

// The fitted scale and offset, for PlaneProjection.
export function planeFit(): PlaneFit {
  const p = planeProjection();
  const [x, y] = p.translate();
  return { k: p.scale(), x, y };
}

// The outline of the circle of `radiusKm` around (lon, lat) on the sphere, as an SVG
// path in plane units (split where it crosses the map's edge).
export function circlePath(lon: number, lat: number, radiusKm: number): string {
  const ring = geoCircle()
    .center([lon, lat])
    .radius((radiusKm / 6371.0088) * (180 / Math.PI))();
  return geoPath(planeProjection())(ring) ?? '';
}

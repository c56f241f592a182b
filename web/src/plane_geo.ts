// The plane of plane.ts as a d3-geo projection: the build projects the basemap with
// it, the page its points and geodesic shapes such as a what-if circle.
import { geoCircle, geoNaturalEarth1, geoPath, type GeoProjection } from 'd3-geo';
import { kPlaneHeight, kPlaneWidth } from './plane.ts';

export function planeProjection(): GeoProjection {
  return geoNaturalEarth1().fitExtent(
    [
      [0, 0],
      [kPlaneWidth, kPlaneHeight],
    ],
    { type: 'Sphere' },
  );
}

// The outline of the circle of `radiusKm` around (lon, lat) on the sphere, as an SVG
// path in plane units (split where it crosses the map's edge).
export function circlePath(lon: number, lat: number, radiusKm: number): string {
  const ring = geoCircle()
    .center([lon, lat])
    .radius((radiusKm / 6371.0088) * (180 / Math.PI))();
  return geoPath(planeProjection())(ring) ?? '';
}

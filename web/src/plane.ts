// The map's plane: Natural Earth I (Šavrič et al., 2011) fitted to kPlaneWidth ×
// kPlaneHeight units. The page projects points with this small module; the fitted
// scale and offset come from d3-geo at build time (plane_geo.ts), so points land
// exactly on the pre-projected basemap.

export const kPlaneWidth = 1000;
export const kPlaneHeight = 520;

// x = fit.k · X(λ, φ) + fit.x, y = fit.y − fit.k · Y(φ), with λ, φ in radians.
export interface PlaneFit {
  k: number;
  x: number;
  y: number;
}

const kRad = Math.PI / 180;

// The published polynomials: X = λ·xFactor(φ), Y = yOf(φ).
function xFactor(phi: number): number {
  const p2 = phi * phi;
  const p4 = p2 * p2;
  return 0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4));
}
function yOf(phi: number): number {
  const p2 = phi * phi;
  const p4 = p2 * p2;
  return phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)));
}
function dyOf(phi: number): number {
  const p2 = phi * phi;
  const p4 = p2 * p2;
  return 1.007226 + p2 * (3 * 0.015085 + p4 * (-7 * 0.044475 + 9 * 0.028874 * p2 - 11 * 0.005916 * p4));
}

export class PlaneProjection {
  constructor(private readonly fit: PlaneFit) {}

  // [lon, lat] in degrees to plane units.
  project(lon: number, lat: number): [number, number] {
    const phi = lat * kRad;
    return [this.fit.k * lon * kRad * xFactor(phi) + this.fit.x, this.fit.y - this.fit.k * yOf(phi)];
  }

  // Plane units to [lon, lat] in degrees (Newton's method on the latitude); points off
  // the sphere give longitudes beyond ±180.
  invert(x: number, y: number): [number, number] {
    const X = (x - this.fit.x) / this.fit.k;
    const Y = (this.fit.y - y) / this.fit.k;
    let phi = Y;
    for (let i = 0; i < 25; ++i) {
      const step = (yOf(phi) - Y) / dyOf(phi);
      phi -= step;
      if (Math.abs(step) < 1e-12) break;
    }
    return [X / xFactor(phi) / kRad, phi / kRad];
  }
}

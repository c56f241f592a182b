// The map's plane: the world in Natural Earth I (d3-geo, plane_geo.ts) fitted to
// kPlaneWidth × kPlaneHeight units. The basemap is projected into it at build time and
// the page projects its points into the same plane.

export const kPlaneWidth = 1000;
export const kPlaneHeight = 520;

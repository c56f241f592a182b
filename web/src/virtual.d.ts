// Modules made by the Vite plugins in vite.config.ts.
declare module 'virtual:basemap' {
  // URL of the binary basemap (basemap.ts's layout).
  const url: string;
  export default url;
  // The plane's fitted scale and offset (plane_geo.ts's planeFit()).
  export const planeFit: import('./plane').PlaneFit;
}

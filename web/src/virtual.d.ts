// Modules made by the Vite plugins in vite.config.ts.
declare module 'virtual:basemap' {
  // URL of the binary basemap (basemap.ts's layout).
  const url: string;
  export default url;
}

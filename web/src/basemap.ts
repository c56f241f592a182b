// The countries as the map draws them, made at build time (basemap_encode.ts): already
// projected into the map's plane (plane.ts), simplified to a fraction of a pixel at
// the Japan view, quantised to integers, and written as SVG path data, which the
// browser turns into a Path2D natively: no JSON to parse, no projection to run, no
// per-point script. The node serves it as text, compressed once when it starts.
//
// Layout: a header line "renkei-basemap 1 SCALE", then one line of path data per layer
// (sphere, land, borders) in plane units × SCALE: "M x y l dx dy dx dy … z" per subpath.

export const kMagic = 'renkei-basemap 1';
export const kLayers = ['sphere', 'land', 'borders'] as const;
export type Layer = (typeof kLayers)[number];

export interface BasemapText {
  // Plane units × scale = the path data's numbers.
  scale: number;
  paths: Record<Layer, string>;
}

// Splits a basemap into its layers' path data. Throws Error on text that is not a
// basemap of this format.
export function parseBasemap(text: string): BasemapText {
  const lines = text.split('\n');
  const head = /^renkei-basemap 1 (\d+)$/.exec(lines[0]);
  if (!head) throw new Error('basemap: not a Renkei basemap');
  if (lines.length !== 1 + kLayers.length) throw new Error(`basemap: ${lines.length - 1} layers, not ${kLayers.length}`);
  const paths = {} as Record<Layer, string>;
  kLayers.forEach((l, i) => (paths[l] = lines[1 + i]));
  return { scale: Number(head[1]), paths };
}

// The countries as the map draws them, in a compact binary form made at build time
// (basemap_encode.ts): already projected into the map's plane (plane.ts), simplified to a fraction
// of a pixel at the Japan view, and quantised. The page only turns it into paths: no
// JSON to parse, no projection to run. Binary, so the node sends it as is instead of
// compressing it anew on every request.
//
// Layout (little-endian, as typed arrays on every platform browsers run on):
//   u32 kMagic, u32 scale (plane units × scale = stored integer), u32 layer count L,
//   u32 subpath count of each layer (L of them), u32 per subpath (all layers in order):
//   (point count << 1) | closed, then i16 x, y of every point of every subpath.
export const kMagic = 0x314b4252; // "RBK1"
export const kLayers = ['sphere', 'land', 'borders'] as const;
export type Layer = (typeof kLayers)[number];

// What decode() draws into: Path2D, or a recorder in tests.
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
}

// Replays the layers of `bytes` into one new sink per layer, in plane units.
// Throws Error on a buffer that is not a basemap of this format.
export function decodeBasemap<S extends PathSink>(bytes: ArrayBuffer, makeSink: () => S): Record<Layer, S> {
  const steps = decodeSteps(bytes, makeSink, Infinity);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

// decodeBasemap in steps: the generator pauses after about `pointsPerStep` points, so
// that a page can let other tasks (network answers, input) run in between.
export function* decodeSteps<S extends PathSink>(
  bytes: ArrayBuffer,
  makeSink: () => S,
  pointsPerStep: number,
): Generator<void, Record<Layer, S>, void> {
  if (bytes.byteLength < 12) throw new Error('basemap: truncated header');
  const head = new Uint32Array(bytes, 0, 3);
  if (head[0] !== kMagic) throw new Error('basemap: not a Renkei basemap');
  const scale = head[1];
  const layers = head[2];
  if (layers !== kLayers.length || bytes.byteLength < 12 + 4 * layers) throw new Error('basemap: wrong layers');
  const counts = new Uint32Array(bytes, 12, layers);
  let subpaths = 0;
  for (const c of counts) subpaths += c;
  const headerBytes = 12 + 4 * layers + 4 * subpaths;
  if (bytes.byteLength < headerBytes) throw new Error('basemap: truncated subpaths');
  const sub = new Uint32Array(bytes, 12 + 4 * layers, subpaths);
  let points = 0;
  for (const s of sub) points += s >>> 1;
  if (bytes.byteLength !== headerBytes + 4 * points) throw new Error('basemap: wrong size');
  const xy = new Int16Array(bytes, headerBytes, 2 * points);
  const inv = 1 / scale;
  const out = {} as Record<Layer, S>;
  let s = 0;
  let p = 0;
  let sinceYield = 0;
  for (let l = 0; l < kLayers.length; ++l) {
    const sink = makeSink();
    for (let end = s + counts[l]; s < end; ++s) {
      const n = sub[s] >>> 1;
      for (let i = 0; i < n; ++i, p += 2) {
        if (i === 0) sink.moveTo(xy[p] * inv, xy[p + 1] * inv);
        else sink.lineTo(xy[p] * inv, xy[p + 1] * inv);
      }
      if (sub[s] & 1) sink.closePath();
      sinceYield += n;
      if (sinceYield >= pointsPerStep) {
        sinceYield = 0;
        yield;
      }
    }
    out[kLayers[l]] = sink;
  }
  return out;
}

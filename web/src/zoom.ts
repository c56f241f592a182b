// Pan and zoom of an element with the mouse wheel, drag, double click and two-finger
// pinch, as a transform from the map's plane to CSS pixels: screen = plane · k + (x, y).

export interface ViewTransform {
  readonly k: number;
  readonly x: number;
  readonly y: number;
}

export const kIdentity: ViewTransform = { k: 1, x: 0, y: 0 };

// `t` scaled by `factor` (clamped to [kMin, kMax]) about the screen point (px, py).
export function zoomAbout(
  t: ViewTransform,
  factor: number,
  px: number,
  py: number,
  kMin = 0,
  kMax = Infinity,
): ViewTransform {
  const k = Math.min(kMax, Math.max(kMin, t.k * factor));
  const f = k / t.k;
  return { k, x: px - (px - t.x) * f, y: py - (py - t.y) * f };
}

// Moves of less than this many pixels between press and release still count as a click.
const kClickSlop = 3;

export class PanZoom {
  transform: ViewTransform = kIdentity;
  private width = 1;
  private height = 1;
  private pointers = new Map<number, { x: number; y: number }>();
  private travelled = 0;
  private suppressClick = false;

  // Calls `onChange` with every new transform (the caller redraws).
  constructor(
    private readonly el: HTMLElement,
    private readonly onChange: (t: ViewTransform) => void,
    private readonly kMin: number,
    private readonly kMax: number,
  ) {
    el.style.touchAction = 'none';
    el.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    el.addEventListener('pointerdown', (e) => this.down(e));
    el.addEventListener('pointermove', (e) => this.move(e));
    el.addEventListener('pointerup', (e) => this.up(e));
    el.addEventListener('pointercancel', (e) => this.up(e));
    el.addEventListener('dblclick', (e) => {
      const [px, py] = this.local(e);
      this.set(zoomAbout(this.transform, e.shiftKey ? 0.5 : 2, px, py, this.kMin, this.kMax));
    });
    // A drag ends with a click on the element: not a click on the map.
    el.addEventListener(
      'click',
      (e) => {
        if (this.suppressClick) e.stopImmediatePropagation();
        this.suppressClick = false;
      },
      true,
    );
  }

  // The element's size in CSS pixels (scaleBy zooms about its centre).
  setExtent(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }

  set(t: ViewTransform): void {
    this.transform = t;
    this.onChange(t);
  }

  translateBy(dx: number, dy: number): void {
    const t = this.transform;
    this.set({ k: t.k, x: t.x + dx, y: t.y + dy });
  }

  scaleBy(factor: number): void {
    this.set(zoomAbout(this.transform, factor, this.width / 2, this.height / 2, this.kMin, this.kMax));
  }

  private local(e: MouseEvent): [number, number] {
    const r = this.el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private wheel(e: WheelEvent): void {
    e.preventDefault();
    // Lines and pages count more than pixels; a trackpad pinch (ctrlKey) more still.
    const unit = e.deltaMode === 1 ? 0.05 : e.deltaMode ? 1 : 0.002;
    const factor = Math.pow(2, -e.deltaY * unit * (e.ctrlKey ? 10 : 1));
    const [px, py] = this.local(e);
    this.set(zoomAbout(this.transform, factor, px, py, this.kMin, this.kMax));
  }

  private down(e: PointerEvent): void {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    this.el.setPointerCapture(e.pointerId);
    const [x, y] = this.local(e);
    if (!this.pointers.size) this.travelled = 0;
    this.pointers.set(e.pointerId, { x, y });
  }

  private move(e: PointerEvent): void {
    const last = this.pointers.get(e.pointerId);
    if (!last) return;
    const [x, y] = this.local(e);
    const others = [...this.pointers].filter(([id]) => id !== e.pointerId);
    this.travelled += Math.hypot(x - last.x, y - last.y);
    if (others.length === 0) {
      this.pointers.set(e.pointerId, { x, y });
      this.translateBy(x - last.x, y - last.y);
      return;
    }
    // Pinch: the other finger stays; the midpoint moves and the distance scales.
    const o = others[0][1];
    const before = Math.hypot(last.x - o.x, last.y - o.y) || 1;
    const after = Math.hypot(x - o.x, y - o.y) || 1;
    this.pointers.set(e.pointerId, { x, y });
    const t = zoomAbout(this.transform, after / before, (last.x + o.x) / 2, (last.y + o.y) / 2, this.kMin, this.kMax);
    this.set({ k: t.k, x: t.x + (x - last.x) / 2, y: t.y + (y - last.y) / 2 });
  }

  private up(e: PointerEvent): void {
    if (!this.pointers.delete(e.pointerId)) return;
    if (this.travelled >= kClickSlop) this.suppressClick = true;
  }
}

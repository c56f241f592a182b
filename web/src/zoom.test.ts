import { describe, expect, it } from 'vitest';
import { kIdentity, zoomAbout } from './zoom';

describe('pan and zoom', () => {
  it('zooms about a screen point, which stays where it was', () => {
    const t = zoomAbout({ k: 2, x: 10, y: 20 }, 3, 100, 50);
    expect(t).toEqual({ k: 6, x: 100 - 90 * 3, y: 50 - 30 * 3 });
    // The plane point under (100, 50) before and after.
    expect((100 - 10) / 2).toBe((100 - t.x) / 6);
  });
  it('keeps the scale within its bounds', () => {
    expect(zoomAbout(kIdentity, 1000, 0, 0, 0.8, 400).k).toBe(400);
    expect(zoomAbout(kIdentity, 0.1, 50, 50, 0.8, 400)).toEqual({ k: 0.8, x: 10, y: 10 });
  });
});

import { describe, expect, it } from 'vitest';
import { Api, type SessionStore } from './api';

function memory(): SessionStore & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

describe('Api session', () => {
  it('takes up an unexpired token of this tab', () => {
    const s = memory();
    s.setItem('renkei.session', JSON.stringify({ token: 'abc', expires: 1_000_000 }));
    const api = new Api('', s);
    expect(api.restore(900_000)).toBe(true);
    expect(api.signedIn).toBe(true);
    api.signOut();
    expect(api.signedIn).toBe(false);
    expect(s.items.size).toBe(0);
  });

  it('drops an expired, nearly expired or unreadable one', () => {
    for (const saved of [
      JSON.stringify({ token: 'abc', expires: 1_000_000 }),
      JSON.stringify({ token: 'abc', expires: 1_020_000 }), // within 30 s of expiry
      JSON.stringify({ expires: 9_000_000 }),
      '{not json',
    ]) {
      const s = memory();
      s.setItem('renkei.session', saved);
      const api = new Api('', s);
      expect(api.restore(1_000_000)).toBe(false);
      expect(api.signedIn).toBe(false);
      expect(s.items.size).toBe(0);
    }
  });
});

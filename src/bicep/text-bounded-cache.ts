/**
 * Values made from files' text, kept per scan (keyed by the sandbox family) and bounded by the
 * text they stand for: the memory a parse or a lowering holds grows with its text. Least recently
 * used out; a value whose text is more than half the bound is not kept.
 */
export class TextBoundedCache<V extends { text: string }> {
  private readonly byFamily = new WeakMap<object, { entries: Map<string, V>; size: number }>();

  constructor(private readonly limit: number) {}

  /** The value kept for `key` if `valid` says it still holds (it is then the most recently used); else none, and it is dropped. */
  get(family: object, key: string, valid: (value: V) => boolean): V | undefined {
    const shared = this.byFamily.get(family);
    const known = shared?.entries.get(key);
    if (!shared || !known) return undefined;
    shared.entries.delete(key);
    shared.size -= known.text.length;
    if (!valid(known)) return undefined;
    shared.entries.set(key, known); // most recent last
    shared.size += known.text.length;
    return known;
  }

  set(family: object, key: string, value: V): void {
    if (value.text.length > this.limit / 2) return;
    let shared = this.byFamily.get(family);
    if (!shared) this.byFamily.set(family, (shared = { entries: new Map(), size: 0 }));
    const before = shared.entries.get(key);
    if (before) {
      shared.entries.delete(key);
      shared.size -= before.text.length;
    }
    shared.entries.set(key, value);
    shared.size += value.text.length;
    for (const [oldest, entry] of shared.entries) {
      if (shared.size <= this.limit) break;
      shared.entries.delete(oldest);
      shared.size -= entry.text.length;
    }
  }

  /** The value kept for `key`, if any, without making it the most recently used. */
  peek(family: object, key: string): V | undefined {
    return this.byFamily.get(family)?.entries.get(key);
  }

  /** The keys held, oldest use first (tests). */
  keys(family: object): string[] {
    return [...(this.byFamily.get(family)?.entries.keys() ?? [])];
  }
}

// The in-memory cache of "LLM" translation results: a Map in insertion order (oldest evicted first),
// bounded by its total size. Its live set is what a long-running dev server holds; evicted entries
// have lived long enough to be in V8's old generation, so they are garbage only a full GC frees.
export type Translation = {
  key: string;
  lang: string;
  segments: { index: number; text: string }[];
  bytes: number;
};

const SEGMENT_BYTES = 1024;
const filler = Buffer.alloc(SEGMENT_BYTES, 'lorem ipsum dolor sit amet ');

// A result of about `kib` KiB of JS heap: `kib` segments, each a distinct one-byte string.
export function simulateTranslation(key: string, lang: string, kib: number): Translation {
  const segments = new Array(kib);
  for (let i = 0; i < kib; i++) {
    const head = `${lang}:${key}:${i}:`;
    filler.write(head, 0, 'latin1');
    segments[i] = { index: i, text: filler.toString('latin1') };
  }
  return { key, lang, segments, bytes: kib * SEGMENT_BYTES };
}

export class TranslationCache {
  private entries = new Map<string, Translation>();
  private total = 0;
  hits = 0;
  misses = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): Translation | undefined {
    const found = this.entries.get(key);
    if (found) this.hits++;
    else this.misses++;
    return found;
  }

  set(entry: Translation): void {
    const old = this.entries.get(entry.key);
    if (old) {
      this.total -= old.bytes;
      this.entries.delete(entry.key);
    }
    this.entries.set(entry.key, entry);
    this.total += entry.bytes;
    for (const [k, v] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= v.bytes;
    }
  }

  stats() {
    return { entries: this.entries.size, bytes: this.total, maxBytes: this.maxBytes, hits: this.hits, misses: this.misses };
  }
}

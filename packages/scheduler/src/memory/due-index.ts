// The memory store's index of enabled schedules by due instant (issue "Scale": a pass costs what is due, not what is
// stored), the memory counterpart of MongoDB's (is_enabled, next_due_at, next_run_at) index. A binary min-heap of
// (due instant, name) entries; a schedule whose due instant changes gets a new entry and its old one goes stale (its
// generation no longer matches) and is dropped when it reaches the top, or when stale entries outnumber live ones
// (the heap is then rebuilt). Schedules without a due instant (next_run_at null: written by another program) are
// kept apart and listed first, as they sort first on MongoDB.

interface Entry {
  at: number;
  name: string;
  gen: number;
}

/** Enabled schedules by due instant: `set` on every write, `due()` and `earliest()` for the loop's queries. */
export class DueIndex {
  #heap: Entry[] = [];
  // The generation of each indexed schedule's live heap entry.
  readonly #gens = new Map<string, number>();
  readonly #undated = new Set<string>();
  #gen = 0;

  /** Indexes `name` as due at `at` (`null`: no due instant), or removes it (`undefined`: disabled or deleted). */
  set(name: string, at: number | null | undefined): void {
    this.#gens.delete(name);
    this.#undated.delete(name);
    if (at === null) this.#undated.add(name);
    else if (at !== undefined) {
      const gen = ++this.#gen;
      this.#gens.set(name, gen);
      this.#push({ at, name, gen });
    }
    this.#compactIfStale();
  }

  /** Names due at or before `t`, earliest first (undated ones before all), at most `limit`. */
  due(t: number, limit: number): string[] {
    const out = [...this.#undated].sort().slice(0, Math.max(0, limit));
    const taken: Entry[] = [];
    while (out.length < limit) {
      const top = this.#liveTop();
      if (top === undefined || top.at > t) break;
      taken.push(this.#pop() as Entry);
      out.push(top.name);
    }
    // Listing does not claim: the entries go back.
    for (const e of taken) this.#push(e);
    return out;
  }

  /** Heap entries, stale ones included (bounded by 2 × indexed + 1,024). */
  get heapSize(): number {
    return this.#heap.length;
  }

  /** The earliest due instant of a dated schedule, or null. */
  earliest(): number | null {
    return this.#liveTop()?.at ?? null;
  }

  #live(e: Entry): boolean {
    return this.#gens.get(e.name) === e.gen;
  }

  #liveTop(): Entry | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || this.#live(top)) return top;
      this.#pop();
    }
  }

  #compactIfStale(): void {
    if (this.#heap.length <= 2 * this.#gens.size + 1024) return;
    const live = this.#heap.filter((e) => this.#live(e));
    this.#heap = [];
    for (const e of live) this.#push(e);
  }

  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.name < b.name);
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(h[i] as Entry, h[parent] as Entry)) break;
      [h[i], h[parent]] = [h[parent] as Entry, h[i] as Entry];
      i = parent;
    }
  }

  #pop(): Entry | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && this.#less(h[l] as Entry, h[min] as Entry)) min = l;
      if (r < h.length && this.#less(h[r] as Entry, h[min] as Entry)) min = r;
      if (min === i) break;
      [h[i], h[min]] = [h[min] as Entry, h[i] as Entry];
      i = min;
    }
    return top;
  }
}

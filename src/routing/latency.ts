// Latency ordering for `auto` and the aliases that opt in: a moving average of each candidate's recent
// latency (time to first byte for streams, the whole answer otherwise), kept per process since it
// describes the path from this replica. Never-measured candidates go first, then the fastest; about one
// request in ten goes first to the least recently measured other candidate, so the averages stay fresh.

/** Weight of the newest sample: a candidate that slows down drops back within a few requests. */
const ALPHA = 0.3;
/** One request in EXPLORE_EVERY tries the stalest other candidate first. */
const EXPLORE_EVERY = 10;

interface Averages {
  /** Ms: whole answers, and first bytes of streams. */
  full?: number;
  ttfb?: number;
  /** When last measured (performance.now()), for exploration. */
  at: number;
}

export class LatencyTracker {
  private readonly stats = new Map<string, Averages>();
  private ordered = 0;

  /** A success after `ms`: the answer (stream: its first chunk) took that long. */
  record(key: string, stream: boolean, ms: number): void {
    const s = this.entry(key);
    const field = stream ? "ttfb" : "full";
    const previous = s[field];
    s[field] = previous === undefined ? ms : previous + ALPHA * (ms - previous);
  }

  /** A failure counts as twice the slower of its duration and the average, so a failing candidate drops down at once. */
  penalize(key: string, stream: boolean, ms: number): void {
    const s = this.entry(key);
    const field = stream ? "ttfb" : "full";
    s[field] = 2 * Math.max(ms, s[field] ?? s[stream ? "full" : "ttfb"] ?? 0) + 1;
  }

  /** The average for a mode, or the other mode's when this one was never measured (ms), else undefined. */
  average(key: string, stream: boolean): number | undefined {
    const s = this.stats.get(key);
    return s && (stream ? s.ttfb ?? s.full : s.full ?? s.ttfb);
  }

  /** `candidates` reordered: never measured first (in table order), then fastest first, with exploration. */
  order<C extends { key: string }>(candidates: C[], stream: boolean): C[] {
    const fresh: C[] = [];
    const measured: Array<{ c: C; ms: number; at: number }> = [];
    for (const c of candidates) {
      const ms = this.average(c.key, stream);
      if (ms === undefined) fresh.push(c);
      else measured.push({ c, ms, at: this.stats.get(c.key)!.at });
    }
    measured.sort((a, b) => a.ms - b.ms);
    const out = [...fresh, ...measured.map((m) => m.c)];
    if (fresh.length === 0 && measured.length > 1 && ++this.ordered % EXPLORE_EVERY === 0) {
      let stalest = 1;
      for (let i = 2; i < measured.length; i++) if (measured[i].at < measured[stalest].at) stalest = i;
      out.splice(stalest, 1);
      out.unshift(measured[stalest].c);
    }
    return out;
  }

  private entry(key: string): Averages {
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { at: 0 }));
    s.at = performance.now();
    return s;
  }
}

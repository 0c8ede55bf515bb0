// Which placed values are alive at the same time as a new one, without looking at every placed
// value: per entry, a segment tree answers "alive at position s" and a sorted list of starts
// "begins within (s, e]"; together they are exactly the intervals that overlap [s, e]. The arena
// plan asks this once per value, so the plan stays near-linear in the number of values.

interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Closed intervals over positions 0..length of one schedule, each under a caller's key. */
class ScheduleIntervals {
  /** Node k of the segment tree holds the keys of intervals covering its whole range. */
  private readonly covering: number[][] = [];
  /** Every interval's (start, key), sorted by start then key. */
  private readonly starts: { readonly start: number; readonly key: number }[] = [];

  constructor(private readonly length: number) {}

  add(interval: Interval, key: number): void {
    this.cover(1, 0, this.length, interval, key);
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const entry = this.starts[middle];
      if (entry.start < interval.start || (entry.start === interval.start && entry.key < key))
        low = middle + 1;
      else high = middle;
    }
    this.starts.splice(low, 0, { start: interval.start, key });
  }

  /** Calls `found` with the key of every interval that overlaps [start, end] (once each). */
  overlapping({ start, end }: Interval, found: (key: number) => void): void {
    // alive at `start`: the covering lists on the path to its leaf
    let node = 1;
    let low = 0;
    let high = this.length;
    for (;;) {
      for (const key of this.covering[node] ?? []) found(key);
      if (low === high) break;
      const middle = (low + high) >> 1;
      if (start <= middle) {
        node = 2 * node;
        high = middle;
      } else {
        node = 2 * node + 1;
        low = middle + 1;
      }
    }
    // starting after `start` and no later than `end`
    let first = 0;
    let last = this.starts.length;
    while (first < last) {
      const middle = (first + last) >> 1;
      if (this.starts[middle].start <= start) first = middle + 1;
      else last = middle;
    }
    for (let i = first; i < this.starts.length && this.starts[i].start <= end; i++)
      found(this.starts[i].key);
  }

  private cover(node: number, low: number, high: number, interval: Interval, key: number): void {
    if (interval.end < low || high < interval.start) return;
    if (interval.start <= low && high <= interval.end) {
      (this.covering[node] ??= []).push(key);
      return;
    }
    const middle = (low + high) >> 1;
    this.cover(2 * node, low, middle, interval, key);
    this.cover(2 * node + 1, middle + 1, high, interval, key);
  }
}

/** Per-entry lifetimes of placed values, keyed by the order they were placed in. */
export class LifetimeIndex {
  private readonly schedules: ScheduleIntervals[];
  /** seen[key] === query: key already reported by this query (no set per query). */
  private seen = new Int32Array(64);
  private query = 0;

  /** `lengths[e]`: the last position an interval of entry e may reach. */
  constructor(lengths: readonly number[]) {
    this.schedules = lengths.map((length) => new ScheduleIntervals(length));
  }

  add(lifetimes: readonly (Interval | undefined)[], key: number): void {
    if (key >= this.seen.length) {
      const grown = new Int32Array(2 * (key + 1));
      grown.set(this.seen);
      this.seen = grown;
    }
    lifetimes.forEach((interval, entry) => {
      if (interval !== undefined) this.schedules[entry].add(interval, key);
    });
  }

  /** The keys of values alive at the same time as `lifetimes` in some entry, ascending. */
  overlapping(lifetimes: readonly (Interval | undefined)[]): Int32Array {
    const query = ++this.query;
    const keys: number[] = [];
    const found = (key: number) => {
      if (this.seen[key] === query) return;
      this.seen[key] = query;
      keys.push(key);
    };
    lifetimes.forEach((interval, entry) => {
      if (interval !== undefined) this.schedules[entry].overlapping(interval, found);
    });
    return Int32Array.from(keys).sort();
  }
}

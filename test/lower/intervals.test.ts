// The arena plan's overlap index against the definition: an interval [s, e] overlaps [a, b] when
// neither ends before the other starts, in some entry; checked on seeded random lifetimes.
import { describe, expect, it } from "vitest";
import { LifetimeIndex } from "../../compiler/lower/intervals.ts";
import { seeded } from "../support/random.ts";

type Lifetimes = ({ start: number; end: number } | undefined)[];

function randomLifetimes(random: () => number, lengths: readonly number[]): Lifetimes {
  return lengths.map((length) => {
    if (random() < 0.3) return undefined;
    const start = Math.floor(random() * (length + 1));
    // mostly short, some spanning most of the schedule (values kept for a backward pass)
    const span = random() < 0.2 ? length : 4;
    return { start, end: Math.min(length, start + Math.floor(random() * (span + 1))) };
  });
}

function overlapsByDefinition(a: Lifetimes, b: Lifetimes): boolean {
  return a.some((x, entry) => {
    const y = b[entry];
    return x !== undefined && y !== undefined && !(x.end < y.start || y.end < x.start);
  });
}

describe("the lifetime index", () => {
  it("finds exactly the placed lifetimes that overlap, each once, in placed order", () => {
    const random = seeded(7);
    const lengths = [50, 1, 13];
    const index = new LifetimeIndex(lengths);
    const placed: Lifetimes[] = [];
    for (let step = 0; step < 400; step++) {
      const lifetimes = randomLifetimes(random, lengths);
      const expected = placed.flatMap((other, key) =>
        overlapsByDefinition(other, lifetimes) ? [key] : [],
      );
      expect(Array.from(index.overlapping(lifetimes))).toEqual(expected);
      index.add(lifetimes, placed.length);
      placed.push(lifetimes);
    }
  });

  it("counts touching ends as overlapping and a gap of one position as not", () => {
    const index = new LifetimeIndex([10]);
    index.add([{ start: 2, end: 5 }], 0);
    expect(Array.from(index.overlapping([{ start: 5, end: 9 }]))).toEqual([0]);
    expect(Array.from(index.overlapping([{ start: 0, end: 2 }]))).toEqual([0]);
    expect(Array.from(index.overlapping([{ start: 6, end: 10 }]))).toEqual([]);
    expect(Array.from(index.overlapping([{ start: 0, end: 1 }]))).toEqual([]);
    expect(Array.from(index.overlapping([undefined]))).toEqual([]);
  });
});

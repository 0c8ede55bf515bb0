// Identifiers for generated code: DSL names where given, x_bar for adjoints, t17 otherwise; never a clash.
import { reservedWords } from "../dsl/names.ts";

/** Identifiers the emitted module itself declares or uses in loops. */
const emitterWords = [
  ...["arena", "feeds", "i", "j", "k", "p", "total", "acc", "a_ip", "b_pj", "layout"],
  ...["prefix", "suffix", "factors", "products"],
  ...["a_base", "b_base", "out_base"],
  ...["allocateArena", "feedInputs", "checkIndex", "AdjointRuntimeError"],
];

export class NameTable {
  private readonly taken = new Set<string>([...reservedWords, ...emitterWords]);
  private readonly nextSuffix = new Map<string, number>();

  /** Reserves `wanted`, or the first free `wanted_2`, `wanted_3`, ... */
  claim(wanted: string): string {
    // loop indices (i0, r1) and kernel registers (a0, c3, o2) are letter-digit names: never hand those out
    const loopIndex = /^[abcijkopqr][0-9]+$/.test(wanted);
    const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/.test(wanted);
    const base = !identifier ? "t" : loopIndex ? `${wanted}_v` : wanted;
    let name = base;
    // resume where the last clash of this base stopped: many values share a label (x_bar)
    let n = this.nextSuffix.get(base) ?? 2;
    while (this.taken.has(name)) name = `${base}_${n++}`;
    this.nextSuffix.set(base, n);
    this.taken.add(name);
    return name;
  }
}

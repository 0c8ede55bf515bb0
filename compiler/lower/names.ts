// Identifiers for generated code: DSL names where given, x_bar for adjoints, t17 otherwise; never a clash.
import { reservedWords } from "../dsl/names.ts";

/** Values generated modules import from the runtime; no local takes their names. */
export const runtimeValueImports = [
  "allocateArena",
  "allocateKernelArena",
  "feedInputs",
  "checkIndex",
  "setBase64Values",
  "AdjointRuntimeError",
  // the special functions elementwise ops call: `special.erf(x)` (ops/special.ts, ops/rounding.ts)
  "special",
  "checkRuntimeVersion",
] as const;
/** Types generated modules import from the runtime. */
export const runtimeTypeImports = ["Feeds", "InputSpec"] as const;
export type RuntimeImport =
  (typeof runtimeValueImports)[number] | (typeof runtimeTypeImports)[number];

/** Identifiers the emitted module itself declares or uses in loops. */
const emitterWords = [
  ...["arena", "kernels", "feeds", "i", "j", "k", "p", "total", "acc", "a_ip", "b_pj", "layout"],
  ...["prefix", "suffix", "factors", "products"],
  ...["a_base", "b_base", "out_base"],
  ...runtimeValueImports,
];

export class NameTable {
  private readonly taken = new Set<string>([...reservedWords, ...emitterWords]);
  private readonly nextSuffix = new Map<string, number>();

  /** Marks `name` as taken as it is (a public name of the module), so no later claim gets it. */
  reserve(name: string): void {
    this.taken.add(name);
  }

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

// What checkGrads found: the worst error per leaf and order, a verdict at the tolerance, and a
// table a person can read.
import { AdjointError } from "../errors.ts";

/** The worst comparison for one leaf at one order, over every point and direction. */
export interface LeafError {
  /** The input or param moved along random directions. */
  readonly name: string;
  /** 1: ⟨∇f, v⟩ against (f(x+εv) − f(x−εv))/2ε; 2: H·v against (∇f(x+εv) − ∇f(x−εv))/2ε. */
  readonly order: 1 | 2;
  /** |analytic − numeric| / max(|analytic|, |numeric|, 1); Infinity for NaN. */
  readonly error: number;
  /** The derivative from the compiled graph where the error was worst. */
  readonly analytic: number;
  /** The central difference there. */
  readonly numeric: number;
}

export interface CheckSettings {
  readonly program: string;
  readonly entry: string;
  /** The fetched output that is f. */
  readonly of: string;
  readonly order: 1 | 2;
  readonly points: number;
  readonly directions: number;
  readonly eps: number;
  readonly tolerance: number;
}

export class GradCheckReport {
  constructor(
    readonly settings: CheckSettings,
    /** One row per leaf and order: order 1 for every leaf first, then order 2. */
    readonly results: readonly LeafError[],
  ) {}

  /** The worst error per leaf name, over the orders checked. */
  get errors(): Readonly<Record<string, number>> {
    const worst: Record<string, number> = {};
    for (const { name, error } of this.results) worst[name] = Math.max(worst[name] ?? 0, error);
    return worst;
  }

  /** The leaves whose error exceeds the tolerance, in order. */
  get failed(): readonly string[] {
    return Object.entries(this.errors)
      .filter(([, error]) => !(error <= this.settings.tolerance))
      .map(([name]) => name);
  }

  get passed(): boolean {
    return this.failed.length === 0;
  }

  /** Throws an AdjointError holding the table unless every error is within the tolerance. */
  assert(): this {
    if (!this.passed) throw new AdjointError(this.toString());
    return this;
  }

  toString(): string {
    const { program, entry, of, order, points, directions, eps, tolerance } = this.settings;
    const verdict = this.passed ? "passed" : `FAILED for ${this.failed.join(", ")}`;
    const header =
      `checkGrads ${program}.${entry}, f = "${of}", order ${order}: ${verdict} ` +
      `(${points} points × ${directions} directions per leaf, eps ${eps}, tolerance ${tolerance})`;
    const width = Math.max(4, ...this.results.map((row) => row.name.length));
    const columns = `  ${"leaf".padEnd(width)}  order  ${"error".padEnd(9)}  ${"analytic".padEnd(23)}  numeric`;
    const rows = this.results.map(
      (row) =>
        `  ${row.name.padEnd(width)}  ${String(row.order).padEnd(5)}  ${row.error.toExponential(2).padEnd(9)}  ` +
        `${String(row.analytic).padEnd(23)}  ${row.numeric}${row.error <= tolerance ? "" : "  <- wrong"}`,
    );
    return [header, columns, ...rows].join("\n");
  }
}

/** The error measure of LeafError: relative above magnitude 1, absolute below it. */
export function relativeError(analytic: number, numeric: number, scale: number): number {
  const error = Math.abs(analytic - numeric) / Math.max(scale, 1);
  return Number.isNaN(error) ? Infinity : error;
}

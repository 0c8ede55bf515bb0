// The root of x³ + p·x − 1 = 0 by Newton's method in a compiled whileLoop, and dx/dp and d²x/dp²
// through the loop, beside the implicit-function theorem at the root:
//   F(x(p), p) = 0  ⇒  x' = −F_p/F_x = −x/(3x² + p)
//   and, differentiating again, F_xx·x'² + 2F_xp·x' + F_pp + F_x·x'' = 0  ⇒  x'' = −(6x·x'² + 2x')/(3x² + p)
// Run: npm run example:implicit
import { pathToFileURL } from "node:url";
import { createImplicit } from "../generated/implicit.ts";
import { tolerance } from "./implicit.graph.ts";

export interface ImplicitRow {
  readonly p: number;
  readonly iterations: number;
  readonly x: number;
  /** F(x, p) at the returned root. */
  readonly residual: number;
  readonly dx_dp: number;
  readonly d2x_dp2: number;
  /** The forward-mode tangent of x along ṗ = 1. */
  readonly x_dot: number;
  /** −F_p/F_x at the returned root. */
  readonly ift: number;
  /** −(F_xx·x'² + 2F_xp·x')/F_x at the returned root, with x' from the theorem. */
  readonly ift2: number;
}

export const parameters: readonly number[] = [0.1, 0.5, 1, 2, 5, 10, 100];

export function implicitTable(ps: readonly number[] = parameters): ImplicitRow[] {
  const model = createImplicit();
  return ps.map((p) => {
    const out = model.derivatives({ p, tolerance });
    const [x, dx_dp, d2x_dp2, iterations] = [
      out.x[0],
      out.dx_dp[0],
      out.d2x_dp2[0],
      out.iterations[0],
    ];
    const F_x = 3 * x * x + p;
    const ift = -x / F_x;
    return {
      p,
      iterations,
      x,
      residual: x * x * x + p * x - 1,
      dx_dp,
      d2x_dp2,
      x_dot: model.tangent({ p, tolerance }).x_dot[0],
      ift,
      ift2: -(6 * x * ift * ift + 2 * ift) / F_x,
    };
  });
}

export function relative(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

export function printTable(rows: readonly ImplicitRow[]): void {
  console.log(
    "x³ + p·x − 1 = 0 by Newton in a whileLoop (stop at |F| < 1e-13), differentiated in p",
  );
  console.log(
    `${"p".padStart(5)} ${"iter".padStart(4)} ${"x".padStart(19)} ${"dx/dp".padStart(19)} ${"vs IFT".padStart(8)} ${"d²x/dp²".padStart(19)} ${"vs IFT".padStart(8)} ${"ẋ vs IFT".padStart(8)}`,
  );
  // twelve significant digits, in exponent form below 10⁻³ so the columns stay aligned
  const number = (value: number) =>
    (Math.abs(value) < 1e-3 ? value.toExponential(11) : value.toPrecision(12)).padStart(19);
  for (const row of rows) {
    const error = (actual: number, expected: number) =>
      relative(actual, expected).toExponential(0).padStart(8);
    console.log(
      `${String(row.p).padStart(5)} ${String(row.iterations).padStart(4)} ${number(row.x)} ${number(row.dx_dp)} ${error(row.dx_dp, row.ift)} ${number(row.d2x_dp2)} ${error(row.d2x_dp2, row.ift2)} ${error(row.x_dot, row.ift)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = implicitTable();
  printTable(rows);
  const worst = (pick: (row: ImplicitRow) => number) =>
    Math.max(...rows.map(pick)).toExponential(1);
  console.log(
    `largest relative difference from the implicit-function theorem: dx/dp ${worst((r) => relative(r.dx_dp, r.ift))}, ` +
      `d²x/dp² ${worst((r) => relative(r.d2x_dp2, r.ift2))}, forward-mode ẋ ${worst((r) => relative(r.x_dot, r.ift))}`,
  );
}

// Derivatives of the compiled program against central differences along a random direction, and
// jvp against vjp (the dot-product test). A point is skipped where the differences show a kink
// (forward and backward differences disagree) or are not resolved (steps h and 2h disagree).
import type { Compiled } from "../compiler/api.ts";
import type { Rng } from "../runtime/random.ts";
import type { Node } from "../compiler/ir/node.ts";
import { collect, evaluate } from "./evaluate.ts";
import { FuzzFailure } from "./failure.ts";
import type { FuzzCase } from "./generate.ts";
import { shifted, unitDirection, writeValues, type Values } from "./values.ts";

export interface Tally {
  checked: number;
  skipped: number;
}

/** A value of the program at a point, and the branches its comparisons took there. */
type Fn = (values: Values) => { value: Float64Array; branches: string };

const h = 1e-5;

/** What central differences say about fn along `delta`, with how far to trust them. */
interface Estimate {
  readonly d: Float64Array;
  /** |D(h) − D(2h)|: truncation and rounding left in d. */
  readonly noise: number;
  /** |forward − backward difference|: large at a kink. */
  readonly kink: number;
  /** Rounding in the differences: a few ulps of the largest value (at least of the O(1) values inside), over h. */
  readonly rounding: number;
  /** The largest |value| of fn seen: derivatives far below it are rounding noise (θ is O(1)). */
  readonly largest: number;
  readonly finite: boolean;
}

function estimate(fn: Fn, base: Values, delta: Values): Estimate {
  const runs = [0, h, -h, 2 * h, -2 * h].map((s) => fn(shifted(base, delta, s)));
  const [f0, p1, m1, p2, m2] = runs.map((run) => run.value);
  // a comparison that flips within the steps: the difference spans two branches
  const stable = runs.every((run) => run.branches === runs[0].branches);
  const d = p1.map((p, k) => (p - m1[k]) / (2 * h));
  let noise = 0;
  let kink = 0;
  let largest = 0;
  let finite = true;
  for (let k = 0; k < d.length; k++) {
    noise = Math.max(noise, Math.abs(d[k] - (p2[k] - m2[k]) / (4 * h)));
    kink = Math.max(kink, Math.abs((p1[k] - f0[k]) / h - (f0[k] - m1[k]) / h));
    for (const v of [f0[k], p1[k], m1[k], p2[k], m2[k]]) {
      finite &&= Number.isFinite(v);
      largest = Math.max(largest, Math.abs(v));
    }
  }
  return {
    d,
    noise,
    kink,
    rounding: (1e-15 * Math.max(1, largest)) / h,
    largest,
    finite: finite && stable,
  };
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let k = 0; k < values.length; k++) max = Math.max(max, Math.abs(values[k]));
  return max;
}

/** Compares an analytic directional derivative with its estimate; false when the point is skipped. */
/** The compiled derivative at base + step·direction. */
type Analytic = (step: number) => Float64Array;

/**
 * Compares the compiled derivative at base with its estimate; false when the point is skipped:
 * the differences are not trustworthy, or (for a finite derivative) the mismatch is confined to
 * the point itself, with the derivative right just beside it: an inner value exactly at a kink
 * (abs(x²) at 0, a tie of minimum) where the composite is smooth, so any subgradient convention
 * shows. A NaN or infinite derivative of a finite, smooth function is never a convention.
 */
function compare(check: string, analyticAt: Analytic, est: Estimate): boolean {
  if (!est.finite) return false;
  const analytic = analyticAt(0);
  const scale = Math.max(maxAbs(analytic.filter(Number.isFinite)), maxAbs(est.d));
  // values and points are O(1): a derivative below 1e-13 is rounding noise, whatever it divides
  const floor = 100 * est.rounding + 1e-10 * est.largest + 1e-13;
  if (est.kink > 1e-3 * scale + floor || est.noise > 1e-3 * scale + floor) return false;
  const allowed = 1e-6 * scale + 10 * est.noise + floor;
  const wrong = (values: Float64Array) =>
    values.findIndex((value, k) => !(Math.abs(value - est.d[k]) <= allowed));
  const k = wrong(analytic);
  if (k >= 0) {
    if (analytic.every(Number.isFinite)) {
      const [after, before] = [analyticAt(h), analyticAt(-h)];
      if (wrong(after.map((a, i) => (a + before[i]) / 2)) < 0) return false;
    }
    throw new FuzzFailure(
      check,
      `component ${k} is ${analytic[k]}, central differences give ${est.d[k]} (allowed error ${allowed.toExponential(2)}; all: [${[...analytic]}] vs [${[...est.d]}])`,
    );
  }
  return true;
}

const inner = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k] * b[k];
  return sum;
};

const concat = (parts: readonly ArrayLike<number>[]) =>
  Float64Array.from(parts.flatMap((part) => [...Array.from(part)]));

export function checkDerivatives(
  fuzz: FuzzCase,
  compiled: Compiled,
  point: Values,
  rng: Rng,
  tallies: Record<string, Tally>,
): void {
  const { wrt, tangents, cotangent, directions } = fuzz.layout;
  const instance = compiled.create();
  const run = (entry: string, values: Values) => {
    writeValues(instance, fuzz.leaves, values);
    const outputs = compiled.entry(instance, entry)();
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, Float64Array.from(v)]));
  };
  const delta = unitDirection(wrt, point, rng);
  const base: Values = { ...point };
  tangents?.forEach((t, i) => (base[t] = delta[wrt[i]]));
  directions?.forEach((u, i) => (base[u] = delta[wrt[i]]));
  const tally = (check: string, checked: boolean) => {
    const t = (tallies[check] ??= { checked: 0, skipped: 0 });
    if (checked) t.checked++;
    else t.skipped++;
  };
  // what the differences evaluate: the original program, its stopGradient values held at base
  const fetched = (entry: string) => fuzz.program!.entries.find((e) => e.name === entry)!.fetch;
  const roots = fuzz.program!.entries.flatMap((e) => e.fetch.map(([, node]) => node));
  const frozen = evaluate(roots, base).stops;
  // the forward program: its comparisons are the user's branches, its nodes the ones with kinks
  const forward = fetched("value").map(([, node]) => node);
  const watch = new Set(collect(forward).map((node) => node.id));
  const at = (entry: string, key: string) => {
    const node = fetched(entry).find(([name]) => name === key)![1];
    return (values: Values) => {
      const {
        values: [value],
        branches,
      } = evaluate([node], values, { frozen, watch });
      return { value, branches };
    };
  };
  const gradAt = wrt.map((_, i) => at("grad", `d${i}`));
  const grads: Fn = (values) => {
    const runs = gradAt.map((fn) => fn(values));
    const branches = runs.map((run) => run.branches).join(";");
    return { value: concat(runs.map((run) => run.value)), branches };
  };
  const compiledGrads = (step: number) => {
    const out = run("grad", shifted(base, delta, step));
    return wrt.map((_, i) => out[`d${i}`]);
  };
  /** An entry's outputs (named prefix0, prefix1, ...) at base + step·dir, end to end. */
  const outputsAt = (entry: string, prefix: string, dir: Values) => (step: number) => {
    const out = run(entry, shifted(base, dir, step));
    return concat(wrt.map((_, i) => out[`${prefix}${i}`]));
  };
  const along = (parts: readonly Float64Array[], dir: Values) =>
    Float64Array.of(parts.reduce((sum, part, i) => sum + inner(part, dir[wrt[i]]), 0));
  const y = at("value", "y");
  const smoothAlong = (dir: Values) => smooth(forward, base, dir, frozen, watch);
  // a second derivative differentiates the gradient, so the gradient's own selects must hold too:
  // at a tie of maximum whose sides agree to first order, the gradient is continuous but bends
  const gradient = fetched("grad").map(([, node]) => node);
  const gradWatch = new Set(collect(gradient).map((node) => node.id));
  const gradientSmoothAlong = (dir: Values) =>
    smoothAlong(dir) && smooth(gradient, base, dir, frozen, gradWatch);
  const firstOrder = [
    "grad",
    ...(cotangent === undefined ? [] : ["vjp"]),
    ...(tangents === undefined ? [] : ["jvp"]),
    ...(directions === undefined ? [] : ["hvp"]),
  ];
  if (!smoothAlong(delta)) {
    for (const check of firstOrder) tally(check, false);
    return;
  }
  tally(
    "grad",
    compare("grad", (s) => along(compiledGrads(s), delta), estimate(at("value", "f"), base, delta)),
  );
  if (cotangent !== undefined) {
    const c = base[cotangent];
    const out = run("vjp", base);
    const bars = wrt.map((_, i) => out[`b${i}`]);
    const cy: Fn = (values) => {
      const run = y(values);
      return { value: Float64Array.of(inner(c, run.value)), branches: run.branches };
    };
    const barsAt = outputsAt("vjp", "b", delta);
    const alongBars = (step: number) =>
      Float64Array.of(inner(barsAt(step), concat(wrt.map((x) => delta[x]))));
    tally("vjp", compare("vjp", alongBars, estimate(cy, base, delta)));
    if (tangents !== undefined)
      tally("dot product", dotProduct(c, run("jvp", base).j, bars, delta, wrt));
  }
  if (tangents !== undefined)
    tally(
      "jvp",
      compare("jvp", (s) => run("jvp", shifted(base, delta, s)).j, estimate(y, base, delta)),
    );
  if (directions !== undefined && !gradientSmoothAlong(delta)) tally("hvp", false);
  else if (directions !== undefined) {
    tally("hvp", compare("hvp", outputsAt("hvp", "h", delta), estimate(grads, base, delta)));
  }
  const first = { [wrt[0]]: delta[wrt[0]].map((x) => x / Math.hypot(...delta[wrt[0]]) || 0) };
  if (fuzz.layout.hessian && !gradientSmoothAlong(first)) tally("hessian", false);
  else if (fuzz.layout.hessian) {
    const hv = (s: number) => matVec(run("hessian", shifted(base, first, s)).H, first[wrt[0]]);
    tally("hessian", compare("hessian", hv, estimate(gradAt[0], base, first)));
  }
  if (!smoothAlong(first)) {
    if (fuzz.layout.jacobian) tally("jacobian", false);
    return;
  }
  if (fuzz.layout.jacobian) {
    const jv = (s: number) => matVec(run("jacobian", shifted(base, first, s)).J, first[wrt[0]]);
    tally("jacobian", compare("jacobian", jv, estimate(y, base, first)));
  }
}

/**
 * Whether every value of the forward program is smooth through base along dir: no comparison
 * flips and no node bends (relu at 0, a tie of maximum), even where f itself does not show it
 * (min(x, relu(x)) is x, but its derivative there is a convention, not a derivative).
 */
function smooth(
  roots: readonly Node[],
  base: Values,
  dir: Values,
  frozen: ReadonlyMap<number, Float64Array>,
  watch: ReadonlySet<number>,
): boolean {
  const [m, c, p] = [-h, 0, h].map((s) =>
    evaluate(roots, shifted(base, dir, s), { frozen, watch }),
  );
  if (m.branches !== c.branches || p.branches !== c.branches) return false;
  for (const [id, center] of c.all) {
    const [before, after] = [m.all.get(id)!, p.all.get(id)!];
    for (let k = 0; k < center.length; k++) {
      const bend = Math.abs(after[k] - 2 * center[k] + before[k]);
      if (bend > 1e-7 * Math.max(1, Math.abs(center[k]))) return false;
    }
  }
  return true;
}

/** ⟨c, J·t⟩ = ⟨Jᵀ·c, t⟩ up to the rounding of either side. */
function dotProduct(
  c: Float64Array,
  jt: Float64Array,
  bars: readonly Float64Array[],
  t: Values,
  wrt: readonly string[],
): boolean {
  const terms = [
    ...c.map((ck, k) => ck * jt[k]),
    ...bars.flatMap((bar, i) => [...bar.map((b, k) => -b * t[wrt[i]][k])]),
  ];
  if (!terms.every(Number.isFinite)) return false;
  const lhs = inner(c, jt);
  const rhs = bars.reduce((sum, bar, i) => sum + inner(bar, t[wrt[i]]), 0);
  const scale = terms.reduce((sum, x) => sum + Math.abs(x), 0);
  // values are O(1): below 1e-13 both sides are rounding noise (a logsumexp of 0, say)
  if (!(Math.abs(lhs - rhs) <= 1e-9 * scale + 1e-13)) {
    throw new FuzzFailure("dot product", `⟨c, J·t⟩ = ${lhs} but ⟨Jᵀ·c, t⟩ = ${rhs}`);
  }
  return true;
}

/** A [...rows, ...cols] array times a vector of length cols. */
function matVec(matrix: Float64Array, v: Float64Array): Float64Array {
  const rows = matrix.length / v.length;
  return Float64Array.from({ length: rows }, (_, i) =>
    inner(matrix.subarray(i * v.length, (i + 1) * v.length), v),
  );
}

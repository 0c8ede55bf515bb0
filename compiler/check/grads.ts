// checkGrads: does the compiled derivative of a program's scalar match finite differences? For
// each float leaf in turn, random unit directions v along that leaf alone, at random points:
//   order 1: ⟨∇f, v⟩ against (f(x+εv) − f(x−εv)) / 2ε,
//   order 2: also H·v (forward over reverse) against (∇f(x+εv) − ∇f(x−εv)) / 2ε.
// Moving one leaf at a time puts a wrong derivative rule on exactly the leaves it affects.
import { compile } from "../api.ts";
import { sizeOf } from "../ir/shape.ts";
import type { Program } from "../ir/program.ts";
import type { Arena } from "@adjoint/runtime";
import { Rng } from "@adjoint/runtime/random";
import { GradCheckReport, relativeError, type CheckSettings, type LeafError } from "./report.ts";
import { buildCheckProgram, fail, findTarget, leafName, type Leaf, type Target } from "./target.ts";
import { LeafSampler, type ValueOptions } from "./values.ts";

export interface CheckGradsOptions extends ValueOptions {
  /** 1 (default): first derivatives; 2: first derivatives and Hessian-vector products. */
  readonly order?: 1 | 2;
  /** The entry point whose fetched scalar is f; by default the first that fetches one. */
  readonly entry?: string;
  /** Which fetched output is f; by default the entry's first scalar float output. */
  readonly of?: string;
  /** Names of the float inputs and params to check; by default every one f depends on. */
  readonly wrt?: readonly string[];
  /** Seed of the points and directions (default 0): the same seed checks the same numbers. */
  readonly seed?: number;
  /** Random points (default 2). */
  readonly points?: number;
  /** Random directions per leaf and point (default 2). */
  readonly directions?: number;
  /** Step of the central differences (default 1e-6, or 1e-3 for an f32 program). */
  readonly eps?: number;
  /** Largest error that passes (default 1e-6, or 1e-2 for an f32 program). */
  readonly tolerance?: number;
}

/**
 * Checks the derivatives of the scalar `f` that an entry point of `program` fetches, with respect
 * to its float inputs and params, against central differences. Integer and boolean inputs are held
 * at the values of `at`, or at random valid ones (indices below the size of what they index).
 * The user's program is not changed: a copy of its graph is differentiated and compiled.
 * A leaf reached only through g.stopGradient has a zero gradient but moves f, so it fails by
 * design: leave it out of `wrt`. Leaves fixed with `at` are still differentiated unless `wrt`
 * leaves them out.
 */
export async function checkGrads(
  program: Program,
  options: CheckGradsOptions = {},
): Promise<GradCheckReport> {
  const target = findTarget(program, options);
  const settings = settingsOf(target, options);
  const sampler = new LeafSampler(target, options);
  const { program: checked, directions } = buildCheckProgram(target, settings.order);
  const compiled = await compile(checked);
  const instance = compiled.create();
  // outputs by name, copied: views are overwritten by the next call
  const run = (entry: string, prefix: string, count: number) => {
    const outputs = compiled.entry(instance, entry)();
    return Array.from({ length: count }, (_, i) => Float64Array.from(outputs[`${prefix}_${i}`]));
  };
  const wrtCount = target.wrt.length;
  const views = new Map(target.leaves.map((leaf) => [leafName(leaf), viewOf(instance, leaf)]));
  const probe: Probe = {
    target,
    settings,
    views,
    value: () => compiled.entry(instance, "value")().f[0],
    gradient: () => run("gradient", "gradient", wrtCount),
    hvp: (along) => {
      directions.forEach((name, i) => instance.inputs[name].set(along[i]));
      return run("hvp", "hvp", wrtCount);
    },
  };
  const rng = new Rng(options.seed ?? 0);
  const worst = new Map<string, LeafError>();
  for (let point = 0; point < settings.points; point++) {
    for (const [name, values] of sampler.sample(rng)) views.get(name)!.set(values);
    for (const row of checkPoint(probe, rng)) {
      const key = `${row.order} ${row.name}`;
      const previous = worst.get(key);
      if (previous === undefined || row.error > previous.error) worst.set(key, row);
    }
  }
  const rows = [...worst.values()].sort((a, b) => a.order - b.order);
  return new GradCheckReport(settings, rows);
}

/** The compiled entry points and views one point is checked with. */
interface Probe {
  readonly target: Target;
  readonly settings: CheckSettings;
  readonly views: ReadonlyMap<string, Arena>;
  readonly value: () => number;
  readonly gradient: () => Float64Array[];
  /** H·v for v given per wrt leaf. */
  readonly hvp: (along: readonly Float64Array[]) => Float64Array[];
}

/** Every comparison at the point the views hold, each leaf moved along its own directions. */
function checkPoint(probe: Probe, rng: Rng): LeafError[] {
  const { target, settings, views } = probe;
  const gradients = probe.gradient();
  const rows: LeafError[] = [];
  target.wrt.forEach((leaf, i) => {
    const view = views.get(leafName(leaf))!;
    const base = Float64Array.from(view);
    for (let d = 0; d < settings.directions && view.length > 0; d++) {
      const move = new Move(view, base, unitDirection(rng, view.length), settings.eps);
      const analytic = dot(gradients[i], move.step);
      const numeric = move.difference(probe.value);
      const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
      const error = relativeError(analytic, numeric, scale);
      rows.push({ name: leafName(leaf), order: 1, error, analytic, numeric });
      if (settings.order === 2) rows.push(secondOrder(probe, i, move));
      view.set(base);
    }
  });
  return rows;
}

/** x ± εv for one leaf, as stored: rounding to the arena's type is part of the step taken. */
class Move {
  readonly plus: Float64Array;
  readonly minus: Float64Array;
  /** (x₊ − x₋) / 2ε: v, up to the arena's rounding. */
  readonly step: Float64Array;

  constructor(
    private readonly view: Arena,
    readonly base: Float64Array,
    direction: Float64Array,
    private readonly eps: number,
  ) {
    [this.plus, this.minus] = [1, -1].map((sign) => {
      view.set(base.map((x, k) => x + sign * eps * direction[k]));
      return Float64Array.from(view);
    });
    this.step = this.plus.map((x, k) => (x - this.minus[k]) / (2 * eps));
    view.set(base);
  }

  /** `fn` evaluated with the leaf at `values`. */
  at<T>(values: Float64Array, fn: () => T): T {
    this.view.set(values);
    return fn();
  }

  /** (fn(x₊) − fn(x₋)) / 2ε. */
  difference(fn: () => number): number {
    return (this.at(this.plus, fn) - this.at(this.minus, fn)) / (2 * this.eps);
  }
}

/** H·v from the compiled hvp against central differences of the compiled gradient along v. */
function secondOrder(probe: Probe, i: number, move: Move): LeafError {
  const { wrt } = probe.target;
  const along = wrt.map((leaf, j) => (j === i ? move.step : new Float64Array(sizeOf(leaf.shape))));
  const products = move.at(move.base, () => probe.hvp(along)).flatMap((part) => [...part]);
  const plus = move.at(move.plus, probe.gradient).flatMap((part) => [...part]);
  const minus = move.at(move.minus, probe.gradient).flatMap((part) => [...part]);
  const differences = plus.map((value, k) => (value - minus[k]) / (2 * probe.settings.eps));
  return { name: leafName(wrt[i]), order: 2, ...worstComponent(products, differences) };
}

/** The largest difference between two vectors, relative to the larger of their max norms. */
function worstComponent(analytic: readonly number[], numeric: readonly number[]) {
  const scale = Math.max(maxAbs(analytic), maxAbs(numeric));
  let worst = { error: 0, analytic: analytic[0] ?? 0, numeric: numeric[0] ?? 0 };
  analytic.forEach((a, k) => {
    const error = relativeError(a, numeric[k], scale);
    if (error > worst.error) worst = { error, analytic: a, numeric: numeric[k] };
  });
  return worst;
}

function settingsOf(target: Target, options: CheckGradsOptions): CheckSettings {
  const f32 = target.program.dtype === "f32";
  const order = options.order ?? 1;
  if (order !== 1 && order !== 2) fail(`order must be 1 or 2, got ${String(order)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    fail(`seed must be an integer from 0 to 4294967295, got ${String(seed)}`);
  }
  return {
    program: target.program.name,
    entry: target.entry.name,
    of: target.of,
    order,
    points: count("points", options.points ?? 2),
    directions: count("directions", options.directions ?? 2),
    eps: positive("eps", options.eps ?? (f32 ? 1e-3 : 1e-6)),
    tolerance: positive("tolerance", options.tolerance ?? (f32 ? 1e-2 : 1e-6)),
  };
}

function count(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    fail(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value))
    fail(`${name} must be a positive number, got ${String(value)}`);
  return value;
}

/** The view of an input, or of a param by its dotted path in the nested instance.params. */
function viewOf(instance: { inputs: object; params: object }, leaf: Leaf): Arena {
  if (leaf.op === "input") return (instance.inputs as Record<string, Arena>)[leaf.attrs.name];
  return leaf.attrs.name
    .split(".")
    .reduce(
      (group: unknown, key) => (group as Record<string, unknown>)[key],
      instance.params,
    ) as Arena;
}

/** A random unit vector (normal components, normalised): no axis preferred. */
function unitDirection(rng: Rng, size: number): Float64Array {
  const v = Float64Array.from({ length: size }, () => rng.normal());
  const norm = Math.sqrt(dot(v, v));
  return v.map((x) => x / norm);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * b[i];
  return total;
}

function maxAbs(values: readonly number[]): number {
  return values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}

// Generic derivative checks over the reference interpreter: central differences in a random
// direction (first order), Hessian-vector products (second order) and the dot-product test
// between jvp and vjp. Everything random comes from a seeded mulberry32, so runs repeat.
import { expect } from "vitest";
import { seeded } from "./random.ts";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret, type LeafValues } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { sizeOf, type Shape } from "../../compiler/ir/shape.ts";

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
export const mulberry32 = seeded;

export type Rng = () => number;

export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** A standard normal sample (Box-Muller), so random directions have no preferred axis. */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** One random unit vector spread over tensors of the given sizes. */
export function unitDirection(rng: Rng, sizes: readonly number[]): Float64Array[] {
  const parts = sizes.map((size) => Float64Array.from({ length: size }, () => gaussian(rng)));
  const norm = Math.sqrt(parts.reduce((total, part) => total + inner(part, part), 0));
  return parts.map((part) => part.map((value) => value / norm));
}

export function inner(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * b[i];
  return total;
}

/** A leaf of the function under test. */
export interface LeafSpec {
  readonly name: string;
  /** Scalar unless given. */
  readonly shape?: Shape;
  readonly kind?: "input" | "param";
  /** Values are drawn uniformly from this interval; keep it inside the function's domain. */
  readonly range?: readonly [number, number];
  /** An integer or boolean input (labels, indices, masks): never differentiated or perturbed. */
  readonly dtype?: "i32" | "bool";
  /** Fixed values instead of random ones (integer labels in range, say). */
  readonly values?: readonly number[];
}

/** Whether the checks differentiate with respect to this leaf. */
export function isReal(spec: LeafSpec): boolean {
  return spec.dtype === undefined;
}

/** The leaves the checks differentiate with respect to. */
function realLeaves(specs: readonly LeafSpec[], leaves: readonly Node[]): Node[] {
  return leaves.filter((_, i) => isReal(specs[i]));
}

/** Zero for the parts that belong to integer or boolean leaves, so they are never perturbed. */
function onlyReal(specs: readonly LeafSpec[], parts: readonly Float64Array[]): Float64Array[] {
  return parts.map((part, i) => (isReal(specs[i]) ? part : new Float64Array(part.length)));
}

/** The real parts of `parts`, in the order of realLeaves. */
function realParts<T>(specs: readonly LeafSpec[], parts: readonly T[]): T[] {
  return parts.filter((_, i) => isReal(specs[i]));
}

/** Builds the function under test from its leaves (in the order of the specs). */
export type Build = (g: ProgramBuilder, leaves: readonly Node[]) => Node;

export interface CheckOptions {
  readonly seed?: number;
  /** Step of the central difference. */
  readonly eps?: number;
  /** Relative tolerance of the comparison. */
  readonly rtol?: number;
}

const defaults = { seed: 1, eps: 1e-6, rtol: 1e-6 };

/** Random leaf values inside each spec's range. */
export function sampleLeaves(specs: readonly LeafSpec[], rng: Rng): Float64Array[] {
  return specs.map((spec) => {
    if (spec.values !== undefined) return Float64Array.from(spec.values);
    const [lo, hi] = spec.range ?? [-1, 1];
    const draw = () => (isReal(spec) ? uniform(rng, lo, hi) : Math.floor(uniform(rng, lo, hi)));
    return Float64Array.from({ length: sizeOf(spec.shape ?? []) }, draw);
  });
}

export function leafValues(
  specs: readonly LeafSpec[],
  values: readonly ArrayLike<number>[],
  extra: LeafValues = {},
): LeafValues {
  return { ...extra, ...Object.fromEntries(specs.map((spec, i) => [spec.name, values[i]])) };
}

/** values + step·direction, tensor by tensor. */
export function shifted(
  values: readonly Float64Array[],
  direction: readonly Float64Array[],
  step: number,
): Float64Array[] {
  return values.map((value, i) => value.map((v, k) => v + step * direction[i][k]));
}

function declare(g: ProgramBuilder, spec: LeafSpec): Node {
  if (spec.kind === "param") return g.param(spec.name, spec.shape);
  return g.input(spec.name, spec.shape, spec.dtype === undefined ? {} : { dtype: spec.dtype });
}

/** Builds a program whose single entry fetches `body`'s nodes; returns the program and the nodes. */
export function buildChecked<T extends Record<string, Node | readonly Node[]>>(
  specs: readonly LeafSpec[],
  body: (g: ProgramBuilder, leaves: readonly Node[]) => T,
): { readonly program: Program; readonly nodes: T } {
  let nodes: T | undefined;
  const built = program("checked", (g) => {
    nodes = body(
      g,
      specs.map((spec) => declare(g, spec)),
    );
    const fetch = Object.entries(nodes).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((node, i) => [`${name}${i}`, node] as const),
    );
    g.entry("check", { fetch: Object.fromEntries(fetch) });
  });
  // the extended graph must be as well-formed as the one the user wrote
  verify(built);
  return { program: built, nodes: nodes! };
}

/** A scalar from any output: the output itself, or ⟨y, W⟩ with fixed random weights W. */
export function scalarize(g: ProgramBuilder, y: Node, rng: Rng): Node {
  if (y.shape.length === 0) return y;
  const weights = Array.from({ length: sizeOf(y.shape) }, () => uniform(rng, -1, 1));
  return g.sum(g.mul(y, g.constant(weights, y.shape)));
}

/** Interprets scalar-valued `node` at the given leaf values. */
function scalarAt(node: Node, specs: readonly LeafSpec[], values: readonly Float64Array[]): number {
  const [data] = interpret([node], leafValues(specs, values));
  expect(data.length).toBe(1);
  return data[0];
}

/** |a − b| within rtol of the larger magnitude, plus an absolute floor for values near 0. */
export function close(a: number, b: number, rtol: number, atol: number): boolean {
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

/** Vector form of `close`, in the max norm. */
export function allClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rtol: number,
  atol: number,
): boolean {
  if (a.length !== b.length) return false;
  const scale = Math.max(maxAbs(a), maxAbs(b));
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= rtol * scale + atol)) return false;
  }
  return true;
}

export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

export interface Directional {
  /** ⟨∇f, δ⟩ from the gradient graph. */
  readonly analytic: number;
  /** (f(θ+εδ) − f(θ−εδ)) / 2ε. */
  readonly numeric: number;
  /** Rounding floor of the central difference, from |f|. */
  readonly atol: number;
}

/**
 * The numeric core of the first-order check, for any f: ⟨grad, δ⟩ against the central difference
 * in the random unit direction δ.
 */
export function directionalCheck(
  f: (theta: readonly Float64Array[]) => number,
  grad: readonly ArrayLike<number>[],
  theta: readonly Float64Array[],
  rng: Rng,
  eps = defaults.eps,
  restrict: (delta: Float64Array[]) => Float64Array[] = (delta) => delta,
): Directional {
  const delta = restrict(
    unitDirection(
      rng,
      theta.map((t) => t.length),
    ),
  );
  const analytic = grad.reduce((total, g, i) => total + inner(g, delta[i]), 0);
  const numeric = (f(shifted(theta, delta, eps)) - f(shifted(theta, delta, -eps))) / (2 * eps);
  // rounding in f(θ±εδ) is a few ulps of |f|, amplified by 1/2ε
  const atol = (2e-15 * Math.max(1, Math.abs(f(theta)))) / eps;
  return { analytic, numeric, atol };
}

export function expectDirectional(result: Directional, rtol = defaults.rtol): void {
  const { analytic, numeric, atol } = result;
  expect(
    close(analytic, numeric, rtol, atol),
    `⟨∇f, δ⟩ = ${analytic} but the central difference is ${numeric}`,
  ).toBe(true);
}

/**
 * First order: builds g.grad(f, leaves) in the graph and compares ⟨∇f, δ⟩ with the central
 * difference of the interpreted f in a random unit direction δ. Tensor outputs are reduced to
 * ⟨y, W⟩ with random weights first.
 */
export function checkGradient(
  specs: readonly LeafSpec[],
  build: Build,
  options: CheckOptions = {},
): Directional {
  const { seed, eps, rtol } = { ...defaults, ...options };
  const rng = mulberry32(seed);
  const theta = sampleLeaves(specs, rng);
  const { nodes } = buildChecked(specs, (g, leaves) => {
    const f = scalarize(g, build(g, leaves), rng);
    return { f, grads: g.grad(f, realLeaves(specs, leaves)) };
  });
  const realGrads = interpret(nodes.grads, leafValues(specs, theta));
  // integer leaves get a zero gradient here and a zero component in the direction
  let next = 0;
  const grads = specs.map((spec, i) =>
    isReal(spec) ? realGrads[next++] : new Float64Array(theta[i].length),
  );
  grads.forEach((grad, i) => expect(grad.length).toBe(sizeOf(specs[i].shape ?? [])));
  const f = (t: readonly Float64Array[]) => scalarAt(nodes.f, specs, t);
  const result = directionalCheck(f, grads, theta, rng, eps, (delta) => onlyReal(specs, delta));
  expectDirectional(result, rtol);
  return result;
}

export interface HessianVector {
  /** H·v by reverse over reverse: ∇⟨∇f, v⟩. */
  readonly reverse: Float64Array[];
  /** H·v by forward over reverse: the jvp of the gradient graph along v. */
  readonly forward: Float64Array[];
  /** (∇f(θ+εv) − ∇f(θ−εv)) / 2ε. */
  readonly numeric: Float64Array[];
}

/**
 * Second order: differentiates the gradient graph again. H·v = ∇⟨∇f, v⟩ (and the jvp of ∇f along v)
 * must match the central difference of the interpreted gradient along the unit vector v.
 */
export function checkHessianVector(
  specs: readonly LeafSpec[],
  build: Build,
  options: CheckOptions = {},
): HessianVector {
  const { seed, eps, rtol } = { ...defaults, ...options };
  const rng = mulberry32(seed);
  const theta = sampleLeaves(specs, rng);
  const v = onlyReal(
    specs,
    unitDirection(
      rng,
      theta.map((t) => t.length),
    ),
  );
  const { nodes } = buildChecked(specs, (g, leaves) => {
    const f = scalarize(g, build(g, leaves), rng);
    const wrt = realLeaves(specs, leaves);
    const grads = g.grad(f, wrt);
    const vs = realParts(
      specs,
      specs.map((spec, i) => g.constant([...v[i]], spec.shape ?? [])),
    );
    const gv = grads
      .map((grad, i) => g.sum(g.mul(grad, vs[i])))
      .reduce((total, term) => g.add(total, term));
    return { grads, hvReverse: g.grad(gv, wrt), hvForward: g.jvp(grads, wrt, vs) };
  });
  const at = (t: readonly Float64Array[], roots: readonly Node[]) =>
    interpret(roots, leafValues(specs, t));
  const plus = at(shifted(theta, v, eps), nodes.grads);
  const minus = at(shifted(theta, v, -eps), nodes.grads);
  const numeric = plus.map((p, i) => p.map((value, k) => (value - minus[i][k]) / (2 * eps)));
  const reverse = at(theta, nodes.hvReverse);
  const forward = at(theta, nodes.hvForward);
  // rounding in ∇f(θ±εv) is amplified by 1/2ε, relative to the gradient's size
  const atol = 1e-9 * Math.max(1, maxAbs(at(theta, nodes.grads).flatMap((g) => [...g])));
  const flat = (parts: readonly Float64Array[]) => parts.flatMap((part) => [...part]);
  expect(
    allClose(flat(reverse), flat(numeric), rtol, atol),
    `H·v = [${flat(reverse)}] but central differences of ∇f give [${flat(numeric)}]`,
  ).toBe(true);
  expect(
    allClose(flat(forward), flat(reverse), 1e-10, 1e-12),
    `forward-over-reverse H·v = [${flat(forward)}], reverse-over-reverse [${flat(reverse)}]`,
  ).toBe(true);
  return { reverse, forward, numeric };
}

export interface DotProduct {
  /** ⟨J·t, c⟩. */
  readonly jvpSide: number;
  /** ⟨t, Jᵀ·c⟩. */
  readonly vjpSide: number;
  /** J·t from g.jvp and from central differences of y along t. */
  readonly jt: Float64Array;
  readonly jtNumeric: Float64Array;
}

/**
 * The dot-product test: for random tangents t and cotangent c, ⟨J·t, c⟩ = ⟨t, Jᵀ·c⟩ with J·t from
 * g.jvp and Jᵀ·c from g.vjp (both fed as inputs). J·t is also checked against central differences.
 */
export function checkJvpVjp(
  specs: readonly LeafSpec[],
  build: Build,
  options: CheckOptions = {},
): DotProduct {
  const { seed, eps, rtol } = { ...defaults, ...options };
  const rng = mulberry32(seed);
  const theta = sampleLeaves(specs, rng);
  const tangentSpecs = realParts(specs, specs).map((spec) => ({
    ...spec,
    name: `${spec.name}_t`,
    kind: "input" as const,
  }));
  const t = sampleLeaves(tangentSpecs, rng);
  // the tangent of every leaf, zero for integer ones
  let next = 0;
  const fullT = specs.map((spec, i) =>
    isReal(spec) ? t[next++] : new Float64Array(sizeOf(specs[i].shape ?? [])),
  );
  let cShape: Shape = [];
  const { nodes } = buildChecked(specs, (g, leaves) => {
    const y = build(g, leaves);
    cShape = y.shape;
    const tangents = tangentSpecs.map((spec) => g.input(spec.name, spec.shape));
    const c = g.input("cotangent", y.shape);
    const wrt = realLeaves(specs, leaves);
    const [jt] = g.jvp([y], wrt, tangents);
    return { y, jt, jtc: g.vjp([y], [c], wrt) };
  });
  const [c] = sampleLeaves([{ name: "cotangent", shape: cShape }], rng);
  const feeds = leafValues(specs, theta, {
    ...leafValues(tangentSpecs, t),
    cotangent: c,
  });
  const [jt, ...jtc] = interpret([nodes.jt, ...nodes.jtc], feeds);
  const jvpSide = inner(jt, c);
  const vjpSide = jtc.reduce((total, bar, i) => total + inner(t[i], bar), 0);
  const scale = Math.max(1, maxAbs(jt), maxAbs(c));
  expect(
    close(jvpSide, vjpSide, 1e-10, 1e-12 * scale),
    `⟨J·t, c⟩ = ${jvpSide} but ⟨t, Jᵀ·c⟩ = ${vjpSide}`,
  ).toBe(true);
  const at = (values: readonly Float64Array[]) =>
    interpret([nodes.y], leafValues(specs, values))[0];
  const plus = at(shifted(theta, fullT, eps));
  const minus = at(shifted(theta, fullT, -eps));
  const jtNumeric = plus.map((p, k) => (p - minus[k]) / (2 * eps));
  const atol = 1e-9 * Math.max(1, maxAbs(at(theta)));
  expect(
    allClose(jt, jtNumeric, rtol, atol),
    `J·t = [${[...jt]}] but central differences give [${[...jtNumeric]}]`,
  ).toBe(true);
  return { jvpSide, vjpSide, jt, jtNumeric };
}

// Optimizers as DSL functions: each returns the [param, newValue] list for g.entry(name, { update }),
// so one generated entry point runs forward, backward and the update in place. State (velocities,
// moments, a step count) lives in params named after the param they belong to ("W1_m").
import type { Node } from "../ir/node.ts";
import { formatShape, sameShape, type Shape } from "../ir/shape.ts";
import { isNodeLeaf, isNodeValue, leavesOf, type NodeTree } from "../ir/tree.ts";
import { AdjointError } from "../errors.ts";
import { describeValue } from "./arguments.ts";
import { callerLoc } from "./loc.ts";
import type { ProgramBuilder } from "./program.ts";

/** One in-place assignment: the param and its new value. */
export type Update = readonly [Node, Node];

/** A number fixed at compile time, or a scalar node (an input, to change it between calls). */
export type Rate = number | Node;

export interface SgdOptions {
  readonly learningRate: Rate;
}

export interface MomentumOptions {
  readonly learningRate: Rate;
  /** μ in v := μ·v + ∇θ; 0.9 unless given. */
  readonly momentum?: number;
  /** Step along ∇θ + μ·v (the look-ahead gradient) instead of v. */
  readonly nesterov?: boolean;
  /** Names the state when one program holds several momentum optimizers: `W1_${name}_velocity`. */
  readonly name?: string;
}

export interface AdamOptions {
  /** 0.001 unless given. */
  readonly learningRate?: Rate;
  /** Decay of the first moment; 0.9 unless given. */
  readonly beta1?: number;
  /** Decay of the second moment; 0.999 unless given. */
  readonly beta2?: number;
  /** Added to √v̂ so a zero second moment does not divide by zero; 1e-8 unless given. */
  readonly epsilon?: number;
  /** Names the state when one program holds several Adams: `W1_${name}_m`, `${name}_step`. */
  readonly name?: string;
}

/** A param with its gradient and its path in the params record ("layer1.W"). */
interface Pair {
  readonly path: readonly string[];
  readonly param: Node;
  readonly grad: Node;
}

/** Plain gradient descent: θ := θ − α·∇θ. */
export function sgd(
  g: ProgramBuilder,
  params: NodeTree,
  grads: NodeTree,
  options: SgdOptions,
): Update[] {
  checkCall(g, "sgd", options);
  const lr = learningRate(g, "sgd", options.learningRate);
  return pairs(g, "sgd", params, grads).map(({ param, grad }) => [
    param,
    g.sub(param, g.mul(lr, grad)),
  ]);
}

/**
 * Heavy-ball momentum: v := μ·v + ∇θ, θ := θ − α·v; with `nesterov`, θ := θ − α·(∇θ + μ·v) with
 * the new v. Velocities start at zero and are named `${param}_velocity`.
 */
export function momentum(
  g: ProgramBuilder,
  params: NodeTree,
  grads: NodeTree,
  options: MomentumOptions,
): Update[] {
  const op = "momentum";
  checkCall(g, op, options);
  const lr = learningRate(g, op, options.learningRate);
  const mu = fraction(g, op, "momentum", options.momentum ?? 0.9);
  const suffix = stateSuffix(g, op, options.name, "momentum");
  return pairs(g, op, params, grads).flatMap(({ path, param, grad }) => {
    const velocity = stateParam(g, path, `${suffix}velocity`, param.shape);
    const newVelocity = g.add(g.mul(mu, velocity), grad);
    const direction = options.nesterov === true ? g.add(grad, g.mul(mu, newVelocity)) : newVelocity;
    return [
      [velocity, newVelocity],
      [param, g.sub(param, g.mul(lr, direction))],
    ] as const;
  });
}

/**
 * Adam with bias correction: t := t + 1, m := β₁m + (1−β₁)∇θ, v := β₂v + (1−β₂)(∇θ)²,
 * θ := θ − α·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). Moments are named `${param}_m` and
 * `${param}_v`, the shared step count `adam_step`; all start at zero.
 */
export function adam(
  g: ProgramBuilder,
  params: NodeTree,
  grads: NodeTree,
  options: AdamOptions = {},
): Update[] {
  const op = "adam";
  checkCall(g, op, options);
  const lr = learningRate(g, op, options.learningRate ?? 0.001);
  const beta1 = fraction(g, op, "beta1", options.beta1 ?? 0.9);
  const beta2 = fraction(g, op, "beta2", options.beta2 ?? 0.999);
  const epsilon = positive(g, op, "epsilon", options.epsilon ?? 1e-8);
  const suffix = stateSuffix(g, op, options.name, "adam");
  const list = pairs(g, op, params, grads);
  const step = stateParam(g, [], `${options.name ?? "adam"}_step`, []);
  const newStep = g.add(step, 1);
  // the corrections are scalars, computed once per call
  const correction1 = g.sub(1, g.power(beta1, newStep));
  const correction2 = g.sub(1, g.power(beta2, newStep));
  const updates: Update[] = list.flatMap(({ path, param, grad }) => {
    const m = stateParam(g, path, `${suffix}m`, param.shape);
    const v = stateParam(g, path, `${suffix}v`, param.shape);
    const newM = g.add(g.mul(beta1, m), g.mul(1 - beta1, grad));
    const newV = g.add(g.mul(beta2, v), g.mul(1 - beta2, g.square(grad)));
    const mHat = g.div(newM, correction1);
    const vHat = g.div(newV, correction2);
    const delta = g.div(g.mul(lr, mHat), g.add(g.sqrt(vHat), epsilon));
    return [
      [m, newM],
      [v, newV],
      [param, g.sub(param, delta)],
    ] as const;
  });
  return [[step, newStep], ...updates];
}

/** Params and gradients matched by path: the same nesting, params of the program, equal shapes. */
/** An optimizer takes the program's builder first and a record of options last. */
function checkCall(g: ProgramBuilder, op: string, options: unknown): void {
  if (typeof (g as { fail?: unknown } | undefined)?.fail !== "function") {
    throw new AdjointError(
      `${op}: the first argument must be the program's builder: ${op}(g, params, grads, options), got ${describeValue(g)}`,
      callerLoc(),
    );
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    g.fail(
      op,
      `options must be a record such as { learningRate: 0.1 }, got ${describeValue(options)}`,
    );
  }
}

function pairs(g: ProgramBuilder, op: string, params: NodeTree, grads: NodeTree): Pair[] {
  const paramLeaves = leavesOf(params, isNodeLeaf);
  const gradLeaves = leavesOf(grads, isNodeLeaf);
  const where = (path: readonly string[]) => (path.length === 0 ? "" : ` "${path.join(".")}"`);
  if (paramLeaves.length === 0) g.fail(op, `expects at least one param`);
  if (paramLeaves.length !== gradLeaves.length) {
    g.fail(op, `${paramLeaves.length} params but ${gradLeaves.length} gradients`);
  }
  return paramLeaves.map(([path, param], i) => {
    const [gradPath, grad] = gradLeaves[i];
    if (path.join(".") !== gradPath.join(".")) {
      g.fail(
        op,
        `params and gradients must have the same nesting: param "${path.join(".")}" meets gradient "${gradPath.join(".")}"`,
      );
    }
    if (!isNodeValue(param) || !g.graph.has(param) || param.op !== "param") {
      g.fail(op, `param${where(path)} is not a param of this program (declare it with g.param)`);
    }
    if (!isNodeValue(grad) || !g.graph.has(grad)) {
      g.fail(op, `gradient${where(path)} is not a node of this program`);
    }
    if (!sameShape(param.shape, grad.shape) || grad.dtype !== param.dtype) {
      g.fail(
        op,
        `param "${param.attrs.name}" is ${param.dtype}${formatShape(param.shape)} but its gradient is ${grad.dtype}${formatShape(grad.shape)}`,
      );
    }
    return { path: param.attrs.name.split("."), param, grad };
  });
}

/**
 * A zero-initialized param named `${name}_${tag}` beside the param at `path` ("layer1.W" gives
 * "layer1.W_m"), made through g.params so a nested param's state nests with it.
 */
function stateParam(g: ProgramBuilder, path: readonly string[], tag: string, shape: Shape): Node {
  const last = path.length === 0 ? tag : `${path[path.length - 1]}_${tag}`;
  const groups = path.slice(0, -1);
  const specs = groups.reduceRight<object>((inner, group) => ({ [group]: inner }), {
    [last]: [...shape],
  });
  const nodes = g.params(specs as Parameters<ProgramBuilder["params"]>[0]);
  return [...groups, last].reduce<unknown>(
    (record, key) => (record as Record<string, unknown>)[key],
    nodes,
  ) as Node;
}

/** "" for the default state names, `${name}_` when a name tells several optimizers apart. */
function stateSuffix(
  g: ProgramBuilder,
  op: string,
  name: string | undefined,
  fallback: string,
): string {
  if (name === undefined || name === fallback) return "";
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    g.fail(op, `name must be an identifier (letters, digits, _), got ${JSON.stringify(name)}`);
  }
  return `${name}_`;
}

/** A positive number, or a scalar float node of this program (checked when it runs: not here). */
function learningRate(g: ProgramBuilder, op: string, value: unknown): Rate {
  if (!isNodeValue(value)) return positive(g, op, "learningRate", value);
  if (!g.graph.has(value)) g.fail(op, `learningRate is a node of another program`);
  if (value.shape.length !== 0 || value.dtype !== g.graph.dtype) {
    g.fail(
      op,
      `learningRate must be a number or a scalar ${g.graph.dtype} node, got ${value.dtype}${formatShape(value.shape)}`,
    );
  }
  return value;
}

function positive(g: ProgramBuilder, op: string, what: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    g.fail(op, `${what} must be a finite number > 0, got ${describeValue(value)}`);
  }
  return value;
}

/** A decay rate β with 0 ≤ β < 1. */
function fraction(g: ProgramBuilder, op: string, what: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) {
    g.fail(op, `${what} must be a number with 0 ≤ ${what} < 1, got ${describeValue(value)}`);
  }
  return value;
}

// One maker per kind of DSL call: given the tensors in scope, it writes a valid call (or declines).
// Domains are kept by construction: a log, sqrt, reciprocal or divisor reads a positive wrapper,
// or sits in the taken branch of a where whose other branch may be NaN.
import { broadcastShapes, sameShape, sizeOf, type Shape } from "../compiler/ir/shape.ts";
import type { Node } from "../compiler/ir/node.ts";
import type { Choices } from "./choices.ts";
import { list, type Recorder } from "./record.ts";

export interface Tensor {
  readonly name: string;
  readonly node: Node;
}

export interface Context {
  readonly c: Choices;
  readonly r: Recorder;
}

/** Writes one expression reading the tensor `a`, or undefined when it does not apply to a. */
export type Maker = (ctx: Context, a: Tensor) => string | undefined;

const rank = (t: Tensor) => t.node.shape.length;

/** Another tensor in scope that broadcasts with `a`, or a number. */
function partner(ctx: Context, a: Tensor): string {
  return partnerOf(ctx, a.node.shape).name;
}

/** A tensor in scope that broadcasts with `shape` (or a number), and the shape they broadcast to. */
function partnerOf({ c, r }: Context, shape: Shape): { name: string; shape: Shape } {
  const fits = r.floats().filter((t) => broadcastShapes(t.node.shape, shape) !== undefined);
  if (c.chance(0.25) || fits.length === 0) return { name: String(c.number()), shape };
  const t = c.pick(fits);
  return { name: t.name, shape: broadcastShapes(t.node.shape, shape)! };
}

/** A tensor in scope of exactly `shape` (often `a` itself). */
function alike({ c, r }: Context, shape: Shape, fallback: string): string {
  const fits = r.floats().filter((t) => sameShape(t.node.shape, shape));
  return fits.length === 0 || c.chance(0.3) ? fallback : c.pick(fits).name;
}

/** A positive expression of `x`, so the domain of log, sqrt and 1/x holds everywhere. */
function positive({ c }: Context, x: string): string {
  return c.pick([
    `g.add(g.square(${x}), 0.5)`,
    `g.exp(g.tanh(${x}))`,
    `g.softplus(${x})`,
    `g.add(g.abs(${x}), 0.25)`,
    `g.sigmoid(${x})`,
  ]);
}

function axesOf({ c }: Context, shape: Shape): string {
  const n = shape.length;
  if (n === 0 || c.chance(0.3)) return "undefined";
  if (c.chance(0.4)) return String(c.int(n) - (c.chance(0.3) ? n : 0));
  const chosen = shape.map((_, i) => i).filter(() => c.chance(0.5));
  return list(chosen.length === 0 ? [n - 1] : chosen);
}

const smoothUnary = ["neg", "exp", "sin", "cos", "tanh", "square", "sigmoid", "softplus", "expm1"];
const kinkedUnary = ["abs", "relu", "sign", "stopGradient"];
const domainUnary = ["log", "sqrt", "reciprocal", "log1p"];
const binary = ["add", "sub", "mul", "maximum", "minimum"];
const compare = ["lt", "le", "gt", "ge", "eq"];
const reductions = ["sum", "mean", "max", "min", "prod", "logsumexp"];

const unary: Maker = ({ c }, a) =>
  `g.${c.pick(c.chance(0.75) ? smoothUnary : kinkedUnary)}(${a.name})`;

const domain: Maker = (ctx, a) => {
  const op = ctx.c.pick(domainUnary);
  if (ctx.c.chance(0.7)) return `g.${op}(${positive(ctx, a.name)})`;
  // the untaken branch is NaN or infinite where a ≤ 0: its gradient must not leak
  return `g.where(g.gt(${a.name}, 0.25), g.${op}(${a.name}), ${partner(ctx, a)})`;
};

const powers: Maker = (ctx, a) => {
  const p = ctx.c.pick([0, 1, 2, 3, -1, 0.5, 1.5, -2]);
  const base = Number.isInteger(p) && p >= 0 ? a.name : positive(ctx, a.name);
  return ctx.c.chance(0.7)
    ? `g.pow(${base}, ${p})`
    : `g.power(${positive(ctx, a.name)}, ${partner(ctx, a)})`;
};

const arithmetic: Maker = (ctx, a) => {
  const b = partner(ctx, a);
  if (ctx.c.chance(0.2)) return `g.div(${a.name}, ${positive(ctx, b)})`;
  if (ctx.c.chance(0.1)) return `g.clamp(${a.name}, -0.5, 0.7)`;
  const [x, y] = ctx.c.chance(0.5) ? [a.name, b] : [b, a.name];
  return `g.${ctx.c.pick(binary)}(${x}, ${y})`;
};

const select: Maker = (ctx, a) => {
  const other = partnerOf(ctx, a.node.shape);
  const cond = `g.${ctx.c.pick(compare)}(${a.name}, ${other.name})`;
  if (ctx.c.chance(0.2)) return `g.mul(${a.name}, g.stopGradient(g.cast(${cond}, "f64")))`;
  // the three operands of where broadcast together
  const yes = partnerOf(ctx, other.shape);
  const no = partnerOf(ctx, yes.shape);
  return `g.where(${cond}, ${yes.name}, ${no.name})`;
};

const reduce: Maker = (ctx, a) => {
  const axes = axesOf(ctx, a.node.shape);
  if (ctx.c.chance(0.1) && rank(a) > 0) return `g.prodExcept(${a.name}, ${axes})`;
  const keep = ctx.c.chance(0.4) ? ", true" : "";
  const op = ctx.c.pick(reductions);
  return axes === "undefined" && keep === ""
    ? `g.${op}(${a.name})`
    : `g.${op}(${a.name}, ${axes}${keep})`;
};

function factor(c: Choices, size: number): number[] {
  const dims: number[] = [];
  let rest = size;
  for (let k = c.int(3); k > 0; k--) {
    const divisors = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0);
    const d = c.pick(divisors);
    dims.push(d);
    rest /= d;
  }
  dims.push(rest);
  if (c.chance(0.3)) dims[c.int(dims.length)] = -1;
  return dims;
}

const reshape: Maker = ({ c }, a) =>
  `g.reshape(${a.name}, ${list(factor(c, sizeOf(a.node.shape)))})`;

const transpose: Maker = ({ c }, a) => {
  if (rank(a) < 2) return undefined;
  if (c.chance(0.3)) return `g.transpose(${a.name})`;
  const perm = a.node.shape.map((_, i) => i);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = c.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return `g.transpose(${a.name}, ${list(perm)})`;
};

const slice: Maker = ({ c }, a) => {
  if (rank(a) === 0) return undefined;
  const begin = a.node.shape.map((n) => c.int(n));
  const end = begin.map((b, i) => b + 1 + c.int(a.node.shape[i] - b));
  return `g.slice(${a.name}, ${list(begin)}, ${list(end)})`;
};

const pad: Maker = ({ c }, a) => {
  if (rank(a) === 0) return undefined;
  const before = a.node.shape.map(() => c.int(3));
  const after = a.node.shape.map(() => c.int(2));
  return `g.pad(${a.name}, ${list(before)}, ${list(after)})`;
};

const join: Maker = (ctx, a) => {
  const { c, r } = ctx;
  if (c.chance(0.4)) {
    const axis = c.int(rank(a) + 1);
    return `g.stack([${a.name}, ${alike(ctx, a.node.shape, a.name)}], ${axis})`;
  }
  if (rank(a) === 0) return undefined;
  const axis = c.int(rank(a));
  const fits = r
    .floats()
    .filter(
      (t) =>
        rank(t) === rank(a) && t.node.shape.every((n, i) => i === axis || n === a.node.shape[i]),
    );
  const b = c.pick(fits).name;
  return `g.concat([${a.name}, ${b}${c.chance(0.3) ? `, ${a.name}` : ""}], ${axis})`;
};

const broadcast: Maker = ({ c }, a) => {
  const shape = a.node.shape.map((n) => (n === 1 ? 1 + c.int(3) : n));
  const target = c.chance(0.6) ? [1 + c.int(3), ...shape] : shape;
  if (sameShape(target, a.node.shape)) return undefined;
  return `g.broadcastTo(${a.name}, ${list(target)})`;
};

/** An i32 input of `shape` with values in [0, bound), or (rarely) a constant cast to i32. */
function indices({ c, r }: Context, shape: Shape, bound: number): string {
  if (c.chance(0.15) && shape.length === 1) {
    const values = Array.from({ length: shape[0] }, () => c.int(bound));
    return `g.cast(g.constant(${list(values)}, ${list(shape)}), "i32")`;
  }
  if (c.chance(0.15) && shape.length === 1) {
    const flat = r.leaf(
      { shape: [1, ...shape], dtype: "i32", kind: "input", bound, role: "point" },
      "i",
    );
    return `g.reshape(${flat}, ${list(shape)})`;
  }
  return r.leaf({ shape, dtype: "i32", kind: "input", bound, role: "point" }, "i");
}

const gather: Maker = (ctx, a) => {
  if (rank(a) === 0) return undefined;
  const axis = ctx.c.int(rank(a));
  const shape = ctx.c.pick([[2], [3], [], [2, 2]]);
  const idx = indices(ctx, shape, a.node.shape[axis]);
  return axis === 0 && ctx.c.chance(0.5)
    ? `g.gather(${a.name}, ${idx})`
    : `g.gather(${a.name}, ${idx}, ${axis})`;
};

const scatter: Maker = (ctx, a) => {
  if (rank(a) === 0) return undefined;
  const axis = ctx.c.int(rank(a));
  const n = 1 + ctx.c.int(4);
  const idx = indices(ctx, [a.node.shape[axis]], n);
  const shape = a.node.shape.map((d, i) => (i === axis ? n : d));
  return `g.scatterAdd(${a.name}, ${idx}, ${axis}, ${list(shape)})`;
};

const oneHot: Maker = (ctx, a) => {
  const depth = 1 + ctx.c.int(4);
  const labels = indices(ctx, [1 + ctx.c.int(3)], depth);
  return `g.mul(g.oneHot(${labels}, ${depth}), ${ctx.c.chance(0.5) && rank(a) === 0 ? a.name : ctx.c.number()})`;
};

/** A tensor in scope of `shape`, or a new param of that shape. */
function operandOf(ctx: Context, shape: Shape): string {
  const fits = ctx.r.floats().filter((t) => sameShape(t.node.shape, shape));
  if (fits.length > 0 && ctx.c.chance(0.6)) return ctx.c.pick(fits).name;
  return ctx.r.leaf(
    { shape, dtype: "f64", kind: ctx.c.chance(0.5) ? "param" : "input", role: "point" },
    "w",
  );
}

const matmul: Maker = (ctx, a) => {
  const { c } = ctx;
  if (rank(a) === 1) {
    if (c.chance(0.5)) return `g.dot(${a.name}, ${operandOf(ctx, a.node.shape)})`;
    return `g.outer(${a.name}, ${operandOf(ctx, [1 + c.int(3)])})`;
  }
  if (rank(a) < 2) return undefined;
  const [rows, cols] = a.node.shape.slice(-2);
  const n = 1 + c.int(3);
  // a as the right operand, both transposed: op(b)·op(a) = bᵀ·aᵀ
  if (rank(a) === 2 && c.chance(0.2)) {
    return `g.matmul(${operandOf(ctx, [cols, n])}, ${a.name}, { transA: true, transB: true })`;
  }
  const transA = c.chance(0.4);
  const transB = c.chance(0.4);
  const k = transA ? rows : cols;
  const b = operandOf(ctx, transB ? [n, k] : [k, n]);
  const flags = [transA ? "transA: true" : "", transB ? "transB: true" : ""].filter(
    (f) => f !== "",
  );
  const options = flags.length === 0 ? "" : `, { ${flags.join(", ")} }`;
  return `g.matmul(${a.name}, ${b}${options})`;
};

const nn: Maker = (ctx, a) => {
  const { c } = ctx;
  if (rank(a) === 2 && c.chance(0.4)) {
    const [batch, classes] = a.node.shape;
    const labels = c.chance(0.7)
      ? indices(ctx, [batch], classes)
      : `g.softmax(${alike(ctx, a.node.shape, a.name)})`;
    return `g.softmaxCrossEntropy(${a.name}, ${labels})`;
  }
  if (c.chance(0.3)) return `g.meanSquaredError(${a.name}, ${alike(ctx, a.node.shape, a.name)})`;
  if (rank(a) === 0) return undefined;
  const axis = c.int(rank(a)) - (c.chance(0.5) ? rank(a) : 0);
  return `g.${c.pick(["softmax", "logSoftmax"])}(${a.name}, ${axis})`;
};

/** Custom rules that are the true derivative, so every check still holds. */
const custom: Maker = (ctx, a) => {
  const { c } = ctx;
  const b = alike(ctx, a.node.shape, a.name);
  return c.pick([
    `g.customVjp([${a.name}], (x) => g.tanh(x), ({ g: h, output, output_bar }) => [h.mul(output_bar, h.sub(1, h.square(output)))])`,
    `g.customVjp([${a.name}], (x) => g.sin(x), ({ g: h, inputs: [x], output_bar }) => [h.mul(output_bar, h.cos(x))])`,
    `g.customVjp([${a.name}, ${b}], (x, y) => g.mul(x, y), ({ g: h, inputs: [x, y], output_bar }) => [h.mul(output_bar, y), h.mul(output_bar, x)])`,
    // the rule builds with the program's own builder rather than the one it is handed
    `g.customVjp([${a.name}], (x) => g.square(x), ({ inputs: [x], output_bar }) => [g.mul(g.mul(2, x), output_bar)])`,
  ]);
};

/** Derivatives as values inside the program, so later transforms differentiate them again. */
const inner: Maker = (ctx, a) => {
  const leaves = ctx.r.leaves.filter((l) => l.dtype === "f64" && l.role === "point");
  if (leaves.length === 0) return undefined;
  const x = ctx.c.pick(leaves);
  if (ctx.c.chance(0.6)) return `g.grad(g.sum(g.mul(${a.name}, ${a.name})), ${x.name})`;
  const t = ctx.r.leaf({ shape: x.shape, dtype: "f64", kind: "input", role: "direction" }, "t");
  return `g.jvp([${a.name}], [${x.name}], [${t}])[0]`;
};

/** The trigonometric, hyperbolic and special functions, each kept inside its domain. */
const special: Maker = (ctx, a) => {
  const { c } = ctx;
  const x = a.name;
  const inside = `g.mul(0.9, g.tanh(${x}))`; // in (−0.9, 0.9)
  return c.pick([
    `g.${c.pick(["atan", "asinh", "erf", "erfc", "gelu"])}(${x})`,
    `g.gelu(${x}, { approximate: "tanh" })`,
    // bounded arguments: sinh and cosh of a long chain would overflow
    `g.${c.pick(["sinh", "cosh"])}(g.sin(${x}))`,
    `g.${c.pick(["tan", "asin", "acos", "atanh"])}(${inside})`,
    `g.acosh(g.add(1.25, ${positive(ctx, x)}))`,
    `g.${c.pick(["lgamma", "digamma"])}(${positive(ctx, x)})`,
    `g.atan2(${x}, ${positive(ctx, partner(ctx, a))})`,
    `g.logaddexp(${x}, ${partner(ctx, a)})`,
    `g.xlogy(${x}, ${positive(ctx, partner(ctx, a))})`,
  ]);
};

/** Rounding (piecewise constant: the checks skip the points beside a jump), mod and the tests. */
const rounding: Maker = (ctx, a) => {
  const { c } = ctx;
  const x = a.name;
  return c.pick([
    `g.add(${x}, g.${c.pick(["floor", "ceil", "round"])}(g.mul(${x}, 2)))`,
    `g.mod(${x}, ${positive(ctx, partner(ctx, a))})`,
    `g.where(g.${c.pick(["isFinite", "isNaN"])}(${x}), ${x}, ${partner(ctx, a)})`,
  ]);
};

/** Vector norms over random axes: the zero subgradient where a whole group is 0. */
const norms: Maker = (ctx, a) => {
  const axes = axesOf(ctx, a.node.shape);
  const ord = ctx.c.pick(["1", "2", "Infinity"]);
  const keep = ctx.c.chance(0.3) ? ", keepDims: true" : "";
  const where = axes === "undefined" ? "" : `, axes: ${axes}`;
  return `g.norm(${a.name}, { ord: ${ord}${where}${keep} })`;
};

/** Running sums and products along an axis, and positions of extremes (behind stopGradient). */
const along: Maker = (ctx, a) => {
  const { c } = ctx;
  const n = rank(a);
  if (n === 0) return undefined;
  const axis = c.int(n) - (c.chance(0.3) ? n : 0);
  const reverse = c.chance(0.3) ? ", true" : "";
  if (c.chance(0.25)) {
    const op = c.pick(["argmax", "argmin"]);
    const keep = c.chance(0.3) ? ", true" : "";
    const position = `g.cast(g.${op}(${a.name}, ${axis}${keep}), "f64")`;
    return `g.mul(${a.name}, g.stopGradient(g.sum(${position})))`;
  }
  return `g.${c.pick(["cumsum", "cumprod"])}(${a.name}, ${axis}${reverse})`;
};

/** Makers with their weights: elementwise work dominates, as in real programs. */
export const makers: readonly (readonly [Maker, number])[] = [
  [unary, 6],
  [domain, 3],
  [powers, 2],
  [arithmetic, 7],
  [select, 3],
  [reduce, 4],
  [reshape, 2],
  [transpose, 2],
  [slice, 2],
  [pad, 1],
  [join, 2],
  [broadcast, 2],
  [gather, 2],
  [scatter, 1],
  [oneHot, 1],
  [matmul, 3],
  [nn, 2],
  [custom, 1],
  [inner, 1],
  [special, 3],
  [rounding, 1],
  [norms, 1],
  [along, 1],
];

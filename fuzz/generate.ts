// A random program from a list of choices: leaves, a few op steps, a scalar f of the last tensors,
// and entry points for every transform (grad, vjp, jvp, hvp, hessian, jacobian) that checks read.
import { program } from "../compiler/program.ts";
import type { Program } from "../compiler/ir/program.ts";
import { sizeOf, type Shape } from "../compiler/ir/shape.ts";
import { Choices } from "./choices.ts";
import { makers, type Context, type Maker, type Tensor } from "./makers.ts";
import { list, programSource, Recorder, type LeafInfo } from "./record.ts";

/** Which entry points a program has, and the names the checks feed and read. */
export interface Layout {
  /** Float leaves f is differentiated with respect to. */
  readonly wrt: string[];
  /** Tangent inputs of the jvp entry, one per wrt. */
  tangents?: string[];
  /** Cotangent input of the vjp entry. */
  cotangent?: string;
  /** Direction inputs of the hvp entry, one per wrt. */
  directions?: string[];
  hessian?: boolean;
  jacobian?: boolean;
}

export interface FuzzCase {
  /** The program as DSL code: exactly what was run. */
  readonly source: string;
  readonly program?: Program;
  /** What building threw, if it did. */
  readonly error?: unknown;
  /** A bad call written on purpose: building must fail with a clear message naming `op`. */
  readonly provoked?: { readonly op: string };
  readonly leaves: readonly LeafInfo[];
  readonly layout: Layout;
}

const leafShapes: readonly Shape[] = [[], [3], [2, 3], [2, 2], [4], [1, 3], [2, 1, 3], [3, 1]];

/** The program `numbers` decodes to; with `steps`, those calls instead of random ones (for tests). */
export function generate(numbers: readonly number[], steps?: readonly string[]): FuzzCase {
  let recorder: Recorder | undefined;
  const layout: Layout = { wrt: [] };
  const bad: { provoked?: { op: string } } = {};
  try {
    // each run decodes the numbers afresh, so checkGrads can build the program again node for node
    const built = program("fuzz", (g) => {
      layout.wrt.length = 0;
      recorder = new Recorder(g);
      body({ c: new Choices(numbers), r: recorder }, layout, bad, steps);
    });
    const { provoked } = bad;
    return {
      source: programSource(recorder!.lines),
      program: built,
      provoked,
      leaves: recorder!.leaves,
      layout,
    };
  } catch (error) {
    const { provoked } = bad;
    const lines = recorder?.lines ?? [];
    return {
      source: programSource(lines),
      error,
      provoked,
      leaves: recorder?.leaves ?? [],
      layout,
    };
  }
}

/** Writes the program; `bad.provoked` is set before a bad call is written (which throws). */
function body(
  ctx: Context,
  layout: Layout,
  bad: { provoked?: { op: string } },
  fixed: readonly string[] | undefined,
): void {
  const { c, r } = ctx;
  const leafCount = 1 + c.int(3);
  for (let i = 0; i < leafCount; i++) {
    const kind = c.chance(0.5) ? "param" : "input";
    r.leaf({ shape: c.pick(leafShapes), dtype: "f64", kind, role: "point" }, "x");
  }
  if (fixed !== undefined) {
    for (const expr of fixed) r.value(expr);
    return declareEntries(ctx, layout);
  }
  const steps = 1 + c.int(10);
  const provokeAt = c.chance(0.03) ? c.int(steps) : -1;
  for (let step = 0; step < steps; step++) {
    const a = operand(ctx);
    if (step === provokeAt) {
      const call = badCall(ctx, a);
      bad.provoked = { op: call.op };
      r.value(call.expr);
      return;
    }
    r.value(weighted(c)(ctx, a) ?? `g.tanh(${a.name})`);
  }
  declareEntries(ctx, layout);
}

/** Recent tensors more often than old ones, so programs grow deep rather than wide. */
function operand({ c, r }: Context): Tensor {
  const floats = r.floats();
  const back = c.chance(0.7) ? c.int(Math.min(3, floats.length)) : c.int(floats.length);
  return floats[floats.length - 1 - back];
}

function weighted(c: Choices): Maker {
  const total = makers.reduce((sum, [, weight]) => sum + weight, 0);
  let at = c.int(total);
  for (const [maker, weight] of makers) {
    if (at < weight) return maker;
    at -= weight;
  }
  return makers[0][0];
}

/** f: a weighted sum of the last tensor (unequal weights, so a swapped gradient shows). */
function declareEntries(ctx: Context, layout: Layout): void {
  const { c, r } = ctx;
  const floats = r.floats();
  const y = floats[floats.length - 1];
  const shape = y.node.shape;
  const weights = Array.from({ length: sizeOf(shape) }, () =>
    c.number([0.5, -1.25, 2, 0.75, -0.3]),
  );
  const term =
    shape.length === 0
      ? `g.mul(${y.name}, ${weights[0]})`
      : `g.sum(g.mul(${y.name}, g.constant(${list(weights)}, ${list(shape)})))`;
  const other = floats[c.int(floats.length)];
  r.named("f", c.chance(0.3) ? `g.add(${term}, g.mean(${other.name}))` : term);
  r.statement(`g.entry("value", { fetch: { f, y: ${y.name} } });`);
  const wrt = r.leaves.filter((leaf) => leaf.dtype === "f64" && leaf.role === "point").slice(0, 3);
  layout.wrt.push(...wrt.map((leaf) => leaf.name));
  const xs = list2(layout.wrt);
  const fetchAll = (array: string, prefix: string) =>
    `{ ${layout.wrt.map((_, i) => `${prefix}${i}: ${array}[${i}]`).join(", ")} }`;
  r.named("d", `g.grad(f, ${xs})`);
  r.statement(`g.entry("grad", { fetch: ${fetchAll("d", "d")} });`);
  if (c.chance(0.5)) {
    layout.cotangent = r.leaf({ shape, dtype: "f64", kind: "input", role: "direction" }, "c");
    r.named("b", `g.vjp([${y.name}], [${layout.cotangent}], ${xs})`);
    r.statement(`g.entry("vjp", { fetch: ${fetchAll("b", "b")} });`);
  }
  if (c.chance(0.5)) {
    layout.tangents = wrt.map((leaf) => r.leaf({ ...leaf, kind: "input", role: "direction" }, "t"));
    r.named("j", `g.jvp([${y.name}], ${xs}, ${list2(layout.tangents)})`);
    r.statement(`g.entry("jvp", { fetch: { j: j[0] } });`);
  }
  if (c.chance(0.4)) {
    layout.directions = wrt.map((leaf) =>
      r.leaf({ ...leaf, kind: "input", role: "direction" }, "u"),
    );
    r.named("h", `g.hvp(f, ${xs}, ${list2(layout.directions)})`);
    r.statement(`g.entry("hvp", { fetch: ${fetchAll("h", "h")} });`);
  }
  const x0 = wrt[0];
  if (c.chance(0.3) && sizeOf(x0.shape) <= 6) {
    layout.hessian = true;
    r.statement(`g.entry("hessian", { fetch: { H: g.hessian(f, ${x0.name}) } });`);
  }
  if (c.chance(0.3) && sizeOf(x0.shape) * sizeOf(shape) <= 36) {
    layout.jacobian = true;
    const mode = c.pick(["", `, { mode: "forward" }`, `, { mode: "reverse" }`]);
    r.statement(`g.entry("jacobian", { fetch: { J: g.jacobian(${y.name}, ${x0.name}${mode}) } });`);
  }
}

const list2 = (names: readonly string[]) => `[${names.join(", ")}]`;

/** A call the DSL must reject with a clear message naming `op`. */
function badCall({ c, r }: Context, a: Tensor): { expr: string; op: string } {
  const shape = a.node.shape;
  const x = r.leaves[0].name;
  const bad: { expr: string; op: string }[] = [
    { expr: `g.reshape(${a.name}, [${sizeOf(shape) + 1}])`, op: "reshape" },
    { expr: `g.sum(${a.name}, ${shape.length})`, op: "sum" },
    {
      // one bound too many, and past the end: wrong for every rank, scalars included
      expr: `g.slice(${a.name}, ${list([...shape.map(() => 0), 0])}, ${list([...shape.map((n) => n + 1), 1])})`,
      op: "slice",
    },
    { expr: `g.where(${a.name}, ${a.name}, 0)`, op: "where" },
    { expr: `g.gather(g.reshape(${a.name}, [-1]), ${a.name})`, op: "gather" },
    { expr: `g.add(${a.name}, "x")`, op: "add" },
    {
      expr: `g.grad(g.concat([g.reshape(${a.name}, [-1]), g.constant([1, 2])]), ${x})`,
      op: "grad",
    },
    { expr: `g.pow(${a.name}, "2")`, op: "pow" },
    { expr: `g.transpose(${a.name}, ${list([...shape.map((_, i) => i), 0])})`, op: "transpose" },
    { expr: `g.matmul(${a.name}, g.input("bad", [${(shape.at(-1) ?? 1) + 1}, 2]))`, op: "matmul" },
  ];
  return c.pick(bad);
}

// Generated movement and indexing kernels against the interpreter: reshape, transpose, slice, pad,
// concat, stack, gather, scatterAdd and oneHot, with scalar inputs and outputs, their adjoints and
// tangents, f64 and f32; hand-derived embedding gradients; and out-of-range indices at run time.
import { describe, expect, it } from "vitest";
import { compile, program, type Node, type Program, type ProgramBuilder } from "adjoint";
import { AdjointRuntimeError } from "../../runtime/index.ts";
import { checkEntry, randomLeaves, type LeafArrays } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

/** Fixed values of the integer inputs (random floats would not be indices). */
const integers: LeafArrays = {
  ids: [2, 0, 2, 3, 2],
  pairs: [2, 0, 0, 1],
  id: [1],
  labels: [3, 0, 2],
};

/** Random values for the real leaves of `p`, the fixed ones for its integer leaves. */
function leavesOf(p: Program, seed: number, round: (v: number) => number = (v) => v): LeafArrays {
  const values = randomLeaves(p, seeded(seed), {}, round);
  for (const leaf of p.leaves) {
    if (leaf.dtype === "i32") values[leaf.attrs.name] = integers[leaf.attrs.name];
  }
  return values;
}

/**
 * Every movement kernel form: rank-0 inputs and outputs, one chunk and many, every index layout.
 * Entry "forward" fetches them, "grad" the adjoints of Σ_k Σ W_k∘y_k, "tangent" the tangents.
 */
function movement(g: ProgramBuilder): void {
  const x = g.input("x", [2, 3, 4]);
  const v = g.input("v", [5]);
  const s = g.input("s");
  const E = g.param("E", [4, 3]);
  const u = g.input("u", [5, 3]);
  const ids = g.input("ids", [5], { dtype: "i32" });
  const pairs = g.input("pairs", [2, 2], { dtype: "i32" });
  const id = g.input("id", [], { dtype: "i32" });
  const labels = g.input("labels", [3], { dtype: "i32" });
  const outputs: Node[] = [
    g.reshape(x, [4, 6]),
    g.reshape(s, [1, 1]),
    g.reshape(g.slice(v, [2], [3]), []),
    g.transpose(x, [2, 0, 1]),
    g.transpose(x, [1, 0, 2]),
    g.slice(x, [0, 1, 1], [2, 3, 3]),
    g.slice(v, [1], [4]),
    g.pad(x, [1, 0, 2], [0, 1, 1]),
    g.pad(v, [2], [1]),
    g.pad(s, [], []),
    g.concat([x, g.mul(x, 2)], 1),
    g.concat([v, g.reshape(s, [1]), v], 0),
    g.concat([x, g.slice(x, [0, 0, 3], [2, 3, 4])], -1),
    g.stack([v, g.mul(v, s)], 1),
    g.gather(E, ids),
    g.gather(x, pairs, 1),
    g.gather(v, id),
    g.gather(E, id),
    g.gather(x, ids, 2),
    g.scatterAdd(u, ids, 0, [4, 3]),
    g.scatterAdd(s, id, 0, [3]),
    g.scatterAdd(g.reshape(v, [1, 5]), ids, 1, [1, 4]),
    g.oneHot(labels, 4),
    g.oneHot(id, 3),
  ];
  const named = outputs.map((y, k) => g.name(y, `y${k}`));
  const loss = named
    .map((y, k) => g.sum(g.mul(y, g.input(`w${k}`, y.shape))))
    .reduce((total, term) => g.add(total, term));
  const wrt = [x, v, s, E, u];
  const bars = g.grad(loss, wrt);
  const tangents = wrt.map((leaf, k) => g.input(`t${k}`, leaf.shape));
  const dots = g.jvp(named, wrt, tangents);
  g.entry("forward", { fetch: Object.fromEntries(named.map((y, k) => [`y${k}`, y])) });
  g.entry("grad", {
    fetch: { loss, ...Object.fromEntries(bars.map((bar, k) => [`bar${k}`, bar])) },
  });
  g.entry("tangent", { fetch: Object.fromEntries(dots.map((dot, k) => [`dot${k}`, dot])) });
}

it("every movement and indexing kernel matches the interpreter for values, adjoints and tangents", async () => {
  const p = program("movement", movement);
  const compiled = await compile(p);
  const instance = compiled.create();
  for (const seed of [51, 52]) {
    const values = leavesOf(p, seed);
    for (const entry of ["forward", "grad", "tangent"])
      checkEntry(compiled, instance, p, entry, values, 1e-12);
  }
});

it("in an f32 program, the kernels match the interpreter on f32-rounded inputs", async () => {
  const p = program(
    "movement32",
    (g) => {
      const x = g.input("x", [2, 3]);
      const E = g.param("E", [4, 3]);
      const ids = g.input("ids", [5], { dtype: "i32" });
      const rows = g.gather(E, ids);
      const y = g.concat([g.transpose(x), g.pad(g.slice(x, [0, 1], [2, 3]), [1, 0], [0, 0])], 1);
      const loss = g.add(
        g.sum(g.mul(rows, rows)),
        g.sum(g.mul(y, g.oneHot(g.input("labels", [3], { dtype: "i32" }), 4))),
      );
      const [x_bar, E_bar] = g.grad(loss, [x, E]);
      g.entry("run", { fetch: { rows, y, loss, x_bar, E_bar } });
    },
    { dtype: "f32" },
  );
  const compiled = await compile(p);
  checkEntry(compiled, compiled.create(), p, "run", leavesOf(p, 53, Math.fround), 2e-6);
});

describe("an embedding lookup in generated code", () => {
  const lookup = program("lookup", (g) => {
    const E = g.param("E", [3, 2], { init: [1, 2, 3, 4, 5, 6] });
    const ids = g.input("ids", [3], { dtype: "i32" });
    const rows = g.gather(E, ids);
    const w = g.input("w", [3, 2]);
    const E_bar = g.grad(g.sum(g.mul(rows, w)), E);
    g.entry("run", { fetch: { rows, E_bar, hot: g.oneHot(ids, 3) } });
  });

  it("gathers rows and scatter-adds their adjoints, repeated indices accumulating", async () => {
    const compiled = await compile(lookup);
    const run = compiled.entry(compiled.create(), "run");
    const out = run({ ids: [2, 0, 2], w: [1, 2, 10, 20, 100, 200] });
    expect(Array.from(out.rows)).toEqual([5, 6, 1, 2, 5, 6]);
    expect(Array.from(out.E_bar)).toEqual([10, 20, 0, 0, 101, 202]);
    expect(Array.from(out.hot)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 1]);
    // the scatter starts from zeros on every call: a second call does not accumulate the first
    const again = run({ ids: [1, 1, 1], w: [1, 1, 1, 1, 1, 1] });
    expect(Array.from(again.E_bar)).toEqual([0, 0, 3, 3, 0, 0]);
    expect(Array.from(again.hot)).toEqual([0, 1, 0, 0, 1, 0, 0, 1, 0]);
  });

  it("checks every index it reads and imports checkIndex from the runtime", async () => {
    const compiled = await compile(lookup);
    expect(compiled.source).toMatch(
      /import \{[^}]*\bcheckIndex\b[^}]*\} from "@adjoint\/runtime\/core"/,
    );
    // the message names the entry, the op, the user's line and the input the indices come from
    // as prettier lays the call out: compared without whitespace
    const call = (text: string) => `checkIndex(ids[p]!,3,'${text}'`.replace(/\s+/g, "");
    const flat = compiled.source.replace(/\s+/g, "");
    expect(flat).toContain(
      call('lookup.run: gather along axis 0 of [3,2] (movement.test.ts:119) reading input "ids"'),
    );
    expect(flat).toContain(
      call(
        'lookup.run: scatterAdd along axis 0 of [3,2] (adjoint, movement.test.ts:119) reading input "ids"',
      ),
    );
    expect(flat).toContain(
      call('lookup.run: oneHot of depth 3 (movement.test.ts:122) reading input "ids"'),
    );
  });

  it("throws a runtime error naming the entry, the op, the input, the line and the index for an index out of range", async () => {
    const compiled = await compile(lookup);
    const run = compiled.entry(compiled.create(), "run");
    const w = [1, 1, 1, 1, 1, 1];
    // an input that is the index operand is range-checked as it is fed, before anything is written
    const fed = (value: number, at: number) =>
      `lookup.run: input "ids" (shape [3], i32) holds ${value} at [${at}] (element ${at}); ` +
      `it indexes gather along axis 0 of [3,2] (movement.test.ts:119), which takes whole numbers from 0 to 2`;
    expect(() => run({ ids: [0, 3, 1], w })).toThrow(AdjointRuntimeError);
    expect(() => run({ ids: [0, 3, 1], w })).toThrow(fed(3, 1));
    expect(() => run({ ids: [-1, 0, 1], w })).toThrow(fed(-1, 0));
    expect(() => run({ ids: [0, 1.5, 1], w })).toThrow(fed(1.5, 1));
    // written to the view (unchecked), the kernel's own check catches it
    const instance = compiled.create();
    instance.inputs.ids.set([0, 1.5, 1]);
    expect(() => compiled.entry(instance, "run")()).toThrow(
      'lookup.run: gather along axis 0 of [3,2] (movement.test.ts:119) reading input "ids": index 1.5 is out of range [0, 3)',
    );
  });

  it("checks labels in oneHot and indices in scatterAdd on their own", async () => {
    const p = program("labels", (g) => {
      const labels = g.input("labels", [2], { dtype: "i32" });
      const u = g.input("u", [2]);
      g.entry("run", {
        fetch: { hot: g.oneHot(labels, 2), sums: g.scatterAdd(u, labels, 0, [3]) },
      });
    });
    const compiled = await compile(p);
    const run = compiled.entry(compiled.create(), "run");
    expect(Array.from(run({ labels: [1, 1], u: [2, 5] }).hot)).toEqual([0, 1, 0, 1]);
    // labels index both oneHot (depth 2) and scatterAdd (size 3): the tighter bound is checked
    expect(() => run({ labels: [0, 2], u: [2, 5] })).toThrow(
      "it indexes oneHot of depth 2 (movement.test.ts:185), which takes whole numbers from 0 to 1",
    );
    const scatterOnly = program("scatter", (g) => {
      const at = g.input("at", [2], { dtype: "i32" });
      g.entry("run", { fetch: { sums: g.scatterAdd(g.input("u", [2]), at, 0, [3]) } });
    });
    const scatter = await compile(scatterOnly);
    const runScatter = scatter.entry(scatter.create(), "run");
    expect(Array.from(runScatter({ at: [2, 2], u: [2, 5] }).sums)).toEqual([0, 0, 7]);
    expect(() => runScatter({ at: [3, 0], u: [2, 5] })).toThrow(
      "it indexes scatterAdd along axis 0 of [3] (movement.test.ts:197), which takes whole numbers from 0 to 2",
    );
    const fresh = scatter.create();
    fresh.inputs.at.set([3, 0]);
    expect(() => scatter.entry(fresh, "run")()).toThrow(
      'scatter.run: scatterAdd along axis 0 of [3] (movement.test.ts:197) reading input "at": index 3 is out of range [0, 3)',
    );
  });
});

// Checkpointed loops: every policy's gradient equals the store-everything gradient bit for bit
// (Object.is on every element, so -0 and NaN count), in the interpreter and in generated code;
// higher orders through a checkpointed loop agree with the store-everything ones; the tape holds
// the checkpoints only; bad policies are clear errors naming the loop and the user's line.
import { describe, expect, it } from "vitest";
import {
  compile,
  interpret,
  program,
  type Node,
  type Program,
  type ProgramBuilder,
} from "../../compiler/index.ts";
import type { CheckpointPolicy } from "../../compiler/dsl/checkpoint.ts";
import { storedCarries } from "../../compiler/dsl/checkpoint.ts";
import { nodeText } from "../../compiler/ir/text.ts";
import { errorsIn } from "../support/errors.ts";
import { checkEntry, relativeError } from "../support/oracle.ts";
import { declareLeaves, derivatives, forms, type Scan } from "./forms.ts";

const expectError = errorsIn(import.meta.url);

/** g.scan with a checkpoint policy (nested loops get it too). */
const checkpointed =
  (checkpoint: CheckpointPolicy): Scan =>
  (g, body, init, xs, options) =>
    g.scan(body, init, xs, { ...options, checkpoint });

/** Index of the first element where a and b differ as Object.is sees them, or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectBitwise(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  const at = firstDifference(got, want);
  expect(at, `${label}: element ${at} is ${got[at]}, store-everything gives ${want[at]}`).toBe(-1);
}

const policies: readonly CheckpointPolicy[] = [{ every: 2 }, { every: 3 }, { every: 64 }];

describe.each(forms)("$name", (form) => {
  const leaves = { ...form.leaves, ...form.ints };
  const stored = derivatives(form, (g, body, init, xs, options) => g.scan(body, init, xs, options));
  const keys = Object.keys(stored.nodes);
  const want = interpret(
    keys.map((key) => stored.nodes[key]),
    leaves,
  );
  it.each(policies)("checkpointed %o: the gradient bit for bit, hvp and third order", (policy) => {
    const loop = derivatives(form, checkpointed(policy));
    const scans = loop.program.graph.nodes.filter((node) => node.op === "scan");
    expect(scans.some((node) => node.op === "scan" && node.attrs.checkpoint !== undefined)).toBe(
      true,
    );
    const got = interpret(
      keys.map((key) => loop.nodes[key]),
      leaves,
    );
    keys.forEach((key, i) => {
      if (key === "f" || key.startsWith("g_")) expectBitwise(got[i], want[i], key);
      // forward over reverse recomputes in another order of nesting: equal to rounding
      else expect(relativeError(got[i], want[i]), key).toBeLessThanOrEqual(1e-12);
    });
  });
});

/** A form's objective and gradient as one compiled entry. */
function gradientProgram(form: (typeof forms)[number], scan: Scan): Program {
  return program("form", (g) => {
    const leaf = declareLeaves(g, form);
    const f = form.build(g, scan, leaf);
    const names = Object.keys(form.leaves);
    const grads = g.grad(f, names.map(leaf));
    g.entry("grad", {
      fetch: { f, ...Object.fromEntries(names.map((name, k) => [`g_${name}`, grads[k]])) },
    });
  });
}

describe("generated code of the LSTM-like, nested and token forms, every 2 steps", () => {
  const picked = forms.filter((form) => /LSTM|nested|tokens/.test(form.name));
  it.each(picked)(
    "$name: the gradient bit for bit",
    async (form) => {
      const leaves = { ...form.leaves, ...form.ints } as Record<string, number[]>;
      const plain: Scan = (g, body, init, xs, options) => g.scan(body, init, xs, options);
      const want = await runAll(gradientProgram(form, plain), leaves, ["grad"]);
      const got = await runAll(gradientProgram(form, checkpointed({ every: 2 })), leaves, ["grad"]);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      for (const key of Object.keys(want)) expectBitwise(got[key], want[key], key);
    },
    120_000,
  );
});

/** An RK4 step of a damped pendulum, θ'' = −(g/l)·sin θ − c·θ', over `steps` steps of h. */
function pendulum(steps: number, checkpoint: CheckpointPolicy | undefined, reverse = false) {
  let fetched: Record<string, Node> = {};
  const built = program("pendulum", (g) => {
    const theta0 = g.input("theta0", [2]);
    const p = g.input("p", [2]);
    const obs = g.input("obs", [steps]);
    const h = 0.05;
    const field = (s: Node) => {
      const [th, om] = [g.slice(s, [0], [1]), g.slice(s, [1], [2])];
      const [w2, c] = [g.slice(p, [0], [1]), g.slice(p, [1], [2])];
      return g.concat([om, g.sub(g.neg(g.mul(w2, g.sin(th))), g.mul(c, om))]);
    };
    const [sT, misfits] = g.scan(
      (s: Node, o: Node) => {
        const k1 = field(s);
        const k2 = field(g.add(s, g.mul(h / 2, k1)));
        const k3 = field(g.add(s, g.mul(h / 2, k2)));
        const k4 = field(g.add(s, g.mul(h, k3)));
        const sum = g.add(g.add(k1, g.mul(2, k2)), g.add(g.mul(2, k3), k4));
        const next = g.add(s, g.mul(h / 6, sum));
        return [next, g.square(g.sub(g.reshape(g.slice(next, [0], [1]), []), o))];
      },
      theta0,
      obs,
      { reverse, ...(checkpoint === undefined ? {} : { checkpoint }) },
    );
    const loss = g.add(g.sum(misfits), g.sum(g.square(sT)));
    const [theta0_bar, p_bar, obs_bar] = g.grad(loss, [theta0, p, obs]);
    fetched = { loss, theta0_bar, p_bar, obs_bar };
    g.entry("grad", { fetch: fetched });
    g.entry("hvp", { fetch: { hv: g.hvp(loss, [p], [g.constant([0.3, -0.7], [2])])[0] } });
  });
  return { built, fetched };
}

const pendulumLeaves = (steps: number) => ({
  theta0: [0.9, -0.1],
  p: [9.81 / 1.3, 0.4],
  obs: Array.from({ length: steps }, (_, i) => 0.8 * Math.cos(0.3 * i) * Math.exp(-0.02 * i)),
});

/** Runs entries of the generated module, compiled once: their outputs, copied out. */
async function runAll(
  built: Program,
  leaves: Record<string, number[]>,
  entries: readonly string[] = ["grad", "hvp"],
) {
  const compiled = await compile(built);
  const instance = compiled.create();
  const outputs: Record<string, Float64Array> = {};
  for (const entry of entries) {
    const out = compiled.entry(instance, entry)(leaves) as Record<string, ArrayLike<number>>;
    for (const [key, value] of Object.entries(out)) outputs[key] = Float64Array.from(value);
  }
  return outputs;
}

describe("an RK4 pendulum in generated code", () => {
  const cases: readonly (readonly [string, number, CheckpointPolicy, boolean])[] = [
    ["40 steps, every 6 (a last segment of 4)", 40, { every: 6 }, false],
    ["40 steps in reverse, every 6", 40, { every: 6 }, true],
    ["40 steps, a budget of 12 carries (two levels)", 40, { budget: 12 }, false],
    ["40 steps, every 40", 40, { every: 40 }, false],
    ["1 step, every 2", 1, { every: 2 }, false],
  ];
  it.each(cases)(
    "%s: the gradient bit for bit, the hvp to rounding",
    async (_, steps, policy, reverse) => {
      const leaves = pendulumLeaves(steps);
      const all = pendulum(steps, undefined, reverse);
      const some = pendulum(steps, policy, reverse);
      const [want, got] = [await runAll(all.built, leaves), await runAll(some.built, leaves)];
      for (const key of Object.keys(all.fetched)) expectBitwise(got[key], want[key], key);
      expect(relativeError(got.hv, want.hv)).toBeLessThanOrEqual(1e-12);
    },
    300_000,
  );

  it("two levels in reverse, through the interpreter: the gradient bit for bit", () => {
    const leaves = pendulumLeaves(40);
    const [all, some] = [pendulum(40, undefined, true), pendulum(40, { budget: 12 }, true)];
    const keys = Object.keys(all.fetched);
    const want = interpret(
      keys.map((key) => all.fetched[key]),
      leaves,
    );
    const got = interpret(
      keys.map((key) => some.fetched[key]),
      leaves,
    );
    keys.forEach((key, i) => expectBitwise(got[i], want[i], key));
  });

  it("tapes ceil(T/k) carries: 40 steps every 6 keep 7 states of 2", () => {
    const { built } = pendulum(40, { every: 6 });
    const forward = built.graph.nodes.find(
      (node) => node.op === "scan" && node.attrs.checkpoint !== undefined,
    )!;
    // final carry 2, stacked misfits 40, tape 7 × 2
    expect(forward.shape).toEqual([2 + 40 + 7 * 2]);
    // the strides are the node's only new attribute, printed in the text form
    expect(nodeText(forward).split("\n")[0]).toContain("checkpoint=[6]");
  });

  it("a budget picks the fewest levels that fit, and the nesting among them that keeps fewest", () => {
    const strides = (steps: number, budget: number) => {
      const { built } = pendulum(steps, { budget });
      const scan = built.graph.nodes.find((node) => node.op === "scan")!;
      return scan.op === "scan" ? scan.attrs.checkpoint : undefined;
    };
    // 40 steps fit a budget of 40: every carry
    expect(strides(40, 40)).toBeUndefined();
    // one level keeps ceil(40/k) checkpoints, a segment of k and the last of 40 mod k: least at
    // k = 5, 8 + 5 + 0 = 13 (k = 6 keeps 7 + 6 + 4 = 17, k = 8 keeps 5 + 8 + 0 = 13 too)
    expect(strides(40, 16)).toEqual([5]);
    expect(storedCarries(40, [5])).toBe(13);
    // 12 needs two levels: [20, 4] keeps 2 checkpoints, then a segment of 20 keeps 5 + 4
    expect(strides(40, 12)).toEqual([20, 4]);
    expect(storedCarries(40, [20, 4])).toBe(2 + 5 + 4);
  });
});

describe("bad checkpoint policies", () => {
  const scanWith = (checkpoint: unknown) => (g: ProgramBuilder) => {
    const h = g.input("h", [2]);
    const options = { length: 9, checkpoint: checkpoint as CheckpointPolicy };
    g.scan((c: Node) => [g.sin(c), []], h, undefined, options); // @policy
  };
  it.each([
    ["zero", { every: 0 }, "scan: checkpoint: every must be a positive integer, got 0"],
    ["fraction", { every: 2.5 }, "scan: checkpoint: every must be a positive integer, got 2.5"],
    [
      "string",
      "some",
      'scan: checkpoint: expected "all", { every: k } or { budget: n }, got the string "some"',
    ],
    [
      "keys",
      { every: 2, budget: 3 },
      'scan: checkpoint: expected "all", { every: k } or { budget: n }, got an object with {every, budget}',
    ],
    [
      "budget",
      { budget: 2 },
      "scan: checkpoint: a budget of 2 carries is too small for 9 steps (the least is",
    ],
  ])("%s", (_, policy, message) => {
    expectError(scanWith(policy), [message], "policy");
  });

  it("a whileLoop refuses a policy rather than ignore it", () => {
    expectError(
      (g) => {
        const x = g.input("x", [2]);
        const options = { maxIterations: 8, checkpoint: { every: 2 } } as never;
        const [holds, halve] = [(v: Node) => g.gt(g.sum(v), 0), (v: Node) => g.mul(v, 0.5)];
        g.whileLoop(holds, halve, x, options); // @while
      },
      ["whileLoop: checkpoint is not supported for whileLoop (it tapes every step that ran)"],
      "while",
    );
  });
});

describe("a checkpointed loop under every lowering", () => {
  // 13 steps in a budget of 9 carries: every 3, 5 checkpoints + a segment of 3 + the last 1
  const built = program("lowered", (g) => {
    const x0 = g.input("x0", [2]);
    const k = g.input("k", [2]);
    const xs = g.input("xs", [13, 2]);
    const [xT, ys] = g.scan(
      (x: Node, s: Node) => {
        const next = g.add(g.mul(x, k), g.mul(0.1, g.sin(g.add(x, s))));
        return [next, g.sum(g.square(next))];
      },
      x0,
      xs,
      { checkpoint: { budget: 9 } },
    );
    const f = g.add(g.sum(g.exp(xT)), g.sum(ys));
    const [x0_bar, k_bar, xs_bar] = g.grad(f, [x0, k, xs]);
    g.entry("grad", { fetch: { f, x0_bar, k_bar, xs_bar } });
  });
  const leaves = {
    x0: [0.3, -0.2],
    k: [0.9, 1.1],
    xs: Array.from({ length: 26 }, (_, i) => Math.sin(i)),
  };
  it("picks every 3 for the budget", () => {
    const scan = built.graph.nodes.find((node) => node.op === "scan")!;
    expect(scan.op === "scan" && scan.attrs.checkpoint).toEqual([3]);
    expect(storedCarries(13, [3])).toBe(5 + 3 + 1);
  });
  it.each([
    ["fusion off", { fusion: false }, 0],
    ["small functions", { maxFunctionLines: 12 }, 0],
    // an f32 arena against the f64 interpreter: a float32 rounding per stored value
    ["f32", { dtype: "f32" as const }, 1e-5],
  ] as const)(
    "%s: as the interpreter says",
    async (_, options, tolerance) => {
      const compiled = await compile(built, options);
      const round = "dtype" in options ? Math.fround : (x: number) => x;
      const fed = Object.fromEntries(
        Object.entries(leaves).map(([name, values]) => [name, values.map(round)]),
      );
      checkEntry(compiled, compiled.create(), built, "grad", fed, tolerance);
    },
    120_000,
  );
});

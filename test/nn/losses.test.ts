// Activations and losses of compiler/dsl/nn.ts: softmax, logSoftmax, softmaxCrossEntropy and
// meanSquaredError against independent formulas, the clean gradient softmax − onehot by hand, finite
// values and gradients at logits of ±1000, the generic derivative checks, and the label errors.
import { describe, expect, it } from "vitest";
import { compile, interpret, program, type ProgramBuilder } from "adjoint";
import {
  buildChecked,
  checkGradient,
  checkHessianVector,
  checkJvpVjp,
  type Build,
  type LeafSpec,
} from "../support/gradcheck.ts";
import { checkEntry, expectClose, randomLeaves } from "../support/oracle.ts";
import { seeded, uniform } from "../support/random.ts";
import { failure } from "../support/errors.ts";

/** Row-major rows of length `width`. */
function rows(data: ArrayLike<number>, width: number): number[][] {
  return Array.from({ length: data.length / width }, (_, r) =>
    Array.from(data).slice(r * width, (r + 1) * width),
  );
}

/** softmax of one row by its definition, exp(h_i) / Σ exp(h_j) (logits kept small). */
function softmaxRow(row: readonly number[]): number[] {
  const exps = row.map(Math.exp);
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Interprets `build` once on fixed values of its leaves. */
function evaluate(leaves: readonly LeafSpec[], build: Build, values: readonly number[][]) {
  const { nodes } = buildChecked(leaves, (g, nodes) => ({ y: build(g, nodes) }));
  const feeds = Object.fromEntries(leaves.map((leaf, i) => [leaf.name, values[i]]));
  return interpret([nodes.y], feeds)[0];
}

const logits34 = uniform(seeded(3), 12, -3, 3);

describe("softmax and logSoftmax", () => {
  it("match exp(h_i) / Σ exp(h_j) along the last axis", () => {
    const leaves = [{ name: "h", shape: [3, 4] }];
    const y = evaluate(leaves, (g, [h]) => g.softmax(h), [logits34]);
    expectClose(y, rows(logits34, 4).flatMap(softmaxRow), 1e-15, "softmax");
    const log = evaluate(leaves, (g, [h]) => g.logSoftmax(h), [logits34]);
    expectClose(log, rows(logits34, 4).flatMap(softmaxRow).map(Math.log), 1e-14, "logSoftmax");
  });

  it("normalise along axis 0 when asked", () => {
    const y = evaluate([{ name: "h", shape: [3, 4] }], (g, [h]) => g.softmax(h, 0), [logits34]);
    // column j of the [3,4] matrix is rows(·)[*][j]
    const columns = [0, 1, 2, 3].map((j) => softmaxRow([0, 1, 2].map((i) => logits34[i * 4 + j])));
    const expected = [0, 1, 2].flatMap((i) => columns.map((column) => column[i]));
    expectClose(y, expected, 1e-15, "softmax along axis 0");
  });

  it("stay finite at logits of ±1000, where exp overflows", () => {
    const h = [1000, -1000, 999, -1000, -1000, -1000];
    const leaves = [{ name: "h", shape: [2, 3] }];
    const y = evaluate(leaves, (g, [x]) => g.softmax(x), [h]);
    // row 1: e^0 : e^-2000 : e^-1 ; row 2: three equal logits
    const e = Math.exp(-1);
    // log Σ exp h ≈ ±1000 is rounded to ulp(1000) ≈ 1e-13, which exp(h − log Σ exp h) carries over
    expectClose(y, [1 / (1 + e), 0, e / (1 + e), 1 / 3, 1 / 3, 1 / 3], 1e-12, "softmax at ±1000");
    const log = evaluate(leaves, (g, [x]) => g.logSoftmax(x), [h]);
    const l = Math.log1p(e);
    expectClose(
      log,
      [-l, -2000 - l, -1 - l, -Math.log(3), -Math.log(3), -Math.log(3)],
      1e-12,
      "logSoftmax",
    );
  });
});

describe("softmaxCrossEntropy values", () => {
  const labels = [2, 0, 3];
  const oneHot = labels.flatMap((y) => [0, 1, 2, 3].map((j) => (j === y ? 1 : 0)));
  // l = −h_y + log Σ_j exp h_j, row by row
  const expected = rows(logits34, 4).map(
    (row, r) => -row[labels[r]] + Math.log(row.reduce((t, h) => t + Math.exp(h), 0)),
  );

  it("with integer labels: −h_y + log Σ exp h_j per row", () => {
    const leaves: LeafSpec[] = [
      { name: "h", shape: [3, 4] },
      { name: "y", shape: [3], dtype: "i32" },
    ];
    const y = evaluate(leaves, (g, [h, t]) => g.softmaxCrossEntropy(h, t), [logits34, labels]);
    expect(Array.from(y).length).toBe(3);
    expectClose(y, expected, 1e-14, "integer labels");
  });

  it("with one-hot labels: the same values", () => {
    const leaves = [
      { name: "h", shape: [3, 4] },
      { name: "y", shape: [3, 4] },
    ];
    const y = evaluate(leaves, (g, [h, t]) => g.softmaxCrossEntropy(h, t), [logits34, oneHot]);
    expectClose(y, expected, 1e-14, "one-hot labels");
  });

  it("with probability rows: −Σ p_j log softmax(h)_j", () => {
    const p = [0.5, 0.25, 0.25, 0, 0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0];
    const leaves = [
      { name: "h", shape: [3, 4] },
      { name: "p", shape: [3, 4] },
    ];
    const y = evaluate(leaves, (g, [h, t]) => g.softmaxCrossEntropy(h, t), [logits34, p]);
    const soft = rows(logits34, 4).map(softmaxRow);
    const want = rows(p, 4).map(
      (row, r) => -row.reduce((t, pj, j) => t + pj * Math.log(soft[r][j]), 0),
    );
    expectClose(y, want, 1e-14, "probability labels");
  });

  it("keeps every leading axis: logits [2,3,4] and labels [2,3] give [2,3]", () => {
    const h = uniform(seeded(4), 24, -2, 2);
    const t = [0, 1, 2, 3, 3, 1];
    const leaves: LeafSpec[] = [
      { name: "h", shape: [2, 3, 4] },
      { name: "y", shape: [2, 3], dtype: "i32" },
    ];
    const { nodes } = buildChecked(leaves, (g, [x, y]) => ({ l: g.softmaxCrossEntropy(x, y) }));
    expect(nodes.l.shape).toEqual([2, 3]);
    const [l] = interpret([nodes.l], { h, y: t });
    const want = rows(h, 4).map((row, r) => -Math.log(softmaxRow(row)[t[r]]));
    expectClose(l, want, 1e-14, "rank 3");
  });
});

describe("the gradient of softmaxCrossEntropy is softmax − onehot", () => {
  // h = [ln 1, ln 2, ln 3, ln 4] has softmax [0.1, 0.2, 0.3, 0.4]; h = 0 has softmax 1/4 everywhere
  const h = [0, Math.log(2), Math.log(3), Math.log(4), 0, 0, 0, 0];
  const labels = [2, 0];
  const byHand = {
    // l = log 10 − log 3 and log 4
    loss: [Math.log(10 / 3), Math.log(4)],
    grad: [0.1, 0.2, 0.3 - 1, 0.4, 0.25 - 1, 0.25, 0.25, 0.25],
  };

  const build = (integer: boolean) => (g: ProgramBuilder) => {
    const logits = g.input("h", [2, 4]);
    const y = integer ? g.input("y", [2], { dtype: "i32" }) : g.input("y", [2, 4]);
    const loss = g.softmaxCrossEntropy(logits, y);
    g.entry("run", { fetch: { loss, h_bar: g.grad(g.sum(loss), logits) } });
  };

  it.each([
    ["integer labels", true, labels],
    ["one-hot labels", false, [0, 0, 1, 0, 1, 0, 0, 0]],
  ] as const)("with %s, in the interpreter and in generated code", async (_, integer, y) => {
    const p = program("sce", build(integer));
    const entry = p.entries[0];
    const [loss, h_bar] = interpret(
      entry.fetch.map(([, node]) => node),
      { h, y: [...y] },
    );
    expectClose(loss, byHand.loss, 1e-15, "loss");
    expectClose(h_bar, byHand.grad, 1e-15, "gradient");
    const compiled = await compile(p);
    const out = compiled.entry(compiled.create(), "run")({ h, y: [...y] });
    expectClose(out.loss, byHand.loss, 1e-15, "generated loss");
    expectClose(out.h_bar, byHand.grad, 1e-15, "generated gradient");
  });

  it("stays finite at logits of ±1000, with the limits as values", async () => {
    const large = [1000, -1000, 0, 999, -1000, -1000, -999, -1000];
    const y = [1, 2];
    const e = Math.exp(-1);
    // row 1: log Σ exp h = 1000 + log(1 + e⁻¹) (e^-1000 and e^-2000 vanish), label logit −1000
    const soft1 = [1 / (1 + e), 0, 0, e / (1 + e)];
    // row 2: log Σ exp h = −999 + log(1 + 3e⁻¹), label logit −999
    const soft2 = [e, e, 1, e].map((w) => w / (1 + 3 * e));
    const want = {
      loss: [2000 + Math.log1p(e), Math.log1p(3 * e)],
      grad: [
        ...soft1.map((s, j) => s - (j === 1 ? 1 : 0)),
        ...soft2.map((s, j) => s - (j === 2 ? 1 : 0)),
      ],
    };
    const p = program("sceLarge", build(true));
    const compiled = await compile(p);
    const generated = compiled.entry(compiled.create(), "run")({ h: large, y });
    const [loss, h_bar] = interpret(
      p.entries[0].fetch.map(([, node]) => node),
      { h: large, y },
    );
    for (const [where, values] of [
      ["interpreter", { loss, h_bar }],
      ["generated", generated],
    ] as const) {
      expect([...values.loss, ...values.h_bar].every(Number.isFinite), where).toBe(true);
      // within a few ulp(1000) ≈ 1e-13, the rounding of log Σ exp h at this size
      expectClose(values.loss, want.loss, 1e-12, `${where} loss at ±1000`);
      expectClose(values.h_bar, want.grad, 1e-12, `${where} gradient at ±1000`);
    }
  });
});

describe("derivative checks", () => {
  const rowsOf = (shape: number[]): LeafSpec => ({ name: "h", shape, range: [-3, 3] });
  const cases: [string, LeafSpec[], Build][] = [
    ["softmax along the last axis", [rowsOf([3, 4])], (g, [h]) => g.softmax(h)],
    ["softmax along axis 0", [rowsOf([3, 4])], (g, [h]) => g.softmax(h, 0)],
    ["logSoftmax", [rowsOf([2, 3, 4])], (g, [h]) => g.logSoftmax(h, 1)],
    [
      "softmaxCrossEntropy with integer labels",
      [rowsOf([3, 4]), { name: "y", shape: [3], dtype: "i32", values: [1, 3, 0] }],
      (g, [h, y]) => g.softmaxCrossEntropy(h, y),
    ],
    [
      "softmaxCrossEntropy with one-hot labels (the labels differentiated too)",
      [rowsOf([2, 3]), { name: "y", shape: [2, 3], values: [0, 1, 0, 0, 0, 1] }],
      (g, [h, y]) => g.softmaxCrossEntropy(h, y),
    ],
    [
      "softmaxCrossEntropy with probability rows",
      [rowsOf([2, 3]), { name: "p", shape: [2, 3], range: [0, 1] }],
      (g, [h, p]) => g.softmaxCrossEntropy(h, p),
    ],
    [
      "meanSquaredError",
      [
        { name: "p", shape: [2, 3] },
        { name: "t", shape: [2, 3] },
      ],
      (g, [p, t]) => g.meanSquaredError(p, t),
    ],
  ];
  describe.each(cases)("%s", (_, leaves, build) => {
    it("has a gradient that matches central differences", () => {
      checkGradient(leaves, build, { seed: 71 });
    });
    it("has Hessian-vector products that match central differences of the gradient", () => {
      checkHessianVector(leaves, build, { seed: 72 });
    });
    it("passes the jvp/vjp dot-product test", () => {
      checkJvpVjp(leaves, build, { seed: 73 });
    });
  });
});

describe("meanSquaredError", () => {
  it("is mean((p − t)²) with the gradient 2(p − t)/n, by hand", async () => {
    const p = program("mse", (g) => {
      const prediction = g.input("p", [2, 2]);
      const target = g.input("t", [2, 2]);
      const loss = g.meanSquaredError(prediction, target);
      g.entry("run", { fetch: { loss, p_bar: g.grad(loss, prediction) } });
    });
    const compiled = await compile(p);
    // p − t = [1, −2, 0, 3]: squares sum to 14, mean 3.5; gradient (p − t)/2
    const out = compiled.entry(compiled.create(), "run")({ p: [2, 0, 5, 4], t: [1, 2, 5, 1] });
    expect(Array.from(out.loss)).toEqual([3.5]);
    expect(Array.from(out.p_bar)).toEqual([0.5, -1, 0, 1.5]);
  });

  it("broadcasts a scalar target: the mean over the prediction's elements", () => {
    const leaves = [
      { name: "p", shape: [3] },
      { name: "t", shape: [] },
    ];
    const y = evaluate(leaves, (g, [p, t]) => g.meanSquaredError(p, t), [[1, 2, 6], [2]]);
    // (1 + 0 + 16) / 3
    expectClose(y, [17 / 3], 1e-15, "scalar target");
  });
});

describe("generated code for the losses", () => {
  it("matches the interpreter in f64 and f32", async () => {
    const losses = (g: ProgramBuilder) => {
      const h = g.input("h", [4, 5]);
      const y = g.input("y", [4], { dtype: "i32" });
      const q = g.input("q", [4, 5]);
      const t = g.input("t", [4, 5]);
      const sce = g.mean(g.softmaxCrossEntropy(h, y));
      const soft = g.softmaxCrossEntropy(h, g.softmax(q));
      const mse = g.meanSquaredError(g.softmax(h), t);
      const total = g.add(g.add(sce, g.sum(soft)), mse);
      g.entry("run", {
        fetch: { sce, soft, mse, log: g.logSoftmax(h, 0), h_bar: g.grad(total, h) },
      });
    };
    for (const [dtype, tolerance, round] of [
      ["f64", 1e-12, (x: number) => x],
      ["f32", 2e-5, Math.fround],
    ] as const) {
      const p = program(`losses_${dtype}`, losses, { dtype });
      const compiled = await compile(p);
      const instance = compiled.create();
      const values = randomLeaves(p, seeded(17), { h: [-4, 4], q: [-2, 2] }, round);
      values.y = [4, 0, 2, 1];
      checkEntry(compiled, instance, p, "run", values, tolerance);
    }
  });
});

describe("softmaxCrossEntropy errors", () => {
  it("rejects integer labels whose shape is not the logits' rows", () => {
    const { message } = failure((g) =>
      g.softmaxCrossEntropy(g.input("h", [3, 4]), g.input("y", [4], { dtype: "i32" })),
    );
    expect(message).toContain(
      "softmaxCrossEntropy: integer labels must have the logits' row shape [3] (one class per row): labels [4], logits [3,4]",
    );
  });

  it("rejects float labels whose shape is not the logits'", () => {
    const { message } = failure((g) =>
      g.softmaxCrossEntropy(g.input("h", [3, 4]), g.input("y", [3])),
    );
    expect(message).toContain(
      "softmaxCrossEntropy: one-hot or probability labels must have the logits' shape: labels [3], logits [3,4]",
    );
  });

  it("rejects boolean labels", () => {
    const { message } = failure((g) =>
      g.softmaxCrossEntropy(g.input("h", [3, 4]), g.input("y", [3, 4], { dtype: "bool" })),
    );
    expect(message).toContain(
      "softmaxCrossEntropy: labels must be i32 classes or f64 one-hot rows, got bool",
    );
  });

  it("rejects scalar and integer logits", () => {
    expect(failure((g) => g.softmaxCrossEntropy(g.input("h"), g.input("y"))).message).toContain(
      "softmaxCrossEntropy: logits need a class axis (rank 1 or more), got a scalar",
    );
    expect(
      failure((g) =>
        g.softmaxCrossEntropy(
          g.input("h", [2], { dtype: "i32" }),
          g.input("y", [], { dtype: "i32" }),
        ),
      ).message,
    ).toContain("softmaxCrossEntropy: logits must be f64, got i32");
  });

  it("names the float type of an f32 program", () => {
    let message = "";
    try {
      program(
        "bad32",
        (g) => g.softmaxCrossEntropy(g.input("h", [2, 3]), g.input("y", [2, 3], { dtype: "bool" })),
        {
          dtype: "f32",
        },
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("labels must be i32 classes or f32 one-hot rows, got bool");
  });
});

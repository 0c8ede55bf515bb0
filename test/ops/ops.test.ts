// Every op record, table-driven: forward value against an independent formula, the gradient against
// central differences, the gradient of the gradient (Hessian-vector products), and jvp against vjp.
import { describe, expect, it } from "vitest";
import { interpret } from "../../compiler/ir/interpret.ts";
import type { Node, OpName } from "../../compiler/ir/node.ts";
import type { Shape } from "../../compiler/ir/shape.ts";
import { reachable } from "../../compiler/ir/text.ts";
import { ops } from "../../compiler/ops/registry.ts";
import {
  buildChecked,
  checkGradient,
  checkHessianVector,
  checkJvpVjp,
  leafValues,
  mulberry32,
  sampleLeaves,
  type Build,
  type LeafSpec,
} from "../support/gradcheck.ts";

type Differentiable = Exclude<OpName, "input" | "param" | "const">;
type Values = readonly Float64Array[];

interface OpCase {
  readonly label: string;
  readonly leaves: readonly LeafSpec[];
  readonly build: Build;
  /** The output shape, by hand. */
  readonly shape: Shape;
  /** The output computed from the leaf values without the op records. */
  readonly expected: (values: Values) => ArrayLike<number>;
}

const scalar = (name: string, range?: readonly [number, number]): LeafSpec => ({ name, range });
const tensor = (name: string, shape: Shape, range?: readonly [number, number]): LeafSpec => ({
  name,
  shape,
  range,
});

/** fn applied elementwise, a one-element value standing for a scalar (no case uses shape [1]). */
function zip(values: Values, fn: (...args: number[]) => number): number[] {
  const size = Math.max(...values.map((value) => value.length));
  return Array.from({ length: size }, (_, i) =>
    fn(...values.map((value) => (value.length === 1 ? value[0] : value[i]))),
  );
}

function unaryCases(
  op: "neg" | "exp" | "log" | "sin" | "cos" | "tanh" | "sqrt",
  fn: (x: number) => number,
  range: readonly [number, number],
): OpCase[] {
  return [
    {
      label: "scalar",
      leaves: [scalar("x", range)],
      build: (g, [x]) => g[op](x),
      shape: [],
      expected: (v) => zip(v, fn),
    },
    {
      label: "tensor [2,3]",
      leaves: [tensor("x", [2, 3], range)],
      build: (g, [x]) => g[op](x),
      shape: [2, 3],
      expected: (v) => zip(v, fn),
    },
  ];
}

/** Equal shapes, and scalar broadcasting both ways; the divisor stays away from zero. */
function binaryCases(
  op: "add" | "sub" | "mul" | "div",
  fn: (a: number, b: number) => number,
): OpCase[] {
  const bRange = op === "div" ? ([0.5, 2] as const) : undefined;
  const build: Build = (g, [a, b]) => g[op](a, b);
  const expected = (v: Values) => zip(v, fn);
  return [
    {
      label: "scalar ∘ scalar",
      leaves: [scalar("a"), scalar("b", bRange)],
      build,
      shape: [],
      expected,
    },
    {
      label: "same shape [2,3]",
      leaves: [tensor("a", [2, 3]), tensor("b", [2, 3], bRange)],
      build,
      shape: [2, 3],
      expected,
    },
    {
      label: "tensor ∘ scalar",
      leaves: [tensor("a", [3]), scalar("b", bRange)],
      build,
      shape: [3],
      expected,
    },
    {
      label: "scalar ∘ tensor",
      leaves: [scalar("a"), tensor("b", [2, 2], bRange)],
      build,
      shape: [2, 2],
      expected,
    },
    {
      label: "one operand used twice, as a param",
      leaves: [{ name: "w", shape: [3], kind: "param", range: [0.5, 2] }],
      build: (g, [w]) => g[op](w, w),
      shape: [3],
      expected: ([w]) => zip([w, w], fn),
    },
  ];
}

function powCase(exponent: number, range: readonly [number, number]): OpCase {
  return {
    label: `x^${exponent}`,
    leaves: [tensor("x", [4], range)],
    build: (g, [x]) => g.pow(x, exponent),
    shape: [4],
    expected: (v) => zip(v, (x) => Math.pow(x, exponent)),
  };
}

/** Row-major matrix product written out directly, transposes made explicit first. */
function referenceMatmul(
  a: Float64Array,
  aShape: readonly [number, number],
  b: Float64Array,
  bShape: readonly [number, number],
  transA: boolean,
  transB: boolean,
): number[] {
  const matrix = (data: Float64Array, [rows, cols]: readonly [number, number], t: boolean) => {
    const rowsOf = Array.from({ length: rows }, (_, i) => [
      ...data.slice(i * cols, (i + 1) * cols),
    ]);
    return t ? rowsOf[0].map((_, j) => rowsOf.map((row) => row[j])) : rowsOf;
  };
  const A = matrix(a, aShape, transA);
  const B = matrix(b, bShape, transB);
  return A.flatMap((row) =>
    B[0].map((_, j) => row.reduce((total, value, p) => total + value * B[p][j], 0)),
  );
}

function matmulCase(transA: boolean, transB: boolean): OpCase {
  // op(A) is 2x3 and op(B) is 3x4, whatever the flags
  const aShape = (transA ? [3, 2] : [2, 3]) as [number, number];
  const bShape = (transB ? [4, 3] : [3, 4]) as [number, number];
  return {
    label: `transA=${transA}, transB=${transB}`,
    leaves: [tensor("A", aShape), { name: "B", shape: bShape, kind: "param" }],
    build: (g, [a, b]) => g.matmul(a, b, { transA, transB }),
    shape: [2, 4],
    expected: ([a, b]) => referenceMatmul(a, aShape, b, bShape, transA, transB),
  };
}

const cases = {
  add: binaryCases("add", (a, b) => a + b),
  sub: binaryCases("sub", (a, b) => a - b),
  mul: binaryCases("mul", (a, b) => a * b),
  div: binaryCases("div", (a, b) => a / b),
  neg: unaryCases("neg", (x) => -x, [-2, 2]),
  pow: [
    powCase(2, [-2, 2]),
    powCase(3, [-2, 2]),
    powCase(1, [-2, 2]),
    powCase(0, [-2, 2]),
    powCase(-1, [0.5, 2]),
    powCase(0.5, [0.5, 2]),
    powCase(-1.5, [0.5, 2]),
  ],
  exp: unaryCases("exp", Math.exp, [-1, 1]),
  log: unaryCases("log", Math.log, [0.5, 3]),
  sin: unaryCases("sin", Math.sin, [-3, 3]),
  cos: unaryCases("cos", Math.cos, [-3, 3]),
  tanh: unaryCases("tanh", Math.tanh, [-2, 2]),
  sqrt: unaryCases("sqrt", Math.sqrt, [0.5, 3]),
  sum: [
    {
      label: "vector [5]",
      leaves: [tensor("x", [5])],
      build: (g, [x]) => g.sum(x),
      shape: [],
      expected: ([x]) => [x.reduce((total, value) => total + value, 0)],
    },
    {
      label: "matrix [2,3]",
      leaves: [tensor("x", [2, 3])],
      build: (g, [x]) => g.sum(x),
      shape: [],
      expected: ([x]) => [x.reduce((total, value) => total + value, 0)],
    },
  ],
  broadcast: [
    {
      label: "scalar to [2,3]",
      leaves: [scalar("s")],
      build: (g, [s]) => g.broadcast(s, [2, 3]),
      shape: [2, 3],
      expected: ([s]) => new Array<number>(6).fill(s[0]),
    },
    {
      label: "scalar to [4], then squared",
      leaves: [scalar("s")],
      build: (g, [s]) => {
        const b = g.broadcast(s, [4]);
        return g.mul(b, b);
      },
      shape: [4],
      expected: ([s]) => new Array<number>(4).fill(s[0] * s[0]),
    },
  ],
  dot: [
    {
      label: "two vectors [4]",
      leaves: [tensor("a", [4]), tensor("b", [4])],
      build: (g, [a, b]) => g.dot(a, b),
      shape: [],
      expected: ([a, b]) => [a.reduce((total, value, i) => total + value * b[i], 0)],
    },
    {
      label: "a vector with itself",
      leaves: [tensor("a", [3])],
      build: (g, [a]) => g.dot(a, a),
      shape: [],
      expected: ([a]) => [a[0] * a[0] + a[1] * a[1] + a[2] * a[2]],
    },
  ],
  matmul: [
    matmulCase(false, false),
    matmulCase(true, false),
    matmulCase(false, true),
    matmulCase(true, true),
    {
      label: "AᵀA, one operand used twice",
      leaves: [tensor("A", [3, 2])],
      build: (g, [a]) => g.matmul(a, a, { transA: true }),
      shape: [2, 2],
      expected: ([a]) => referenceMatmul(a, [3, 2], a, [3, 2], true, false),
    },
  ],
} satisfies Record<Differentiable, readonly OpCase[]>;

describe("the op table", () => {
  it("has rows for exactly the non-leaf ops of the registry", () => {
    const registered = Object.keys(ops).filter((op) => ops[op as OpName].arity !== "leaf");
    expect(Object.keys(cases).sort()).toEqual(registered.sort());
  });
});

for (const [op, rows] of Object.entries(cases) as [Differentiable, readonly OpCase[]][]) {
  describe(op, () => {
    rows.forEach((row, index) => {
      describe(row.label, () => {
        // a different seed for every row, fixed between runs
        const seed = 1000 + 17 * index + op.length;

        it("computes the value of an independent formula", () => {
          const values = sampleLeaves(row.leaves, mulberry32(seed));
          const { program, nodes } = buildChecked(row.leaves, (g, leaves) => ({
            y: row.build(g, leaves),
          }));
          const y: Node = nodes.y;
          const used = [...reachable([y])].map((id) => program.graph.nodes[id].op);
          expect(used).toContain(op);
          expect(y.shape).toEqual(row.shape);
          const [actual] = interpret([y], leafValues(row.leaves, values));
          const expected = row.expected(values);
          expect(actual.length).toBe(expected.length);
          for (let i = 0; i < expected.length; i++) {
            expect(actual[i]).toBeCloseTo(expected[i], 13);
          }
        });

        it("has a gradient that matches central differences", () => {
          checkGradient(row.leaves, row.build, { seed });
        });

        it("has a second derivative that matches central differences of the gradient", () => {
          checkHessianVector(row.leaves, row.build, { seed });
        });

        it("passes the jvp/vjp dot-product test", () => {
          checkJvpVjp(row.leaves, row.build, { seed });
        });
      });
    });
  });
}

describe("leaf ops", () => {
  it("are the only ops without inputs", () => {
    const leaves = Object.keys(ops).filter((op) => ops[op as OpName].arity === "leaf");
    expect(leaves.sort()).toEqual(["const", "input", "param"]);
  });

  it("evaluate to the fed value, the param value, and the constant (one value fills the shape)", () => {
    const { nodes } = buildChecked([], (g) => ({
      x: g.input("x", [2]),
      w: g.param("w", [3]),
      filled: g.constant(2.5, [2, 2]),
      listed: g.constant([1, -0, 3], [3]),
    }));
    const [x, w, filled, listed] = interpret([nodes.x, nodes.w, nodes.filled, nodes.listed], {
      x: [7, 8],
      w: [1, 2, 3],
    });
    expect([...x]).toEqual([7, 8]);
    expect([...w]).toEqual([1, 2, 3]);
    expect([...filled]).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(Object.is(listed[1], -0)).toBe(true);
    expect([...listed]).toEqual([1, -0, 3]);
  });
});

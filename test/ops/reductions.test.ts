// Reductions beyond the op table: any axes with keepDims (negative, all), mean, ties in max and min,
// prod's gradient at zeros, prodExcept, logsumexp at ±1000, and every shape and axis error.
import { describe, expect, it } from "vitest";
import { AdjointError, type Node } from "../../compiler/index.ts";
import { build, thrown, values } from "../support/build.ts";
import { errorsIn } from "../support/errors.ts";

const expectError = errorsIn(import.meta.url);

// x = [[1, 5, 3],
//      [4, 2, 6]]
const x23 = [1, 5, 3, 4, 2, 6];

describe("reductions over any axes", () => {
  const { nodes } = build((g) => {
    const x = g.input("x", [2, 3]);
    return {
      sum0: g.sum(x, 0),
      sum0Kept: g.sum(x, 0, true),
      maxLast: g.max(x, -1),
      maxLastKept: g.max(x, -1, true),
      minAllKept: g.min(x, [0, 1], true),
      minNegativeAll: g.min(x, [-1, -2]),
      prodAll: g.prod(x),
      prod1: g.prod(x, [1], true),
      lse0: g.logsumexp(x, 0),
      meanRows: g.mean(x, 1),
      meanAll: g.mean(x),
      meanKept: g.mean(x, -2, true),
    };
  });
  const cases: [keyof typeof nodes, number[], number[]][] = [
    ["sum0", [3], [5, 7, 9]],
    ["sum0Kept", [1, 3], [5, 7, 9]],
    ["maxLast", [2], [5, 6]],
    ["maxLastKept", [2, 1], [5, 6]],
    ["minAllKept", [1, 1], [1]],
    ["minNegativeAll", [], [1]],
    ["prodAll", [], [720]],
    ["prod1", [2, 1], [15, 48]],
    [
      "lse0",
      [3],
      [
        Math.log(Math.E + Math.E ** 4),
        Math.log(Math.E ** 5 + Math.E ** 2),
        Math.log(Math.E ** 3 + Math.E ** 6),
      ],
    ],
    ["meanRows", [2], [3, 4]],
    ["meanAll", [], [3.5]],
    ["meanKept", [1, 3], [2.5, 3.5, 4.5]],
  ];
  it.each(cases)("%s has shape %j and the hand-derived values", (name, shape, expected) => {
    const node: Node = nodes[name];
    expect(node.shape).toEqual(shape);
    const actual = values(node, { x: x23 });
    expect(actual).toHaveLength(expected.length);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 14));
  });

  it("keep the reduced axes as 1 only with keepDims, and record axes sorted and non-negative", () => {
    expect(nodes.minNegativeAll.attrs).toEqual({ axes: [0, 1], keepDims: false });
    expect(nodes.meanKept.inputs[0].attrs).toEqual({ axes: [0], keepDims: true });
  });

  it("mean divides the adjoint by the count of the reduced axes", () => {
    const { nodes: n } = build((g) => {
      const x = g.input("x", [2, 3]);
      return {
        rows: g.grad(g.sum(g.mul(g.mean(x, 1), g.constant([1, 2]))), x),
        all: g.grad(g.mean(x), x),
      };
    });
    expect(values(n.rows, { x: x23 })).toEqual([1 / 3, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3]);
    expect(values(n.all, { x: x23 })).toEqual(new Array(6).fill(1 / 6));
  });
});

describe("max and min at ties", () => {
  const { nodes } = build((g) => {
    const x = g.input("x", [4]);
    const m = g.input("m", [2, 2]);
    const t = g.input("t", [4]);
    return {
      max: g.max(x),
      dmax: g.grad(g.max(x), x),
      dmin: g.grad(g.min(x), x),
      // ẏ = mean of the tangent over the tied elements
      tangent: g.jvp([g.max(x)], [x], [t])[0],
      // Σ_rows w_row·max(row): ties in row 0, none in row 1
      dRows: g.grad(g.sum(g.mul(g.max(m, 1), g.constant([10, 20]))), m),
      // max is piecewise linear: its Hessian is zero
      hessian: g.grad(g.sum(g.mul(g.grad(g.max(x), x), t)), x),
    };
  });
  const leaves = { x: [3, 1, 3, -2], m: [2, 2, 1, 5], t: [0.5, 7, 1.5, 9] };

  it("split the gradient equally among the tied elements", () => {
    expect(values(nodes.max, leaves)).toEqual([3]);
    expect(values(nodes.dmax, leaves)).toEqual([0.5, 0, 0.5, 0]);
    expect(values(nodes.dmin, leaves)).toEqual([0, 0, 0, 1]);
    expect(values(nodes.dRows, leaves)).toEqual([5, 5, 0, 20]);
  });

  it("give the forward-mode tangent as the mean over the ties, and a zero Hessian", () => {
    expect(values(nodes.tangent, leaves)).toEqual([1]);
    expect(values(nodes.hessian, leaves)).toEqual([0, 0, 0, 0]);
  });

  it("min splits ties too: min([2, -1, -1]) sends 1/2 to each −1", () => {
    const { nodes: n } = build((g) => {
      const v = g.input("v", [3]);
      return { d: g.grad(g.sum(g.min(v, 0, true)), v) };
    });
    expect(values(n.d, { v: [2, -1, -1] })).toEqual([0, 0.5, 0.5]);
  });
});

describe("prod and prodExcept at zeros", () => {
  const { nodes } = build((g) => {
    const x = g.input("x", [4]);
    const m = g.input("m", [2, 3]);
    return {
      prod: g.prod(x),
      dprod: g.grad(g.prod(x), x),
      tangent: g.jvp([g.prod(x)], [x], [g.constant([1, 1, 1, 1])])[0],
      except: g.prodExcept(x),
      // Σ_rows w_row·prod(row) for rows with one zero and with two zeros
      dRows: g.grad(g.sum(g.mul(g.prod(m, 1), g.constant([2, 3]))), m),
      exceptRows: g.prodExcept(m, 1),
    };
  });

  it("gives the exact gradient with one zero: ∂/∂xᵢ Π x = Π_{j≠i} xⱼ, no division", () => {
    const leaves = { x: [2, 0, 3, 4], m: [0, 2, 5, 0, 0, 3] };
    expect(values(nodes.prod, leaves)).toEqual([0]);
    expect(values(nodes.dprod, leaves)).toEqual([0, 24, 0, 0]);
    expect(values(nodes.except, leaves)).toEqual([0, 24, 0, 0]);
    // the tangent along all ones is Σᵢ Π_{j≠i} xⱼ = 24
    expect(values(nodes.tangent, leaves)).toEqual([24]);
    // row 0 = [0, 2, 5]: ∂ = 2·[10, 0, 0]; row 1 = [0, 0, 3]: every product of two others holds a 0
    expect(values(nodes.dRows, leaves)).toEqual([20, 0, 0, 0, 0, 0]);
    expect(values(nodes.exceptRows, leaves)).toEqual([10, 0, 0, 0, 0, 0]);
  });

  it("gives a zero gradient with two zeros", () => {
    const leaves = { x: [2, 0, 3, 0], m: [1, 1, 1, 1, 1, 1] };
    expect(values(nodes.dprod, leaves)).toEqual([0, 0, 0, 0]);
    expect(values(nodes.except, leaves)).toEqual([0, 0, 0, 0]);
    expect(values(nodes.tangent, leaves)).toEqual([0]);
  });

  it("has the hand-derived Hessian away from zeros: ∂²(abc)/∂a∂b = c", () => {
    const { nodes: n } = build((g) => {
      const x = g.input("x", [3]);
      const v = g.input("v", [3]);
      const grad = g.grad(g.prod(x), x);
      return { hv: g.grad(g.sum(g.mul(grad, v)), x), forward: g.jvp([grad], [x], [v])[0] };
    });
    // H = [[0, 4, 3], [4, 0, 2], [3, 2, 0]] at x = [2, 3, 4]; H·[1, 10, 100] = [340, 204, 23]
    const leaves = { x: [2, 3, 4], v: [1, 10, 100] };
    expect(values(n.hv, leaves).map((h) => Math.round(h * 1e9) / 1e9)).toEqual([340, 204, 23]);
    expect(values(n.forward, leaves).map((h) => Math.round(h * 1e9) / 1e9)).toEqual([340, 204, 23]);
  });

  it("prodExcept of one element is the empty product 1, and of a scalar too", () => {
    const { nodes: n } = build((g) => ({
      one: g.prodExcept(g.input("v", [3, 1]), 1),
      scalar: g.prodExcept(g.input("s")),
    }));
    expect(values(n.one, { v: [0, 5, -2] })).toEqual([1, 1, 1]);
    expect(values(n.scalar, { s: 0 })).toEqual([1]);
  });
});

describe("logsumexp", () => {
  const { nodes } = build((g) => {
    const x = g.input("x", [3, 2]);
    const lse = g.logsumexp(x, 1, true);
    return {
      lse,
      dx: g.grad(g.sum(g.mul(lse, g.constant([1, 2, 3], [3, 1]))), x),
      all: g.logsumexp(x),
    };
  });
  const leaves = { x: [1000, 1000, -1000, -1000, 1000, -1000] };

  it("is finite at ±1000: the maximum is subtracted", () => {
    const ln2 = Math.log(2);
    expect(nodes.lse.shape).toEqual([3, 1]);
    const lse = values(nodes.lse, leaves);
    [1000 + ln2, -1000 + ln2, 1000].forEach((want, i) => expect(lse[i]).toBeCloseTo(want, 12));
    expect(values(nodes.all, leaves)[0]).toBeCloseTo(1000 + Math.log(3), 12);
  });

  it("has the softmax as its gradient at ±1000", () => {
    // row weights 1, 2, 3 times softmax of each row: [½, ½], [½, ½], [1, e^−2000 = 0]
    // (exp(x − y) with y ≈ 1000 carries y's rounding, a few ulps of 1000)
    const dx = values(nodes.dx, leaves);
    [0.5, 0.5, 1, 1, 3, 0].forEach((want, i) => expect(dx[i]).toBeCloseTo(want, 12));
  });

  it("gives −∞ for a row of −∞ and +∞ for a row holding +∞", () => {
    const x = [-Infinity, -Infinity, Infinity, 1, 0, -Infinity];
    expect(values(nodes.lse, { x })).toEqual([-Infinity, Infinity, 0]);
  });

  it("over no axes is the identity", () => {
    const { nodes: n } = build((g) => ({ y: g.logsumexp(g.input("v", [2]), []) }));
    expect(n.y.op).toBe("logsumexp");
    expect(values(n.y, { v: [1000, -3] })).toEqual([1000, -3]);
  });
});

describe("axis errors", () => {
  it("an axis out of range", () => {
    const x = [2, 3];
    expectError(
      (g) => {
        g.max(g.input("x", x), 2); // @maxAxis
      },
      ["max: axis 2 is out of range for rank 2"],
      "maxAxis",
    );
    expectError(
      (g) => {
        g.prod(g.input("x", x), -3); // @prodAxis
      },
      ["prod: axis -3 is out of range for rank 2"],
      "prodAxis",
    );
    expectError(
      (g) => {
        g.mean(g.input("x", [4]), [0, 1]); // @meanAxis
      },
      ["mean: axis 1 is out of range for rank 1"],
      "meanAxis",
    );
    expectError(
      (g) => {
        g.prodExcept(g.input("x", [4]), 1); // @peAxis
      },
      ["prodExcept: axis 1 is out of range for rank 1"],
      "peAxis",
    );
  });

  it("an axis that is not an integer", () => {
    expectError(
      (g) => {
        g.min(g.input("x", [2, 3]), 0.5); // @minAxis
      },
      ["min: axis must be an integer, got 0.5"],
      "minAxis",
    );
  });

  it("a repeated axis", () => {
    expectError(
      (g) => {
        g.logsumexp(g.input("x", [2, 3]), [1, -1]); // @lseRepeat
      },
      ["logsumexp: axes [1,-1] repeat an axis"],
      "lseRepeat",
    );
  });

  it("a non-float operand", () => {
    expectError(
      (g) => {
        g.max(g.input("k", [3], { dtype: "i32" })); // @maxInt
      },
      ["max: operand 1 is i32; expected f64"],
      "maxInt",
    );
  });

  it("the shape rules reject axes out of range in a hand-built node, naming the input shape", () => {
    for (const op of ["sum", "max", "min", "prod", "logsumexp"] as const) {
      const error = thrown(() =>
        build((g) => ({
          y: g.graph.intern(op, [g.input("x", [2, 3])], { axes: [0, 2], keepDims: false }),
        })),
      );
      expect(error).toBeInstanceOf(AdjointError);
      expect(error.message).toBe(
        `${op}: axes [0,2] out of range for shape [2,3] (inputs %0: [2,3])`,
      );
    }
    const error = thrown(() =>
      build((g) => ({ y: g.graph.intern("prodExcept", [g.input("x", [3])], { axes: [-1] }) })),
    );
    expect(error.message).toBe(`prodExcept: axes [-1] out of range for shape [3] (inputs %0: [3])`);
  });
});

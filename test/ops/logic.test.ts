// Logic ops beyond the op table: dtype and shape errors with their messages and lines, the compile
// error for a gradient through a comparison used as a float (and its stopGradient fix), where's
// adjoints under broadcasting, where-based relu, cast, and stopGradient as a structural zero.
import { describe, expect, it } from "vitest";
import type { Node, ProgramBuilder } from "../../compiler/index.ts";
import { build, values } from "../support/build.ts";
import { checkGradient, checkHessianVector, checkJvpVjp } from "../support/gradcheck.ts";
import { failure, markedErrors } from "../support/errors.ts";

const expectError = markedErrors(import.meta.url);

describe("dtype errors", () => {
  it("where: a float condition", () => {
    const error = failure((g) => {
      const x = g.input("x", [3]);
      g.where(x, x, 0); // @whereFloatCond
    });
    expectError(
      error,
      ["where: the condition (operand 1) is f64; expected bool", 'g.cast(x, "bool")'],
      "whereFloatCond",
    );
  });

  it("where: an i32 condition", () => {
    const error = failure((g) => {
      const k = g.input("k", [3], { dtype: "i32" });
      g.where(k, 1, 0); // @whereIntCond
    });
    expectError(error, ["where: the condition (operand 1) is i32; expected bool"], "whereIntCond");
  });

  it("where: branches of different dtypes", () => {
    const error = failure((g) => {
      const c = g.input("c", [3], { dtype: "bool" });
      const k = g.input("k", [3], { dtype: "i32" });
      g.where(c, k, 0); // @whereBranches
    });
    expectError(
      error,
      ["where: the branches (operands 2 and 3) are i32 and f64; expected one dtype"],
      "whereBranches",
    );
  });

  it("comparisons: a bool against a number", () => {
    const error = failure((g) => {
      const c = g.input("c", [3], { dtype: "bool" });
      g.gt(c, 0.5); // @compareBool
    });
    expectError(
      error,
      ["gt: cannot compare bool with f64 (cast one of them first)"],
      "compareBool",
    );
  });

  it("float ops: a comparison used as a number without a cast", () => {
    const error = failure((g) => {
      const x = g.input("x", [3]);
      g.mul(g.lt(x, 0), x); // @boolAsFloat
    });
    expectError(
      error,
      ["mul: operand 1 is bool; expected f64 (use g.cast or g.where)"],
      "boolAsFloat",
    );
  });

  it("cast: to the other float type", () => {
    const error = failure((g) => {
      g.cast(g.input("x", [3]), "f32"); // @castFloat
    });
    expectError(error, ["cast: cannot cast to f32 in a f64 program"], "castFloat");
  });
});

describe("shape errors", () => {
  it("comparisons: shapes that do not broadcast", () => {
    const error = failure((g) => {
      g.le(g.input("a", [2, 3]), g.input("b", [4])); // @compareShapes
    });
    expectError(error, ["le: shapes [2,3] and [4] do not broadcast"], "compareShapes");
  });

  it("where: a condition that does not broadcast with the branches", () => {
    const error = failure((g) => {
      const c = g.input("c", [2], { dtype: "bool" });
      g.where(c, g.input("a", [3]), 0); // @whereShapes
    });
    expectError(error, ["where: shapes [2] and [3] and [] do not broadcast"], "whereShapes");
  });
});

describe("a gradient through a comparison", () => {
  it("is a compile error when the comparison is used as a float", () => {
    const error = failure((g) => {
      const x = g.input("x", [3]);
      const mask = g.cast(g.gt(x, 0), "f64"); // @castOfGt
      const y = g.sum(g.mul(mask, x));
      g.entry("grad", { fetch: { dx: g.grad(y, x) } });
    });
    expectError(
      error,
      [
        "grad: the gradient reaches cast through its input 1 (gt, bool), which is not differentiable",
        "g.stopGradient",
      ],
      "castOfGt",
    );
  });

  it("is the mask itself when the cast is wrapped in stopGradient", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [4]);
      const mask = g.stopGradient(g.cast(g.gt(x, 0), "f64"));
      const y = g.sum(g.mul(mask, x));
      return { y, dx: g.grad(y, x) };
    });
    const x = [-1.5, 0, 0.25, 3];
    // y = Σ [xᵢ > 0]·xᵢ, ∂y/∂xᵢ = [xᵢ > 0] with the mask held constant
    expect(values(nodes.y, { x })).toEqual([3.25]);
    expect(values(nodes.dx, { x })).toEqual([0, 0, 1, 1]);
  });

  it("is a structural zero when the comparison only selects constants", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [3]);
      const step = g.where(g.gt(x, 0), 1, 0);
      return { step, dx: g.grad(g.sum(step), x) };
    });
    expect(nodes.dx.op).toBe("const");
    expect(values(nodes.step, { x: [-1, 0, 2] })).toEqual([0, 0, 1]);
    expect(values(nodes.dx, { x: [-1, 0, 2] })).toEqual([0, 0, 0]);
  });
});

describe("where", () => {
  it("relu written with where has slope 1 for x > 0 and 0 elsewhere (the kink included)", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [5]);
      const w = g.input("w", [5]);
      const viaWhere = g.where(g.gt(x, 0), x, 0);
      const f = g.sum(g.mul(viaWhere, w));
      const [dx, dw] = g.grad(f, [x, w]);
      const builtIn = g.grad(g.sum(g.mul(g.relu(x), w)), x);
      // second order: ∂²f/∂x∂w = [x > 0], ∂²f/∂x² = 0
      const [dxdx, dxdw] = g.grad(g.sum(dx), [x, w]);
      return { viaWhere, dx, dw, builtIn, dxdx, dxdw };
    });
    const leaves = { x: [-2, -0.5, 0, 0.5, 3], w: [1, 2, 3, 4, 5] };
    expect(values(nodes.viaWhere, leaves)).toEqual([0, 0, 0, 0.5, 3]);
    expect(values(nodes.dx, leaves)).toEqual([0, 0, 0, 4, 5]);
    expect(values(nodes.dw, leaves)).toEqual([0, 0, 0, 0.5, 3]);
    expect(values(nodes.builtIn, leaves)).toEqual([0, 0, 0, 4, 5]);
    expect(values(nodes.dxdx, leaves)).toEqual([0, 0, 0, 0, 0]);
    expect(values(nodes.dxdw, leaves)).toEqual([0, 0, 0, 1, 1]);
  });

  it("sums the adjoints of broadcast branches back to their shapes", () => {
    const { nodes } = build((g) => {
      const c = g.input("c", [3, 1], { dtype: "bool" });
      const a = g.input("a", [1, 4]);
      const b = g.input("b");
      const ybar = g.input("ybar", [3, 4]);
      const [da, db] = g.vjp([g.where(c, a, b)], [ybar], [a, b]);
      return { da, db };
    });
    expect(nodes.da.shape).toEqual([1, 4]);
    expect(nodes.db.shape).toEqual([]);
    const ybar = [1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400];
    const leaves = { c: [1, 0, 1], a: [0, 0, 0, 0], b: 0, ybar };
    // rows 0 and 2 go to a (column sums), row 1 to b (its total)
    expect(values(nodes.da, leaves)).toEqual([101, 202, 303, 404]);
    expect(values(nodes.db, leaves)).toEqual([100]);
  });

  it("selects i32 branches too, with an i32 output", () => {
    const { nodes } = build((g) => {
      const c = g.input("c", [3], { dtype: "bool" });
      const k = g.input("k", [3], { dtype: "i32" });
      const picked = g.where(c, k, g.cast(g.constant(-1), "i32"));
      return { picked };
    });
    expect(nodes.picked.dtype).toBe("i32");
    expect(values(nodes.picked, { c: [1, 0, 1], k: [4, 5, 6] })).toEqual([4, -1, 6]);
  });

  it("passes the derivative checks when the condition compares two of the variables", () => {
    const leaves = [
      { name: "a", shape: [4], values: [-1, 0.5, 2, 0.1] },
      { name: "b", shape: [4], values: [0.3, -0.7, 2.6, -0.2] },
    ];
    const f = (g: ProgramBuilder, [a, b]: readonly Node[]) =>
      g.where(g.lt(a, b), g.mul(a, b), g.sin(a));
    checkGradient(leaves, f, { seed: 5 });
    checkHessianVector(leaves, f, { seed: 6 });
    checkJvpVjp(leaves, f, { seed: 7 });
  });
});

describe("comparisons", () => {
  it("give bool nodes, which compare with each other", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [4]);
      const positive = g.gt(x, 0);
      const small = g.lt(x, 1);
      return { positive, both: g.eq(positive, small) };
    });
    expect(nodes.positive.dtype).toBe("bool");
    expect(values(nodes.both, { x: [-1, 0.5, 2, 0] })).toEqual([0, 1, 0, 0]);
  });

  it("are all false when an operand is NaN (NaN is unordered, even with itself)", () => {
    const { nodes } = build((g) => {
      const a = g.input("a", [2]);
      const b = g.input("b", [2]);
      return { lt: g.lt(a, b), le: g.le(a, b), gt: g.gt(a, b), ge: g.ge(a, b), eq: g.eq(a, b) };
    });
    const leaves = { a: [NaN, NaN], b: [1, NaN] };
    for (const node of Object.values(nodes)) expect(values(node, leaves)).toEqual([0, 0]);
  });
});

describe("cast", () => {
  it("to the node's own dtype returns the node itself", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [2]);
      const k = g.input("k", [2], { dtype: "i32" });
      return { x, same: g.cast(x, "f64"), k, sameK: g.cast(k, "i32") };
    });
    expect(nodes.same).toBe(nodes.x);
    expect(nodes.sameK).toBe(nodes.k);
  });

  it("gives the dtype it names, and bool back to f64 is 0 or 1", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [4]);
      const asBool = g.cast(x, "bool");
      const asInt = g.cast(x, "i32");
      return { asBool, asInt, back: g.cast(asBool, "f64"), intBack: g.cast(asInt, "f64") };
    });
    expect([nodes.asBool.dtype, nodes.asInt.dtype, nodes.back.dtype]).toEqual([
      "bool",
      "i32",
      "f64",
    ]);
    const x = [-3.9, 0, 0.2, 7.5];
    expect(values(nodes.back, { x })).toEqual([1, 0, 1, 1]);
    expect(values(nodes.intBack, { x })).toEqual([-3, 0, 0, 7]);
  });
});

describe("stopGradient", () => {
  it("lets the value through and stops the gradient: d(x·sg(x))/dx = x", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [3]);
      const y = g.sum(g.mul(x, g.stopGradient(x)));
      const dx = g.grad(y, x);
      const [tangent] = g.jvp([y], [x], [g.constant([1, 1, 1], [3])]);
      return { y, dx, tangent, dxdx: g.grad(g.sum(dx), x) };
    });
    const x = [2, -3, 0.5];
    expect(values(nodes.y, { x })).toEqual([4 + 9 + 0.25]);
    // without the stop it would be 2x
    expect(values(nodes.dx, { x })).toEqual([2, -3, 0.5]);
    expect(values(nodes.tangent, { x })).toEqual([2 - 3 + 0.5]);
    // the gradient is the stopped copy sg(x) itself, so it has no derivative (as in JAX)
    expect(values(nodes.dxdx, { x })).toEqual([0, 0, 0]);
  });

  it("gives a structural zero when every path is stopped", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [2]);
      return { dx: g.grad(g.sum(g.exp(g.stopGradient(x))), x) };
    });
    expect(nodes.dx.op).toBe("const");
    expect(values(nodes.dx, { x: [1, 2] })).toEqual([0, 0]);
  });
});

// The textbook seeds, each with the numbers the books give (or that follow from their formulas by hand).
import { describe, expect, it } from "vitest";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { programText } from "../../compiler/ir/text.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";

/** Builds a one-entry program and returns it with the nodes `body` hands back. */
function build<T extends Record<string, Node>>(name: string, body: (g: ProgramBuilder) => T) {
  let nodes: T | undefined;
  const built = program(name, (g) => {
    nodes = body(g);
    g.entry("all", { fetch: nodes });
  });
  verify(built);
  return { program: built, nodes: nodes! };
}

/** Interprets named nodes, returning plain arrays. */
function run(nodes: Record<string, Node>, leaves: Record<string, number | number[]>) {
  const names = Object.keys(nodes);
  const values = interpret(
    names.map((name) => nodes[name]),
    leaves,
  );
  return Object.fromEntries(names.map((name, i) => [name, [...values[i]]]));
}

describe("f(x, y) = x²y + y + 2 (appendix A)", () => {
  const { nodes } = build("quadratic", (g) => {
    const x = g.input("x");
    const y = g.input("y");
    const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);
    const [df_dx, df_dy] = g.grad(f, [x, y]);
    const [d2f_dxdx, d2f_dxdy] = g.grad(df_dx, [x, y]);
    const [d2f_dydx, d2f_dydy] = g.grad(df_dy, [x, y]);
    const d3f_dx3 = g.grad(d2f_dxdx, x);
    const [f_dot_x] = g.jvp([f], [x, y], [g.constant(1), g.constant(0)]);
    const [f_dot_y] = g.jvp([f], [x, y], [g.constant(0), g.constant(1)]);
    return { f, df_dx, df_dy, d2f_dxdx, d2f_dxdy, d2f_dydx, d2f_dydy, d3f_dx3, f_dot_x, f_dot_y };
  });
  const at34 = run(nodes, { x: 3, y: 4 });

  it("is 42 at (3, 4) with ∂f/∂x = 2xy = 24 and ∂f/∂y = x² + 1 = 10", () => {
    expect(at34.f).toEqual([42]);
    expect(at34.df_dx).toEqual([24]);
    expect(at34.df_dy).toEqual([10]);
  });

  it("gives the dual number 42 + 24ε for f(3 + ε, 4), and 42 + 10ε for f(3, 4 + ε)", () => {
    expect(at34.f_dot_x).toEqual([24]);
    expect(at34.f_dot_y).toEqual([10]);
  });

  it("has the Hessian [[2y, 2x], [2x, 0]] = [[8, 6], [6, 0]], symmetric", () => {
    expect(at34.d2f_dxdx).toEqual([8]);
    expect(at34.d2f_dxdy).toEqual([6]);
    expect(at34.d2f_dydx).toEqual([6]);
    expect(at34.d2f_dydy).toEqual([0]);
  });

  it("has ∂³f/∂x³ = 0 and ∂²f/∂y² = 0 as structural zeros (nothing to differentiate)", () => {
    for (const zero of [nodes.d3f_dx3, nodes.d2f_dydy]) {
      expect(zero.op).toBe("const");
      expect(zero.op === "const" && zero.attrs.values).toEqual([0]);
      expect(zero.shape).toEqual([]);
    }
  });

  it("matches the formulas at other points", () => {
    const [x, y] = [-1.5, 0.25];
    const values = run(nodes, { x, y });
    expect(values.f[0]).toBeCloseTo(x * x * y + y + 2, 14);
    expect(values.df_dx[0]).toBeCloseTo(2 * x * y, 14);
    expect(values.df_dy[0]).toBeCloseTo(x * x + 1, 14);
    expect(values.d2f_dxdx[0]).toBeCloseTo(2 * y, 14);
    expect(values.d2f_dxdy[0]).toBeCloseTo(2 * x, 14);
  });

  it("beats the Newton difference quotient of the book (24.00004 for ε = 1e-5)", () => {
    const f = (x: number, y: number) => x ** 2 * y + y + 2;
    const newton = (f(3 + 1e-5, 4) - f(3, 4)) / 1e-5;
    expect(Math.abs(newton - 24)).toBeGreaterThan(1e-5);
    expect(Math.abs(at34.df_dx[0] - 24)).toBe(0);
  });
});

describe("g(x, y) = 5 + xy (figure A-1)", () => {
  const { program: built, nodes } = build("bilinear", (g) => {
    const x = g.input("x");
    const y = g.input("y");
    const value = g.add(5, g.mul(x, y));
    const [dg_dx] = g.jvp([value], [x, y], [g.constant(1), g.constant(0)]);
    return { value, dg_dx };
  });

  it("has the forward-mode derivative ∂g/∂x = y", () => {
    expect(run(nodes, { x: 3, y: -7 }).dg_dx).toEqual([-7]);
    expect(run(nodes, { x: 0.5, y: 2 })).toEqual({ value: [6], dg_dx: [2] });
  });

  it("skips the zero terms of 0 + (0·x + y·1): the tangent is y·1 before optimizing", () => {
    // arguments are built before the node that uses them (the mul before the lifted 5); the const 0
    // tangent of y and the constant 5 are structural zeros, so only y·1 is built
    expect(programText(built)).toBe(
      [
        "program bilinear (f64)",
        '%0: f64[] = input "x"',
        '%1: f64[] = input "y"',
        "%2: f64[] = mul %0 %1",
        "%3: f64[] = const 5",
        "%4: f64[] = add %3 %2",
        "%5: f64[] = const 1",
        "%6: f64[] = const 0",
        "%7: f64[] = mul %5 %1",
        "entry all: value=%4 dg_dx=%7",
      ].join("\n"),
    );
  });

  it("prunes to the single node y after optimizing", () => {
    const optimized = optimize(built, { verifyEachPass: true });
    expect(optimized.fired.get("1*x -> x")).toBe(1);
    expect(programText(optimized.program)).toBe(
      [
        "program bilinear (f64)",
        '%0: f64[] = input "x"',
        '%1: f64[] = input "y"',
        "%2: f64[] = mul %0 %1",
        "%3: f64[] = const 5",
        "%4: f64[] = add %3 %2",
        "entry all: value=%4 dg_dx=%1",
      ].join("\n"),
    );
  });

  it("gives the same graph by reverse mode: g.grad(value, x) is 1·y, which optimizes to y", () => {
    const reverse = program("bilinear", (g) => {
      const x = g.input("x");
      const y = g.input("y");
      const value = g.add(5, g.mul(x, y));
      g.entry("dgdx", { fetch: { dg_dx: g.grad(value, x) } });
      g.entry("value", { fetch: { value } });
    });
    expect(programText(optimize(reverse).program)).toBe(
      [
        "program bilinear (f64)",
        '%0: f64[] = input "x"',
        '%1: f64[] = input "y"',
        "%2: f64[] = mul %0 %1",
        "%3: f64[] = const 5",
        "%4: f64[] = add %3 %2",
        "entry dgdx: dg_dx=%1",
        "entry value: value=%4",
      ].join("\n"),
    );
  });
});

describe("y = ln(x1) + x1·x2 − sin(x2) (the evaluation-trace tables)", () => {
  const { program: built, nodes } = build("trace", (g) => {
    const x1 = g.input("x1");
    const x2 = g.input("x2");
    const v3 = g.log(x1);
    const v4 = g.mul(x1, x2);
    const v5 = g.sin(x2);
    const v6 = g.add(v3, v4);
    const y = g.sub(v6, v5);
    const [dy_dx1, dy_dx2] = g.grad(y, [x1, x2]);
    const [v3_bar, v4_bar, v5_bar, v6_bar] = g.grad(y, [v3, v4, v5, v6]);
    const [v3_dot, v4_dot, v5_dot, v6_dot, y_dot] = g.jvp(
      [v3, v4, v5, v6, y],
      [x1, x2],
      [g.constant(1), g.constant(0)],
    );
    return {
      y,
      dy_dx1,
      dy_dx2,
      v3_bar,
      v4_bar,
      v5_bar,
      v6_bar,
      v3_dot,
      v4_dot,
      v5_dot,
      v6_dot,
      y_dot,
    };
  });
  const at25 = run(nodes, { x1: 2, x2: 5 });

  it("is 11.652 at (2, 5)", () => {
    expect(at25.y[0]).toBeCloseTo(11.652, 3);
    expect(at25.y[0]).toBeCloseTo(Math.log(2) + 10 - Math.sin(5), 14);
  });

  it("has the gradient (5.5, 1.716) in one backward sweep", () => {
    expect(at25.dy_dx1[0]).toBeCloseTo(5.5, 14);
    expect(at25.dy_dx2[0]).toBeCloseTo(1.716, 3);
    expect(at25.dy_dx2[0]).toBeCloseTo(2 - Math.cos(5), 14);
  });

  it("has the adjoints of the reverse table: v̄6 = 1, v̄5 = −1, v̄4 = 1, v̄3 = 1", () => {
    expect([at25.v6_bar, at25.v5_bar, at25.v4_bar, at25.v3_bar]).toEqual([[1], [-1], [1], [1]]);
  });

  it("has the tangents of the forward table with ẋ1 = 1, ẋ2 = 0: 0.5, 5, 0, 5.5, 5.5", () => {
    expect(at25.v3_dot).toEqual([0.5]);
    expect(at25.v4_dot).toEqual([5]);
    expect(at25.v5_dot).toEqual([0]);
    expect(at25.v6_dot).toEqual([5.5]);
    expect(at25.y_dot).toEqual([5.5]);
    // sin(x2) does not move with x1: its tangent is a structural zero, not cos(x2)·0
    expect(nodes.v5_dot.op).toBe("const");
  });

  it("optimizes the gradient to x2 + 1/x1 and x1 − cos(x2)", () => {
    const gradOnly = program("trace", (g) => {
      const x1 = g.input("x1");
      const x2 = g.input("x2");
      const y = g.sub(g.add(g.log(x1), g.mul(x1, x2)), g.sin(x2));
      const [dy_dx1, dy_dx2] = g.grad(y, [x1, x2]);
      g.entry("grad", { fetch: { y, dy_dx1, dy_dx2 } });
    });
    const optimized = optimize(gradOnly, { verifyEachPass: true });
    // neg(1) folds to −1, (−1)·cos(x2) becomes −cos(x2), 1·x2 and 1·x1 become x2 and x1, and
    // −cos(x2) + x1 becomes x1 − cos(x2)
    expect(Object.fromEntries(optimized.fired)).toEqual({
      "fold constants": 1,
      "-1*x -> -x": 1,
      "1*x -> x": 2,
      "(-x)+y -> y-x": 1,
    });
    expect(programText(optimized.program)).toBe(
      [
        "program trace (f64)",
        '%0: f64[] = input "x1"',
        '%1: f64[] = input "x2"',
        "%2: f64[] = log %0",
        "%3: f64[] = mul %0 %1",
        "%4: f64[] = add %2 %3",
        "%5: f64[] = sin %1",
        "%6: f64[] = sub %4 %5",
        "%7: f64[] = const 1",
        "%8: f64[] = cos %1",
        "%9: f64[] = div %7 %0",
        "%10: f64[] = sub %0 %8",
        "%11: f64[] = add %1 %9",
        "entry grad: y=%6 dy_dx1=%11 dy_dx2=%10",
      ].join("\n"),
    );
    expect(built.graph.nodes.length).toBeGreaterThan(optimized.program.graph.nodes.length);
  });
});

describe("y = 2xᵀx (d2l 2.1.1)", () => {
  const { nodes } = build("dot_square", (g) => {
    const x = g.input("x", [4]);
    const y = g.mul(2, g.dot(x, x));
    const total = g.sum(x);
    const squares = g.sum(g.mul(x, x));
    return {
      y,
      dy_dx: g.grad(y, x),
      total,
      dtotal_dx: g.grad(total, x),
      squares,
      dsquares_dx: g.grad(squares, x),
    };
  });
  const values = run(nodes, { x: [0, 1, 2, 3] });

  it("is 28 at x = [0, 1, 2, 3] with gradient 4x = [0, 4, 8, 12]", () => {
    expect(values.y).toEqual([28]);
    expect(values.dy_dx).toEqual([0, 4, 8, 12]);
  });

  it("has the gradient [1, 1, 1, 1] for sum(x) and 2x = [0, 2, 4, 6] for sum(x·x)", () => {
    expect(values.total).toEqual([6]);
    expect(values.dtotal_dx).toEqual([1, 1, 1, 1]);
    expect(values.squares).toEqual([14]);
    expect(values.dsquares_dx).toEqual([0, 2, 4, 6]);
  });

  it("gives the gradient the shape of x", () => {
    expect(nodes.dy_dx.shape).toEqual([4]);
    expect(nodes.dtotal_dx.shape).toEqual([4]);
  });
});

describe("f(v1) = (exp(v1) + 1)·exp(v1) (reverse mode by extending the graph)", () => {
  const { program: built, nodes } = build("exp_chain", (g) => {
    const v1 = g.input("v1");
    const v2 = g.exp(v1);
    const v3 = g.add(v2, 1);
    const v4 = g.mul(v3, v2);
    const df = g.grad(v4, v1);
    const d2f = g.grad(df, v1);
    const d3f = g.grad(d2f, v1);
    return { f: v4, df, d2f, d3f };
  });

  it("has f' = 2e^(2v) + e^v, f'' = 4e^(2v) + e^v and f''' = 8e^(2v) + e^v", () => {
    for (const v of [-1.25, 0, 0.5, 2]) {
      const e = Math.exp(v);
      const values = run(nodes, { v1: v });
      expect(values.f[0]).toBeCloseTo((e + 1) * e, 12);
      expect(values.df[0]).toBeCloseTo(2 * e * e + e, 12);
      expect(values.d2f[0]).toBeCloseTo(4 * e * e + e, 12);
      expect(values.d3f[0]).toBeCloseTo(8 * e * e + e, 11);
    }
    expect(run(nodes, { v1: 0 })).toEqual({ f: [2], df: [3], d2f: [5], d3f: [9] });
  });

  it("sums the two partial adjoints v̄2→4 and v̄2→3 of the twice-used v2 in one add (node_to_grad)", () => {
    // v4 = v3·v2 sends v̄4·v3 to v2 (%6) and v̄4·v2 to v3 (%5); v3 = v2 + 1 passes %5 on to v2;
    // v̄2 = %6 + %5, and v̄1 = v̄2·exp(v1) reuses v2 itself (x̄ = ȳ·y for exp)
    const firstOrder = graphLines(built).slice(0, 9);
    expect(firstOrder).toEqual([
      '%0: f64[] = input "v1"',
      "%1: f64[] = exp %0",
      "%2: f64[] = const 1",
      "%3: f64[] = add %1 %2",
      "%4: f64[] = mul %3 %1",
      "%5: f64[] = mul %2 %1",
      "%6: f64[] = mul %2 %3",
      "%7: f64[] = add %6 %5",
      "%8: f64[] = mul %7 %1",
    ]);
    expect(nodes.df.id).toBe(8);
  });

  it("optimizes f' to (v3 + v2)·v2", () => {
    const firstOnly = program("exp_chain", (g) => {
      const v1 = g.input("v1");
      const v2 = g.exp(v1);
      const v4 = g.mul(g.add(v2, 1), v2);
      g.entry("derivatives", { fetch: { f: v4, df: g.grad(v4, v1) } });
    });
    expect(programText(optimize(firstOnly, { verifyEachPass: true }).program)).toBe(
      [
        "program exp_chain (f64)",
        '%0: f64[] = input "v1"',
        "%1: f64[] = exp %0",
        "%2: f64[] = const 1",
        "%3: f64[] = add %1 %2",
        "%4: f64[] = mul %3 %1",
        "%5: f64[] = add %3 %1",
        "%6: f64[] = mul %5 %1",
        "entry derivatives: f=%4 df=%6",
      ].join("\n"),
    );
  });
});

describe("z = (⟨x, w⟩ − y)² (the computational graph of the chain rule)", () => {
  const { nodes } = build("squared_error", (g) => {
    const x = g.input("x", [3]);
    const y = g.input("y");
    const w = g.param("w", [3]);
    const z = g.pow(g.sub(g.dot(x, w), y), 2);
    const [dz_dw, dz_dx, dz_dy] = g.grad(z, [w, x, y]);
    return { z, dz_dw, dz_dx, dz_dy };
  });

  it("has ∂z/∂w = 2(⟨x, w⟩ − y)·x", () => {
    // ⟨x, w⟩ = 0.5 − 2 + 6 = 4.5, b = 3.5, z = 12.25, 2b = 7
    const values = run(nodes, { x: [1, 2, 3], y: 1, w: [0.5, -1, 2] });
    expect(values.z).toEqual([12.25]);
    expect(values.dz_dw).toEqual([7, 14, 21]);
    expect(values.dz_dx).toEqual([3.5, -7, 14]);
    expect(values.dz_dy).toEqual([-7]);
  });

  it("matches the formula at random points", () => {
    const rng = [0.3, -1.7, 2.2, 0.9, -0.4, 1.1, -2.5];
    const [x, w, y] = [rng.slice(0, 3), rng.slice(3, 6), rng[6]];
    const b = x[0] * w[0] + x[1] * w[1] + x[2] * w[2] - y;
    const values = run(nodes, { x, y, w });
    expect(values.z[0]).toBeCloseTo(b * b, 13);
    values.dz_dw.forEach((value, i) => expect(value).toBeCloseTo(2 * b * x[i], 13));
  });
});

function graphLines(p: Program): string[] {
  return programText(p).split("\n").slice(1);
}

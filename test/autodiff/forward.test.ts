// Forward mode: tangents built node by node, structural zeros, seeds at inner nodes, higher orders.
import { describe, expect, it } from "vitest";
import { programText } from "../../compiler/ir/text.ts";
import { build, values } from "../support/build.ts";

describe("jvp", () => {
  it("moves a vector input along a tangent: the jvp of sin(x) is cos(x)·t", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [3]);
      const t = g.input("t", [3]);
      return { y_dot: g.jvp([g.sin(x)], [x], [t])[0] };
    });
    const x = [0.1, -2, 3];
    const t = [1, 0.5, -2];
    values(nodes.y_dot, { x, t }).forEach((value, i) =>
      expect(value).toBeCloseTo(Math.cos(x[i]) * t[i], 15),
    );
  });

  it("treats a const 0 tangent as a structural zero: no 0·(...) is built", () => {
    const { program: built, nodes } = build((g) => {
      const x = g.input("x");
      const y = g.input("y");
      const f = g.mul(g.sin(x), g.exp(y));
      return { f_dot: g.jvp([f], [x, y], [g.constant(0), g.constant(1)])[0] };
    });
    // only the y path: ẏ·exp(y) for exp, then sin(x)·(that) for the product
    expect(programText(built).split("\n").slice(1, -1)).toEqual([
      '%0: f64[] = input "x"',
      '%1: f64[] = input "y"',
      "%2: f64[] = sin %0",
      "%3: f64[] = exp %1",
      "%4: f64[] = mul %2 %3",
      "%5: f64[] = const 0",
      "%6: f64[] = const 1",
      "%7: f64[] = mul %6 %3",
      "%8: f64[] = mul %7 %2",
    ]);
    expect(values(nodes.f_dot, { x: 0.5, y: 2 })[0]).toBeCloseTo(Math.sin(0.5) * Math.exp(2), 14);
  });

  it("gives an output that no moving input reaches a const 0 of the output's shape", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const v = g.input("v", [2, 2]);
      const [v_dot] = g.jvp([g.exp(v)], [x], [g.constant(1)]);
      return { v_dot };
    });
    expect(nodes.v_dot.op).toBe("const");
    expect(nodes.v_dot.shape).toEqual([2, 2]);
    expect(values(nodes.v_dot, {})).toEqual([0, 0, 0, 0]);
  });

  it("seeds an inner node: moving h in exp(h) ignores how h was computed", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const h = g.mul(x, 3);
      const y = g.exp(h);
      const [from_h] = g.jvp([y], [h], [g.constant(1)]);
      const [from_x] = g.jvp([y], [x], [g.constant(1)]);
      return { from_h, from_x };
    });
    expect(values(nodes.from_h, { x: 0.5 })[0]).toBeCloseTo(Math.exp(1.5), 14);
    expect(values(nodes.from_x, { x: 0.5 })[0]).toBeCloseTo(3 * Math.exp(1.5), 14);
  });

  it("accepts a tangent that is itself computed: moving x along x gives x·f'(x)", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      return { y_dot: g.jvp([g.log(x)], [x], [x])[0] };
    });
    // x·(1/x) = 1 wherever log is defined
    expect(values(nodes.y_dot, { x: 7.25 })[0]).toBeCloseTo(1, 15);
  });

  it("widens a scalar tangent through scalar broadcasting: s·v moved along s is v", () => {
    const { nodes } = build((g) => {
      const s = g.input("s");
      const v = g.input("v", [3]);
      const [y_dot] = g.jvp([g.add(g.mul(s, v), s)], [s], [g.constant(2)]);
      return { y_dot };
    });
    expect(nodes.y_dot.shape).toEqual([3]);
    expect(values(nodes.y_dot, { s: 5, v: [1, -1, 4] })).toEqual([4, 0, 10]);
  });
});

describe("higher orders", () => {
  it("differentiates forward over forward: (x·sin x)'' = 2 cos x − x sin x", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const one = g.constant(1);
      const [d1] = g.jvp([g.mul(x, g.sin(x))], [x], [one]);
      const [d2] = g.jvp([d1], [x], [one]);
      return { d1, d2 };
    });
    for (const x of [-2, 0.3, 1.7]) {
      expect(values(nodes.d1, { x })[0]).toBeCloseTo(Math.sin(x) + x * Math.cos(x), 14);
      expect(values(nodes.d2, { x })[0]).toBeCloseTo(2 * Math.cos(x) - x * Math.sin(x), 14);
    }
  });

  it("differentiates reverse over forward: ∇ of the directional derivative of exp(x·y)", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const y = g.input("y");
      const f = g.exp(g.mul(x, y));
      // ∂f/∂x = y·e^(xy); ∂²f/∂x² = y²e^(xy), ∂²f/∂x∂y = (1 + xy)e^(xy)
      const [f_x] = g.jvp([f], [x, y], [g.constant(1), g.constant(0)]);
      const [f_xx, f_xy] = g.grad(f_x, [x, y]);
      return { f_x, f_xx, f_xy };
    });
    const [x, y] = [0.6, -1.1];
    const e = Math.exp(x * y);
    expect(values(nodes.f_x, { x, y })[0]).toBeCloseTo(y * e, 15);
    expect(values(nodes.f_xx, { x, y })[0]).toBeCloseTo(y * y * e, 15);
    expect(values(nodes.f_xy, { x, y })[0]).toBeCloseTo((1 + x * y) * e, 15);
  });
});

describe("names and origins of tangents", () => {
  it("names the tangent of a named node name_dot, with the tangent role", () => {
    const { program: built, nodes } = build((g) => {
      const x = g.input("x");
      const v = g.name(g.mul(x, x), "v");
      return { v_dot: g.jvp([v], [x], [g.input("t")])[0] };
    });
    const origin = built.graph.origin(nodes.v_dot);
    expect(origin.label).toBe("v_dot");
    expect(origin.role).toBe("tangent");
    expect(values(nodes.v_dot, { x: 3, t: 0.5 })).toEqual([3]);
  });
});

// Reverse mode: partial adjoints summed per node, structural zeros, errors, names, and the text of
// small adjoint graphs written out by hand.
import { describe, expect, it } from "vitest";
import { program } from "../../compiler/program.ts";
import { AdjointError } from "../../compiler/errors.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { programText } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { nodesBetween } from "../../compiler/autodiff/reverse.ts";
import { build, thrown, values } from "../support/build.ts";

/** A program whose single entry fetches what `body` returns. */
describe("partial adjoints", () => {
  it("sums the two uses of x in x·x: both partials are the same interned node 1·x", () => {
    const { program: built, nodes } = build((g) => {
      const x = g.input("x");
      return { dx: g.grad(g.mul(x, x), x) };
    });
    expect(programText(built)).toBe(
      [
        "program p (f64)",
        '%0: f64[] = input "x"',
        "%1: f64[] = mul %0 %0",
        "%2: f64[] = const 1",
        "%3: f64[] = mul %2 %0",
        "%4: f64[] = add %3 %3",
        "entry all: dx=%4",
      ].join("\n"),
    );
    expect(values(nodes.dx, { x: -2.5 })).toEqual([-5]);
  });

  it("adds the partials of a node used three times: d(x·x·x)/dx = 3x²", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      return { dx: g.grad(g.mul(g.mul(x, x), x), x) };
    });
    expect(values(nodes.dx, { x: 1.5 })).toEqual([3 * 1.5 * 1.5]);
    expect(values(nodes.dx, { x: -4 })).toEqual([48]);
  });

  it("sums over paths through a shared intermediate: f = h·h + h with h = xy", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const y = g.input("y");
      const h = g.mul(x, y);
      const f = g.add(g.mul(h, h), h);
      const [f_h, f_x, f_y] = g.grad(f, [h, x, y]);
      return { f_h, f_x, f_y };
    });
    // h = 6: ∂f/∂h = 2h + 1 = 13, ∂f/∂x = 13·y = 39, ∂f/∂y = 13·x = 26
    expect(values(nodes.f_h, { x: 2, y: 3 })).toEqual([13]);
    expect(values(nodes.f_x, { x: 2, y: 3 })).toEqual([39]);
    expect(values(nodes.f_y, { x: 2, y: 3 })).toEqual([26]);
  });

  it("optimizes the gradient of x²y + y + 2 to 2·(yx) and 1 + x², merging the 2 with f's constant", () => {
    const quadratic = program("quadratic", (g) => {
      const x = g.input("x");
      const y = g.input("y");
      const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);
      const [df_dx, df_dy] = g.grad(f, [x, y]);
      g.entry("grad", { fetch: { f, df_dx, df_dy } });
    });
    const optimized = optimize(quadratic, { verifyEachPass: true });
    expect(Object.fromEntries(optimized.fired)).toEqual({ "1*x -> x": 2, "x+x -> 2*x": 1 });
    expect(programText(optimized.program)).toBe(
      [
        "program quadratic (f64)",
        '%0: f64[] = input "x"',
        '%1: f64[] = input "y"',
        "%2: f64[] = mul %0 %0",
        "%3: f64[] = mul %2 %1",
        "%4: f64[] = add %3 %1",
        "%5: f64[] = const 2",
        "%6: f64[] = add %4 %5",
        "%7: f64[] = const 1",
        "%8: f64[] = mul %1 %0",
        "%9: f64[] = add %7 %2",
        "%10: f64[] = mul %5 %8",
        "entry grad: f=%6 df_dx=%10 df_dy=%9",
      ].join("\n"),
    );
  });
});

describe("structural zeros", () => {
  it("gives an input that the output does not depend on a const 0 of its shape", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const z = g.input("z", [2, 3]);
      const [dx, dz] = g.grad(g.exp(x), [x, z]);
      return { dx, dz, z };
    });
    expect(nodes.dz.op).toBe("const");
    expect(nodes.dz.shape).toEqual([2, 3]);
    expect(nodes.dz.op === "const" && nodes.dz.attrs.values).toEqual([0]);
    expect(values(nodes.dz, {})).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(nodes.dx, { x: 1 })).toEqual([Math.E]);
  });

  it("gives a constant output a zero gradient, and the output itself a gradient of 1", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const y = g.input("y");
      const c = g.mul(g.constant(2), 3);
      const [self, other] = g.grad(x, [x, y]);
      return { dc: g.grad(c, x), self, other };
    });
    expect(nodes.dc.op).toBe("const");
    expect(values(nodes.dc, {})).toEqual([0]);
    expect(values(nodes.self, {})).toEqual([1]);
    expect(nodes.other.op).toBe("const");
    expect(values(nodes.other, {})).toEqual([0]);
  });

  it("builds no adjoint for an input off every path: grad wrt x of x + sin(y) is 1", () => {
    const { program: built, nodes } = build((g) => {
      const x = g.input("x");
      const y = g.input("y");
      return { dx: g.grad(g.add(x, g.sin(y)), x) };
    });
    expect(built.graph.nodes.some((node) => node.op === "cos")).toBe(false);
    expect(values(nodes.dx, { y: 0.3 })).toEqual([1]);
  });
});

describe("vector-Jacobian products", () => {
  it("weights a vector output by its cotangent: vjp of x·x is 2x·c", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [3]);
      const c = g.input("c", [3]);
      const [x_bar] = g.vjp([g.mul(x, x)], [c], [x]);
      return { x_bar };
    });
    expect(values(nodes.x_bar, { x: [1, -2, 3], c: [0.5, 4, -1] })).toEqual([1, -16, -6]);
  });

  it("adds the contributions of several outputs", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const [x_bar] = g.vjp([g.sin(x), g.mul(x, x)], [g.constant(2), g.constant(-1)], [x]);
      return { x_bar };
    });
    expect(values(nodes.x_bar, { x: 0.7 })[0]).toBeCloseTo(2 * Math.cos(0.7) - 2 * 0.7, 15);
  });

  it("agrees with forward mode on the whole Jacobian of (xy, sin x + y²)", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const y = g.input("y");
      const u = g.mul(x, y);
      const v = g.add(g.sin(x), g.mul(y, y));
      const one = g.constant(1);
      const zero = g.constant(0);
      const [u_x, v_x] = g.jvp([u, v], [x, y], [one, zero]);
      const [u_y, v_y] = g.jvp([u, v], [x, y], [zero, one]);
      const [ux_bar, uy_bar] = g.vjp([u, v], [one, zero], [x, y]);
      const [vx_bar, vy_bar] = g.vjp([u, v], [zero, one], [x, y]);
      return { u_x, u_y, v_x, v_y, ux_bar, uy_bar, vx_bar, vy_bar };
    });
    const [x, y] = [0.4, -1.3];
    const leaves = { x, y };
    // J = [[y, x], [cos x, 2y]]
    const expected = { u_x: y, u_y: x, v_x: Math.cos(x), v_y: 2 * y };
    for (const [name, value] of Object.entries(expected)) {
      expect(values(nodes[name as keyof typeof expected], leaves)[0]).toBeCloseTo(value, 15);
    }
    expect(values(nodes.ux_bar, leaves)[0]).toBeCloseTo(y, 15);
    expect(values(nodes.uy_bar, leaves)[0]).toBeCloseTo(x, 15);
    expect(values(nodes.vx_bar, leaves)[0]).toBeCloseTo(Math.cos(x), 15);
    expect(values(nodes.vy_bar, leaves)[0]).toBeCloseTo(2 * y, 15);
  });

  it("rejects a cotangent of the wrong shape", () => {
    const error = thrown(() =>
      build((g) => {
        const x = g.input("x", [3]);
        return { x_bar: g.vjp([g.exp(x)], [g.constant(1)], [x])[0] };
      }),
    );
    expect(error).toBeInstanceOf(AdjointError);
    expect(error.message).toContain("vjp");
    expect(error.message).toContain("[3]");
  });
});

describe("errors", () => {
  it("refuses grad of a non-scalar output, naming grad and the shape", () => {
    const error = thrown(() =>
      build((g) => {
        const x = g.input("x", [3]);
        return { dx: g.grad(g.mul(x, x), x) };
      }),
    );
    expect(error).toBeInstanceOf(AdjointError);
    expect(error.message).toMatch(/^grad: /);
    expect(error.message).toContain("[3]");
  });

  it("refuses a wrt node from another program", () => {
    let foreign: Node | undefined;
    program("other", (g) => {
      foreign = g.input("x");
      g.entry("e", { fetch: { foreign } });
    });
    const error = thrown(() =>
      build((g) => {
        const x = g.input("x");
        return { dx: g.grad(g.exp(x), foreign!) };
      }),
    );
    expect(error).toBeInstanceOf(AdjointError);
    expect(error.message).toContain("grad");
    expect(error.message).toContain("not a node of this program");
  });
});

describe("x^p with a constant exponent", () => {
  it("differentiates x³ four times at x = 0 without NaN: 0, 0, 6, 0", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const d1 = g.grad(g.pow(x, 3), x);
      const d2 = g.grad(d1, x);
      const d3 = g.grad(d2, x);
      const d4 = g.grad(d3, x);
      return { d1, d2, d3, d4, flat: g.grad(g.pow(x, 0), x) };
    });
    const at0 = Object.fromEntries(Object.entries(nodes).map(([k, n]) => [k, values(n, { x: 0 })]));
    expect(at0).toEqual({ d1: [0], d2: [0], d3: [6], d4: [0], flat: [0] });
    // and 3x², 6x, 6, 0 elsewhere
    const at2 = Object.fromEntries(Object.entries(nodes).map(([k, n]) => [k, values(n, { x: 2 })]));
    expect(at2).toEqual({ d1: [12], d2: [12], d3: [6], d4: [0], flat: [0] });
  });

  it("has the same derivatives in forward mode", () => {
    const { nodes } = build((g) => {
      const x = g.input("x");
      const one = g.constant(1);
      const [d1] = g.jvp([g.pow(x, 2)], [x], [one]);
      const [d2] = g.jvp([d1], [x], [one]);
      const [d3] = g.jvp([d2], [x], [one]);
      return { d1, d2, d3 };
    });
    expect(values(nodes.d1, { x: 0 })).toEqual([0]);
    expect(values(nodes.d2, { x: 0 })).toEqual([2]);
    expect(values(nodes.d3, { x: 0 })).toEqual([0]);
  });
});

describe("names and origins of adjoints", () => {
  it("names the summed adjoint of a leaf x x_bar, with the adjoint role and the DSL file", () => {
    const { program: built, nodes } = build((g) => {
      const x = g.input("x");
      const y = g.input("y");
      const f = g.add(g.mul(x, x), y);
      return { dx: g.grad(f, x) };
    });
    const origin = built.graph.origin(nodes.dx);
    expect(origin.label).toBe("x_bar");
    expect(origin.role).toBe("adjoint");
    expect(origin.loc?.file).toMatch(/reverse\.test\.ts$/);
  });

  it("keeps a seed's own name: the adjoint that is the cotangent itself is not renamed", () => {
    const { program: built, nodes } = build((g) => {
      const x = g.input("x");
      const c = g.input("c");
      return { x_bar: g.vjp([x], [c], [x])[0] };
    });
    expect(nodes.x_bar.op).toBe("input");
    expect(built.graph.origin(nodes.x_bar).label).toBe("c");
  });
});

describe("nodesBetween", () => {
  it("keeps the nodes on some path from the wrt set to the outputs", () => {
    let ids: Record<string, number> = {};
    let between = new Set<number>();
    program("p", (g) => {
      const x = g.input("x");
      const y = g.input("y");
      const a = g.sin(x); // on the path
      const b = g.cos(y); // feeds the output, independent of x
      const c = g.exp(x); // depends on x, does not reach the output
      const out = g.mul(a, b);
      ids = { x: x.id, y: y.id, a: a.id, b: b.id, c: c.id, out: out.id };
      between = nodesBetween(g, [x], [out]);
      g.entry("e", { fetch: { out, c } });
    });
    expect([...between].sort((p, q) => p - q)).toEqual([ids.x, ids.a, ids.out]);
  });
});

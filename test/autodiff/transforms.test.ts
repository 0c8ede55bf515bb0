// Transforms built from the two modes: hvp (forward over reverse), dense Hessians (symmetric, and
// equal to hand-derived ones), Jacobians in both modes and the choice between them, structural
// zeros, and the error for a gradient path through an integer value.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, program, type Node, type ProgramBuilder } from "adjoint";
import { jacobianMode } from "../../compiler/autodiff/transforms.ts";
import { AdjointError } from "../../compiler/errors.ts";
import { build, thrown, values } from "../support/build.ts";
import { expectClose } from "../support/oracle.ts";
import { seeded, uniform } from "../support/random.ts";

const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");

/** A square matrix (row-major, n×n) as nested rows. */
const rows = (data: readonly number[], n: number) =>
  Array.from({ length: n }, (_, i) => data.slice(i * n, (i + 1) * n));

/** Largest |H[i][j] − H[j][i]|. */
function asymmetry(data: readonly number[], n: number): number {
  const h = rows(data, n);
  return Math.max(...h.flatMap((row, i) => row.map((value, j) => Math.abs(value - h[j][i]))));
}

/** Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², with the slices of x. */
function rosenbrock(g: ProgramBuilder, x: Node): Node {
  const n = x.shape[0];
  const head = g.slice(x, [0], [n - 1]);
  const tail = g.slice(x, [1], [n]);
  const valley = g.mul(100, g.square(g.sub(tail, g.square(head))));
  return g.sum(g.add(valley, g.square(g.sub(1, head))));
}

/** The Rosenbrock Hessian by hand: a tridiagonal matrix. */
function rosenbrockHessian(x: readonly number[]): number[] {
  const n = x.length;
  const h = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n - 1; i++) {
    h[i * n + i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
    h[(i + 1) * n + i + 1] += 200;
    h[i * n + i + 1] = -400 * x[i];
    h[(i + 1) * n + i] = -400 * x[i];
  }
  return h;
}

describe("hvp", () => {
  // f(x, y) = Σ sin(x)·y²: f_xx = −sin(x)y², f_xy = 2cos(x)y, f_yy = 2sin(x), all diagonal
  const x = [0.3, -1.2, 2];
  const y = [1.5, 0.4, -0.7];
  const v = [1, -2, 0.5];
  const w = [0.25, 3, -1];
  const hvX = x.map(
    (_, i) => -Math.sin(x[i]) * y[i] ** 2 * v[i] + 2 * Math.cos(x[i]) * y[i] * w[i],
  );
  const hvY = x.map((_, i) => 2 * Math.cos(x[i]) * y[i] * v[i] + 2 * Math.sin(x[i]) * w[i]);

  it("is the tangent of the gradient along v, for a list of inputs", () => {
    const { nodes } = build((g) => {
      const [xs, ys] = [g.input("x", [3]), g.input("y", [3])];
      const f = g.sum(g.mul(g.sin(xs), g.square(ys)));
      const [hx, hy] = g.hvp(f, [xs, ys], [g.input("v", [3]), g.input("w", [3])]);
      return { hx, hy };
    });
    expectClose(values(nodes.hx, { x, y, v, w }), hvX, 1e-15, "(H·v) for x");
    expectClose(values(nodes.hy, { x, y, v, w }), hvY, 1e-15, "(H·v) for y");
  });

  it("takes records of inputs and directions and answers with the same record", () => {
    const { nodes } = build((g) => {
      const point = { x: g.input("x", [3]), y: g.input("y", [3]) };
      const f = g.sum(g.mul(g.sin(point.x), g.square(point.y)));
      const hv = g.hvp(f, point, { x: g.input("v", [3]), y: g.input("w", [3]) });
      return { hx: hv.x, hy: hv.y };
    });
    expectClose(values(nodes.hx, { x, y, v, w }), hvX, 1e-15, "(H·v).x");
    expectClose(values(nodes.hy, { x, y, v, w }), hvY, 1e-15, "(H·v).y");
  });

  it("of a single scalar input is f''(x)·v", () => {
    const { nodes } = build((g) => {
      const s = g.input("s");
      return { hv: g.hvp(g.mul(g.mul(s, s), s), s, g.constant(2)) };
    });
    // d²(s³)/ds² = 6s
    expect(values(nodes.hv, { s: 1.5 })).toEqual([18]);
  });

  it("rejects a non-scalar function, mismatched shapes and mismatched nesting", () => {
    const attempt = (body: (g: ProgramBuilder) => void) =>
      thrown(() => program("p", body)).message.split("\n")[0];
    expect(
      attempt((g) => {
        const x = g.input("x", [2]);
        g.hvp(g.exp(x), x, x);
      }),
    ).toMatch(/^hvp: output %\d+ has shape \[2\]; hvp needs a scalar/);
    expect(
      attempt((g) => {
        const x = g.input("x", [2]);
        g.hvp(g.sum(x), x, g.input("v", [3]));
      }),
    ).toBe("hvp: direction 1 has shape [3], its value has [2]");
    expect(
      attempt((g) => {
        const x = g.input("x", [2]);
        g.hvp(g.sum(x), { a: x }, { b: x });
      }),
    ).toBe("hvp: x and v must have the same nesting");
  });
});

describe("hessian", () => {
  it("of the quadratic form xᵀAx over a [2,2] x is A + Aᵀ, with shape [2,2,2,2]", () => {
    const a = uniform(seeded(7), 16);
    const { nodes } = build((g) => {
      const x = g.input("x", [2, 2]);
      const flat = g.reshape(x, [4]);
      const ax = g.reshape(g.matmul(g.constant(a, [4, 4]), g.reshape(flat, [4, 1])), [4]);
      return { h: g.hessian(g.dot(flat, ax), x) };
    });
    expect(nodes.h.shape).toEqual([2, 2, 2, 2]);
    const h = values(nodes.h, { x: [0.5, -1, 2, 3] });
    const sum = a.map((value, k) => value + a[(k % 4) * 4 + Math.floor(k / 4)]);
    expectClose(h, sum, 1e-15, "H of xᵀAx");
    expect(asymmetry(h, 4)).toBe(0);
  });

  for (const n of [3, 4, 5]) {
    it(`of Rosenbrock in ${n} variables is the tridiagonal matrix by hand, and symmetric`, () => {
      const { nodes } = build((g) => {
        const x = g.input("x", [n]);
        return { h: g.hessian(rosenbrock(g, x), x) };
      });
      const random = seeded(n);
      for (let trial = 0; trial < 3; trial++) {
        const x = uniform(random, n);
        const h = values(nodes.h, { x });
        expectClose(h, rosenbrockHessian(x), 1e-14, `Rosenbrock H at [${x}]`);
        expect(asymmetry(h, n)).toBeLessThanOrEqual(1e-12 * Math.max(...h.map(Math.abs)));
      }
    });
  }

  it("compiles: the generated Rosenbrock Hessian equals the hand-derived one", async () => {
    const p = program("rosen", (g) => {
      const x = g.input("x", [3]);
      g.entry("hessian", { fetch: { h: g.hessian(rosenbrock(g, x), x) } });
    });
    const compiled = await compile(p);
    const x = [0.5, -1.5, 1.25];
    const { h } = compiled.entry(compiled.create(), "hessian")({ x });
    expectClose(h, rosenbrockHessian(x), 1e-14, "compiled Rosenbrock H");
  });

  it("of a list of inputs gives the blocks, the off-diagonal ones transposes of each other", () => {
    const { nodes } = build((g) => {
      const [x, y] = [g.input("x", [3]), g.input("y", [2])];
      // f = Σᵢⱼ xᵢ²·yⱼ + Σⱼ yⱼ³: f_xx = 2·Σy·I, f_xy[i][j] = 2xᵢ, f_yy = 6·diag(y)
      const f = g.add(g.sum(g.outer(g.square(x), y)), g.sum(g.mul(g.square(y), y)));
      const [[xx, xy], [yx, yy]] = g.hessian(f, [x, y]);
      return { xx, xy, yx, yy };
    });
    const at = { x: [1, -2, 0.5], y: [3, -0.25] };
    expect([nodes.xx.shape, nodes.xy.shape, nodes.yx.shape, nodes.yy.shape]).toEqual([
      [3, 3],
      [3, 2],
      [2, 3],
      [2, 2],
    ]);
    // exact, up to the sign of a zero
    expectClose(values(nodes.xx, at), [5.5, 0, 0, 0, 5.5, 0, 0, 0, 5.5], 0, "f_xx");
    expectClose(values(nodes.xy, at), [2, 2, -4, -4, 1, 1], 0, "f_xy");
    expectClose(values(nodes.yx, at), [2, -4, 1, 2, -4, 1], 0, "f_yx");
    expectClose(values(nodes.yy, at), [18, 0, 0, -1.5], 0, "f_yy");
  });

  it("of a function that does not depend on x is a structural zero", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [2]);
      return { h: g.hessian(g.sum(g.mul(x, 3)), x) };
    });
    expect(values(nodes.h, { x: [1, 2] })).toEqual([0, 0, 0, 0]);
  });
});

describe("jacobian", () => {
  // y = exp(x·B) for x [2,2] and B [2,3]: ∂yᵢⱼ/∂xₖₗ = δᵢₖ·yᵢⱼ·B[l][j]
  const b = [0.5, -1, 2, 1.5, 0.25, -0.75];
  const x = [0.2, -0.4, 0.6, 0.1];
  const expected: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      const yij = Math.exp(x[i * 2] * b[j] + x[i * 2 + 1] * b[3 + j]);
      for (let k = 0; k < 2; k++) {
        for (let l = 0; l < 2; l++) expected.push(i === k ? yij * b[l * 3 + j] : 0);
      }
    }
  }
  const jacobians = () =>
    build((g) => {
      const xs = g.input("x", [2, 2]);
      const y = g.exp(g.matmul(xs, g.constant(b, [2, 3])));
      return {
        chosen: g.jacobian(y, xs),
        forward: g.jacobian(y, xs, { mode: "forward" }),
        reverse: g.jacobian(y, xs, { mode: "reverse" }),
      };
    }).nodes;

  it("has shape [...y.shape, ...x.shape] and the hand-derived entries in both modes", () => {
    const nodes = jacobians();
    for (const mode of ["chosen", "forward", "reverse"] as const) {
      expect(nodes[mode].shape).toEqual([2, 3, 2, 2]);
      expectClose(values(nodes[mode], { x }), expected, 1e-15, `${mode} Jacobian`);
    }
  });

  it("agrees between the modes on a scalar-to-vector and a vector-to-scalar function", () => {
    const { nodes } = build((g) => {
      const s = g.input("s");
      const v = g.input("v", [3]);
      const curve = g.mul(g.sin(g.mul(s, g.constant([1, 2, 3]))), v);
      const norm = g.sum(g.square(v));
      return {
        curveF: g.jacobian(curve, s, { mode: "forward" }),
        curveR: g.jacobian(curve, s, { mode: "reverse" }),
        normF: g.jacobian(norm, v, { mode: "forward" }),
        normR: g.jacobian(norm, v, { mode: "reverse" }),
      };
    });
    const at = { s: 0.7, v: [1, -2, 0.5] };
    const curve = [1, 2, 3].map((k, i) => k * Math.cos(k * 0.7) * at.v[i]);
    expectClose(values(nodes.curveF, at), curve, 1e-15, "forward d(curve)/ds");
    expectClose(values(nodes.curveR, at), curve, 1e-15, "reverse d(curve)/ds");
    expect(values(nodes.normF, at)).toEqual([2, -4, 1]);
    expect(values(nodes.normR, at)).toEqual([2, -4, 1]);
  });

  it("chooses forward mode when x has fewer elements than y, reverse mode otherwise", () => {
    const roles = (xShape: number[], yShape: number[], mode?: "forward" | "reverse") => {
      const counts = { tangent: 0, adjoint: 0 };
      program("p", (g) => {
        const x0 = g.input("x", xShape);
        const y = g.mul(g.sum(g.exp(x0)), g.constant(1, yShape));
        const before = g.graph.nodes.length;
        expect(jacobianMode(y, x0)).toBe(mode);
        const jac = g.jacobian(y, x0);
        for (const node of g.graph.nodes.slice(before)) {
          const role = g.graph.origin(node).role;
          if (role !== undefined) counts[role]++;
        }
        g.entry("e", { fetch: { jac } });
      });
      return counts;
    };
    const forward = roles([2], [3, 2], "forward");
    expect(forward.tangent).toBeGreaterThan(0);
    expect(forward.adjoint).toBe(0);
    const reverse = roles([3], [2], "reverse");
    expect(reverse.adjoint).toBeGreaterThan(0);
    expect(reverse.tangent).toBe(0);
    // equal sizes: one sweep per element either way, reverse by default
    expect(roles([2], [2], "reverse").tangent).toBe(0);
  });

  it("rejects an unknown mode", () => {
    const error = thrown(() =>
      program("p", (g) => {
        const x = g.input("x", [2]);
        g.jacobian(g.exp(x), x, { mode: "sideways" as never });
      }),
    );
    expect(error.message).toContain('jacobian: mode must be "forward" or "reverse", got sideways');
  });
});

describe("structural zeros and paths without a derivative", () => {
  it("gives an input the output does not depend on a const 0 of its shape", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [2]);
      const unused = g.input("unused", [3, 2]);
      return { d: g.grad(g.sum(g.exp(x)), unused) };
    });
    expect(nodes.d.op).toBe("const");
    expect(nodes.d.shape).toEqual([3, 2]);
    expect(values(nodes.d, {})).toEqual([0, 0, 0, 0, 0, 0]);
  });

  // gather(table, cast(x, i32))·x: the indices carry no derivative
  const lookup = (g: ProgramBuilder, stopped: boolean) => {
    const x = g.input("x", [2]);
    const table = g.input("table", [4]);
    const indices = g.cast(stopped ? g.stopGradient(x) : x, "i32");
    const looked = g.gather(table, indices); // @gather
    return { x, f: g.sum(g.mul(looked, x)) };
  };

  it("is an error naming gather and its line when the wrt reaches its indices", () => {
    const error = thrown(() =>
      program("p", (g) => {
        const { x, f } = lookup(g, false);
        g.grad(f, x);
      }),
    );
    expect(error).toBeInstanceOf(AdjointError);
    expect(error.message).toContain(
      "grad: the gradient reaches gather through its input 2 (cast, i32), which is not differentiable",
    );
    expect(error.message).toContain("g.stopGradient");
    expect(error.message).toMatch(/transforms\.test\.ts:\d+:/);
    const line = Number(/transforms\.test\.ts:(\d+):/.exec(error.message)![1]);
    expect(lines[line - 1]).toContain("// @gather");
  });

  it("flows only through the table when the indices come from a stopGradient", () => {
    const { nodes } = build((g) => {
      const { x, f } = lookup(g, true);
      return { d: g.grad(f, x) };
    });
    // the indices truncate x to [1, 3]: ∂f/∂x = table[indices]
    expect(values(nodes.d, { x: [1.2, 3.7], table: [10, 20, 30, 40] })).toEqual([20, 40]);
  });
});

// Hessians by compression equal the dense path (one hvp per basis vector) entry by entry: the
// Rosenbrock function for n = 5, 10 and 100 (3 colors), a dense quadratic form (which falls back),
// a reduction with broadcasting (block diagonal), and blocks over two inputs; compiled code agrees.
import { describe, expect, it } from "vitest";
import { compile, program, type Node, type ProgramBuilder } from "adjoint";
import { colorColumns } from "../../compiler/autodiff/coloring.ts";
import { jacobianPattern } from "../../compiler/autodiff/sparsity.ts";
import { basisJacobian, denseHessian } from "../../compiler/autodiff/transforms.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import { build, values } from "../support/build.ts";
import { expectClose } from "../support/oracle.ts";
import { seeded, uniform } from "../support/random.ts";

type Fn = (g: ProgramBuilder, xs: readonly Node[]) => Node;

/** Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², with the slices of x. */
const rosenbrock: Fn = (g, [x]) => {
  const n = x.shape[0];
  const head = g.slice(x, [0], [n - 1]);
  const tail = g.slice(x, [1], [n]);
  return g.sum(g.add(g.mul(100, g.square(g.sub(tail, g.square(head)))), g.square(g.sub(1, head))));
};

interface Built {
  compressed: Node[][];
  dense: Node[][];
  colors: number | "dense";
}

/** Both Hessians of f over inputs of `shapes`, and the number of colors of its pattern. */
function bothHessians(shapes: readonly number[][], f: Fn): Built {
  let built: Built | undefined;
  program("h", (g) => {
    const xs = shapes.map((shape, i) => g.input(`x${i}`, shape));
    const y = f(g, xs);
    const compressed = g.hessian(y, xs);
    const grads = g.grad(y, xs);
    const pattern = jacobianPattern(grads, xs);
    const colors = pattern === "dense" ? "dense" : colorColumns(pattern).count;
    built = { compressed, dense: denseHessian(g, grads, xs), colors };
    g.entry("h", { fetch: { h: compressed[0][0] } });
  });
  return built!;
}

/** The two Hessians agree block by block at a random point. */
function expectSameHessians(shapes: readonly number[][], f: Fn, seed = 7): Built {
  const built = bothHessians(shapes, f);
  const random = seeded(seed);
  const leaves = Object.fromEntries(
    shapes.map((shape, i) => [
      `x${i}`,
      uniform(
        random,
        shape.reduce((a, b) => a * b, 1),
      ),
    ]),
  );
  const flat = (blocks: Node[][]) => blocks.flat();
  const [compressed, dense] = [flat(built.compressed), flat(built.dense)].map((nodes) =>
    interpret(nodes, leaves),
  );
  compressed.forEach((block, k) => expectClose(block, dense[k], 1e-13, `block ${k}`));
  return built;
}

describe("compressed Hessians equal one hvp per basis vector", () => {
  it.each([5, 10, 100])("Rosenbrock, n = %i, with 3 colors", (n) => {
    const { colors } = expectSameHessians([[n]], rosenbrock);
    expect(colors).toBe(3);
  });

  it("a dense quadratic form ½xᵀAx (a color per column: the dense path)", () => {
    const n = 6;
    const A = uniform(seeded(3), n * n);
    const { colors } = expectSameHessians([[n]], (g, [x]) => {
      const ax = g.matmul(g.constant(A, [n, n]), g.reshape(x, [n, 1]));
      return g.mul(0.5, g.dot(x, g.reshape(ax, [n])));
    });
    expect(colors).toBe(n);
  });

  it("a row-wise reduction with broadcasting: block diagonal, one color per column of a row", () => {
    const w = uniform(seeded(5), 5);
    const { colors } = expectSameHessians([[4, 5]], (g, [x]) => {
      const scaled = g.mul(x, g.constant(w, [5]));
      return g.add(g.sum(g.logsumexp(scaled, [1])), g.sum(g.pow(x, 4)));
    });
    expect(colors).toBe(5);
  });

  it("blocks over two inputs", () => {
    const { colors } = expectSameHessians([[6], [6]], (g, [x, y]) =>
      g.add(
        g.sum(g.mul(g.exp(x), y)),
        g.sum(g.square(g.sub(g.slice(x, [1], [6]), g.slice(y, [0], [5])))),
      ),
    );
    expect(colors).not.toBe("dense");
    expect(colors).toBeLessThan(12);
  });
});

describe("a compiled compressed Hessian", () => {
  it("equals the interpreter's dense path for Rosenbrock, n = 30", async () => {
    const n = 30;
    let dense: Node | undefined;
    const built = program("rosenbrock", (g) => {
      const x = g.input("x", [n]);
      const f = rosenbrock(g, [x]);
      dense = denseHessian(g, g.grad(f, [x]), [x])[0][0];
      g.entry("hessian", { fetch: { h: g.hessian(f, x) } });
    });
    const x = uniform(seeded(11), n);
    const compiled = await compile(built);
    const { h } = compiled.entry(compiled.create(), "hessian")({ x });
    expectClose(h, interpret([dense!], { x })[0], 1e-13, "H");
  });
});

describe("the dense path", () => {
  it("serves a repeated input, whose blocks are all the one Hessian", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [4]);
      const [[a, b], [c, d]] = g.hessian(g.sum(g.exp(x)), [x, x]);
      return { a, b, c, d };
    });
    const x = [0.1, 0.2, -0.3, 0.4];
    const diagonal = [0, 1, 2, 3].flatMap((i) =>
      [0, 1, 2, 3].map((j) => (i === j ? Math.exp(x[i]) : 0)),
    );
    for (const block of [nodes.a, nodes.b, nodes.c, nodes.d]) {
      expectClose(values(block, { x }), diagonal, 1e-15, "block");
    }
  });
});

describe("compressed Jacobians equal one sweep per basis vector", () => {
  /** g.jacobian (compressed where it saves sweeps) against both uncompressed modes. */
  function expectSameJacobians(size: number, f: (g: ProgramBuilder, x: Node) => Node) {
    const { nodes } = build((g) => {
      const x = g.input("x", [size]);
      const y = f(g, x);
      return {
        chosen: g.jacobian(y, x),
        forward: g.jacobian(y, x, { mode: "forward" }),
        basisForward: basisJacobian(g, y, x, "forward"),
        basisReverse: basisJacobian(g, y, x, "reverse"),
      };
    });
    const x = uniform(seeded(9), size);
    const want = values(nodes.basisReverse, { x });
    expectClose(values(nodes.basisForward, { x }), want, 1e-14, "uncompressed forward");
    expectClose(values(nodes.chosen, { x }), want, 1e-14, "default");
    expectClose(values(nodes.forward, { x }), want, 1e-14, "forward");
    return nodes;
  }

  it("an elementwise map: one color, so one jvp", () => {
    const nodes = expectSameJacobians(10, (g, x) => g.mul(g.exp(x), g.sin(x)));
    // a gather and a scatter instead of 10 stacked columns
    expect(nodes.chosen.inputs[0].op).toBe("scatterAdd");
  });

  it("neighbour differences, a banded rectangular Jacobian", () => {
    expectSameJacobians(12, (g, x) =>
      g.concat([g.mul(g.slice(x, [1], [12]), g.slice(x, [0], [11])), g.square(x)]),
    );
  });

  it("a dense map keeps the uncompressed sweeps", () => {
    const nodes = expectSameJacobians(5, (g, x) => g.mul(x, g.sum(g.square(x))));
    expect(nodes.chosen.inputs[0].op).not.toBe("scatterAdd");
  });
});

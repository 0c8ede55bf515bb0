// Second derivatives of a^b where the exponent is exactly 0 (found by the fuzzer): the mask that
// keeps ∂/∂a finite at a = b = 0 must not also flatten ∂/∂a in b where a ≠ 0.
import { describe, expect, it } from "vitest";
import { interpret, program, type Node } from "adjoint";

/** The 2×2 Hessian of a^b in (a, b), and the gradient, at a point. */
function powerHessian(a: number, b: number) {
  let nodes: { grad: Node[]; hessian: Node[][] } | undefined;
  program("power", (g) => {
    const [x, y] = [g.input("a"), g.input("b")];
    const f = g.power(x, y);
    nodes = { grad: g.grad(f, [x, y]), hessian: g.hessian(f, [x, y]) };
    g.entry("all", { fetch: { f } });
  });
  const at = (node: Node) => interpret([node], { a, b })[0][0];
  return { grad: nodes!.grad.map(at), hessian: nodes!.hessian.map((row) => row.map(at)) };
}

describe("a^b at b = 0", () => {
  it("has the mixed derivative ∂²/∂a∂b = a^(b−1)(1 + b·log a) = 1/a", () => {
    const { grad, hessian } = powerHessian(2, 0);
    expect(grad).toEqual([0, Math.log(2)]);
    // f_aa = b(b−1)a^(b−2) = 0, f_ab = 1/2, f_bb = a^b·log²a
    expect(Math.abs(hessian[0][0])).toBe(0);
    expect(hessian[0][1]).toBeCloseTo(0.5, 15);
    expect(hessian[1][0]).toBeCloseTo(0.5, 15);
    expect(hessian[1][1]).toBeCloseTo(Math.log(2) ** 2, 15);
  });

  it("gives d²/dx² e^(x·x) = 2 at x = 0 through power(exp(x), x)", () => {
    let second: Node | undefined;
    program("square", (g) => {
      const x = g.input("x");
      second = g.grad(g.grad(g.power(g.exp(x), x), x), x);
      g.entry("all", { fetch: { second } });
    });
    expect(interpret([second!], { x: 0 })[0][0]).toBe(2);
  });

  it("stays finite at a = b = 0, where 0·0^(−1) is masked", () => {
    const { grad, hessian } = powerHessian(0, 0);
    expect(grad[0]).toBe(0);
    expect(hessian.flat().every(Number.isFinite)).toBe(true);
  });
});

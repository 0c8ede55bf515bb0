import { describe, expect, it } from "vitest";
import { compile, program } from "adjoint";

describe("smoke", () => {
  it("compiles the quadratic in process", async () => {
    const p = program("quadratic", (g) => {
      const x = g.input("x");
      const y = g.input("y");
      const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);
      g.entry("grad", { fetch: { f, dx: g.grad(f, x) } });
    });
    const compiled = await compile(p);
    const instance = compiled.create();
    const out = compiled.entry(instance, "grad")({ x: 3, y: 4 });
    expect(out.f[0]).toBe(42);
    expect(out.dx[0]).toBe(24);
  });
});

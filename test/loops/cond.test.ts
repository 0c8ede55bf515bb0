// cond: only the taken branch runs, in the value and in every derivative; the other branch's
// gradient is an exact zero, never a NaN, whatever it computes.
import { describe, expect, it } from "vitest";
import { compile, interpret, program, type Node } from "../../compiler/index.ts";
import { programText } from "../../compiler/ir/text.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { checkEntry } from "../support/oracle.ts";
import { errorsIn } from "../support/errors.ts";

const expectError = errorsIn(import.meta.url);

/** sqrt(x) for x > 0, else 0; and log(−x)·y for x < 0 (a NaN where untaken), else x·y. */
const guarded = program("guarded", (g) => {
  const x = g.input("x");
  const y = g.input("y");
  const root = g.cond(
    g.gt(x, 0),
    () => g.sqrt(x),
    () => 0,
  );
  const logged = g.cond(
    g.lt(x, 0),
    () => g.mul(g.log(g.neg(x)), y),
    () => g.mul(x, y),
  );
  const f = g.add(root, logged);
  const [dx, dy] = g.grad(f, [x, y]);
  const [ddx] = g.grad(dx, [x]);
  const [tangent] = g.jvp([f], [x], [g.constant(1)]);
  g.entry("all", { fetch: { f, dx, dy, ddx, tangent } });
});

const at = (x: number, y = 2) => {
  const fetched = guarded.entries[0].fetch;
  const values = interpret(
    fetched.map(([, node]) => node),
    { x, y },
  );
  return Object.fromEntries(fetched.map(([name], k) => [name, values[k][0]]));
};

describe("cond", () => {
  it("is exact at the branch point: no NaN from the untaken sqrt or log", () => {
    // x = 0: root takes the 0 branch, logged takes x·y: f = 0, ∂f/∂x = y, ∂f/∂y = 0, ∂²f/∂x² = 0
    expect(at(0)).toEqual({ f: 0, dx: 2, dy: 0, ddx: 0, tangent: 2 });
  });

  it("differentiates the taken branch on either side", () => {
    // x = 4: √4 + 4·2 = 10; ∂/∂x = 1/(2√x) + y = 2.25; ∂²/∂x² = −1/(4·x^1.5) = −1/32
    expect(at(4)).toEqual({ f: 10, dx: 2.25, dy: 4, ddx: -1 / 32, tangent: 2.25 });
    // x = −e: 0 + log(e)·2 = 2; ∂/∂x = y/x; ∂/∂y = log(−x) = 1; ∂²/∂x² = −y/x²
    const e = at(-Math.E);
    expect(e.f).toBeCloseTo(2, 15);
    expect(e.dx).toBeCloseTo(2 / -Math.E, 15);
    expect(e.dy).toBeCloseTo(1, 15);
    expect(e.ddx).toBeCloseTo(-2 / Math.E ** 2, 15);
  });

  it("prints both branches under the node and verifies", () => {
    const text = programText(guarded);
    expect(text).toContain("= cond %");
    expect(text).toContain("  true:\n    args %0\n");
    expect(text).toContain("  false:\n    args");
    verify(optimize(guarded, { verifyEachPass: true }).program);
  });

  it.each([
    ["default", {}],
    ["fusion off", { fusion: false }],
    ["small functions", { maxFunctionLines: 8 }],
  ])("compiles to an if/else that agrees with the interpreter (%s)", async (_, options) => {
    const compiled = await compile(guarded, options);
    expect(compiled.source).toMatch(/if \(.*\) \{/);
    const instance = compiled.create();
    for (const x of [0, 4, -Math.E, 0.3, -0.7]) {
      checkEntry(compiled, instance, guarded, "all", { x: [x], y: [2] }, 1e-15);
    }
  });

  it("inside a scan: a clipped step, gradients equal the where-selected twin's away from the kink", () => {
    const build = (useCond: boolean) =>
      program("clipped", (g) => {
        const xs = g.input("xs", [4]);
        const [total] = g.scan(
          (acc: Node, x: Node) => {
            const step = g.mul(x, acc);
            const clipped = useCond
              ? g.cond(
                  g.gt(step, 0.5),
                  () => g.sqrt(step),
                  () => g.add(step, 0.2),
                )
              : g.where(g.gt(step, 0.5), g.sqrt(step), g.add(step, 0.2));
            return [g.add(acc, clipped), []];
          },
          1,
          xs,
        );
        g.entry("all", { fetch: { total, grad: g.grad(total, xs), hv: g.hvp(total, xs, xs) } });
      });
    const leaves = { xs: [0.9, -0.3, 0.2, 1.7] };
    const values = (built: ReturnType<typeof build>) =>
      interpret(
        built.entries[0].fetch.map(([, node]) => node),
        leaves,
      ).map((data) => [...data]);
    const [withCond, withWhere] = [values(build(true)), values(build(false))];
    withCond.forEach((data, k) =>
      data.forEach((value, i) => expect(value).toBeCloseTo(withWhere[k][i], 13)),
    );
  });

  it("rejects branches of different shapes, a non-bool predicate, different structures", () => {
    expectError(
      (g) => {
        const x = g.input("x", [2]);
        const [one, two] = [() => x, () => g.sum(x)];
        g.cond(g.gt(g.sum(x), 0), one, two); // @shapes
      },
      ["cond: the branches return the value as [2] and as []"],
      "shapes",
    );
    expectError(
      (g) => {
        const x = g.input("x", [2]);
        const same = () => x;
        g.cond(x, same, same); // @predicate
      },
      ["cond: the predicate must be a bool scalar (a comparison), got f64[2]"],
      "predicate",
    );
    expectError(
      (g) => {
        const x = g.input("x");
        const [one, two] = [() => ({ a: x }), () => ({ b: x })];
        g.cond(g.gt(x, 0), one, two); // @structure
      },
      ["cond: the branches return different structures: {a} and {b}"],
      "structure",
    );
  });
});

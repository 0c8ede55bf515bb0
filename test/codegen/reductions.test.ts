// Generated reductions against the interpreter: max, min, prod, logsumexp, sum, mean and prodExcept
// over one axis, several, negative and all axes, with keepDims, scalar outputs and a scalar input;
// their adjoints and tangents; f64 and f32; and hand-derived values at zeros, ties and ±1000.
// test/codegen/products.test.ts has prod and prodExcept bit for bit over lengths, groups and zeros.
import { describe, expect, it } from "vitest";
import { compile, program, type Node, type ProgramBuilder } from "adjoint";
import { checkEntry, expectClose, randomLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

// mean is sum and div, tested through the interpreter in test/ops/reductions.test.ts
type Reduction = "max" | "min" | "prod" | "logsumexp" | "sum";
const reductions: readonly Reduction[] = ["max", "min", "prod", "logsumexp", "sum"];

/** Axes and keepDims every reduction is emitted with on an [2,3,4] input: one kernel shape each. */
const forms: readonly [number | readonly number[] | undefined, boolean][] = [
  // axes apart, kept as 1: the reduced loops interleave with the kept ones
  [[0, 2], true],
  // a middle axis, counted from the end
  [-2, false],
  // everything, to a scalar local
  [undefined, false],
  // everything, kept as [1,1,1]
  [undefined, true],
];

/**
 * Each reduction in `forms` (the first `count` of them), prodExcept over three axis sets, and
 * rank-0 cases. Entry "forward" fetches them, "grad" the adjoint of Σ_k Σ W_k∘y_k, and (unless
 * `tangents` is false) "tangent" their forward-mode tangents.
 */
function reductionProgram(count: number, tangents: boolean) {
  return (g: ProgramBuilder): void => {
    const x = g.input("x", [2, 3, 4]);
    const s = g.input("s");
    const outputs: Node[] = [];
    for (const op of reductions) {
      for (const [axes, keepDims] of forms.slice(0, count)) outputs.push(g[op](x, axes, keepDims));
    }
    for (const axes of [[0, 2], [1], undefined]) outputs.push(g.prodExcept(x, axes));
    outputs.push(g.logsumexp(s, []), g.prodExcept(s), g.max(g.mul(s, x), [-3, -1], true));
    const named = outputs.map((y, k) => g.name(y, `y${k}`));
    const loss = named
      .map((y, k) => g.sum(g.mul(y, g.input(`w${k}`, y.shape))))
      .reduce((total, term) => g.add(total, term));
    const [x_bar, s_bar] = g.grad(loss, [x, s]);
    g.entry("forward", { fetch: Object.fromEntries(named.map((y, k) => [`y${k}`, y])) });
    g.entry("grad", { fetch: { loss, x_bar, s_bar } });
    if (!tangents) return;
    const dots = g.jvp(named, [x, s], [g.input("t", [2, 3, 4]), g.input("t_s")]);
    g.entry("tangent", { fetch: Object.fromEntries(dots.map((dot, k) => [`dot${k}`, dot])) });
  };
}

// prodExcept's tangent divides by x: x stays away from zero (s < 0 still mixes the signs)
const domains = { x: [0.5, 1.5], s: [-1.5, -0.5] } as const;

it("every reduction kernel matches the interpreter for values, adjoints and tangents", async () => {
  const p = program("reductions", reductionProgram(forms.length, true));
  const compiled = await compile(p);
  const instance = compiled.create();
  for (const seed of [41, 42]) {
    const values = randomLeaves(p, seeded(seed), domains);
    for (const entry of ["forward", "grad", "tangent"]) {
      checkEntry(compiled, instance, p, entry, values, 1e-12);
    }
  }
});

it("in an f32 program, the kernels match the interpreter on f32-rounded inputs", async () => {
  const p = program("reductions32", reductionProgram(1, false), { dtype: "f32" });
  const compiled = await compile(p);
  const values = randomLeaves(p, seeded(43), domains, Math.fround);
  for (const entry of ["forward", "grad"])
    checkEntry(compiled, compiled.create(), p, entry, values, 2e-5);
});

describe("generated code at hand-derived points", () => {
  const special = program("special", (g) => {
    const x = g.input("x", [2, 4]);
    const w = g.input("w", [2]);
    const rows = g.prod(x, 1);
    const lse = g.logsumexp(x, -1, true);
    const top = g.max(x, 1);
    g.entry("run", {
      fetch: {
        rows,
        rows_bar: g.grad(g.sum(g.mul(rows, w)), x),
        lse,
        lse_bar: g.grad(g.sum(g.mul(g.reshape(lse, [2]), w)), x),
        top_bar: g.grad(g.sum(g.mul(top, w)), x),
        except: g.prodExcept(x, -1),
      },
    });
  });

  it("prod's adjoint is exact with one and with two zeros in a row", async () => {
    const compiled = await compile(special);
    const out = compiled.entry(
      compiled.create(),
      "run",
    )({ x: [2, 0, 3, 4, 0, 5, 0, 6], w: [1, 10] });
    expect(Array.from(out.rows)).toEqual([0, 0]);
    // row 0: Π_{j≠1} = 24 at the zero, 0 elsewhere; row 1 has two zeros: everything 0
    expect(Array.from(out.rows_bar)).toEqual([0, 24, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(out.except)).toEqual([0, 24, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(out.top_bar)).toEqual([0, 0, 0, 1, 0, 0, 0, 10]);
  });

  it("logsumexp is finite at ±1000 and its adjoint is the softmax; ties share max's adjoint", async () => {
    const compiled = await compile(special);
    const x = [1000, 1000, -1000, 1000, -1000, -1000, -1000, -1000];
    const out = compiled.entry(compiled.create(), "run")({ x, w: [1, 10] });
    // row 0: three at 1000 → 1000 + ln 3; row 1: four at −1000 → −1000 + ln 4
    expectClose(out.lse, [1000 + Math.log(3), -1000 + Math.log(4)], 1e-15, "lse");
    expectClose(out.lse_bar, [1 / 3, 1 / 3, 0, 1 / 3, 2.5, 2.5, 2.5, 2.5], 1e-12, "lse_bar");
    expect(Array.from(out.top_bar)).toEqual([1 / 3, 1 / 3, 0, 1 / 3, 2.5, 2.5, 2.5, 2.5]);
  });

  it("logsumexp of a row of −∞ is −∞, of a row holding +∞ is +∞", async () => {
    const compiled = await compile(special);
    const x = [-Infinity, -Infinity, -Infinity, -Infinity, 0, Infinity, 1, 2];
    // feeds must be finite; infinities on purpose are written to the views
    const instance = compiled.create();
    instance.inputs.x.set(x);
    instance.inputs.w.set([1, 1]);
    const out = compiled.entry(instance, "run")();
    expect(Array.from(out.lse)).toEqual([-Infinity, Infinity]);
  });

  it("emits the two passes of logsumexp and prodExcept's two-sided sweep, which writes prod too", async () => {
    const compiled = await compile(special);
    expect(compiled.source).toContain("acc = Math.max(acc, x[i0 * 4 + r0]!);");
    expect(compiled.source).toContain("total += Math.exp(x[i0 * 4 + r0]! - acc);");
    expect(compiled.source).toContain("Number.isFinite(acc) ? acc + Math.log(total) : acc;");
    // the suffix chain walks the row from its end while the prefix chain walks it from the front
    expect(compiled.source).toMatch(
      /products\[i0 \* 4 \+ j\] = suffix;\n\s*suffix \*= factors\[i0 \* 4 \+ j\]!;/,
    );
    // the prefix chain's end is the row's product: no loop of prod's own
    expect(compiled.source).toContain("rows[i0] = prefix;");
    expect(compiled.source).not.toContain("acc = acc * x[");
  });
});

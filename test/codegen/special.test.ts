// Generated code for the trigonometric, special and rounding ops against the interpreter: tensor
// loops (fused and not), scalar locals, vjps and second derivatives, in f64 and in f32. The
// special functions are one runtime import, `special`, which the module imports only when used.
import { describe, expect, it } from "vitest";
import { compile, program, type Node, type ProgramBuilder } from "../../compiler/index.ts";
import { checkEntry, randomLeaves, type Domains } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

const smooth = [
  "tan",
  "atan",
  "asin",
  "acos",
  "sinh",
  "cosh",
  "asinh",
  "acosh",
  "atanh",
  "erf",
  "erfc",
  "lgamma",
  "digamma",
] as const;

const domains: Domains = {
  ...Object.fromEntries(smooth.map((op) => [`x_${op}`, [-0.9, 0.9] as const])),
  x_acosh: [1.2, 3],
  x_lgamma: [0.2, 5],
  x_digamma: [0.2, 5],
  x_tan: [-1.2, 1.2],
  a: [-3, 3],
  b: [0.5, 2],
};

/** Every new op on a [2,3] tensor (in a chain that fusion may join) with its vjp and second order. */
function specialProgram(g: ProgramBuilder): void {
  const fetch: Record<string, Node> = {};
  for (const op of smooth) {
    const x = g.input(`x_${op}`, [2, 3]);
    const y = g.mul(g[op](x), g.add(x, 1));
    const total = g.sum(y);
    const x_bar = g.grad(total, x);
    const second = g.grad(g.sum(g.mul(x_bar, x)), x);
    Object.assign(fetch, { [`y_${op}`]: y, [`xbar_${op}`]: x_bar, [`second_${op}`]: second });
  }
  const a = g.input("a", [2, 3]);
  const b = g.input("b", [3]);
  const s = g.input("s");
  const binary = {
    atan2: g.atan2(a, b),
    xlogy: g.xlogy(a, b),
    mod: g.mod(a, b),
    logaddexp: g.logaddexp(a, b),
    gelu: g.gelu(a),
    geluTanh: g.gelu(a, { approximate: "tanh" }),
    norm: g.norm(a, { axes: 1 }),
    steps: g.add(g.add(g.floor(a), g.ceil(b)), g.round(g.mul(a, 2))),
    cumsum: g.add(g.cumsum(a, 1), g.cumsum(g.mul(a, b), 0, true)),
    cumprod: g.mul(g.cumprod(a, 1), g.cumprod(a, 0, true)),
    picked: g.mul(
      a,
      // positions are integers: no gradient flows through them
      g.stopGradient(
        g.add(g.cast(g.argmax(a, 1, true), g.graph.dtype), g.cast(g.argmin(a, 0), g.graph.dtype)),
      ),
    ),
  };
  for (const [name, y] of Object.entries(binary)) {
    const [a_bar, b_bar] = g.grad(g.sum(g.mul(y, y)), [a, b]);
    Object.assign(fetch, { [name]: y, [`abar_${name}`]: a_bar, [`bbar_${name}`]: b_bar });
  }
  // scalar locals, and the boolean tests through a select
  const scalar = g.mul(g.erfc(s), g.lgamma(g.add(g.square(s), 0.5)));
  Object.assign(fetch, {
    scalar,
    sbar: g.grad(scalar, s),
    argmaxScalar: g.cast(g.argmax(g.sum(a, 0)), g.graph.dtype),
    tests: g.where(g.isFinite(g.div(1, g.floor(a))), 1, g.where(g.isNaN(g.log(a)), 2, 3)),
  });
  g.entry("run", { fetch });
}

describe("generated code for the special ops matches the interpreter", () => {
  for (const fusion of [true, false]) {
    it(`f64, fusion ${fusion ? "on" : "off"}`, async () => {
      const p = program("special", specialProgram);
      const compiled = await compile(p, { fusion });
      expect(compiled.source).toMatch(/import \{[^}]*\bspecial\b[^}]*\} from/);
      expect(compiled.source).toContain("special.lgamma(");
      const instance = compiled.create();
      for (const seed of [1, 2]) {
        const values = randomLeaves(p, seeded(seed), domains);
        checkEntry(compiled, instance, p, "run", values, 1e-12);
      }
    });
  }

  it("f32: rounded where defined, to float32 accuracy", async () => {
    const p = program("special32", specialProgram, { dtype: "f32" });
    const compiled = await compile(p);
    expect(compiled.source).not.toContain("Float64Array");
    const instance = compiled.create();
    const values = randomLeaves(p, seeded(3), domains, Math.fround);
    checkEntry(compiled, instance, p, "run", values, 2e-4);
  });

  it("a module without special functions does not import them", async () => {
    const compiled = await compile(
      program("plain", (g) => {
        const x = g.input("x");
        g.entry("run", { fetch: { y: g.mul(g.atan(x), g.floor(x)) } });
      }),
    );
    // (comments name this file, special.test.ts: look for the import and calls)
    expect(compiled.source).not.toMatch(/import \{[^}]*\bspecial\b/);
    expect(compiled.source).not.toMatch(/\bspecial\.\w+\(/);
  });
});

// prod and prodExcept as emitted, against the interpreter bit for bit: prodExcept's two-sided sweep
// (prefix chain from the front, suffix chain from the back) over odd and even lengths down to 1,
// strided and scattered groups, keepDims; with zeros in θ; and prod written by the prodExcept kernel
// when an entry computes both.
import { describe, expect, it } from "vitest";
import { compile, program, type Program } from "adjoint";
import { checkEntry, randomLeaves, type LeafArrays } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

/** θ with zeros at `at` (indices taken modulo the length, so they fit every n). */
function withZeros(values: LeafArrays, name: string, at: readonly number[]): LeafArrays {
  const data = [...values[name]];
  for (const index of at) data[index % data.length] = 0;
  return { ...values, [name]: data };
}

/** Random values, then with one zero at the front, the middle and the end, then with two zeros. */
function pointsFor(p: Program, name: string, length: number, seed: number): LeafArrays[] {
  const values = randomLeaves(p, seeded(seed));
  const middle = Math.floor(length / 2);
  return [
    values,
    withZeros(values, name, [0]),
    withZeros(values, name, [middle]),
    withZeros(values, name, [length - 1]),
    withZeros(values, name, [1, length - 2]),
  ];
}

/** Every entry of `p` on every point, equal to the interpreter to the last bit (tolerance 0). */
async function expectExact(p: Program, points: readonly LeafArrays[]): Promise<void> {
  const compiled = await compile(p);
  const instance = compiled.create();
  for (const values of points) {
    for (const entry of p.entries) checkEntry(compiled, instance, p, entry.name, values, 0);
  }
}

describe("∏ θᵢ and its gradient, as in W5", () => {
  const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000, 1001];
  const productProgram = (n: number) =>
    program(`product${n}`, (g) => {
      const theta = g.input("theta", [n]);
      const f = g.prod(theta);
      g.entry("value", { fetch: { f } });
      g.entry("grad", { fetch: { f, df_dtheta: g.grad(f, theta) } });
      g.entry("except", { fetch: { except: g.prodExcept(theta) } });
    });

  for (const n of lengths) {
    it(`n = ${n}: f and ∂f/∂θ equal the interpreter's, with zero, one and two zeros in θ`, async () => {
      const p = productProgram(n);
      await expectExact(p, pointsFor(p, "theta", n, 50 + n));
    });
  }

  it("an input named like the sweep's chains keeps its values (the names are reserved)", async () => {
    const p = program("names", (g) => {
      const prefix = g.input("prefix", [5]);
      const suffix = g.input("suffix", [5]);
      const f = g.mul(g.prod(prefix), g.prod(suffix));
      g.entry("grad", { fetch: { f, grads: g.concat(g.grad(f, [prefix, suffix]), 0) } });
    });
    await expectExact(p, pointsFor(p, "prefix", 5, 80));
  });

  it("the grad entry runs one sweep for f and ∂f/∂θ: no loop of prod's own", async () => {
    const { source } = await compile(productProgram(9));
    const grad = source.slice(source.indexOf("function grad("), source.indexOf("function except("));
    expect(grad).not.toMatch(/= t\d+ \* theta\[i\]/);
    expect(grad).toMatch(/const factors = theta;\n\s*const products = df_dtheta;/);
    expect(grad).toMatch(/prefix \*= factors\[k\]!;\n\s*products\[j\] = suffix;/);
    // the middle element of an odd length: both chains meet there
    expect(grad).toContain("products[4] = prefix * suffix;");
    expect(grad).toMatch(/= prefix;\n\s*}/);
    // the value entry keeps prod's own loop
    const value = source.slice(source.indexOf("function value("), source.indexOf("function grad("));
    expect(value).toMatch(/= t\d+ \* theta\[i\]/);
  });
});

describe("groups over some axes, strided or scattered, with keepDims", () => {
  // [axes, keepDims] on each shape: adjacent axes give evenly spaced groups (one sweep), axes apart
  // give scattered ones (prefix pass and suffix pass), a size-1 axis between reduced ones keeps
  // them evenly spaced
  const shapes: readonly (readonly [readonly number[], readonly [readonly number[], boolean][]])[] =
    [
      [
        [2, 3, 4],
        [
          [[1], false],
          [[2], true],
          [[1, 2], false],
          [[0, 1], true],
          [[0, 2], false],
          [[0, 1, 2], true],
        ],
      ],
      [
        [3, 1, 5],
        [
          [[0, 2], false],
          [[0], true],
          [[2], false],
        ],
      ],
    ];

  for (const [shape, forms] of shapes) {
    for (const [axes, keepDims] of forms) {
      it(`x of shape [${shape}], axes [${axes}]${keepDims ? ", keepDims" : ""}`, async () => {
        const p = program("groups", (g) => {
          const x = g.input("x", shape);
          const y = g.prod(x, axes, keepDims);
          const w = g.input("w", y.shape);
          g.entry("grad", { fetch: { y, x_bar: g.grad(g.sum(g.mul(y, w)), x) } });
          g.entry("except", { fetch: { except: g.prodExcept(x, axes) } });
        });
        const length = shape.reduce((a, b) => a * b, 1);
        await expectExact(p, pointsFor(p, "x", length, 60 + axes.length));
      });
    }
  }

  it("a scalar: prod is the number itself and prodExcept is 1", async () => {
    const p = program("scalar", (g) => {
      const s = g.input("s");
      const f = g.prod(s);
      g.entry("grad", { fetch: { f, except: g.prodExcept(s), s_bar: g.grad(f, s) } });
    });
    await expectExact(p, [{ s: [-1.25] }, { s: [0] }]);
  });

  it("a reader of prod before prodExcept keeps prod in its own loop, and values stay exact", async () => {
    // f = prod(x)²: the adjoint 2·f reads prod before prodExcept is computed
    const p = program("square", (g) => {
      const x = g.input("x", [7]);
      const f = g.square(g.prod(x));
      g.entry("grad", { fetch: { f, x_bar: g.grad(f, x) } });
    });
    await expectExact(p, pointsFor(p, "x", 7, 70));
  });
});

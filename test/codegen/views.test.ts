// Movement ops read through by elementwise loops: no buffer and no copy, the interpreter's values.
import { describe, expect, it } from "vitest";
import { compile, program } from "adjoint";
import { checkEntry, randomLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";

describe("views", () => {
  const p = program("views", (g) => {
    const x = g.input("x", [3, 4]);
    const v = g.input("v", [4]);
    const sliced = g.slice(x, [1, 1], [3, 4]); // [2,3]
    const padded = g.pad(g.exp(sliced), [1, 0], [0, 1]); // [3,4], zeros in row 0 and column 3
    const reshaped = g.reshape(g.slice(x, [0, 0], [2, 4]), [4, 2]); // [4,2]
    const spread = g.broadcastTo(v, [3, 4]);
    const y = g.add(g.mul(padded, spread), x);
    const z = g.sin(reshaped);
    g.entry("run", { fetch: { y, z } });
    g.entry("grad", { fetch: { x_bar: g.grad(g.add(g.sum(y), g.sum(z)), x) } });
  });

  it("gives no buffer to a view that only elementwise loops read", async () => {
    const compiled = await compile(p);
    const viewed = [...compiled.plan.viewed].map(
      (id) => compiled.optimized.program.graph.nodes[id],
    );
    // (the broadcast is folded into the multiplication's own broadcasting before planning)
    expect(new Set(viewed.map((node) => node.op))).toEqual(new Set(["slice", "pad", "reshape"]));
    for (const node of viewed) expect(compiled.plan.views.has(node.id)).toBe(false);
    // the pad reads inside its input's bounds and 0 elsewhere
    expect(compiled.source).toMatch(/i0 >= 1 && i1 < 3 \? \w+\[\(?i0/);
  });

  it("matches the interpreter, fused or not", async () => {
    for (const fusion of [true, false]) {
      const compiled = await compile(p, { fusion });
      const instance = compiled.create();
      for (const seed of [1, 2]) {
        const values = randomLeaves(p, seeded(seed));
        for (const entry of ["run", "grad"])
          checkEntry(compiled, instance, p, entry, values, 1e-12);
      }
    }
  });
});

describe("reshapes that copy nothing", () => {
  // a fetched reshape of a value nothing else reads: the value is computed into the fetched view
  const p = program("reshaped", (g) => {
    const x = g.input("x", [2, 3]);
    const grid = g.reshape(g.exp(g.mul(x, 2)), [3, 2]);
    const kept = g.tanh(x);
    g.entry("run", { fetch: { grid, kept, flat: g.reshape(kept, [6]) } });
  });

  it("writes the input into the reshape's view, and copies a value that is read elsewhere", async () => {
    const compiled = await compile(p);
    const run = compiled.source.slice(compiled.source.indexOf("function run("));
    expect(run).toMatch(/grid\[i\] = Math\.exp\(/);
    expect(run).not.toMatch(/grid\.set\(/);
    // kept is fetched too, so flat is a copy of it
    expect(run).toMatch(/flat\.set\(kept\)/);
    const instance = compiled.create();
    for (const seed of [1, 2])
      checkEntry(compiled, instance, p, "run", randomLeaves(p, seeded(seed)), 1e-12);
  });
});

// Movement of integer and boolean values: reshape, transpose, slice, pad, concat, stack and
// broadcastTo keep the dtype, give the hand-derived values in the interpreter and in generated
// code (f64 and f32 arenas), feed an index op or a select, and carry no gradient.
import { describe, expect, it } from "vitest";
import { AdjointError, compile, interpret, program, type Program } from "adjoint";

/** labels [2,3] i32 moved every way; a bool mask moved; both then used as an index and a condition. */
function moved(dtype: "f64" | "f32"): Program {
  return program(
    `moved_${dtype}`,
    (g) => {
      const labels = g.input("labels", [2, 3], { dtype: "i32" });
      const x = g.input("x", [3]);
      const flat = g.reshape(labels, [6]);
      const mask = g.gt(x, 0);
      const masks = g.stack([mask, mask]);
      const fetch = {
        flat,
        swapped: g.transpose(labels),
        tail: g.slice(labels, [0, 1], [2, 3]),
        padded: g.pad(g.slice(flat, [0], [2]), [1], [2]),
        joined: g.concat([g.slice(flat, [4], [6]), g.slice(flat, [0], [1])]),
        wide: g.broadcastTo(g.slice(flat, [5], [6]), [2, 2]),
        masks,
        // the moved labels index x; the moved mask selects
        picked: g.gather(x, g.slice(flat, [1], [4])),
        selected: g.where(g.slice(masks, [1, 0], [2, 3]), g.reshape(x, [1, 3]), -1),
      };
      const loss = g.sum(g.mul(fetch.picked, fetch.picked));
      g.entry("run", { fetch: { ...fetch, loss, dx: g.grad(loss, x) } });
    },
    { dtype },
  );
}

const labels = [2, 0, 1, 1, 2, 0];
const x = [0.5, -1.5, 2];
// by hand: labels = [[2,0,1],[1,2,0]], x > 0 = [1,0,1]
const want: Record<string, number[]> = {
  flat: [2, 0, 1, 1, 2, 0],
  swapped: [2, 1, 0, 2, 1, 0],
  tail: [0, 1, 2, 0],
  padded: [0, 2, 0, 0, 0],
  joined: [2, 0, 2],
  wide: [0, 0, 0, 0],
  masks: [1, 0, 1, 1, 0, 1],
  picked: [0.5, -1.5, -1.5],
  selected: [0.5, -1, 2],
  loss: [0.25 + 2.25 + 2.25],
  // d/dx Σ x[idx]² over idx = [0,1,1]: [2·0.5, 2·2·(−1.5), 0]
  dx: [1, -6, 0],
};

describe("integer and boolean movement", () => {
  it("keeps the dtype of every moved value", () => {
    const p = moved("f64");
    const dtypes = Object.fromEntries(p.entries[0].fetch.map(([key, node]) => [key, node.dtype]));
    expect(dtypes).toEqual({
      flat: "i32",
      swapped: "i32",
      tail: "i32",
      padded: "i32",
      joined: "i32",
      wide: "i32",
      masks: "bool",
      picked: "f64",
      selected: "f64",
      loss: "f64",
      dx: "f64",
    });
  });

  it("gives the hand-derived values in the interpreter", () => {
    const p = moved("f64");
    const results = interpret(
      p.entries[0].fetch.map(([, node]) => node),
      { labels, x },
    );
    p.entries[0].fetch.forEach(([key], i) =>
      expect(Array.from(results[i]), key).toEqual(want[key]),
    );
  });

  it.each(["f64", "f32"] as const)(
    "gives them in generated code with a %s arena",
    async (dtype) => {
      const compiled = await compile(moved(dtype));
      const instance = compiled.create();
      instance.inputs.labels.set(labels);
      instance.inputs.x.set(x);
      const outputs = compiled.entry(instance, "run")();
      for (const [key, values] of Object.entries(want)) {
        expect(Array.from(outputs[key]), key).toEqual(values.map(Math.fround));
      }
    },
  );

  it("concatenates only values of one dtype", () => {
    expect(() =>
      program("mixed", (g) => {
        const a = g.input("a", [2], { dtype: "i32" });
        g.entry("run", { fetch: { y: g.concat([g.input("b", [2]), a]) } });
      }),
    ).toThrow("concat: operand 2 is i32 and operand 1 is f64; expected one dtype (use g.cast)");
  });

  it("carries no gradient: a float made integer and moved is not differentiable", () => {
    const build = () =>
      program("rounded", (g) => {
        const x = g.input("x", [4]);
        const moved = g.reshape(g.cast(x, "i32"), [2, 2]);
        const y = g.sum(g.cast(moved, "f64"));
        g.entry("run", { fetch: { d: g.grad(y, x) } });
      });
    expect(build).toThrow(AdjointError);
    expect(build).toThrow("grad: the gradient reaches cast through its input 1 (reshape, i32)");
  });
});

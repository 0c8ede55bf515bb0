// The stable text form: one node a line, `%id: dtype[shape] = op %inputs attrs`.
import { describe, expect, it } from "vitest";
import { program } from "../../compiler/program.ts";
import type { Node } from "../../compiler/ir/node.ts";
import { graphText, nodeText, programText } from "../../compiler/ir/text.ts";

describe("nodeText", () => {
  it("prints every kind of node in the documented format", () => {
    const lines: Record<string, string> = {};
    program("p", (g) => {
      const x = g.input("x", [2, 3]);
      const w = g.param("w", [3, 4]);
      const s = g.input("s");
      const show = (key: string, node: Node) => (lines[key] = nodeText(node));
      show("input", x);
      show("param", w);
      show("matmul", g.matmul(x, w));
      show("matmulT", g.matmul(x, x, { transB: true }));
      show("pow", g.pow(s, 2));
      show("powNegative", g.pow(s, -1.5));
      show("broadcastTo", g.broadcastTo(s, [4]));
      show("sum", g.sum(x));
      show("add", g.add(x, s));
      show("constants", g.constant([1, -0, 2.5, -3], [2, 2]));
      show("special", g.constant([NaN, Infinity, -Infinity], [3]));
      show("splat", g.constant(0, [5]));
      g.entry("e", { fetch: { x } });
    });
    expect(lines).toEqual({
      input: '%0: f64[2,3] = input "x"',
      param: '%1: f64[3,4] = param "w"',
      matmul: "%3: f64[2,4] = matmul %0 %1 {transA=false, transB=false}",
      matmulT: "%4: f64[2,2] = matmul %0 %0 {transA=false, transB=true}",
      pow: "%5: f64[] = pow %2 {exponent=2}",
      powNegative: "%6: f64[] = pow %2 {exponent=-1.5}",
      broadcastTo: "%7: f64[4] = broadcastTo %2",
      sum: "%8: f64[] = sum %0 {axes=[0,1], keepDims=false}",
      add: "%9: f64[2,3] = add %0 %2",
      constants: "%10: f64[2,2] = const 1 -0 2.5 -3",
      special: "%11: f64[3] = const NaN Infinity -Infinity",
      splat: "%12: f64[5] = const 0",
    });
  });

  it("prints the dtype of an f32 program", () => {
    let line = "";
    program(
      "p",
      (g) => {
        const x = g.input("x", [3]);
        line = nodeText(g.exp(x));
        g.entry("e", { fetch: { x } });
      },
      { dtype: "f32" },
    );
    expect(line).toBe("%1: f32[3] = exp %0");
  });
});

describe("graphText and programText", () => {
  const built = program("squared", (g) => {
    const x = g.input("x", [3]);
    const w = g.param("w", [3]);
    const unused = g.exp(x);
    const z = g.pow(g.dot(x, w), 2);
    g.entry("value", { fetch: { z, unused } });
    g.entry("step", { fetch: { z }, update: [[w, g.sub(w, g.mul(0.5, g.grad(z, w)))]] });
  });

  it("lists only what the roots reach, in id order", () => {
    const z = built.entries[0].fetch[0][1];
    expect(graphText(built.graph, [z])).toBe(
      [
        '%0: f64[3] = input "x"',
        '%1: f64[3] = param "w"',
        "%3: f64[] = dot %0 %1",
        "%4: f64[] = pow %3 {exponent=2}",
      ].join("\n"),
    );
  });

  it("prints the whole program with its entries, fetches and updates", () => {
    // ∂z/∂w = ȳ·(2·dot^1)·x; arguments are built before their user (pow before the lifted 2), and
    // the dot rule builds both partials, ȳ·w for x (%10, unused) and ȳ·x for w (%11)
    expect(programText(built)).toBe(
      [
        "program squared (f64)",
        '%0: f64[3] = input "x"',
        '%1: f64[3] = param "w"',
        "%2: f64[3] = exp %0",
        "%3: f64[] = dot %0 %1",
        "%4: f64[] = pow %3 {exponent=2}",
        "%5: f64[] = const 1",
        "%6: f64[] = pow %3 {exponent=1}",
        "%7: f64[] = const 2",
        "%8: f64[] = mul %7 %6",
        "%9: f64[] = mul %5 %8",
        "%10: f64[3] = mul %9 %1",
        "%11: f64[3] = mul %9 %0",
        "%12: f64[] = const 0.5",
        "%13: f64[3] = mul %12 %11",
        "%14: f64[3] = sub %1 %13",
        "entry value: z=%4 unused=%2",
        "entry step: z=%4 w:=%14",
      ].join("\n"),
    );
  });
});

// The text form of a loop: its body printed under it, indented, and checked by verify.
import { describe, expect, it } from "vitest";
import type { Node } from "adjoint";
import { programText } from "../../compiler/ir/text.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { program } from "../../compiler/program.ts";

const cumulative = program("cumsum", (g) => {
  const xs = g.input("xs", [4]);
  const w = g.input("w");
  const [total, partial] = g.scan(
    (acc: Node, x: Node) => {
      const next = g.add(acc, g.mul(x, w));
      return [next, next];
    },
    0,
    xs,
  );
  g.entry("run", { fetch: { total, partial } });
});

describe("a scan's text form", () => {
  it("prints the body under its loop, args and results included", () => {
    expect(programText(cumulative)).toBe(
      [
        "program cumsum (f64)",
        '%0: f64[4] = input "xs"',
        '%1: f64[] = input "w"',
        "%2: f64[] = const 0",
        "%3: f64[9] = scan %2 %0 %1 {carries=1, sequences=1, length=4, reverse=false, tape=true}",
        "  args %0 %1 %2",
        '  %0: f64[] = input "carry0"',
        '  %1: f64[] = input "x0"',
        '  %2: f64[] = input "c0"',
        "  %3: f64[] = mul %1 %2",
        "  %4: f64[] = add %0 %3",
        "  results %4 %4",
        "%4: f64[1] = slice %3 {begin=[0], end=[1]}",
        "%5: f64[] = reshape %4",
        "%6: f64[4] = slice %3 {begin=[1], end=[5]}",
        "entry run: total=%5 partial=%6",
      ].join("\n"),
    );
  });

  it("verifies, before and after the optimizer, bodies included", () => {
    verify(cumulative);
    verify(optimize(cumulative, { verifyEachPass: true }).program);
  });

  it("is rejected by verify when a body arg does not fit its input", () => {
    const scan = cumulative.graph.nodes.find((node) => node.op === "scan")!;
    const broken = {
      ...cumulative,
      graph: Object.create(cumulative.graph, {
        nodes: {
          value: cumulative.graph.nodes.map((n) =>
            n === scan ? { ...n, inputs: [n.inputs[0], n.inputs[0], n.inputs[1]] } : n,
          ),
        },
      }),
    };
    expect(() => verify(broken)).toThrow(/input %0 is not|shape rule fails|sequence 1/);
  });
});

describe("the tape", () => {
  const tapes = (built: typeof cumulative) =>
    optimize(built)
      .program.graph.nodes.filter((node) => node.op === "scan")
      .map((node) => node.op === "scan" && node.attrs.tape);

  it("is dropped where nothing reads it: a value alone stores no carries", () => {
    expect(tapes(cumulative)).toEqual([false]);
  });

  it("is dropped when the gradient does not depend on the carries (a running sum)", () => {
    const summed = program("sum_grad", (g) => {
      const xs = g.input("xs", [4]);
      const w = g.input("w");
      const [total] = g.scan((acc: Node, x: Node) => [g.add(acc, g.sin(g.mul(x, w))), []], 0, xs);
      g.entry("run", { fetch: { total, dw: g.grad(total, w) } });
    });
    expect(tapes(summed)).toEqual([false, false]);
  });

  it("is kept for the forward loop that a gradient reads, not for the reverse sweep", () => {
    const withGradient = program("cumsum_grad", (g) => {
      const xs = g.input("xs", [4]);
      const w = g.input("w");
      // the carry's value reaches the gradient (∂acc′/∂w = acc·x·cos(x·w)), so the sweep reads the tape
      const [total] = g.scan((acc: Node, x: Node) => [g.mul(acc, g.sin(g.mul(x, w))), []], 1, xs);
      g.entry("run", { fetch: { total, dw: g.grad(total, w) } });
    });
    expect(tapes(withGradient).sort()).toEqual([false, true]);
  });
});

// Bad loops: each error names the loop, the shapes or structures involved, and the user's line.
import { describe, it } from "vitest";
import type { Node } from "adjoint";
import { errorsIn } from "../support/errors.ts";

const expectError = errorsIn(import.meta.url);

describe("scan errors", () => {
  it("a body that changes the carry's shape", () => {
    expectError(
      (g) => {
        const h = g.input("h", [2]);
        g.scan((c: Node) => [g.concat([c, c]), []], h, undefined, { length: 3 }); // @grow
      },
      ["scan: the carry enters the body as f64[2] and leaves it as f64[4]"],
      "grow",
    );
  });

  it("a body that changes a record carry's member, named by its path", () => {
    expectError(
      (g) => {
        const s = { h: g.input("h", [2]), c: g.input("c", [2]) };
        g.scan((st: typeof s) => [{ h: st.h, c: g.sum(st.c) }, []], s, undefined, { length: 2 }); // @member
      },
      ["scan: the carry c enters the body as f64[2] and leaves it as f64[]"],
      "member",
    );
  });

  it("a body that returns a carry of another structure", () => {
    expectError(
      (g) => {
        const s = { h: g.input("h", [2]), c: g.input("c", [2]) };
        g.scan((st: typeof s) => [{ h: st.h } as never, []], s, undefined, { length: 2 }); // @structure
      },
      ["scan: the body returns a carry of structure {h}; the initial carry is {c, h}"],
      "structure",
    );
  });

  it("a body that does not return a pair", () => {
    expectError(
      (g) => {
        const h = g.input("h", [2]);
        g.scan((c: Node) => c as never, h, undefined, { length: 2 }); // @pair
      },
      ["scan: the body must return [newCarry, outputs], got object"],
      "pair",
    );
  });

  it("sequences whose leading axes differ", () => {
    expectError(
      (g) => {
        const h = g.input("h", [2]);
        const xs = { a: g.input("a", [5, 2]), b: g.input("b", [4, 2]) };
        g.scan((c: Node, x: typeof xs) => [g.add(c, g.mul(x.a, x.b)), []], h, xs); // @axes
      },
      [
        "scan: every sequence needs a leading axis of 5 steps; xs.b has [4,2] (sequences: xs.a [5,2], xs.b [4,2])",
      ],
      "axes",
    );
  });

  it("no sequences and no length", () => {
    expectError(
      (g) => {
        const h = g.input("h", [2]);
        g.scan((c: Node) => [c, []], h); // @length
      },
      ["scan: give options.length when there are no sequences to scan"],
      "length",
    );
  });

  it("a length that is not a positive integer", () => {
    expectError(
      (g) => {
        const h = g.input("h", [2]);
        g.scan((c: Node) => [c, []], h, undefined, { length: 0 }); // @zero
      },
      ["scan: length must be a positive integer, got 0"],
      "zero",
    );
  });

  it("a loop with nothing to carry or output", () => {
    expectError(
      (g) => {
        g.scan(() => [[], []], [], undefined, { length: 2 }); // @empty
      },
      ["scan: the loop has no carry and no outputs"],
      "empty",
    );
  });

  it("an input declared inside a body", () => {
    expectError(
      (g) => {
        g.scan((c: Node) => [g.add(c, g.input("late")), []], 0, undefined, { length: 2 }); // @inside
      },
      ['input "late": declare inputs and params outside loop bodies'],
      "inside",
    );
  });
});

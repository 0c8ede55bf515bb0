// DSL errors: each names the op, the shapes or names involved, and the line of this file that made
// the call (stack frames are source-mapped under vitest, so the line is the one written here).
import { describe, expect, it } from "vitest";
import { AdjointError, program, type Node } from "adjoint";
import { failure, markedErrors } from "../support/errors.ts";

const expectError = markedErrors(import.meta.url);

describe("shape errors", () => {
  it("add: names the op, both shapes, and this file's line", () => {
    const error = failure((g) => {
      const x = g.input("x", [2]);
      const y = g.input("y", [3]);
      g.add(x, y); // @add
    });
    expectError(error, ["add: shapes [2] and [3] do not broadcast"], "add");
    // the line is written out here too, to catch a wrong marker lookup
    expect(error.loc?.line).toBe(14);
    expect(error.message).toContain("test/dsl/errors.test.ts:");
  });

  it("matmul: names the inner dimensions that differ", () => {
    const error = failure((g) => {
      const a = g.input("a", [2, 3]);
      const b = g.input("b", [4, 5]);
      g.matmul(a, b); // @matmul
    });
    expectError(
      error,
      ["matmul: inner dimensions differ", "op(A) is 2x3, op(B) is 4x5", "[2,3]", "[4,5]"],
      "matmul",
    );
  });

  it("matmul with transposes: the message uses the transposed dimensions", () => {
    const error = failure((g) => {
      const a = g.input("a", [3, 2]);
      const b = g.input("b", [3, 5]);
      g.matmul(a, b, { transA: true, transB: true }); // @matmulT
    });
    expectError(error, ["op(A) is 2x3, op(B) is 5x3", "transA=true, transB=true"], "matmulT");
  });

  it("dot: needs two vectors of one length", () => {
    const matrices = failure((g) => {
      const a = g.input("a", [2, 2]);
      g.dot(a, a); // @dotMatrix
    });
    expectError(matrices, ["dot: expects two vectors of the same length", "[2,2]"], "dotMatrix");
    const lengths = failure((g) => g.dot(g.input("a", [2]), g.input("b", [3]))); // @dotLength
    expectError(lengths, ["dot: expects two vectors", "[2]", "[3]"], "dotLength");
  });
});

describe("operands", () => {
  it.each([
    ["a string", "x", "got string"],
    ["an array", [1, 2], "got an array (use g.constant([...]) for tensor constants)"],
    ["undefined", undefined, "got undefined"],
    ["null", null, "got null"],
    ["an object", { id: 0 }, "got object"],
  ])("rejects %s as an operand", (_, operand, got) => {
    const error = failure((g) => g.mul(g.input("x"), operand as never)); // @operand
    expectError(error, ["mul: operand 2 must be a node or a number", got], "operand");
  });

  it("rejects a node from another program, even where this graph has a node of the same shape", () => {
    let foreign!: Node;
    program("other", (g) => {
      foreign = g.input("a");
      g.entry("e", { fetch: { a: foreign } });
    });
    // x here has the id foreign has, so add(x, 1) exists with the key add(foreign, 1) would have
    const error = failure((g) => {
      const x = g.input("x");
      g.add(x, 1);
      g.add(foreign, 1); // @foreign
    });
    expectError(error, ["add: operand 1 belongs to another program"], "foreign");
    const fetched = failure((g) => {
      g.input("x");
      g.entry("e", { fetch: { y: foreign } }); // @foreignFetch
    });
    expectError(
      fetched,
      ['entry "e" fetch "y": argument 1 is not a node of this program'],
      "foreignFetch",
    );
  });
});

describe("declarations", () => {
  it("rejects a leaf name declared twice", () => {
    const error = failure((g) => {
      g.input("x", [2]);
      g.param("x", [2]); // @duplicate
    });
    expectError(error, ['param "x": the name is already declared in this program'], "duplicate");
  });

  it.each(["a b", "1x", "class", 'x"', "x`", "x*/", "${x}"])(
    "rejects the input name %j",
    (name) => {
      const error = failure((g) => g.input(name)); // @invalidName
      expectError(error, [`input name ${JSON.stringify(name)} is not a valid name`], "invalidName");
    },
  );

  it("rejects a bad shape", () => {
    const error = failure((g) => g.input("x", [2, -1])); // @badShape
    expectError(error, ['input "x": shape must be an array of non-negative integers'], "badShape");
  });

  it("rejects an entry with nothing to fetch or update, and a program with no entry", () => {
    const empty = failure((g) => g.entry("e", {})); // @emptyEntry
    expectError(empty, ['entry "e" fetches nothing and updates nothing'], "emptyEntry");
    let error: unknown;
    try {
      program("p", (g) => g.input("x")); // @noEntry
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AdjointError);
    expectError(error as AdjointError, ['program "p" declares no entry point'], "noEntry");
  });

  it("rejects an entry declared twice", () => {
    const error = failure((g) => {
      const x = g.input("x");
      g.entry("e", { fetch: { x } });
      g.entry("e", { fetch: { x } }); // @twice
    });
    expectError(error, ['entry "e" is declared twice'], "twice");
  });
});

describe("updates", () => {
  it("rejects the update of a node that is not a param", () => {
    const error = failure((g) => {
      const x = g.input("x", [2]);
      g.entry("step", { update: [[x, g.mul(x, 2)]] }); // @updateInput
    });
    expectError(
      error,
      ['entry "step" update: only params can be updated, not a node of op input'],
      "updateInput",
    );
  });

  it("rejects a new value of another shape", () => {
    const error = failure((g) => {
      const w = g.param("w", [3]);
      g.entry("step", { update: [[w, g.input("v", [2])]] }); // @updateShape
    });
    expectError(
      error,
      ['entry "step" update: param "w" has shape [3], new value has [2]'],
      "updateShape",
    );
  });
});

describe("grad", () => {
  it("rejects the gradient of a non-scalar", () => {
    const error = failure((g) => {
      const x = g.input("x", [3]);
      g.grad(g.exp(x), x); // @gradVector
    });
    expectError(error, ["grad: output", "has shape [3]; grad needs a scalar"], "gradVector");
  });

  it("rejects a wrt that is not a node", () => {
    const error = failure((g) => g.grad(g.sum(g.input("x", [2])), "x" as never)); // @gradWrt
    expectError(error, ["grad: argument 1 is not a node of this program"], "gradWrt");
  });
});

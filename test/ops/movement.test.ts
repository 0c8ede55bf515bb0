// Movement and indexing beyond the op table: stack, transpose's defaults, gather as an embedding
// lookup with its scatter-add adjoint, oneHot, out-of-range indices in the interpreter, and every
// shape, axis and dtype error with its message and line.
import { describe, expect, it } from "vitest";
import { AdjointError } from "../../compiler/index.ts";
import { build, thrown, values } from "../support/build.ts";
import { errorsIn } from "../support/errors.ts";

const expectError = errorsIn(import.meta.url);

describe("stack", () => {
  const { nodes } = build((g) => {
    const a = g.input("a", [2]);
    const b = g.input("b", [2]);
    const s = g.input("s");
    const rows = g.stack([a, b]);
    const columns = g.stack([a, b], 1);
    const w = g.constant([1, 2, 3, 4], [2, 2]);
    const [a_bar, b_bar] = g.grad(g.sum(g.mul(columns, w)), [a, b]);
    return {
      rows,
      columns,
      last: g.stack([a, b], -1),
      scalars: g.stack([s, s, 1]),
      a_bar,
      b_bar,
      one: g.stack([a]),
    };
  });
  const leaves = { a: [1, 2], b: [3, 4], s: 5 };

  it("joins along a new axis: first, second, and counted from the end", () => {
    expect(nodes.rows.shape).toEqual([2, 2]);
    expect(values(nodes.rows, leaves)).toEqual([1, 2, 3, 4]);
    expect(nodes.columns.shape).toEqual([2, 2]);
    expect(values(nodes.columns, leaves)).toEqual([1, 3, 2, 4]);
    expect(nodes.last).toBe(nodes.columns);
  });

  it("stacks scalars into a vector, and one input into a leading axis of 1", () => {
    expect(values(nodes.scalars, leaves)).toEqual([5, 5, 1]);
    expect(nodes.one.shape).toEqual([1, 2]);
    expect(nodes.one.op).toBe("reshape");
  });

  it("sends each input the column of the adjoint it became", () => {
    // columns = [[a0, b0], [a1, b1]], w = [[1, 2], [3, 4]]
    expect(values(nodes.a_bar, leaves)).toEqual([1, 3]);
    expect(values(nodes.b_bar, leaves)).toEqual([2, 4]);
  });
});

describe("transpose", () => {
  it("reverses the axes by default and returns the input for the identity permutation", () => {
    const { nodes } = build((g) => {
      const x = g.input("x", [2, 3, 4]);
      return { x, reversed: g.transpose(x), same: g.transpose(x, [0, 1, 2]) };
    });
    expect(nodes.reversed.shape).toEqual([4, 3, 2]);
    expect(nodes.reversed.attrs).toEqual({ perm: [2, 1, 0] });
    expect(nodes.same).toBe(nodes.x);
  });
});

describe("gather as an embedding lookup", () => {
  // E = [[1, 2], [3, 4], [5, 6]] (V = 3, D = 2), looked up at [2, 0, 2] (B = 3)
  const { nodes } = build((g) => {
    const E = g.param("E", [3, 2]);
    const ids = g.input("ids", [3], { dtype: "i32" });
    const rows = g.gather(E, ids);
    const w = g.constant([1, 2, 10, 20, 100, 200], [3, 2]);
    const loss = g.sum(g.mul(rows, w));
    const E_bar = g.grad(loss, E);
    const t = g.constant([1, -1, 0, 0, 3, 3], [3, 2]);
    return { rows, E_bar, rows_dot: g.jvp([rows], [E], [t])[0], columns: g.gather(E, ids, 1) };
  });
  const leaves = { E: [1, 2, 3, 4, 5, 6], ids: [2, 0, 2] };

  it("picks the rows", () => {
    expect(nodes.rows.shape).toEqual([3, 2]);
    expect(values(nodes.rows, leaves)).toEqual([5, 6, 1, 2, 5, 6]);
  });

  it("scatter-adds the adjoint back: a repeated index accumulates, an unused row gets zero", () => {
    // row 2 is read twice: [1, 2] + [100, 200]; row 0 once: [10, 20]; row 1 never
    expect(values(nodes.E_bar, leaves)).toEqual([10, 20, 0, 0, 101, 202]);
  });

  it("gathers the tangent the same way", () => {
    expect(values(nodes.rows_dot, leaves)).toEqual([3, 3, 1, -1, 3, 3]);
  });

  it("stops with the op, the shape and the index when an index is out of range", () => {
    expect(() => values(nodes.rows, { ...leaves, ids: [2, 3, 0] })).toThrow(
      new AdjointError("gather along axis 0 of [3,2]: index 3 is out of range [0, 3)"),
    );
    expect(() => values(nodes.rows, { ...leaves, ids: [-1, 0, 0] })).toThrow(
      "index -1 is out of range [0, 3)",
    );
    expect(() => values(nodes.rows, { ...leaves, ids: [0.5, 0, 0] })).toThrow(
      "index 0.5 is out of range [0, 3)",
    );
    expect(() => values(nodes.columns, { ...leaves, ids: [0, 1, 2] })).toThrow(
      "gather along axis 1 of [3,2]: index 2 is out of range [0, 2)",
    );
  });
});

describe("oneHot", () => {
  const { nodes } = build((g) => {
    const labels = g.input("labels", [2, 2], { dtype: "i32" });
    return { rows: g.oneHot(labels, 3) };
  });

  it("gives one row of length depth per label", () => {
    expect(nodes.rows.shape).toEqual([2, 2, 3]);
    expect(values(nodes.rows, { labels: [2, 0, 1, 2] })).toEqual([
      0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1,
    ]);
  });

  it("stops on a label out of range", () => {
    expect(() => values(nodes.rows, { labels: [0, 3, 1, 1] })).toThrow(
      "oneHot of depth 3: index 3 is out of range [0, 3)",
    );
  });
});

describe("scatterAdd", () => {
  it("adds updates into zeros, repeated indices accumulating, and its adjoint gathers", () => {
    const { nodes } = build((g) => {
      const u = g.input("u", [4]);
      const at = g.input("at", [4], { dtype: "i32" });
      const y = g.scatterAdd(u, at, 0, [3]);
      return { y, u_bar: g.grad(g.sum(g.mul(y, g.constant([1, 10, 100]))), u) };
    });
    const leaves = { u: [1, 2, 3, 4], at: [2, 2, 0, 2] };
    expect(values(nodes.y, leaves)).toEqual([3, 0, 7]);
    expect(values(nodes.u_bar, leaves)).toEqual([100, 100, 1, 100]);
  });
});

describe("shape, axis and dtype errors", () => {
  it("transpose: a perm that is not a permutation of the axes", () => {
    expectError(
      (g) => {
        g.transpose(g.input("x", [2, 3]), [0, 0]); // @permRepeat
      },
      ["transpose: perm [0,0] is not a permutation of the 2 axes of [2,3]", "(inputs %0: [2,3])"],
      "permRepeat",
    );
    expectError(
      (g) => {
        g.transpose(g.input("x", [2, 3]), [1, 0, 2]); // @permLength
      },
      ["transpose: perm [1,0,2] is not a permutation of the 2 axes of [2,3]"],
      "permLength",
    );
  });

  it("slice: begin and end of the wrong length, or not a range within the axis", () => {
    expectError(
      (g) => {
        g.slice(g.input("x", [2, 3]), [0], [1, 1]); // @sliceLength
      },
      ["slice: begin [0] must give one integer per axis of [2,3]"],
      "sliceLength",
    );
    expectError(
      (g) => {
        g.slice(g.input("x", [2, 3]), [0, 2], [2, 1]); // @sliceBackwards
      },
      ["slice: [2, 1) is not a range within axis 1 of [2,3] (need 0 <= begin <= end <= 3)"],
      "sliceBackwards",
    );
    expectError(
      (g) => {
        g.slice(g.input("x", [2, 3]), [0, 0], [3, 3]); // @sliceBeyond
      },
      ["slice: [0, 3) is not a range within axis 0 of [2,3] (need 0 <= begin <= end <= 2)"],
      "sliceBeyond",
    );
    expectError(
      (g) => {
        g.slice(g.input("x", [4]), [0.5], [2]); // @sliceFraction
      },
      ["slice: begin must be an array of integers, got the array [0.5]"],
      "sliceFraction",
    );
  });

  it("pad: negative or missing counts", () => {
    expectError(
      (g) => {
        g.pad(g.input("x", [2, 3]), [1, 0], [0, -1]); // @padNegative
      },
      ["pad: padding before [1,0] and after [0,-1] must be non-negative"],
      "padNegative",
    );
    expectError(
      (g) => {
        g.pad(g.input("x", [2, 3]), [1, 0], [0]); // @padLength
      },
      ["pad: after [0] must give one integer per axis of [2,3]"],
      "padLength",
    );
  });

  it("concat: no inputs, an axis out of range, ranks or other dimensions that differ", () => {
    expectError(
      (g) => {
        g.concat([]); // @concatEmpty
      },
      ["concat: needs at least one input"],
      "concatEmpty",
    );
    expectError(
      (g) => {
        g.concat([g.input("a", [2]), g.input("b", [2])], 1); // @concatAxis
      },
      ["concat: axis 1 is out of range for rank 1"],
      "concatAxis",
    );
    expectError(
      (g) => {
        g.concat([g.input("a", [2, 3]), g.input("b", [2, 2])], 0); // @concatDims
      },
      ["concat: shapes [2,3], [2,2] differ outside axis 0", "(inputs %0: [2,3], %1: [2,2])"],
      "concatDims",
    );
    expectError(
      (g) => {
        g.concat([g.input("a", [2, 3]), g.input("b", [3])], -1); // @concatRank
      },
      ["concat: shapes [2,3], [3] differ outside axis 1"],
      "concatRank",
    );
    expectError(
      (g) => {
        g.concat([g.input("a", [2]), g.input("k", [2], { dtype: "i32" })]); // @concatDtype
      },
      ["concat: operand 2 is i32 and operand 1 is f64; expected one dtype (use g.cast)"],
      "concatDtype",
    );
  });

  it("stack: no inputs, an axis out of range, shapes that differ", () => {
    expectError(
      (g) => {
        g.stack([]); // @stackEmpty
      },
      ["stack: needs at least one input"],
      "stackEmpty",
    );
    expectError(
      (g) => {
        g.stack([g.input("a", [2]), g.input("b", [2])], 2); // @stackAxis
      },
      ["stack: axis 2 is out of range for rank 2"],
      "stackAxis",
    );
    expectError(
      (g) => {
        g.stack([g.input("a", [2]), g.input("b", [3])]); // @stackShapes
      },
      ["stack: operand 2 has shape [3] and operand 1 has [2]; stacked operands share one shape"],
      "stackShapes",
    );
  });

  it("gather: an axis out of range, float indices, integer values", () => {
    expectError(
      (g) => {
        g.gather(g.input("E", [3, 2]), g.input("i", [4], { dtype: "i32" }), 2); // @gatherAxis
      },
      ["gather: axis 2 is out of range for rank 2"],
      "gatherAxis",
    );
    expectError(
      (g) => {
        g.gather(g.input("E", [3, 2]), g.input("i", [4])); // @gatherFloat
      },
      ['gather: operand 2 is f64; expected i32 (use g.cast(x, "i32"))'],
      "gatherFloat",
    );
    expectError(
      (g) => {
        const k = g.input("k", [3], { dtype: "i32" });
        g.gather(k, k); // @gatherInts
      },
      ["gather: operand 1 is i32; expected f64"],
      "gatherInts",
    );
  });

  it("scatterAdd: updates that do not fit, an axis out of range, float indices", () => {
    const at = (g: Parameters<Parameters<typeof expectError>[0]>[0]) =>
      g.input("at", [4], { dtype: "i32" });
    expectError(
      (g) => {
        g.scatterAdd(g.input("u", [4, 3]), at(g), 0, [5, 2]); // @scatterFit
      },
      ["scatterAdd: updates [4,3] do not fit [5,2] at indices [4] along axis 0: expected [4,2]"],
      "scatterFit",
    );
    expectError(
      (g) => {
        g.scatterAdd(g.input("u", [4]), at(g), 1, [5]); // @scatterAxis
      },
      ["scatterAdd: axis 1 is out of range for rank 1"],
      "scatterAxis",
    );
    expectError(
      (g) => {
        g.scatterAdd(g.input("u", [4]), g.input("f", [4]), 0, [5]); // @scatterFloat
      },
      ["scatterAdd: operand 2 is f64; expected i32"],
      "scatterFloat",
    );
  });

  it("oneHot: float labels, a depth that is not a positive integer", () => {
    expectError(
      (g) => {
        g.oneHot(g.input("y", [3]), 4); // @oneHotFloat
      },
      ['oneHot: operand 1 is f64; expected i32 (use g.cast(x, "i32"))'],
      "oneHotFloat",
    );
    expectError(
      (g) => {
        g.oneHot(g.input("y", [3], { dtype: "i32" }), 0); // @oneHotDepth
      },
      ["oneHot: depth must be a positive integer, got 0"],
      "oneHotDepth",
    );
  });

  it("reshape and broadcastTo: sizes and shapes that do not fit", () => {
    expectError(
      (g) => {
        g.reshape(g.input("x", [2, 3]), [4, -1]); // @reshapeSize
      },
      ["reshape: cannot reshape [2,3] (6 elements) to [4,-1]"],
      "reshapeSize",
    );
    expectError(
      (g) => {
        g.broadcastTo(g.input("x", [2, 3]), [3]); // @broadcastShape
      },
      ["broadcastTo: cannot broadcast [2,3] to [3]"],
      "broadcastShape",
    );
  });

  it("the shape rule of oneHot rejects a bad depth in a hand-built node", () => {
    const error = thrown(() =>
      build((g) => ({
        y: g.graph.intern("oneHot", [g.input("y", [2], { dtype: "i32" })], { depth: 1.5 }),
      })),
    );
    expect(error.message).toBe(
      "oneHot: depth must be a positive integer, got 1.5 (inputs %0: [2])",
    );
  });
});

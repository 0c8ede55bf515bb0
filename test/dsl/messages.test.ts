// Messages that name what the user called, with the user's operands and line: composites (stack,
// meanSquaredError, softmax, ...) report under their own name; arguments of the wrong type say
// what was given; an entry without a spec and a positional custom rule are caught where written.
import { describe, expect, it } from "vitest";
import { failure, markedErrors } from "../support/errors.ts";
import { adam, program, sgd, type ProgramBuilder } from "adjoint";

const expectError = markedErrors(import.meta.url);

/** Building `body` fails with exactly `text`, at the line marked `marker`. */
function fails(body: (g: ProgramBuilder) => void, text: string, marker: string): void {
  const error = failure(body);
  expect(error.message.split("\n")[0]).toBe(text);
  expectError(error, [text], marker);
}

// arguments a TypeScript user could still pass (from JavaScript, JSON or an `any`)
const loose = (value: unknown) => value as never;

describe("composites report under their own name, with the user's operands", () => {
  it.each([
    [
      "stack",
      (g: ProgramBuilder) => {
        g.stack([g.input("a", [2]), g.input("b", [3])]); // @stack
      },
      "stack: operand 2 has shape [3] and operand 1 has [2]; stacked operands share one shape",
    ],
    [
      "stackAxis",
      (g: ProgramBuilder) => {
        g.stack([g.input("a", [2]), g.input("b", [2])], 3); // @stackAxis
      },
      "stack: axis 3 is out of range for rank 2",
    ],
    [
      "mse",
      (g: ProgramBuilder) => {
        g.meanSquaredError(g.input("a", [2]), g.input("b", [3])); // @mse
      },
      "meanSquaredError: shapes [2] and [3] do not broadcast (operands f64[2] and f64[3])",
    ],
    [
      "softmax",
      (g: ProgramBuilder) => {
        g.softmax(g.input("a", [2, 3]), 4); // @softmax
      },
      "softmax: axis 4 is out of range for rank 2 (operand f64[2,3])",
    ],
    [
      "softmaxInt",
      (g: ProgramBuilder) => {
        g.softmax(g.input("a", [2, 3], { dtype: "i32" })); // @softmaxInt
      },
      "softmax: operand 1 is i32; expected f64 (use g.cast or g.where) (operand i32[2,3])",
    ],
    [
      "logSoftmax",
      (g: ProgramBuilder) => {
        g.logSoftmax(g.input("a", [2, 3]), -3); // @logSoftmax
      },
      "logSoftmax: axis -3 is out of range for rank 2 (operand f64[2,3])",
    ],
    [
      "clamp",
      (g: ProgramBuilder) => {
        g.clamp(g.input("a", [2]), g.input("b", [3]), 1); // @clamp
      },
      "clamp: shapes [2] and [3] do not broadcast (operands f64[2], f64[3] and f64[])",
    ],
    [
      "mean",
      (g: ProgramBuilder) => {
        g.mean(g.input("a", [2, 3], { dtype: "bool" })); // @mean
      },
      "mean: operand 1 is bool; expected f64 (use g.cast or g.where) (operand bool[2,3])",
    ],
  ])("%s", (marker, body, text) => fails(body, text, marker));
});

describe("arguments of the wrong type say what was given", () => {
  it.each([
    [
      "maxAxis",
      (g: ProgramBuilder) => {
        g.max(g.input("x", [2, 3]), loose("0")); // @maxAxis
      },
      'max: axes must be an integer or a list of integers, got the string "0"',
    ],
    [
      "sumAxis",
      (g: ProgramBuilder) => {
        g.sum(g.input("x", [2, 3]), [0, loose("1")]); // @sumAxis
      },
      'sum: axis must be an integer, got the string "1"',
    ],
    [
      "keepDims",
      (g: ProgramBuilder) => {
        g.sum(g.input("x", [2, 3]), 0, loose(1)); // @keepDims
      },
      "sum: keepDims must be true or false, got 1",
    ],
    [
      "concatAxis",
      (g: ProgramBuilder) => {
        const x = g.input("x", [2, 3]);
        g.concat([x, x], loose("1")); // @concatAxis
      },
      'concat: axis must be an integer, got the string "1"',
    ],
    [
      "concatList",
      (g: ProgramBuilder) => {
        g.concat(loose(g.input("x", [2, 3]))); // @concatList
      },
      "concat: expects a list of operands, got a node (%0)",
    ],
    [
      "sliceBegin",
      (g: ProgramBuilder) => {
        g.slice(g.input("x", [2, 3]), loose("01"), [2, 3]); // @sliceBegin
      },
      'slice: begin must be an array of integers, got the string "01"',
    ],
    [
      "pad",
      (g: ProgramBuilder) => {
        g.pad(g.input("x", [2, 3]), loose(1), [1, 1]); // @pad
      },
      "pad: before must be an array of integers, got 1",
    ],
    [
      "transpose",
      (g: ProgramBuilder) => {
        g.transpose(g.input("x", [2, 3]), loose("10")); // @transpose
      },
      'transpose: perm must be an array of integers, got the string "10"',
    ],
    [
      "reshape",
      (g: ProgramBuilder) => {
        g.reshape(g.input("x", [2, 3]), loose(6)); // @reshape
      },
      "reshape: shape must be an array of integers, got 6",
    ],
    [
      "broadcastTo",
      (g: ProgramBuilder) => {
        g.broadcastTo(g.input("x", [3]), loose("23")); // @broadcastTo
      },
      'broadcastTo: shape must be an array of non-negative integers, got the string "23"',
    ],
    [
      "gatherAxis",
      (g: ProgramBuilder) => {
        g.gather(g.input("x", [2, 3]), g.input("i", [2], { dtype: "i32" }), loose(null)); // @gatherAxis
      },
      "gather: axis must be an integer, got null",
    ],
    [
      "matmul",
      (g: ProgramBuilder) => {
        g.matmul(g.input("a", [2, 3]), g.input("b", [2, 3]), { transB: loose("yes") }); // @matmul
      },
      'matmul: transB must be true or false, got the string "yes"',
    ],
    [
      "cast",
      (g: ProgramBuilder) => {
        g.cast(g.input("x", [2]), loose("f16")); // @cast
      },
      'cast: dtype must be one of "f64", "f32", "i32", "bool", got the string "f16"',
    ],
    [
      "constant",
      (g: ProgramBuilder) => {
        g.constant(1, [], loose("int")); // @constant
      },
      'const: dtype must be one of "f64", "f32", "i32", "bool", got the string "int"',
    ],
    [
      "oneHot",
      (g: ProgramBuilder) => {
        g.oneHot(g.input("k", [2], { dtype: "i32" }), loose("3")); // @oneHot
      },
      'oneHot: depth must be a positive integer, got the string "3"',
    ],
    [
      "pow",
      (g: ProgramBuilder) => {
        g.pow(g.input("x", [2]), loose("2")); // @pow
      },
      'pow: the exponent must be a number constant, got the string "2"',
    ],
  ])("%s", (marker, body, text) => fails(body, text, marker));
});

describe("entries and custom rules", () => {
  it("an entry without a spec", () => {
    fails(
      (g) => {
        g.input("x");
        g.entry("e", loose(undefined)); // @noSpec
      },
      'entry "e": expects a spec { fetch, update, accumulate, zero, after } as its second argument, got undefined',
      "noSpec",
    );
  });

  it("an entry with a misspelt option", () => {
    fails(
      (g) => {
        const x = g.input("x");
        g.entry("e", loose({ fetches: { x } })); // @misspelt
      },
      'entry "e": unknown option "fetches" (the spec takes { fetch, update, accumulate, zero, after })',
      "misspelt",
    );
  });

  it("a rule written with positional arguments, where it is declared", () => {
    fails(
      (g) => {
        const x = g.input("x", [2]);
        const rule = (_inputs: unknown, output: never, bar: never) => [g.mul(bar, output)];
        g.customVjp([x], (a) => g.exp(a), loose(rule)); // @positional
      },
      "customVjp: the rule takes one argument, { g, inputs, output, output_bar }, not 3 positional " +
        "ones: write ({ g, inputs: [x], output_bar }) => [...]",
      "positional",
    );
  });

  it("a rule that throws a JavaScript error, at its customVjp line", () => {
    const error = failure((g) => {
      const x = g.input("x", [2]);
      // destructures its one context argument as if it were the list of inputs
      const rule = ([a]: readonly never[]) => [g.mul(a, 2)];
      const y = g.customVjp([x], (a) => g.exp(a), loose(rule)); // @throws
      g.entry("e", { fetch: { d: g.grad(g.sum(y), x) } });
    });
    const [first] = error.message.split("\n");
    expect(first).toMatch(/^customVjp: the rule threw TypeError: /);
    expect(first).toMatch(
      / \(it gets one argument, \{ g, inputs, output, output_bar \}, and returns one adjoint or null per input\)$/,
    );
    expectError(error, [], "throws");
  });
});

describe("the other declarations check their arguments alike", () => {
  it.each([
    [
      "inputOptions",
      (g: ProgramBuilder) => {
        g.input("x", [2], loose("i32")); // @inputOptions
      },
      'input "x": options must be a record { dtype }, got the string "i32"',
    ],
    [
      "paramShape",
      (g: ProgramBuilder) => {
        g.param("W", loose(3)); // @paramShape
      },
      'param "W": shape must be an array of non-negative integers, got 3',
    ],
    [
      "fetchList",
      (g: ProgramBuilder) => {
        g.entry("e", { fetch: loose([g.input("x")]) }); // @fetchList
      },
      'entry "e": fetch must be a record of named outputs, got a list of 1 node',
    ],
    [
      "update",
      (g: ProgramBuilder) => {
        g.entry("e", { update: loose([g.param("w")]) }); // @update
      },
      'entry "e": update must be a list of [param, newValue] pairs; item 1 is a node (%0)',
    ],
    [
      "accumulate",
      (g: ProgramBuilder) => {
        g.entry("e", { accumulate: loose({ w: g.param("w") }) }); // @accumulate
      },
      'entry "e": accumulate must be a list of [buffers, values] pairs; got an object',
    ],
    [
      "jacobian",
      (g: ProgramBuilder) => {
        const x = g.input("x", [2]);
        g.jacobian(x, x, loose("forward")); // @jacobian
      },
      'jacobian: options must be a record { mode }, got the string "forward"',
    ],
    [
      "sgdBuilder",
      (g: ProgramBuilder) => {
        const w = g.param("w", [2]);
        // the builder left out: every argument is one place early
        const call = sgd as unknown as (...args: unknown[]) => unknown;
        call([w], g.grad(g.sum(w), [w]), { learningRate: 0.1 }); // @sgdBuilder
      },
      "sgd: the first argument must be the program's builder: sgd(g, params, grads, options), got a list of 1 node",
    ],
    [
      "adamBeta",
      (g: ProgramBuilder) => {
        const w = g.param("w", [2]);
        adam(g, [w], g.grad(g.sum(w), [w]), { beta1: loose("0.9") }); // @adamBeta
      },
      'adam: beta1 must be a number with 0 ≤ beta1 < 1, got the string "0.9"',
    ],
  ])("%s", (marker, body, text) => fails(body, text, marker));

  it("program itself: its function and its options", () => {
    const attempt = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as Error).message.split("\n")[0];
      }
      return "no error";
    };
    expect(attempt(() => program("p", loose(3)))).toBe(
      'program "p": expects a function (g) => { ... } that builds it, got 3',
    );
    expect(attempt(() => program("p", () => {}, loose("f32")))).toBe(
      'program "p": options must be a record { dtype }, got the string "f32"',
    );
  });

  it("vjp and jvp take a single node where a list is expected, and mean the same", () => {
    const p = program("single", (g) => {
      const x = g.input("x", [2]);
      const y = g.mul(x, x);
      const bar = g.input("bar", [2]);
      const [listed] = g.vjp([y], [bar], [x]);
      const [single] = g.vjp(loose(y), loose(bar), loose(x));
      const [dot] = g.jvp(loose(y), loose(x), loose(bar));
      expect(single).toBe(listed);
      expect(dot).toBe(g.jvp([y], [x], [bar])[0]);
      g.entry("e", { fetch: { single } });
    });
    expect(p.entries[0].fetch[0][1].shape).toEqual([2]);
  });
});

// Every rewrite rule and constant folding, before and after: the rule fires (optimize(...).fired),
// the optimized text is the one written here by hand, and values stay the same.
import { describe, expect, it } from "vitest";
import { program, type ProgramBuilder } from "../../compiler/program.ts";
import { interpret } from "../../compiler/ops/interpret.ts";
import type { Node } from "../../compiler/ir/node.ts";
import type { Program } from "../../compiler/ir/program.ts";
import { programText } from "../../compiler/ir/text.ts";
import { optimize } from "../../compiler/passes/pipeline.ts";
import { sizeOf } from "../../compiler/ir/shape.ts";
import { algebraicRules, beforeFoldingRules, rule } from "../../compiler/passes/rules.ts";
import { foldRule, simplify } from "../../compiler/passes/simplify.ts";
import { mulberry32, uniform } from "../support/gradcheck.ts";

interface RuleCase {
  readonly label: string;
  /** Declares its leaves and returns the fetched node. */
  readonly build: (g: ProgramBuilder) => Node;
  /** The optimized program's lines after the header, entry `e: y=...` last. */
  readonly after: readonly string[];
}

function single(build: (g: ProgramBuilder) => Node): Program {
  return program("r", (g) => g.entry("e", { fetch: { y: build(g) } }));
}

/** Random values for every declared leaf. */
function randomLeaves(p: Program, seed: number): Record<string, number[]> {
  const rng = mulberry32(seed);
  return Object.fromEntries(
    p.leaves.map((leaf) => [
      leaf.attrs.name,
      Array.from({ length: sizeOf(leaf.shape) }, () => uniform(rng, -2, 2)),
    ]),
  );
}

/** Equal element by element, NaN equal to NaN (and 0 to -0, as ===). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return false;
  }
  return true;
}

function fetched(p: Program): Node[] {
  return p.entries.flatMap((entry) => entry.fetch.map(([, node]) => node));
}

const sinX = (g: ProgramBuilder) => g.sin(g.input("x", [3]));
const keepsSin = ['%0: f64[3] = input "x"', "%1: f64[3] = sin %0", "entry e: y=%1"];
const negatesSin = [
  '%0: f64[3] = input "x"',
  "%1: f64[3] = sin %0",
  "%2: f64[3] = neg %1",
  "entry e: y=%2",
];

const ruleCases: Record<string, readonly RuleCase[]> = {
  "x*1 -> x": [
    { label: "sin(x)·1", build: (g) => g.mul(sinX(g), 1), after: keepsSin },
    {
      label: "a scalar times a tensor of ones keeps the output shape",
      build: (g) => g.mul(g.input("s"), g.constant(1, [3])),
      after: ['%0: f64[] = input "s"', "%1: f64[3] = broadcastTo %0", "entry e: y=%1"],
    },
  ],
  "1*x -> x": [{ label: "1·sin(x)", build: (g) => g.mul(1, sinX(g)), after: keepsSin }],
  "x*-1 -> -x": [{ label: "sin(x)·(−1)", build: (g) => g.mul(sinX(g), -1), after: negatesSin }],
  "-1*x -> -x": [{ label: "(−1)·sin(x)", build: (g) => g.mul(-1, sinX(g)), after: negatesSin }],
  "x/1 -> x": [{ label: "sin(x)/1", build: (g) => g.div(sinX(g), 1), after: keepsSin }],
  "x+(-0) -> x": [
    { label: "sin(x) + (−0)", build: (g) => g.add(sinX(g), -0), after: keepsSin },
    {
      label: "a tensor plus a tensor of −0",
      build: (g) => g.add(sinX(g), g.constant(-0, [3])),
      after: keepsSin,
    },
  ],
  "(-0)+x -> x": [{ label: "(−0) + sin(x)", build: (g) => g.add(-0, sinX(g)), after: keepsSin }],
  "x-0 -> x": [{ label: "sin(x) − 0", build: (g) => g.sub(sinX(g), 0), after: keepsSin }],
  "(-0)-x -> -x": [{ label: "(−0) − sin(x)", build: (g) => g.sub(-0, sinX(g)), after: negatesSin }],
  "x+x -> 2*x": [
    {
      label: "sin(x) + sin(x)",
      build: (g) => {
        const s = sinX(g);
        return g.add(s, s);
      },
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        "%2: f64[] = const 2",
        "%3: f64[3] = mul %2 %1",
        "entry e: y=%3",
      ],
    },
  ],
  "broadcastTo(c) -> c": [
    {
      label: "a broadcast scalar constant is a constant of the new shape, without folding",
      build: (g) => g.mul(g.input("v", [2, 3]), g.broadcastTo(g.constant(2), [2, 3])),
      after: [
        '%0: f64[2,3] = input "v"',
        "%1: f64[2,3] = const 2",
        "%2: f64[2,3] = mul %0 %1",
        "entry e: y=%2",
      ],
    },
  ],
  "a*x+b*x -> (a+b)*x": [
    {
      label: "2·sin(x) + sin(x)",
      build: (g) => {
        const s = sinX(g);
        return g.add(g.mul(2, s), s);
      },
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        "%2: f64[] = const 3",
        "%3: f64[3] = mul %2 %1",
        "entry e: y=%3",
      ],
    },
    {
      label: "−sin(x) + sin(x)·(−4)",
      build: (g) => {
        const s = sinX(g);
        return g.add(g.neg(s), g.mul(s, -4));
      },
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        "%2: f64[] = const -5",
        "%3: f64[3] = mul %2 %1",
        "entry e: y=%3",
      ],
    },
  ],
  "transpose(transpose(x)) -> transpose(x)": [
    {
      label: "two rotations of the axes are one",
      build: (g) => g.transpose(g.transpose(g.input("m", [2, 3, 4]), [1, 2, 0]), [1, 2, 0]),
      after: [
        '%0: f64[2,3,4] = input "m"',
        "%1: f64[4,2,3] = transpose %0 {perm=[2,0,1]}",
        "entry e: y=%1",
      ],
    },
    {
      label: "a matrix transposed twice is itself",
      build: (g) => g.transpose(g.transpose(g.input("m", [2, 3]))),
      after: ['%0: f64[2,3] = input "m"', "entry e: y=%0"],
    },
  ],
  "reshape(reshape(x)) -> reshape(x)": [
    {
      label: "[2,3] -> [3,2] -> [6] is one reshape",
      build: (g) => g.reshape(g.reshape(g.input("m", [2, 3]), [3, 2]), [6]),
      after: ['%0: f64[2,3] = input "m"', "%1: f64[6] = reshape %0", "entry e: y=%1"],
    },
    {
      label: "[2,3] -> [6] -> [2,3] is no reshape",
      build: (g) => g.reshape(g.reshape(g.input("m", [2, 3]), [6]), [2, 3]),
      after: ['%0: f64[2,3] = input "m"', "entry e: y=%0"],
    },
  ],
  "stopGradient(x) -> x": [
    { label: "stopGradient(sin(x))", build: (g) => g.stopGradient(sinX(g)), after: keepsSin },
  ],
  "--x -> x": [{ label: "−(−sin(x))", build: (g) => g.neg(g.neg(sinX(g))), after: keepsSin }],
  "a*(b*x) -> (a*b)*x": [
    {
      label: "100·(2·sin(x)) is 200·sin(x): 2·sin(x) is exact",
      build: (g) => g.mul(100, g.mul(2, sinX(g))),
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        "%2: f64[] = const 200",
        "%3: f64[3] = mul %2 %1",
        "entry e: y=%3",
      ],
    },
    {
      label: "a splat tensor of 100s times 2·sin(x), as reverse mode writes it",
      build: (g) => g.mul(g.constant(100, [3]), g.mul(2, sinX(g))),
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        "%2: f64[] = const 200",
        "%3: f64[3] = mul %2 %1",
        "entry e: y=%3",
      ],
    },
    {
      label: "(sin(x)·(−4))·(−1.5), constants on the right",
      build: (g) => g.mul(g.mul(sinX(g), -4), -1.5),
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        "%2: f64[] = const 6",
        "%3: f64[3] = mul %2 %1",
        "entry e: y=%3",
      ],
    },
  ],
  "(-x)*y -> -(x*y)": [
    {
      label: "(−sin(x))·v",
      build: (g) => g.mul(g.neg(sinX(g)), g.input("v", [3])),
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        '%2: f64[3] = input "v"',
        "%3: f64[3] = mul %1 %2",
        "%4: f64[3] = neg %3",
        "entry e: y=%4",
      ],
    },
  ],
  "x*(-y) -> -(x*y)": [
    {
      label: "v·(−sin(x))",
      build: (g) => g.mul(g.input("v", [3]), g.neg(sinX(g))),
      after: [
        '%0: f64[3] = input "v"',
        '%1: f64[3] = input "x"',
        "%2: f64[3] = sin %1",
        "%3: f64[3] = mul %0 %2",
        "%4: f64[3] = neg %3",
        "entry e: y=%4",
      ],
    },
  ],
  "x+(-y) -> x-y": [
    {
      label: "v + (−sin(x))",
      build: (g) => g.add(g.input("v", [3]), g.neg(sinX(g))),
      after: [
        '%0: f64[3] = input "v"',
        '%1: f64[3] = input "x"',
        "%2: f64[3] = sin %1",
        "%3: f64[3] = sub %0 %2",
        "entry e: y=%3",
      ],
    },
  ],
  "(-x)+y -> y-x": [
    {
      label: "(−sin(x)) + v",
      build: (g) => g.add(g.neg(sinX(g)), g.input("v", [3])),
      after: [
        '%0: f64[3] = input "x"',
        "%1: f64[3] = sin %0",
        '%2: f64[3] = input "v"',
        "%3: f64[3] = sub %2 %1",
        "entry e: y=%3",
      ],
    },
  ],
  "x^1 -> x": [{ label: "sin(x)^1", build: (g) => g.pow(sinX(g), 1), after: keepsSin }],
  "x^0 -> 1": [
    {
      label: "sin(x)^0 is a tensor of ones; the unused input stays declared",
      build: (g) => g.pow(sinX(g), 0),
      after: ['%0: f64[3] = input "x"', "%1: f64[3] = const 1", "entry e: y=%1"],
    },
  ],
  "x∘broadcastTo(s) -> x∘s": [
    {
      label: "v·broadcast(s)",
      build: (g) => g.mul(g.input("v", [3]), g.broadcastTo(g.input("s"), [3])),
      after: [
        '%0: f64[3] = input "v"',
        '%1: f64[] = input "s"',
        "%2: f64[3] = mul %0 %1",
        "entry e: y=%2",
      ],
    },
    {
      label: "broadcast(s) + broadcast(t): one broadcast must stay to keep the shape",
      build: (g) => {
        const s = g.input("s");
        const t = g.input("t");
        return g.add(g.broadcastTo(s, [3]), g.broadcastTo(t, [3]));
      },
      after: [
        '%0: f64[] = input "s"',
        '%1: f64[] = input "t"',
        "%2: f64[3] = broadcastTo %0",
        "%3: f64[3] = add %2 %1",
        "entry e: y=%3",
      ],
    },
  ],
  "broadcastTo(s)∘x -> s∘x": [
    {
      label: "broadcast(s) − v",
      build: (g) => {
        const v = g.input("v", [3]);
        return g.sub(g.broadcastTo(g.input("s"), [3]), v);
      },
      after: [
        '%0: f64[3] = input "v"',
        '%1: f64[] = input "s"',
        "%2: f64[3] = sub %1 %0",
        "entry e: y=%2",
      ],
    },
  ],
  "custom(y, ...) -> y": [
    {
      label: "sin(x) with a custom derivative rule: the wrapper goes once differentiation is done",
      build: (g) => {
        const x = g.input("x", [3]);
        return g.customVjp(
          [x],
          (v) => g.sin(v),
          ({ g: ops, inputs: [v], output_bar }) => [ops.mul(output_bar, ops.cos(v))],
        );
      },
      after: keepsSin,
    },
  ],
};

describe("the rule table", () => {
  it("has a case for every algebraic rule", () => {
    const names = [...beforeFoldingRules, ...algebraicRules].map((r) => r.name);
    expect(Object.keys(ruleCases).sort()).toEqual(names.sort());
  });
});

for (const [name, cases] of Object.entries(ruleCases)) {
  describe(name, () => {
    for (const { label, build, after } of cases) {
      it(label, () => {
        const before = single(build);
        const textBefore = programText(before);
        const result = optimize(before, { verifyEachPass: true });
        expect(Object.fromEntries(result.fired)).toEqual({ [name]: 1 });
        expect(programText(result.program)).toBe(["program r (f64)", ...after].join("\n"));
        // optimize is pure: the program it was given is unchanged
        expect(programText(before)).toBe(textBefore);
        for (const seed of [1, 2, 3]) {
          const leaves = randomLeaves(before, seed);
          const [was] = interpret(fetched(before), leaves);
          const [now] = interpret(fetched(result.program), leaves);
          expect(sameValues(now, was)).toBe(true);
        }
      });
    }
  });
}

describe("rules that must not fire", () => {
  it("leaves x·0 alone: ∞·0 is NaN, not 0", () => {
    const p = single((g) => g.mul(g.input("x"), 0));
    const result = optimize(p);
    expect(result.fired.size).toBe(0);
    expect(programText(result.program)).toBe(programText(p));
    expect(interpret(fetched(result.program), { x: Infinity })[0][0]).toBeNaN();
  });

  it("leaves x + 0, 0 + x, x − (−0) and 0 − x alone: each flips the sign of some zero", () => {
    const p = program("r", (g) => {
      const x = g.input("x");
      g.entry("e", {
        fetch: { a: g.add(x, 0), b: g.add(0, x), c: g.sub(x, -0), d: g.sub(0, x) },
      });
    });
    const result = optimize(p, { verifyEachPass: true });
    expect(result.fired.size).toBe(0);
    // at x = −0 the first three give +0, not x; at x = +0 the last gives +0, not −x
    const [a, b, c] = interpret(fetched(result.program), { x: -0 });
    for (const value of [a, b, c]) expect(Object.is(value[0], 0)).toBe(true);
    expect(Object.is(interpret(fetched(result.program), { x: 0 })[3][0], 0)).toBe(true);
  });

  it("merges no terms whose products round or overflow on their own", () => {
    // 3x rounds, so 3x + x is not 4x; 0.5x underflows below the smallest subnormal; 2x − x
    // overflows where x does not
    const p = program("r", (g) => {
      const x = g.input("x");
      g.entry("e", {
        fetch: {
          a: g.add(g.mul(3, x), x),
          b: g.add(g.mul(0.5, x), x),
          c: g.add(g.mul(2, x), g.neg(x)),
        },
      });
    });
    const result = optimize(p, { verifyEachPass: true });
    // (2·x + (−x) becomes 2·x − x, which is the same sum; no terms merge)
    expect(result.fired.has("a*x+b*x -> (a+b)*x")).toBe(false);
    expect(interpret(fetched(result.program), { x: 1e308 })[2][0]).toBe(Infinity);
  });

  it("merges no scalings that round twice or overflow on one side only", () => {
    // 3·x rounds before 10·(3·x) rounds again; 0.5·(2·x) is finite where 2·x overflows
    const p = program("r", (g) => {
      const x = g.input("x");
      g.entry("e", {
        fetch: { a: g.mul(10, g.mul(3, x)), b: g.mul(0.5, g.mul(2, x)) },
      });
    });
    const result = optimize(p, { verifyEachPass: true });
    expect(result.fired.size).toBe(0);
    expect(interpret(fetched(result.program), { x: 1e308 })[1][0]).toBe(Infinity);
  });

  it("leaves 1/x, x·2, x − x and x^2 alone", () => {
    const p = program("r", (g) => {
      const x = g.input("x");
      g.entry("e", { fetch: { a: g.div(1, x), b: g.mul(x, 2), c: g.sub(x, x), d: g.pow(x, 2) } });
    });
    const result = optimize(p, { verifyEachPass: true });
    expect(result.fired.size).toBe(0);
    expect(programText(result.program)).toBe(programText(p));
  });
});

describe("constant folding", () => {
  it("folds an op of constants into one constant", () => {
    const result = optimize(
      single((g) => {
        const x = g.input("x");
        return g.add(g.mul(2, 3), x);
      }),
      { verifyEachPass: true },
    );
    expect(Object.fromEntries(result.fired)).toEqual({ "fold constants": 1 });
    expect(programText(result.program)).toBe(
      [
        "program r (f64)",
        '%0: f64[] = input "x"',
        "%1: f64[] = const 6",
        "%2: f64[] = add %1 %0",
        "entry e: y=%2",
      ].join("\n"),
    );
  });

  it("folds a chain bottom-up in one sweep: exp(1 + 2) is one constant", () => {
    const result = optimize(single((g) => g.exp(g.add(g.constant(1), 2))));
    expect(Object.fromEntries(result.fired)).toEqual({ "fold constants": 2 });
    expect(programText(result.program)).toBe(
      ["program r (f64)", `%0: f64[] = const ${Math.exp(3)}`, "entry e: y=%0"].join("\n"),
    );
  });

  it("folds tensors element by element, and a uniform result into one value", () => {
    const tensor = optimize(single((g) => g.mul(g.constant([1, 2, 3]), 2)));
    expect(programText(tensor.program)).toBe(
      ["program r (f64)", "%0: f64[3] = const 2 4 6", "entry e: y=%0"].join("\n"),
    );
    const uniformResult = optimize(single((g) => g.add(g.constant([1, 2]), g.constant([2, 1]))));
    expect(programText(uniformResult.program)).toBe(
      ["program r (f64)", "%0: f64[2] = const 3", "entry e: y=%0"].join("\n"),
    );
  });

  it("folds NaN, infinities and -0 exactly", () => {
    const result = optimize(
      program("r", (g) => {
        const zero = g.constant(0);
        g.entry("e", {
          fetch: { nan: g.div(zero, zero), inf: g.div(1, zero), negZero: g.neg(zero) },
        });
      }),
    );
    expect(Object.fromEntries(result.fired)).toEqual({ "fold constants": 3 });
    expect(programText(result.program)).toBe(
      [
        "program r (f64)",
        "%0: f64[] = const NaN",
        "%1: f64[] = const Infinity",
        "%2: f64[] = const -0",
        "entry e: nan=%0 inf=%1 negZero=%2",
      ].join("\n"),
    );
  });

  it("folds a large uniform tensor but keeps a large varied one computed", () => {
    const large = optimize(single((g) => g.exp(g.constant(0, [5000]))));
    expect(programText(large.program)).toBe(
      ["program r (f64)", "%0: f64[5000] = const 1", "entry e: y=%0"].join("\n"),
    );
    const varied = Array.from({ length: 5000 }, (_, i) => i);
    const kept = optimize(single((g) => g.mul(g.constant(varied), 2)));
    expect(kept.fired.size).toBe(0);
    expect(kept.program.graph.nodes.map((node) => node.op)).toEqual(["const", "const", "mul"]);
    const small = optimize(single((g) => g.mul(g.constant(varied.slice(0, 4096)), 2)));
    expect(small.fired.get("fold constants")).toBe(1);
  });

  it("is the first rule tried, so x·1 with a constant x folds rather than rewrites", () => {
    const result = optimize(single((g) => g.mul(g.constant(5), 1)));
    expect(Object.fromEntries(result.fired)).toEqual({ "fold constants": 1 });
    expect(foldRule.name).toBe("fold constants");
  });
});

describe("rules working together", () => {
  it("rewrites each node until nothing matches: (−0) − (−(x·1)) + (−0) becomes x", () => {
    const result = optimize(
      single((g) => {
        const x = g.input("x");
        return g.add(g.sub(-0, g.neg(g.mul(x, 1))), -0);
      }),
      { verifyEachPass: true },
    );
    // x·1 -> x; (−0) − (−x) -> −(−x) -> x on the same node; then x + (−0) -> x
    expect(result.fired.get("x*1 -> x")).toBe(1);
    expect(result.fired.get("(-0)-x -> -x")).toBe(1);
    expect(result.fired.get("--x -> x")).toBe(1);
    expect(result.fired.get("x+(-0) -> x")).toBe(1);
    expect(programText(result.program)).toBe(
      ["program r (f64)", '%0: f64[] = input "x"', "entry e: y=%0"].join("\n"),
    );
  });

  it("reports a rule set that never settles instead of looping", () => {
    const p = single((g) => g.neg(g.input("x")));
    // −x -> −(−(−x)) matches its own result forever
    const endless = rule("grow", (n, g) => (n.op === "neg" ? g.neg(g.neg(n)) : undefined));
    expect(() => simplify(p, [endless])).toThrow("rules do not terminate");
  });
});

// `adjoint explain`: the printed formulas of the textbook examples, written out by hand, and every
// printed expression checked numerically against the interpreter's value of the compiler's node.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { interpret, program, type Program } from "adjoint";
import { loadProgram } from "../../compiler/cli/compile.ts";
import { evaluate } from "../../compiler/explain/expr.ts";
import {
  derivativeName,
  explain,
  explanationText,
  type EntryExplanation,
} from "../../compiler/explain/explain.ts";
import { seeded } from "../support/random.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const example = (name: string) => loadProgram(path.join(root, "examples", `${name}.graph.ts`));

type Values = Record<string, number>;
/** An independent formula per printed line, the same maths as the expected text. */
type ByHand = Record<string, (v: Values) => number>;

/** Values of the given leaves in [low, high), seeded. */
function randomPoints(names: readonly string[], count: number, low = -2, high = 2): Values[] {
  const random = seeded(7);
  return Array.from({ length: count }, () =>
    Object.fromEntries(names.map((name) => [name, low + (high - low) * random()])),
  );
}

/** Every formula's tree evaluates to what the interpreter computes for the formula's node. */
function expectTreesMatchInterpreter(
  explanations: readonly EntryExplanation[],
  points: readonly Values[],
): void {
  for (const { formulas } of explanations) {
    for (const formula of formulas) {
      for (const point of points) {
        const [expected] = interpret([formula.node], point);
        expect(
          evaluate(formula.expr, point),
          `${formula.name} at ${JSON.stringify(point)}`,
        ).toBeCloseTo(expected[0], 9);
      }
    }
  }
}

/** The hand-written functions agree with the interpreter too: the expected text is right maths. */
function expectByHand(explanation: EntryExplanation, byHand: ByHand, points: readonly Values[]) {
  expect(explanation.formulas.map((formula) => formula.name)).toEqual(Object.keys(byHand));
  for (const formula of explanation.formulas) {
    for (const point of points) {
      const [value] = interpret([formula.node], point);
      expect(byHand[formula.name](point), formula.name).toBeCloseTo(value[0], 9);
    }
  }
}

const entry = (explanations: readonly EntryExplanation[], name: string) =>
  explanations.find((explanation) => explanation.entry === name)!;

describe("the textbook examples", () => {
  it("quadratic: f = x²y + y + 2, ∂f/∂x = 2·x·y, ∂f/∂y = x² + 1, and the Hessian row", async () => {
    const quadratic = await example("quadratic");
    const explanations = explain(quadratic);
    expect(explanationText(quadratic, explanations)).toBe(quadraticText);
    const points = randomPoints(["x", "y"], 5);
    expectTreesMatchInterpreter(explanations, points);
    expectByHand(
      entry(explanations, "grad"),
      {
        f: ({ x, y }) => x * x * y + y + 2,
        "∂f/∂x": ({ x, y }) => 2 * x * y,
        "∂f/∂y": ({ x }) => x * x + 1,
      },
      points,
    );
    expectByHand(
      entry(explanations, "hessianRow"),
      { "∂²f/∂x²": ({ y }) => 2 * y, "∂²f/∂x∂y": ({ x }) => 2 * x },
      points,
    );
  });

  it("trace: ∂y/∂x1 = 1/x1 + x2 and ∂y/∂x2 = x1 − cos(x2)", async () => {
    const trace = await example("trace");
    const explanations = explain(trace, "grad");
    expect(explanationText(trace, explanations)).toBe(
      [
        "trace, entry grad:",
        "  y = x1·x2 + log(x1) − sin(x2)",
        "  ∂y/∂x1 = 1/x1 + x2",
        "  ∂y/∂x2 = x1 − cos(x2)",
      ].join("\n"),
    );
    const points = randomPoints(["x1", "x2"], 5, 0.1, 4);
    expectTreesMatchInterpreter(explain(trace), points);
    expectByHand(
      explanations[0],
      {
        y: ({ x1, x2 }) => Math.log(x1) + x1 * x2 - Math.sin(x2),
        "∂y/∂x1": ({ x1, x2 }) => 1 / x1 + x2,
        "∂y/∂x2": ({ x1, x2 }) => x1 - Math.cos(x2),
      },
      points,
    );
    // the textbook's point (2, 5): ∂y/∂x1 = 5.5
    expect(evaluate(explanations[0].formulas[1].expr, { x1: 2, x2: 5 })).toBe(5.5);
  });

  it("bilinear: ∂g/∂x = y", async () => {
    const bilinear = await example("bilinear");
    const explanations = explain(bilinear);
    expect(explanationText(bilinear, explanations)).toBe(
      [
        "bilinear, entry dgdx:",
        "  ∂g/∂x = y",
        "",
        "bilinear, entry value:",
        "  value = x·y + 5",
        "  ∂value/∂x = y",
        "  ∂value/∂y = x",
      ].join("\n"),
    );
    expectTreesMatchInterpreter(explanations, randomPoints(["x", "y"], 5));
  });

  it("exp_chain: f = e^(2v1) + e^v1, f' = 2e^(2v1) + e^v1, f'' = 4e^(2v1) + e^v1", async () => {
    const expChain = await example("exp_chain");
    const explanations = explain(expChain);
    expect(explanationText(expChain, explanations)).toBe(
      [
        "exp_chain, entry derivatives:",
        "  f = exp(2·v1) + exp(v1)",
        "  ∂f/∂v1 = 2·exp(2·v1) + exp(v1)",
        "  d2f = 4·exp(2·v1) + exp(v1)",
      ].join("\n"),
    );
    const points = randomPoints(["v1"], 5);
    expectTreesMatchInterpreter(explanations, points);
    const e = Math.exp;
    expectByHand(
      explanations[0],
      {
        f: ({ v1 }) => (e(v1) + 1) * e(v1),
        "∂f/∂v1": ({ v1 }) => 2 * e(2 * v1) + e(v1),
        d2f: ({ v1 }) => 4 * e(2 * v1) + e(v1),
      },
      points,
    );
  });
});

const quadraticText = `quadratic, entry value:
  f = x²·y + y + 2
  ∂f/∂x = 2·x·y
  ∂f/∂y = x² + 1

quadratic, entry grad:
  f = x²·y + y + 2
  ∂f/∂x = 2·x·y
  ∂f/∂y = x² + 1

quadratic, entry tangent:
  f = x²·y + y + 2
  ∂f/∂x = 2·x·y
  ∂f/∂y = x² + 1
  f_dot = 2·x·y

quadratic, entry hessianRow:
  ∂²f/∂x² = 2·y
  ∂²f/∂x∂y = 2·x`;

/** One scalar entry fetching `f` of x and y. */
function scalarProgram(name: string, f: (g: Ops, x: Node, y: Node) => Node): Program {
  return program(name, (g) => {
    const x = g.input("x");
    const y = g.input("y");
    g.entry("run", { fetch: { f: f(g, x, y) } });
  });
}
type Ops = Parameters<Parameters<typeof program>[1]>[0];
type Node = ReturnType<Ops["input"]>;

describe("the canonical form", () => {
  const cases: [string, (g: Ops, x: Node, y: Node) => Node, string[]][] = [
    [
      "like terms and powers",
      (g, x, y) => g.add(g.mul(y, x), g.mul(x, g.mul(y, x))),
      ["f = x²·y + x·y", "∂f/∂x = 2·x·y + y", "∂f/∂y = x² + x"],
    ],
    [
      "products of sums expanded, differences cancelled",
      (g, x, y) => g.sub(g.mul(g.add(x, 1), g.sub(x, 1)), g.mul(y, 0.5)),
      ["f = x² − y/2 − 1", "∂f/∂x = 2·x", "∂f/∂y = −1/2"],
    ],
    [
      "quotients, roots and functions",
      (g, x, y) => g.add(g.div(x, y), g.sqrt(g.exp(x))),
      ["f = x/y + exp(x/2)", "∂f/∂x = 1/y + exp(x/2)/2", "∂f/∂y = −x/y²"],
    ],
    [
      "square roots: the derivative reuses √ of the output",
      (g, x, y) => g.sqrt(g.add(g.mul(x, x), y)),
      ["f = √(x² + y)", "∂f/∂x = x/√(x² + y)", "∂f/∂y = 1/(2·√(x² + y))"],
    ],
    [
      "tanh and sigmoid use their outputs",
      (g, x, y) => g.mul(g.tanh(x), g.sigmoid(y)),
      [
        "f = sigmoid(y)·tanh(x)",
        "∂f/∂x = sigmoid(y) − sigmoid(y)·tanh(x)²",
        "∂f/∂y = sigmoid(y)·tanh(x) − sigmoid(y)²·tanh(x)",
      ],
    ],
  ];
  it.each(cases)("%s", (_, f, lines) => {
    const built = scalarProgram("canonical", f);
    const explanations = explain(built);
    const printed = explanations[0].formulas.map((formula) => `${formula.name} = ${formula.text}`);
    expect(printed).toEqual(lines);
    expectTreesMatchInterpreter(explanations, randomPoints(["x", "y"], 6, 0.5, 2));
  });
});

describe("what explain refuses", () => {
  it("names the op that reads a tensor", async () => {
    const vector = program("vector", (g) => {
      g.entry("run", { fetch: { y: g.exp(g.input("v", [3])) } });
    });
    expect(() => explain(vector)).toThrow(/no entry point of vector fetches a scalar/);
    expect(() => explain(vector, "run")).toThrow(/entry run of vector fetches no scalar/);
    const product = await example("product");
    expect(() => explain(product)).toThrow(
      "explain works on scalar graphs: f (entry grad) applies prod to a f64[1000] tensor",
    );
  });

  it("names an op it cannot print, and an unknown entry", () => {
    const clipped = scalarProgram("clipped", (g, x, y) => g.maximum(x, y));
    expect(() => explain(clipped)).toThrow(
      /explain works on scalar graphs of elementwise ops .*: f \(entry run\) uses maximum/,
    );
    expect(() => explain(clipped, "train")).toThrow(
      'clipped has no entry point "train" (it has: run)',
    );
  });

  it("reads derivative names only when they name leaves", () => {
    expect(derivativeName("dy_dx1", ["x1", "x2"])).toBe("∂y/∂x1");
    expect(derivativeName("d2f_dxdy", ["x", "y"])).toBe("∂²f/∂x∂y");
    expect(derivativeName("d2f_dxdx", ["x", "y"])).toBe("∂²f/∂x²");
    expect(derivativeName("dg_dz", ["x", "y"])).toBe("dg_dz");
    expect(derivativeName("d2f", ["x"])).toBe("d2f");
  });
});

describe("adjoint explain", () => {
  it("prints the quadratic's formulas and exits 0", async () => {
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const cli = path.join(root, "compiler", "cli", "adjoint.mjs");
        const child = spawn(process.execPath, [cli, "explain", "examples/quadratic.graph.ts"], {
          cwd: root,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      },
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`${quadraticText}\n`);
    expect(run.status).toBe(0);
  });
});

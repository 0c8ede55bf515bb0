// Top-level names of a generated module: the public names derived from the program's never collide
// with the runtime's imports (those are aliased) nor with any local, whatever the DSL names are.
import { beforeAll, describe, expect, it } from "vitest";
import { AdjointError, compile, program, type Compiled, type Program } from "adjoint";
import { runtimeTypeImports, runtimeValueImports } from "../../compiler/lower/names.ts";
import { memoryRuntimeImport, typeCheck } from "../support/typecheck.ts";

/** What every probe computes: E = [1,2,3], ids = [2,0], x = [10,100]. */
const feeds = { ids: [2, 0], x: [10, 100] };
// rows = E[ids] = [3,1]; loss = 3·10 + 1·100
const loss = 130;
// ∂loss/∂E: x scattered back to ids
const E_bar = [100, 0, 10];

interface Names {
  readonly program?: string;
  readonly input?: string;
  readonly param?: string;
  readonly entry?: string;
  readonly fetch?: string;
  readonly value?: string;
}

/** A gather (checkIndex), feeds (feedInputs, Feeds, InputSpec) and an `after` entry (AdjointRuntimeError). */
function probe(names: Names): Program {
  return program(names.program ?? "probe", (g) => {
    const E = g.param(names.param ?? "E", [3], { init: [1, 2, 3] });
    const ids = g.input(names.input ?? "ids", [2], { dtype: "i32" });
    const x = g.input("x", [2]);
    const value = g.name(g.sum(g.mul(g.gather(E, ids), x)), names.value ?? "loss");
    const entry = names.entry ?? "forward";
    g.entry(entry, { fetch: { [names.fetch ?? "loss"]: value } });
    g.entry("back", { fetch: { E_bar: g.grad(value, E) }, after: entry });
  });
}

/** Every name a module imports or derives at top level, and the aliases it would pick. */
const colliding = [
  ...runtimeValueImports,
  ...runtimeTypeImports,
  "AdjointRuntimeError_2",
  "Feeds_2",
  "programInputs",
  "createProbe",
  "probeLayout",
  "ProbeInputs",
];

const cases: [string, Names][] = [
  // the program's type takes an import's name (AdjointRuntimeError, Feeds, InputSpec) or a global's
  ...[
    ...["adjoint_runtime_error", "feeds", "input_spec", "check_index", "feed_inputs"],
    ...["array", "math", "number", "symbol", "readonly", "record"],
  ].map((name): [string, Names] => [`program ${name}`, { program: name }]),
  [
    "program adjoint_runtime_error, input AdjointRuntimeError_2",
    {
      program: "adjoint_runtime_error",
      input: "AdjointRuntimeError_2",
      entry: "AdjointRuntimeError_2",
    },
  ],
  ...colliding.flatMap((name): [string, Names][] => [
    [
      `input, entry, fetch and value ${name}`,
      { input: name, entry: name, fetch: name, value: name },
    ],
    [`param ${name}`, { param: name }],
  ]),
];

describe("generated modules whose names collide with the runtime's imports", () => {
  // compiled once with the in-memory runtime's specifier: the same source type-checks and runs
  const compiledCases = new Map<string, Compiled>();
  const sources = new Map<string, string>();
  beforeAll(async () => {
    for (const [label, names] of cases) {
      const compiled = await compile(probe(names), { runtimeImport: memoryRuntimeImport });
      compiledCases.set(label, compiled);
      sources.set(label, compiled.source);
    }
  }, 300_000);

  it("type-check in strict mode, all of them", () => {
    const modules = Object.fromEntries(
      [...sources.values()].map((source, index) => [`m${index}`, source]),
    );
    expect(typeCheck(modules)).toEqual([]);
  }, 120_000);

  it("alias an import whose name the program's type takes, and keep the public names", () => {
    const source = sources.get("program adjoint_runtime_error")!;
    expect(source).toContain("AdjointRuntimeError as AdjointRuntimeError_2");
    expect(source).toContain("export interface AdjointRuntimeError {");
    expect(source).toContain("export function createAdjointRuntimeError(): AdjointRuntimeError {");
    expect(source).toContain("throw new AdjointRuntimeError_2(");
    // an input already named like the alias keeps its name: the alias moves on
    const taken = sources.get("program adjoint_runtime_error, input AdjointRuntimeError_2")!;
    expect(taken).toContain("AdjointRuntimeError as AdjointRuntimeError_3");
    expect(sources.get("program feeds")).toContain("type Feeds as Feeds_2");
    expect(sources.get("program feeds")).toContain("feeds?: Feeds_2<");
    expect(sources.get("program input_spec")).toContain("type InputSpec as InputSpec_2");
    // no collision, no alias
    const imports = (source: string) => source.slice(0, source.indexOf(" from "));
    expect(imports(sources.get("program check_index")!)).not.toContain(" as ");
    expect(imports(sources.get("program check_index")!)).toContain("checkIndex,");
  });

  it.each(cases)("run and compute the right values: %s", (label, names) => {
    const compiled = compiledCases.get(label)!;
    const instance = compiled.create();
    const entry = names.entry ?? "forward";
    const input = names.input ?? "ids";
    const fed = { [input]: feeds.ids, x: feeds.x };
    const out = compiled.entry(instance, entry)(fed);
    expect(Array.from(out[names.fetch ?? "loss"])).toEqual([loss]);
    expect(Array.from(compiled.entry(instance, "back")().E_bar)).toEqual(E_bar);
    // the guard that the aliased error class throws
    const fresh = compiled.create();
    expect(() => compiled.entry(fresh, "back")()).toThrow(`call ${entry}() first`);
    // and the index check behind the aliased checkIndex
    fresh.inputs[input].set([3, 0]);
    expect(() => compiled.entry(fresh, entry)()).toThrow(
      `reading input "${input}": index 3 is out of range [0, 3)`,
    );
  });
});

describe("names that try to inject code, keywords and non-ASCII names", () => {
  const bad = [
    "a}from'x';//",
    "x = 1; process.exit(1)",
    "`${1}`",
    "a\u0000b",
    "for",
    "new",
    "typeof",
    "let",
    "ℝ",
    "naïve",
    "x\u200b",
    "\u{1F600}",
    "Ж",
  ];
  it.each(bad)("%j is refused as a program, input, param, entry or fetch name", (name) => {
    for (const role of ["program", "input", "param", "entry", "fetch"] as const) {
      expect(() => probe({ [role]: name }), role).toThrow(AdjointError);
      expect(() => probe({ [role]: name }), role).toThrow(
        `${role} name ${JSON.stringify(name)} is not a valid name`,
      );
    }
  });
});

// Names that reach generated code: crafted ones are rejected by the DSL, crafted file names stay
// inside comments, and legal names that collide with the emitter's own identifiers still work.
import { describe, expect, it } from "vitest";
import {
  AdjointError,
  compile,
  generate,
  Ops,
  program,
  type Node,
  type Program,
  type ProgramBuilder,
} from "adjoint";
import { instanceKeyWords } from "../../compiler/dsl/names.ts";
import { Graph } from "../../compiler/ir/graph.ts";
import { ops } from "../../compiler/ops/registry.ts";
import { stabilizeRules } from "../../compiler/passes/stabilize.ts";
import { transpileToCommonJs } from "../../compiler/codegen/transpile.ts";
import { ts } from "ts-morph";
import { checkEntry, expectClose, expectedEntry, randomLeaves } from "../support/oracle.ts";
import { seeded } from "../support/random.ts";
import { memoryRuntimeImport, typeCheck } from "../support/typecheck.ts";

const crafted = [
  'a"b',
  "a'b",
  "a`b",
  "a*/b",
  "/*a",
  "${x}",
  "a\nb",
  "a\u2028b",
  "a b",
  "a-b",
  "a.b",
  "",
  "1a",
  "é",
  "class",
  "return",
  "await",
  "__proto__",
  "constructor",
  "toString",
  "undefined",
  "NaN",
  "Math",
  "Float64Array",
];

/** Builds a program, one of whose names is `name` in the role `kind`. */
const withName: Record<string, (name: string) => Program> = {
  program: (name) => program(name, (g) => g.entry("e", { fetch: { y: g.input("x") } })),
  input: (name) => program("p", (g) => g.entry("e", { fetch: { y: g.input(name) } })),
  param: (name) => program("p", (g) => g.entry("e", { fetch: { y: g.param(name) } })),
  entry: (name) => program("p", (g) => g.entry(name, { fetch: { y: g.input("x") } })),
  fetch: (name) => program("p", (g) => g.entry("e", { fetch: { [name]: g.input("x") } })),
  value: (name) =>
    program("p", (g) => g.entry("e", { fetch: { y: g.name(g.exp(g.input("x")), name) } })),
};

describe("crafted names", () => {
  it.each(Object.keys(withName))("are rejected as %s names with an AdjointError", (kind) => {
    expect(withName[kind]("ok_name").kind).toBe("adjoint.program");
    for (const name of crafted) {
      const build = () => withName[kind](name);
      expect(build, JSON.stringify(name)).toThrow(AdjointError);
      // an entry named like an Object member is refused for what it would do to the instance
      const message =
        kind === "entry" && instanceKeyWords.has(name)
          ? `program "p": entry "${name}" cannot have that name`
          : `${kind} name ${JSON.stringify(name)} is not a valid name`;
      expect(build, JSON.stringify(name)).toThrow(message);
    }
  });

  it("rejects names that are not strings", () => {
    for (const name of [undefined, 3, null, {}]) {
      expect(() => withName.input(name as never)).toThrow(AdjointError);
      expect(() => withName.program(name as never)).toThrow(AdjointError);
    }
  });

  it("rejects program names whose generated type name is unusable", () => {
    const bad = {
      float64_array: "Float64Array",
      float32_array: "Float32Array",
      _: "",
      _1: "1",
    };
    for (const [name, type] of Object.entries(bad)) {
      expect(() => withName.program(name)).toThrow(AdjointError);
      expect(() => withName.program(name)).toThrow(
        `would name its generated type ${JSON.stringify(type)}`,
      );
    }
  });

  it("rejects entry names that differ only in their first letter", () => {
    const build = () =>
      program("p", (g) => {
        const x = g.input("x");
        g.entry("grad", { fetch: { y: g.exp(x) } });
        g.entry("Grad", { fetch: { y: g.sin(x) } });
      });
    expect(build).toThrow(AdjointError);
    expect(build).toThrow(`entry "Grad" differs from entry "grad" only in its first letter`);
  });
});

/** Comment texts in `source`, found by the TypeScript scanner. */
function comments(source: string): string[] {
  const scanner = ts.createScanner(
    ts.ScriptTarget.ES2022,
    false,
    ts.LanguageVariant.Standard,
    source,
  );
  const found: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (
      kind === ts.SyntaxKind.SingleLineCommentTrivia ||
      kind === ts.SyntaxKind.MultiLineCommentTrivia
    ) {
      found.push(scanner.getTokenText());
    }
  }
  return found;
}

/** y = x·x + 1 and its gradient, every node located at `file`. */
function locatedAt(file: string): Program {
  const loc = { file, line: 3, column: 7 };
  const graph = new Graph(ops, "f64");
  const g = new Ops(graph, stabilizeRules, () => ({ loc }));
  const x = graph.intern("input", [], { name: "x", shape: [2], dtype: "f64" }, () => ({
    loc,
    label: "x",
  }));
  const y = g.add(g.mul(x, x), 1);
  const entry = {
    name: "run",
    fetch: [["y", y] as const, ["s", g.sum(y)] as const],
    update: [],
    loc,
  };
  return {
    kind: "adjoint.program",
    name: "located",
    dtype: "f64",
    graph,
    entries: [entry],
    leaves: [x],
    paramInit: new Map(),
  };
}

describe("crafted file names", () => {
  const evilSource = "evil*/\n${x}`\r\u2028 end.graph.ts";
  const evilFile = "/tmp/a dir/evil\n*${x}`\r\u2029 *\\ tail.graph.ts";

  it("stay inside one comment each, and the module still transpiles, type-checks and runs", async () => {
    const p = locatedAt(evilFile);
    const generated = await generate(p, {
      sourceName: evilSource,
      runtimeImport: memoryRuntimeImport,
    });
    const { source } = generated;
    // the source name sits, flattened to one line, in the header comment
    expect(source.split("\n")[0]).toBe(
      `// Generated by adjoint 0.1.0 from evil*/ \${x}\`   end.graph.ts. Do not edit: run \`adjoint compile\` to regenerate.`,
    );
    expect(source.split("\n")[1]).toBe(`// adjoint-graph-hash: ${generated.hash}`);
    // every mention of either file is within a comment that holds the whole name
    const texts = comments(source);
    const count = (text: string, part: string) => text.split(part).length - 1;
    const mentions = (part: string) => texts.reduce((n, text) => n + count(text, part), 0);
    expect(count(source, "evil")).toBeGreaterThanOrEqual(4);
    expect(mentions("evil")).toBe(count(source, "evil"));
    expect(count(source, "tail.graph.ts")).toBe(count(source, "evil") - 1);
    for (const text of texts.filter((t) => t.includes("evil"))) {
      expect(text).toMatch(/(end|tail)\.graph\.ts/);
      expect(text).not.toMatch(/[\r\u2028\u2029]/);
      if (text.startsWith("//")) expect(text).not.toContain("\n");
    }
    const transpiled = ts.transpileModule(source, { reportDiagnostics: true });
    expect(transpiled.diagnostics).toEqual([]);
    expect(transpileToCommonJs(source)).toContain("function run(");
    expect(typeCheck({ located: source })).toEqual([]);
    const compiled = await compile(p, { sourceName: evilSource });
    const out = compiled.entry(compiled.create(), "run")({ x: [2, -3] });
    expect([...out.y, ...out.s]).toEqual([5, 10, 15]);
  });
});

describe("legal names that collide with the emitter's identifiers", () => {
  // name -> [shape, param?]; every emitter local, runtime import and derived identifier we know of
  const leafSpecs: Record<string, readonly [readonly number[], boolean]> = {
    arena: [[], true],
    i: [[2, 2], false],
    j: [[2], false],
    k: [[], true],
    p: [[2], false],
    total: [[2, 2], false],
    a_ip: [[2, 2], true],
    feeds: [[2, 2], false],
    layout: [[], false],
    feedInputs: [[], false],
    allocateArena: [[2], false],
    AdjointRuntimeError: [[], false],
    Feeds: [[2, 2], true],
    InputSpec: [[2], false],
    globalThis: [[], false],
    Number: [[2], true],
    t12: [[], false],
    c: [[2], false],
    x_buf: [[], false],
    runFeeds: [[2], false],
    runOutputs: [[], false],
    createCollide: [[2], false],
    collideLayout: [[], false],
    y_out: [[2], false],
  };
  function collide(g: ProgramBuilder) {
    const leaves = new Map<string, Node>();
    for (const [name, [shape, isParam]] of Object.entries(leafSpecs)) {
      leaves.set(name, isParam ? g.param(name, shape, { init: 0.5 }) : g.input(name, shape));
    }
    const L = (name: string) => leaves.get(name)!;
    const x_buf = g.input("x");
    const m = g.matmul(L("i"), L("total"), { transB: true }); // [2,2]·[2,2]ᵀ
    const n = g.matmul(L("a_ip"), L("feeds"));
    const d = g.dot(L("j"), L("p")); // [2]·[2]
    const scale = g.add(g.mul(L("arena"), L("k")), g.mul(L("layout"), x_buf));
    const e = g.tanh(g.mul(g.add(m, n), scale));
    const extras = [...leaves.values()].map((leaf) => g.sum(leaf));
    const rest = extras.reduce((sum, term) => g.add(sum, term));
    const loss = g.add(
      g.add(g.sum(g.mul(e, L("Feeds"))), g.mul(d, L("feedInputs"))),
      g.mul(rest, 1e-3),
    );
    const grads = g.grad(loss, [L("i"), L("total"), L("j"), L("arena")]);
    const fetch: Record<string, Node> = { arena: e, total: loss, i: grads[0], feeds: grads[1] };
    fetch.y_out = grads[2];
    fetch.t12 = grads[3];
    fetch.x = x_buf;
    fetch.c = g.constant([1, 2]);
    g.entry("run", { fetch });
    g.entry("total", { fetch: { allocateArena: d }, update: [[L("arena"), g.add(L("arena"), 1)]] });
    g.entry("i", { fetch: { value: loss } });
  }

  it("keep their DSL names in the public API and compute the right values", async () => {
    const p = program("collide", collide);
    const compiled = await compile(p);
    const instance = compiled.create();
    expect(Object.keys(instance.inputs).sort()).toEqual(
      p.leaves
        .filter((leaf) => leaf.op === "input")
        .map((leaf) => leaf.attrs.name)
        .sort(),
    );
    expect(Object.keys(instance.params).sort()).toEqual(
      p.leaves
        .filter((leaf) => leaf.op === "param")
        .map((leaf) => leaf.attrs.name)
        .sort(),
    );
    for (const entry of ["run", "total", "i"]) expect(typeof instance[entry]).toBe("function");
    for (const seed of [31, 32]) {
      const values = randomLeaves(p, seeded(seed));
      for (const entry of ["run", "total", "i", "run"])
        checkEntry(compiled, instance, p, entry, values, 1e-12);
    }
    // feeds use the DSL names too
    const values = randomLeaves(p, seeded(33));
    const fresh = compiled.create();
    const feeds: Record<string, number[]> = {};
    for (const leaf of p.leaves) {
      if (leaf.op === "param") fresh.params[leaf.attrs.name].set(values[leaf.attrs.name]);
      else feeds[leaf.attrs.name] = values[leaf.attrs.name];
    }
    expect(Object.keys(feeds)).toEqual(
      expect.arrayContaining(["i", "feeds", "feedInputs", "InputSpec"]),
    );
    const viaFeeds = compiled.entry(fresh, "i")(feeds);
    expectClose(viaFeeds.value, expectedEntry(p, "i", values).fetch.value, 1e-12, "i(feeds)");
  });

  it("type-check in strict mode", async () => {
    const generated = await generate(program("collide", collide), {
      runtimeImport: memoryRuntimeImport,
    });
    expect(typeCheck({ collide: generated.source })).toEqual([]);
  });
});

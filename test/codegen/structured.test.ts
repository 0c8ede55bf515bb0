// Structured params: g.params declares a nested record of params named by their paths, g.grad
// answers with the same record, fetch takes nested records, and the generated module keeps the
// nesting in instance.params, in the outputs, in its TypeScript interfaces and in its layout.
import { beforeAll, describe, expect, it } from "vitest";
import { compile, interpret, program, type Compiled, type Node, type Program } from "adjoint";
import { transpileToCommonJs } from "../../compiler/codegen/transpile.ts";
import { programText } from "../../compiler/ir/text.ts";
import * as runtime from "../../runtime/index.ts";
import { build, thrown, values } from "../support/build.ts";
import { expectClose } from "../support/oracle.ts";
import { seeded, uniform } from "../support/random.ts";
import { memoryRuntimeImport, typeCheck } from "../support/typecheck.ts";

/** Nested views, as the generated module returns them. */
interface Views {
  readonly [key: string]: Float64Array | Float32Array | Views;
}

/** The member of nested `views` at a dotted path. */
function at(views: unknown, path: string): Float64Array | Float32Array {
  const found = path.split(".").reduce((member: any, key) => member?.[key], views);
  if (!(found instanceof Float64Array || found instanceof Float32Array)) {
    throw new Error(`no view at ${path}`);
  }
  return found;
}

/** What a generated module exports (its layout table, say), run against the runtime. */
function moduleExports(source: string): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  new Function("require", "exports", transpileToCommonJs(source))(() => runtime, exports);
  return exports;
}

/** A two-layer model over a record of params; loss and gradients fetched as nested records. */
function mlp(dtype: "f64" | "f32" = "f64"): { program: Program; nodes: Record<string, Node> } {
  const nodes: Record<string, Node> = {};
  const built = program(
    "mlp",
    (g) => {
      const x = g.input("x", [4, 3]);
      const y = g.input("y", [4, 2]);
      const params = g.params({
        layer1: { W: { shape: [3, 5], init: 0.25 }, b: [5] },
        out: { W: [5, 2], b: { shape: [2], init: [1, -1] } },
        scale: { shape: [], init: 2 },
      });
      const h = g.tanh(g.add(g.matmul(x, params.layer1.W), params.layer1.b));
      const prediction = g.mul(g.add(g.matmul(h, params.out.W), params.out.b), params.scale);
      const loss = g.meanSquaredError(prediction, y);
      const grads = g.grad(loss, params);
      Object.assign(nodes, { loss, prediction, W1_bar: grads.layer1.W, scale_bar: grads.scale });
      g.entry("forward", { fetch: { loss, model: { prediction, hidden: h } } });
      g.entry("backward", { fetch: { loss, grads } });
      const rate = 0.1;
      g.entry("step", {
        update: [[params.out.b, g.sub(params.out.b, g.mul(rate, grads.out.b))]],
      });
    },
    { dtype },
  );
  return { program: built, nodes };
}

const paramPaths = ["layer1.W", "layer1.b", "out.W", "out.b", "scale"];
const gradPaths = paramPaths.map((path) => `grads.${path}`);

describe("g.params", () => {
  it("declares one param per leaf, named by its path, with the same nesting", () => {
    let shapes: unknown;
    const { program: built } = build((g) => {
      const params = g.params({ a: { W: [2, 3], deeper: { v: { shape: [4] } } }, s: [] });
      shapes = {
        W: params.a.W.shape,
        v: params.a.deeper.v.shape,
        s: params.s.shape,
      };
      return { total: g.add(g.sum(params.a.W), g.add(g.sum(params.a.deeper.v), params.s)) };
    });
    expect(shapes).toEqual({ W: [2, 3], v: [4], s: [] });
    expect(built.leaves.map((leaf) => leaf.attrs.name)).toEqual(["a.W", "a.deeper.v", "s"]);
    expect(programText(built)).toContain('%0: f64[2,3] = param "a.W"');
  });

  it("keeps the initial values of { shape, init } specs", () => {
    const { program: built } = mlp();
    expect(built.paramInit).toEqual(
      new Map<string, unknown>([
        ["layer1.W", 0.25],
        ["out.b", [1, -1]],
        ["scale", 2],
      ]),
    );
  });

  it("rejects invalid names, a name that is both a param and a group, and non-specs", () => {
    const attempt = (body: Parameters<typeof program>[1]) =>
      thrown(() => program("p", body)).message.split("\n")[0];
    expect(attempt((g) => g.params({ layer1: { "2W": [2] } }))).toBe(
      'param name "layer1.2W" is not a valid name: use letters, digits and _ (not starting with a digit), and not a reserved word',
    );
    expect(attempt((g) => g.params({ a: { "": [2] } }))).toContain(
      'param name "a." is not a valid name',
    );
    // a dotted name comes only from a record: g.param takes plain names
    expect(attempt((g) => g.param("a.b", [2]))).toContain('param name "a.b" is not a valid name');
    expect(
      attempt((g) => {
        g.param("layer1", [2]);
        g.params({ layer1: { W: [2] } });
      }),
    ).toBe(
      'param "layer1.W": "layer1" is declared, and a name cannot be both a param and a group of params',
    );
    expect(
      attempt((g) => {
        g.params({ a: { b: { c: [2] } } });
        g.params({ a: { b: [2] } });
      }),
    ).toContain('param "a.b": "a.b.c" is declared');
    expect(attempt((g) => g.params({ W: 3 as never }))).toBe(
      'params: "W" must be a shape or { shape, init }, got 3',
    );
    expect(attempt((g) => g.params([[2]] as never))).toBe(
      "params: expects a record of named param specs",
    );
  });
});

describe("g.grad of a record", () => {
  it("answers with a record of the same shape, equal to the gradient of the list", () => {
    const { program: built, nodes } = build((g) => {
      const params = g.params({ u: [3], inner: { v: [3], s: [] } });
      const loss = g.sum(g.mul(g.exp(g.mul(params.u, params.inner.v)), params.inner.s));
      const record = g.grad(loss, params);
      const list = g.grad(loss, [params.u, params.inner.v, params.inner.s]);
      expect(Object.keys(record)).toEqual(["u", "inner"]);
      expect(Object.keys(record.inner)).toEqual(["v", "s"]);
      return { u: record.u, v: record.inner.v, s: record.inner.s, u2: list[0], s2: list[2] };
    });
    // the same nodes: the record is only a view of the list
    expect(nodes.u).toBe(nodes.u2);
    expect(nodes.s).toBe(nodes.s2);
    const leaves = { u: [0.5, -1, 2], "inner.v": [1, 0.25, -0.5], "inner.s": 3 };
    const e = leaves.u.map((u, i) => Math.exp(u * leaves["inner.v"][i]));
    expectClose(
      values(nodes.u, leaves),
      e.map((value, i) => 3 * value * leaves["inner.v"][i]),
      1e-15,
      "ū",
    );
    expectClose(values(nodes.s, leaves), [e.reduce((a, b) => a + b)], 1e-15, "s̄");
    expect(programText(built)).toContain('param "inner.v"');
  });

  it("names a record member that is not a node", () => {
    const error = thrown(() =>
      program("p", (g) => {
        const w = g.param("w", [2]);
        g.grad(g.sum(w), { w, bad: { x: 3 } } as never);
      }),
    );
    expect(error.message.split("\n")[0]).toBe('grad: "bad.x" is not a node of this program');
  });
});

describe("the generated module of nested params and outputs", () => {
  let compiled: Compiled;
  let built: Program;
  beforeAll(async () => {
    built = mlp().program;
    compiled = await compile(built);
  });

  it("nests instance.params like the record, views into the arena at the layout's offsets", () => {
    const instance = compiled.create();
    expect(Object.keys(instance.params)).toEqual(["layer1", "out", "scale"]);
    expect(Object.keys(instance.params.layer1)).toEqual(["W", "b"]);
    const table = moduleExports(compiled.source).mlpLayout as { params: any };
    for (const path of paramPaths) {
      const view = at(instance.params, path);
      const place = path.split(".").reduce((member, key) => member[key], table.params);
      expect(view.buffer, path).toBe(instance.arena.buffer);
      expect(view.byteOffset / 8, path).toBe(place.offset);
      expect(view.length, path).toBe(place.shape.reduce((a: number, b: number) => a * b, 1));
    }
    expect([...at(instance.params, "out.b")]).toEqual([1, -1]);
    expect([...at(instance.params, "layer1.W")]).toEqual(new Array(15).fill(0.25));
    expect([...at(instance.params, "scale")]).toEqual([2]);
  });

  it("computes nested outputs equal to the interpreter, gradients included", () => {
    const instance = compiled.create();
    const random = seeded(11);
    const leaves: Record<string, number[]> = {
      x: uniform(random, 12),
      y: uniform(random, 8),
      ...Object.fromEntries(
        paramPaths.map((path) => [path, uniform(random, at(instance.params, path).length)]),
      ),
    };
    for (const path of paramPaths) at(instance.params, path).set(leaves[path]);
    const outputs = compiled.entry(instance, "backward")({ x: leaves.x, y: leaves.y });
    expect(Object.keys(outputs)).toEqual(["loss", "grads"]);
    const entry = built.entries.find((candidate) => candidate.name === "backward")!;
    expect(entry.fetch.map(([name]) => name)).toEqual(["loss", ...gradPaths]);
    const expected = interpret(
      entry.fetch.map(([, node]) => node),
      leaves,
    );
    entry.fetch.forEach(([name], i) => expectClose(at(outputs, name), expected[i], 1e-13, name));
    const forward = compiled.entry(instance, "forward")();
    expect(Object.keys(forward.model)).toEqual(["prediction", "hidden"]);
    expect(at(forward, "model.hidden").length).toBe(20);
  });

  it("updates a nested param in place", () => {
    const instance = compiled.create();
    const feeds = { x: uniform(seeded(3), 12), y: uniform(seeded(4), 8) };
    const { grads } = compiled.entry(instance, "backward")(feeds) as unknown as { grads: Views };
    const b_bar = [...at(grads, "out.b")];
    compiled.entry(instance, "step")();
    expectClose(
      at(instance.params, "out.b"),
      [1 - 0.1 * b_bar[0], -1 - 0.1 * b_bar[1]],
      1e-15,
      "out.b",
    );
  });

  it("declares nested TypeScript interfaces that type-check against their use", async () => {
    const generated = await compile(built, { runtimeImport: memoryRuntimeImport });
    const use = [
      'import { createMlp, mlpLayout } from "./mlp.ts";',
      "const model = createMlp();",
      "const W: Float64Array = model.params.layer1.W;",
      "const { grads } = model.backward({ x: new Float64Array(12), y: new Float64Array(8) });",
      "const b_bar: Float64Array = grads.out.b;",
      "const hidden: Float64Array = model.forward().model.hidden;",
      "const offset: number = mlpLayout.params.layer1.b.offset;",
      "// @ts-expect-error params nest: there is no flat name",
      'model.params["layer1.W"];',
      "// @ts-expect-error the group is not a view",
      "model.params.layer1.set([1]);",
      "export const used = [W, b_bar, hidden, offset];",
    ].join("\n");
    expect(typeCheck({ mlp: generated.source, use })).toEqual([]);
    expect(generated.source).toContain("readonly layer1: {");
  });

  it("has the same nesting in f32", async () => {
    const f32 = await compile(mlp("f32").program);
    const instance = f32.create();
    expect(at(instance.params, "layer1.W")).toBeInstanceOf(Float32Array);
    const { grads } = f32.entry(
      instance,
      "backward",
    )({
      x: new Array(12).fill(0.5),
      y: new Array(8).fill(-0.5),
    }) as unknown as { grads: Views };
    expect(at(grads, "layer1.W")).toBeInstanceOf(Float32Array);
    expect(at(grads, "scale").length).toBe(1);
  });

  it("gives different identifiers to a nested name and a flat name that spell the same", async () => {
    const twins = await compile(
      program("twins", (g) => {
        const nested = g.params({ a: { b: { shape: [2], init: [1, 2] } } }).a.b;
        const flat = g.param("a_b", [2], { init: [10, 20] });
        g.entry("sum", { fetch: { total: g.add(nested, flat) } });
      }),
    );
    const instance = twins.create();
    expect([...at(instance.params, "a.b")]).toEqual([1, 2]);
    expect([...at(instance.params, "a_b")]).toEqual([10, 20]);
    expect([...twins.entry(instance, "sum")().total]).toEqual([11, 22]);
    expect(twins.source).toMatch(/const a_b = arena/);
    expect(twins.source).toMatch(/const a_b_2 = arena/);
  });
});

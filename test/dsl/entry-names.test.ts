// Entry names become methods of every instance: names that change how JavaScript treats an object
// (then, toJSON, valueOf, Object.prototype's members) or that are the instance's own members are
// refused; leaves and outputs, which are data, may have them.
import { describe, expect, it } from "vitest";
import { AdjointError, compile, generate, program } from "adjoint";
import { decodeParams, encodeParams, type Instance } from "@adjoint/runtime";
import { instanceKeyWords } from "../../compiler/dsl/names.ts";
import { memoryRuntimeImport, typeCheck } from "../support/typecheck.ts";

/** The AdjointError that `build` throws. */
function adjointError(build: () => unknown): AdjointError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(AdjointError);
    return error as AdjointError;
  }
  throw new Error("expected an AdjointError");
}

describe("entry names", () => {
  it("refuses then, naming the program, the entry, why, and the user's line", () => {
    const error = adjointError(() =>
      program("model", (g) => {
        const x = g.input("x");
        g.entry("then", { fetch: { y: g.exp(x) } });
      }),
    );
    expect(error.message.split("\n")[0]).toBe(
      'program "model": entry "then" cannot have that name: every instance would be awaitable: ' +
        "await calls then(), running the entry; rename the entry",
    );
    expect(error.loc?.file).toMatch(/entry-names\.test\.ts$/);
    expect(error.loc?.line).toBe(26);
    expect(error.message).toMatch(/\n {2}at .*entry-names\.test\.ts:26:\d+$/);
  });

  it.each([...instanceKeyWords.keys()])("refuses %s", (name) => {
    const build = () => program("p", (g) => g.entry(name, { fetch: { y: g.input("x") } }));
    expect(build).toThrow(
      `program "p": entry "${name}" cannot have that name: ${instanceKeyWords.get(name)}`,
    );
  });

  it("refuses every member of Object.prototype and every member of the runtime's Instance", () => {
    // compile-time: every key of Instance is listed (a new member fails to type-check here)
    const members: Record<keyof Instance, true> = { arena: true, inputs: true, params: true };
    for (const name of [...Object.getOwnPropertyNames(Object.prototype), ...Object.keys(members)])
      expect(instanceKeyWords.has(name), name).toBe(true);
  });

  it("lists every own member a generated instance has besides its entries", async () => {
    const p = program("plain", (g) => {
      const x = g.input("x", [2]);
      g.entry("run", { fetch: { y: g.mul(x, g.param("w", [2], { init: 2 })) } });
    });
    const instance = (await compile(p)).create();
    const members = Object.keys(instance).filter((key) => key !== "run");
    expect(members.sort()).toEqual(["arena", "inputs", "params"]);
    for (const member of members) expect(instanceKeyWords.has(member), member).toBe(true);
    // an ordinary object: awaiting it gives it back, JSON and conversions do not run an entry
    expect(await Promise.resolve(instance)).toBe(instance);
    expect(String(instance)).toBe("[object Object]");
  });
});

describe("leaves and outputs named like Object members", () => {
  const p = program("data", (g) => {
    const [a, b, c] = ["then", "toJSON", "valueOf"].map((name) => g.input(name, [2]));
    // params grouped under such names too: instance.params.hasOwnProperty.valueOf
    const w = g.params({ hasOwnProperty: { valueOf: { shape: [2], init: [1, 2] } } });
    const s = g.param("propertyIsEnumerable", [], { init: 3 });
    const y = g.mul(g.add(g.mul(a, b), c), w.hasOwnProperty.valueOf);
    g.entry("run", { fetch: { then: y, valueOf: g.mul(g.sum(y), s), isPrototypeOf: a } });
  });

  it("are data: the module type-checks, runs, and the instance stays an ordinary object", async () => {
    const generated = await generate(p, { runtimeImport: memoryRuntimeImport });
    expect(typeCheck({ data: generated.source })).toEqual([]);
    const compiled = await compile(p);
    const instance = compiled.create();
    // y = (then·toJSON + valueOf)·w = ([1,2]·[3,4] + [5,6])·[1,2] = [8, 28]
    const out = compiled.entry(instance, "run")({ then: [1, 2], toJSON: [3, 4], valueOf: [5, 6] });
    // by a string key: TypeScript types out.valueOf as Object's method
    const values = (record: Readonly<Record<string, ArrayLike<number>>>, key: string) =>
      Array.from(record[key]);
    expect(values(out, "then")).toEqual([8, 28]);
    expect(values(out, "valueOf")).toEqual([108]);
    expect(values(out, "isPrototypeOf")).toEqual([1, 2]);
    expect(await Promise.resolve(instance)).toBe(instance);
    expect(values(instance.params, "propertyIsEnumerable")).toEqual([3]);
    // the params file format walks such names as data too
    const fresh = compiled.create();
    decodeParams(encodeParams(instance.params), fresh.params);
    const groups = fresh.params as unknown as Record<string, Record<string, ArrayLike<number>>>;
    expect(values(groups[String("hasOwnProperty")], "valueOf")).toEqual([1, 2]);
    expect(values(fresh.params, "propertyIsEnumerable")).toEqual([3]);
  });
});

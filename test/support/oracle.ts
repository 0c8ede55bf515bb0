// The reference interpreter as oracle for generated code: set leaves, run an entry, compare each output.
import { expect } from "vitest";
import { interpret, type Compiled, type DynamicInstance, type Node, type Program } from "adjoint";
import { uniform } from "./random.ts";

/** Inclusive-exclusive range per leaf name; leaves not listed use [-2, 2). */
export type Domains = Readonly<Record<string, readonly [number, number]>>;

export type LeafArrays = Record<string, number[]>;

/** Largest |actual − expected| / max(1, |expected|) over all elements; Infinity on a length mismatch. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    worst = Math.max(worst, Number.isNaN(error) ? Infinity : error);
  }
  return worst;
}

export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  label: string,
): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const error = relativeError(actual, expected);
  expect(
    error,
    `${label}: got [${Array.from(actual)}], want [${Array.from(expected)}]`,
  ).toBeLessThanOrEqual(tolerance);
}

/**
 * Random values for every input and param, `round` applied (Math.fround for an f32 program).
 * Integer and boolean inputs get whole numbers, in [0, 2) unless their domain says otherwise.
 */
export function randomLeaves(
  program: Program,
  random: () => number,
  domains: Domains = {},
  round: (x: number) => number = (x) => x,
): LeafArrays {
  const values: LeafArrays = {};
  for (const leaf of program.leaves) {
    const whole = leaf.dtype === "i32" || leaf.dtype === "bool";
    const [low, high] = domains[leaf.attrs.name] ?? (whole ? [0, 2] : [-2, 2]);
    const size = leaf.shape.reduce((a, b) => a * b, 1);
    const draw = uniform(random, size, low, high);
    values[leaf.attrs.name] = whole ? draw.map(Math.floor) : draw.map(round);
  }
  return values;
}

/** Writes leaf values into the instance's input and param views. */
export function writeLeaves(program: Program, instance: DynamicInstance, values: LeafArrays): void {
  for (const leaf of program.leaves) {
    const views = leaf.op === "input" ? instance.inputs : instance.params;
    views[leaf.attrs.name].set(values[leaf.attrs.name]);
  }
}

/** What the interpreter says an entry fetches, and the new value of every param it updates. */
export function expectedEntry(
  program: Program,
  name: string,
  values: LeafArrays,
): { fetch: Record<string, Float64Array>; update: Record<string, Float64Array> } {
  const entry = program.entries.find((candidate) => candidate.name === name)!;
  const roots: Node[] = [
    ...entry.fetch.map(([, node]) => node),
    ...entry.update.map(([, value]) => value),
  ];
  const results = interpret(roots, values);
  const fetch: Record<string, Float64Array> = {};
  entry.fetch.forEach(([key], i) => (fetch[key] = results[i]));
  const update: Record<string, Float64Array> = {};
  entry.update.forEach(
    ([param], i) => (update[param.attrs.name] = results[entry.fetch.length + i]),
  );
  return { fetch, update };
}

/**
 * Runs entry `name` on `values` (written to the views, no feeds) and checks every output, and every
 * updated param, against the interpreter on `oracle` (the original or the optimized program).
 */
export function checkEntry(
  compiled: Compiled,
  instance: DynamicInstance,
  oracle: Program,
  name: string,
  values: LeafArrays,
  tolerance: number,
): void {
  writeLeaves(oracle, instance, values);
  const outputs = compiled.entry(instance, name)();
  const expected = expectedEntry(oracle, name, values);
  expect(Object.keys(outputs).sort()).toEqual(Object.keys(expected.fetch).sort());
  for (const [key, want] of Object.entries(expected.fetch)) {
    expectClose(outputs[key], want, tolerance, `${oracle.name}.${name} ${key}`);
  }
  for (const [param, want] of Object.entries(expected.update)) {
    expectClose(instance.params[param], want, tolerance, `${oracle.name}.${name} updates ${param}`);
  }
}

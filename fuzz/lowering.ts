// The generated code against the reference interpreter under every lowering option, bit for bit
// (f32: against the interpreter rounding to float32), and the optimized program against the
// original, bit for bit too: every rewrite rule is exact in IEEE arithmetic (a*(b*x) merges only
// for a power-of-two b, and so on), so any difference is a rule that is not.
import { compile, type Compiled } from "../compiler/api.ts";
import type { GenerateOptions } from "../compiler/codegen/generate.ts";
import { interpret } from "../compiler/ops/interpret.ts";
import type { Program } from "../compiler/ir/program.ts";
import { evaluate } from "./evaluate.ts";
import { asFailure, FuzzFailure } from "./failure.ts";
import type { FuzzCase } from "./generate.ts";
import { stripTypes } from "./strip.ts";
import { writeValues, type Values } from "./values.ts";

export interface Lowering {
  readonly name: string;
  readonly options: GenerateOptions;
}

export const lowerings: readonly Lowering[] = [
  { name: "default", options: {} },
  { name: "fusion off", options: { fusion: false } },
  { name: "f32", options: { dtype: "f32" } },
  { name: "tiny functions", options: { maxFunctionLines: 4 } },
];

/** Compiles without formatting (only the layout of the module differs) and checks every entry. */
export async function checkLowering(
  fuzz: FuzzCase,
  lowering: Lowering,
  points: readonly Values[],
): Promise<Compiled> {
  const check = `lowering ${lowering.name}`;
  const options = { ...lowering.options, format: false, transpile: stripTypes };
  const compiled = await compile(fuzz.program!, options).catch((error: unknown) => {
    throw asFailure(check, error);
  });
  const f32 = lowering.options.dtype === "f32";
  const oracle = compiled.optimized.program;
  // float32 partials differ by ulps, which later ops may amplify: float32 accuracy, not bits
  const rtol = f32 && float32Partials(oracle) ? 1e-3 : reassociates(oracle) ? 1e-12 : 0;
  const instance = compiled.create();
  for (const point of points) {
    const values = f32 ? rounded(point) : point;
    for (const entry of oracle.entries) {
      let outputs: Readonly<Record<string, ArrayLike<number>>>;
      try {
        writeValues(instance, fuzz.leaves, values);
        outputs = compiled.entry(instance, entry.name)();
      } catch (error) {
        throw asFailure(check, error);
      }
      const roots = entry.fetch.map(([, node]) => node);
      const expected = f32 ? evaluate(roots, values, { f32 }).values : interpret(roots, values);
      entry.fetch.forEach(([key], i) => {
        const k = firstDifference(outputs[key], expected[i], rtol);
        if (k >= 0) {
          throw new FuzzFailure(
            check,
            `${entry.name}.${key}[${k}] is ${outputs[key][k]} in the generated code, ${expected[i][k]} in the interpreter (optimized program)`,
          );
        }
      });
    }
  }
  return compiled;
}

/**
 * Whether the generated code sums in another order than the interpreter: matmul's kernel adds the
 * products in pairs, (a·b + c·d) into the sum, where the interpreter adds them one by one, which
 * differs from 4 terms on. The only reassociation in lowering; its differences are an ulp or two.
 */
function reassociates(program: Program): boolean {
  return program.graph.nodes.some((node) => {
    if (node.op !== "matmul") return false;
    const a = node.inputs[0].shape;
    return (node.attrs.transA ? a.at(-2)! : a.at(-1)!) >= 4;
  });
}

/**
 * Whether an f32 module keeps partial results in float32 where the interpreter rounds once: the
 * matmul kernels (the library's f32x4 lanes, the JS loops' stores), prodExcept's sweep and
 * scatterAdd's accumulation agree with it to float32 accuracy only, as the README says.
 */
function float32Partials(program: Program): boolean {
  const accumulating = new Set(["matmul", "prodExcept", "scatterAdd"]);
  return program.graph.nodes.some((node) => accumulating.has(node.op));
}

/** The optimized program computes exactly what the original does. */
export function checkPasses(
  original: Program,
  optimized: Program,
  points: readonly Values[],
): void {
  for (const point of points) {
    for (const entry of original.entries) {
      const twin = optimized.entries.find((e) => e.name === entry.name)!;
      const before = interpret(
        entry.fetch.map(([, node]) => node),
        point,
      );
      const after = interpret(
        twin.fetch.map(([, node]) => node),
        point,
      );
      entry.fetch.forEach(([key], i) => {
        const k = firstDifference(after[i], before[i], 0);
        if (k >= 0) {
          throw new FuzzFailure(
            "passes",
            `${entry.name}.${key}[${k}] is ${after[i][k]} after optimize, ${before[i][k]} before`,
          );
        }
      });
    }
  }
}

/** The first index where a and b differ by more than rtol·max(1, |a|, |b|) (NaN equals NaN). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number): number {
  if (a.length !== b.length) return 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k] === b[k] || (Number.isNaN(a[k]) && Number.isNaN(b[k]))) continue;
    const scale = Math.max(1, Math.abs(a[k]), Math.abs(b[k]));
    if (!(Math.abs(a[k] - b[k]) <= rtol * scale)) return k;
  }
  return -1;
}

function rounded(values: Values): Values {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, v.map(Math.fround)]));
}

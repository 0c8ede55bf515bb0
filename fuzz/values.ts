// Leaf values for one point: floats in [-2, 2] (some exact zeros, where prod and kinks live),
// indices below their bound, and Gaussian directions for tangents, cotangents and hvp vectors.
import type { Rng } from "../runtime/random.ts";
import type { DynamicInstance } from "../compiler/api.ts";
import { sizeOf } from "../compiler/ir/shape.ts";
import type { LeafInfo } from "./record.ts";

export type Values = Record<string, Float64Array>;

export function sampleValues(leaves: readonly LeafInfo[], rng: Rng, zeros: boolean): Values {
  const values: Values = {};
  for (const leaf of leaves) {
    const draw = (): number => {
      if (leaf.dtype === "i32") return rng.int(leaf.bound ?? 1);
      if (leaf.role === "direction") return rng.normal();
      if (zeros && rng.uniform() < 0.25) return 0;
      return -2 + 4 * rng.uniform();
    };
    values[leaf.name] = Float64Array.from({ length: sizeOf(leaf.shape) }, draw);
  }
  return values;
}

/** Writes values into an instance's input and param views (no feeds: every entry sees them). */
export function writeValues(
  instance: DynamicInstance,
  leaves: readonly LeafInfo[],
  values: Values,
): void {
  for (const leaf of leaves) {
    const views = leaf.kind === "input" ? instance.inputs : instance.params;
    views[leaf.name].set(values[leaf.name]);
  }
}

/** `values` with the leaves in `direction` moved by step·direction. */
export function shifted(values: Values, direction: Values, step: number): Values {
  const out: Values = { ...values };
  for (const [name, d] of Object.entries(direction)) {
    out[name] = values[name].map((x, k) => x + step * d[k]);
  }
  return out;
}

/** A random unit direction over the named leaves (Gaussian, then normalised). */
export function unitDirection(names: readonly string[], values: Values, rng: Rng): Values {
  const parts = names.map((name) => values[name].map(() => rng.normal()));
  const norm = Math.sqrt(parts.reduce((sum, p) => sum + p.reduce((s, x) => s + x * x, 0), 0));
  return Object.fromEntries(names.map((name, i) => [name, parts[i].map((x) => x / (norm || 1))]));
}

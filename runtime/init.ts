// Initialisers for param views: each fills a Float64Array or Float32Array holding a tensor of
// `shape` from a seeded Rng, so the same seed gives the same weights.
//
// Fan-in and fan-out come from the shape: a 2-D weight is [fanIn, fanOut] (x·W, as g.matmul(x, W)
// reads it); rank 0 has fans 1 and 1; rank 1 ([n], a bias) has n and n; rank 3 and up is a kernel
// [...window, in, out] whose fans are in and out times the window's size.
import { AdjointRuntimeError } from "./core.ts";
import type { Rng } from "./random.ts";

export type View = Float64Array | Float32Array;

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** The fan-in and fan-out of a weight of `shape` (see the file comment). */
export function fans(shape: readonly number[]): Fans {
  const rank = shape.length;
  if (rank === 0) return { fanIn: 1, fanOut: 1 };
  if (rank === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const window = shape.slice(0, -2).reduce((total, size) => total * size, 1);
  return { fanIn: shape[rank - 2]! * window, fanOut: shape[rank - 1]! * window };
}

/** Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)). */
export function glorotUniform(view: View, shape: readonly number[], rng: Rng): View {
  checkView("glorotUniform", view, shape);
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return fillUniform(view, rng, -limit, limit);
}

/** Glorot (Xavier) normal: N(0, σ²) with σ = √(2 / (fanIn + fanOut)), not truncated. */
export function glorotNormal(view: View, shape: readonly number[], rng: Rng): View {
  checkView("glorotNormal", view, shape);
  const { fanIn, fanOut } = fans(shape);
  return fillNormal(view, rng, 0, Math.sqrt(2 / (fanIn + fanOut)));
}

/** He (Kaiming) uniform, for ReLU layers: U(−a, a) with a = √(6 / fanIn). */
export function heUniform(view: View, shape: readonly number[], rng: Rng): View {
  checkView("heUniform", view, shape);
  const limit = Math.sqrt(6 / fans(shape).fanIn);
  return fillUniform(view, rng, -limit, limit);
}

/** He (Kaiming) normal, for ReLU layers: N(0, σ²) with σ = √(2 / fanIn), not truncated. */
export function heNormal(view: View, shape: readonly number[], rng: Rng): View {
  checkView("heNormal", view, shape);
  return fillNormal(view, rng, 0, Math.sqrt(2 / fans(shape).fanIn));
}

/** N(mean, std²) in every element. */
export function normal(view: View, shape: readonly number[], rng: Rng, mean = 0, std = 1): View {
  checkView("normal", view, shape);
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new AdjointRuntimeError(
      `normal: mean must be finite and std finite and non-negative, got mean ${mean}, std ${std}`,
    );
  }
  return fillNormal(view, rng, mean, std);
}

/** U(lo, hi) in every element. */
export function uniform(view: View, shape: readonly number[], rng: Rng, lo = 0, hi = 1): View {
  checkView("uniform", view, shape);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new AdjointRuntimeError(`uniform: needs finite lo < hi, got lo ${lo}, hi ${hi}`);
  }
  return fillUniform(view, rng, lo, hi);
}

/** Zero in every element (a bias, or a reset). */
export function zeros(view: View, shape: readonly number[]): View {
  checkView("zeros", view, shape);
  return view.fill(0);
}

function fillUniform(view: View, rng: Rng, lo: number, hi: number): View {
  for (let i = 0; i < view.length; i++) view[i] = lo + (hi - lo) * rng.uniform();
  return view;
}

function fillNormal(view: View, rng: Rng, mean: number, std: number): View {
  for (let i = 0; i < view.length; i++) view[i] = mean + std * rng.normal();
  return view;
}

/** The view must hold exactly the tensor of `shape`, so a shape mix-up cannot go unnoticed. */
function checkView(name: string, view: View, shape: readonly number[]): void {
  if (!(view instanceof Float64Array || view instanceof Float32Array)) {
    throw new AdjointRuntimeError(`${name}: expects a Float64Array or Float32Array view`);
  }
  if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0)) {
    throw new AdjointRuntimeError(
      `${name}: shape must be an array of non-negative integers, got ${String(shape)}`,
    );
  }
  const size = shape.reduce((total: number, dim: number) => total * dim, 1);
  if (size !== view.length) {
    throw new AdjointRuntimeError(
      `${name}: shape [${shape.join(",")}] has ${size} values but the view holds ${view.length}`,
    );
  }
}

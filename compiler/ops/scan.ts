// scan: a loop over a body region, carrying values from step to step and stacking per-step outputs.
// Its value is one flat vector (see ScanAttrs); the DSL hands the parts out as slices of it.
import type { Node, ScanAttrs } from "../ir/node.ts";
import { formatShape, sameShape, sizeOf, type Shape } from "../ir/shape.ts";
import { ShapeError, type OpDef, type Tensor } from "./def.ts";
import { denseSparsity } from "./sparsity.ts";
import { wholeZero } from "./strongzero.ts";

/** Where each part of a scan's flat value sits: offsets and shapes, in layout order. */
export interface ScanPart {
  readonly offset: number;
  readonly shape: Shape;
}

export interface ScanLayout {
  /** The carries after the last step. */
  readonly finals: readonly ScanPart[];
  /** Each per-step output stacked: [length, ...its shape]. */
  readonly stacked: readonly ScanPart[];
  /** Each carry at the start of every step (or of every checkpoint's step), stacked: [slots, ...]. */
  readonly tape: readonly ScanPart[];
  readonly size: number;
}

export function scanLayout(attrs: ScanAttrs): ScanLayout {
  const { body, carries, length } = attrs;
  let offset = 0;
  const part = (shape: Shape): ScanPart => {
    const placed = { offset, shape };
    offset += sizeOf(shape);
    return placed;
  };
  const carryShapes = body.results.slice(0, carries).map((result) => result.shape);
  const finals = carryShapes.map(part);
  const stacked = body.results.slice(carries).map((result) => part([length, ...result.shape]));
  const slots = tapeSlots(attrs);
  const tape = attrs.tape ? carryShapes.map((shape) => part([slots, ...shape])) : [];
  return { finals, stacked, tape, size: offset };
}

/** Steps between two taped carries: the first checkpoint stride, or 1 when every carry is taped. */
export function tapeStride(attrs: ScanAttrs): number {
  return attrs.checkpoint?.[0] ?? 1;
}

/** Carries on the tape: one per segment of `tapeStride` steps, the last segment maybe shorter. */
export function tapeSlots(attrs: ScanAttrs): number {
  return Math.ceil(attrs.length / tapeStride(attrs));
}

/**
 * The tape slot of the carry entering the step'th step run, or -1 if it is not taped. Slots are in
 * index order (slot j holds the segment whose indices come j-th), so a reverse loop fills them
 * from the last: its partial segment, if any, is the one holding the lowest indices.
 */
export function tapeSlot(attrs: ScanAttrs, step: number): number {
  const k = tapeStride(attrs);
  if (step % k !== 0) return -1;
  const segment = step / k;
  return attrs.reverse ? tapeSlots(attrs) - 1 - segment : segment;
}

/** The shape rule: the body's args and results must fit the inputs (as the DSL builds them). */
function scanShape(inputs: readonly Shape[], attrs: ScanAttrs): Shape {
  const { body, carries, sequences, length } = attrs;
  if (body.args.length !== inputs.length) {
    throw new ShapeError(`the body has ${body.args.length} args for ${inputs.length} inputs`);
  }
  if (!Number.isInteger(length) || length < 1) {
    throw new ShapeError(`length must be a positive integer, got ${length}`);
  }
  const strides = attrs.checkpoint ?? [];
  strides.forEach((k, level) => {
    if (!Number.isInteger(k) || k < 2 || (level > 0 && k >= strides[level - 1])) {
      throw new ShapeError(
        `checkpoint strides must be integers of at least 2, each below the one before; got [${strides.join(",")}]`,
      );
    }
  });
  inputs.forEach((shape, k) => {
    const sliced = k >= carries && k < carries + sequences;
    if (sliced && shape[0] !== length) {
      throw new ShapeError(
        `sequence ${k - carries + 1} has ${formatShape(shape)}, not ${length} steps`,
      );
    }
    const expected = sliced ? shape.slice(1) : shape;
    if (!sameShape(body.args[k].shape, expected)) {
      throw new ShapeError(
        `arg ${k + 1} of the body is ${formatShape(body.args[k].shape)}; its input gives ${formatShape(expected)}`,
      );
    }
  });
  for (let k = 0; k < carries; k++) {
    if (!sameShape(body.results[k].shape, body.args[k].shape)) {
      throw new ShapeError(
        `carry ${k + 1} enters the body as ${formatShape(body.args[k].shape)} and leaves as ${formatShape(body.results[k].shape)}`,
      );
    }
  }
  return [scanLayout(attrs).size];
}

/** The reference semantics: the body run `length` times, in order or in reverse. */
function scanEval(
  inputs: readonly Tensor[],
  attrs: ScanAttrs,
  interpret: (roots: readonly Node[], leaves: Record<string, ArrayLike<number>>) => Float64Array[],
): Float64Array {
  const { body, carries, sequences, length, reverse } = attrs;
  const layout = scanLayout(attrs);
  const out = new Float64Array(layout.size);
  const names = body.args.map((arg) => arg.attrs.name);
  let carry = inputs.slice(0, carries).map((input) => input.data);
  for (let step = 0; step < length; step++) {
    const t = reverse ? length - 1 - step : step;
    const leaves: Record<string, ArrayLike<number>> = {};
    inputs.forEach((input, k) => {
      if (k < carries) leaves[names[k]] = carry[k];
      else if (k < carries + sequences) {
        const size = input.data.length / length;
        leaves[names[k]] = input.data.subarray(t * size, (t + 1) * size);
      } else leaves[names[k]] = input.data;
    });
    const slot = tapeSlot(attrs, step);
    if (slot >= 0)
      layout.tape.forEach((part, k) => out.set(carry[k], part.offset + slot * carry[k].length));
    const results = interpret(body.results, leaves);
    carry = results.slice(0, carries);
    results.slice(carries).forEach((value, j) => {
      out.set(value, layout.stacked[j].offset + t * value.length);
    });
  }
  carry.forEach((value, k) => out.set(value, layout.finals[k].offset));
  return out;
}

export const scan: OpDef<"scan"> = {
  arity: "variadic",
  dtype: (_, { body }, float) => {
    const wrong = body.results.find((result) => result.dtype !== float);
    if (wrong !== undefined) {
      throw new ShapeError(`a body result is ${wrong.dtype}; carries and outputs must be ${float}`);
    }
    return float;
  },
  shape: scanShape,
  eval: (inputs, attrs, _shape, env) => scanEval(inputs, attrs, env.interpret),
  emit: { kind: "region" },
  // strong zero for a wholly zero adjoint only: the reverse sweep's body is not guarded inside
  zeroAdjoint: wholeZero,
  // the adjoint is a scan the other way over the saved carries, whose body is the body's vjp
  vjp: ({ loops, y, y_bar }) => loops.scan(y, y_bar),
  // the tangent is a scan carrying tangents beside the carries
  jvp: ({ loops, y, dots }) => loops.scan(y, dots),
  // every output element may depend on every input element (a loop mixes its steps)
  sparsity: denseSparsity,
};

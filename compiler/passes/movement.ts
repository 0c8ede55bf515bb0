// Slices of padded values: where a slice lies in the padding it is zeros, where it lies inside the
// padded value it is a slice of that value. (A loop's adjoint is a pad of its parts' adjoints; the
// parts nothing reads then become constant zeros, which the loop passes fold away.)
import { rule } from "./rules.ts";

export const sliceOfPad = rule("slice(pad(x)) -> zeros or slice(x)", (node, g) => {
  if (node.op !== "slice" || node.inputs[0].op !== "pad") return undefined;
  const padded = node.inputs[0];
  if (padded.op !== "pad") return undefined;
  const [x] = padded.inputs;
  const { begin, end } = node.attrs;
  const { before } = padded.attrs;
  const outside = begin.some(
    (b, axis) => end[axis] <= before[axis] || b >= before[axis] + x.shape[axis],
  );
  if (outside) return g.constant(0, node.shape, node.dtype);
  const inside = begin.every(
    (b, axis) => b >= before[axis] && end[axis] <= before[axis] + x.shape[axis],
  );
  if (!inside) return undefined;
  return g.slice(
    x,
    begin.map((b, axis) => b - before[axis]),
    end.map((e, axis) => e - before[axis]),
  );
});

// Functions the DSL composes from ops (softmax, stack, meanSquaredError, ...) report an op's
// refusal under their own name and with the operands the user passed, not the inner op's.
import { OpError } from "../errors.ts";
import type { Node } from "../ir/node.ts";
import { formatShape } from "../ir/shape.ts";

/** Runs `build`; an OpError inside becomes `name: reason (operands ...)` at the same line. */
export function composite<T>(name: string, operands: readonly Node[], build: () => T): T {
  try {
    return build();
  } catch (error) {
    // the composite's own checks already name it and what it was given
    if (!(error instanceof OpError) || error.op === name) throw error;
    // a composite inside another is renamed again by the outer one: the user called that
    throw new OpError(name, error.reason, ` (${operandText(operands)})`, error.loc);
  }
}

function operandText(operands: readonly Node[]): string {
  const types = operands.map((node) => `${node.dtype}${formatShape(node.shape)}`);
  const list =
    types.length < 2 ? types.join("") : `${types.slice(0, -1).join(", ")} and ${types.at(-1)}`;
  return `${types.length === 1 ? "operand" : "operands"} ${list}`;
}

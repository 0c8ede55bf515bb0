// Structural sparsity of Jacobians at compile time: for each element of a node, which elements of
// the wrt nodes it may depend on, propagated in creation order through the ops' sparsity rules.
import type { Node } from "../ir/node.ts";
import { sizeOf } from "../ir/shape.ts";
import { ops } from "../ops/registry.ts";
import type { Dependencies, SparsityContext } from "../ops/sparsity.ts";

/** Past this many dependency entries per element (on average, beyond a floor), a node is "dense". */
const entriesPerElement = 32;
const entriesFloor = 1 << 16;

/** The structure of a Jacobian: for each row (output element), the sorted columns it may have. */
export interface Pattern {
  readonly rows: readonly Int32Array[];
  readonly columns: number;
}

/**
 * The structure of ∂outputs/∂wrt: rows are the outputs' elements and columns the wrt elements,
 * each concatenated in order (row-major); "dense" when some set outgrew the budget.
 */
export function jacobianPattern(outputs: readonly Node[], wrt: readonly Node[]): Pattern | "dense" {
  const deps = dependencies(outputs, wrt);
  const rows: Int32Array[] = [];
  for (const output of outputs) {
    const sets = deps.get(output.id)!;
    if (sets === "dense") return "dense";
    rows.push(...sets);
  }
  return { rows, columns: wrt.reduce((total, w) => total + sizeOf(w.shape), 0) };
}

/** Dependencies of every node that `outputs` reach, by id; wrt element e of wrt k is column offsetₖ + e. */
export function dependencies(
  outputs: readonly Node[],
  wrt: readonly Node[],
): Map<number, Dependencies> {
  const deps = new Map<number, Dependencies>(seeds(wrt));
  for (const node of ancestors(outputs, deps)) {
    const inputs = node.inputs.map((input) => deps.get(input.id)!);
    const rule = ops[node.op].sparsity as (ctx: SparsityContext<typeof node.op>) => Dependencies;
    deps.set(
      node.id,
      withinBudget(
        rule({ deps: inputs, inputs: node.inputs, shape: node.shape, attrs: node.attrs }),
      ),
    );
  }
  return deps;
}

/** Each wrt element depends on itself alone. */
function seeds(wrt: readonly Node[]): [number, Dependencies][] {
  let column = 0;
  return wrt.map((w) => {
    const sets = Array.from({ length: sizeOf(w.shape) }, () => Int32Array.of(column++));
    return [w.id, sets];
  });
}

/** The nodes `outputs` reach, not through the ones already known, in creation (topological) order. */
function ancestors(outputs: readonly Node[], known: ReadonlyMap<number, Dependencies>): Node[] {
  const found = new Map<number, Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (known.has(node.id) || found.has(node.id)) continue;
    found.set(node.id, node);
    stack.push(...node.inputs);
  }
  return [...found.values()].sort((a, b) => a.id - b.id);
}

/** "dense" once the sets hold more entries than the budget allows for this many elements. */
function withinBudget(deps: Dependencies): Dependencies {
  if (deps === "dense") return deps;
  const seen = new Set<Int32Array>();
  let entries = 0;
  for (const set of deps) {
    if (seen.has(set)) continue;
    seen.add(set);
    entries += set.length;
  }
  return entries > entriesFloor + entriesPerElement * deps.length ? "dense" : deps;
}

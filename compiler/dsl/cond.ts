// g.cond: one of two branches, chosen by a bool scalar; only the taken one runs. Branches return
// the same nesting of nodes, of the same shapes; they are written with the same builder, and outer
// nodes they use are captured.
import type { CondAttrs, Node } from "../ir/node.ts";
import { formatShape, sameShape } from "../ir/shape.ts";
import { isNodeLeaf, isNodeValue, leavesOf, mapLeaves } from "../ir/tree.ts";
import { condOffsets } from "../ops/cond.ts";
import type { AsNodes } from "./loops.ts";
import type { Ops } from "./ops.ts";

const leaf = (value: unknown) => isNodeLeaf(value);

/** The taken branch's value: `whenTrue()` where `predicate` holds, else `whenFalse()`. */
export function buildCond<T>(
  g: Ops,
  predicate: Node,
  whenTrue: () => T,
  whenFalse: () => T,
): AsNodes<T> {
  if (typeof whenTrue !== "function" || typeof whenFalse !== "function") {
    g.fail("cond", `expects (predicate, whenTrue, whenFalse) with two functions`);
  }
  if (!isNodeValue(predicate) || predicate.dtype !== "bool" || predicate.shape.length !== 0) {
    const got = isNodeValue(predicate)
      ? `${predicate.dtype}${formatShape(predicate.shape)}`
      : typeof predicate;
    g.fail("cond", `the predicate must be a bool scalar (a comparison), got ${got}`);
  }
  let shape: unknown;
  const paths: string[][] = [];
  const branch = (fn: () => T, side: 0 | 1) =>
    g.region([], () => {
      const tree = fn() as unknown;
      if (side === 0) shape = tree;
      const leaves = leavesOf(tree, leaf);
      paths[side] = leaves.map(([path]) => path.join("."));
      return leaves.map(([path, value]) => {
        const node = typeof value === "number" ? g.constant(value) : value;
        if (!isNodeValue(node)) g.fail("cond", `${where(path)} must be a node or a number`);
        if (node.dtype !== g.graph.dtype)
          g.fail("cond", `${where(path)} is ${node.dtype}; branches must return ${g.graph.dtype}`);
        return node;
      });
    });
  const yes = branch(whenTrue, 0);
  const no = branch(whenFalse, 1);
  if (paths[0].join(", ") !== paths[1].join(", ")) {
    g.fail(
      "cond",
      `the branches return different structures: {${paths[0].join(", ")}} and {${paths[1].join(", ")}}`,
    );
  }
  if (paths[0].length === 0) g.fail("cond", `the branches return nothing`);
  yes.region.results.forEach((result, k) => {
    const other = no.region.results[k];
    if (!sameShape(result.shape, other.shape)) {
      g.fail(
        "cond",
        `the branches return ${where(paths[0][k] === "" ? [] : paths[0][k].split("."))} as ${formatShape(result.shape)} and as ${formatShape(other.shape)}`,
      );
    }
  });
  const attrs: CondAttrs = {
    whenTrue: yes.region,
    whenFalse: no.region,
    split: yes.captured.length,
  };
  const node = g.condNode([predicate, ...yes.captured, ...no.captured], attrs);
  return rebuildTree(shape, condParts(g, node, attrs)) as AsNodes<T>;
}

/** The branch results as slices of a cond's flat value (or of its adjoint). */
export function condParts(g: Ops, node: Node, attrs: CondAttrs): Node[] {
  const offsets = condOffsets(attrs.whenTrue);
  return attrs.whenTrue.results.map((result, k) => {
    const size = result.shape.reduce((n, d) => n * d, 1);
    return g.reshape(g.slice(node, [offsets[k]], [offsets[k] + size]), result.shape);
  });
}

function where(path: readonly string[]): string {
  return path.length === 0 ? "the value" : `"${path.join(".")}"`;
}

function rebuildTree(tree: unknown, nodes: readonly Node[]): unknown {
  let next = 0;
  return mapLeaves(tree, leaf, () => nodes[next++]);
}

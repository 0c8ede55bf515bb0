// g.scan: a loop over a body the user writes with the same builder, carrying nested records of
// nodes from step to step and stacking per-step outputs. It builds one scan node (see ScanAttrs).
import type { Node, ScanAttrs } from "../ir/node.ts";
import { formatShape, sameShape, type Shape } from "../ir/shape.ts";
import { isNodeLeaf, isNodeValue, leavesOf, mapLeaves, type NodeTree } from "../ir/tree.ts";
import { scanLayout, type ScanPart } from "../ops/scan.ts";
import { carryIn, carryOut } from "./carries.ts";
import { checkpointStrides, type CheckpointPolicy } from "./checkpoint.ts";
import type { Ops } from "./ops.ts";

export interface ScanOptions {
  /** The number of steps; by default the sequences' leading axis (required without sequences). */
  readonly length?: number;
  /** Step from the last element to the first; outputs are still stacked by position. */
  readonly reverse?: boolean;
  /** What reverse mode stores of the carries (see CheckpointPolicy); every carry by default. */
  readonly checkpoint?: CheckpointPolicy;
}

/** A tree of nodes and numbers (a number becomes a scalar constant). */
export type ScanTree =
  NodeTree | number | readonly ScanTree[] | { readonly [key: string]: ScanTree };

/** A tree's type with every node or number a node (what the body gets and what scan returns). */
export type AsNodes<T> = T extends number | Node
  ? Node
  : { readonly [K in keyof T]: AsNodes<T[K]> };

/** The body: from the carry and this step's slices, the new carry and this step's outputs. */
export type ScanBody<C, X, Y> = (carry: AsNodes<C>, x: AsNodes<X>) => readonly [AsNodes<C>, Y];

const leaf = (value: unknown) => isNodeLeaf(value);

/** Runs `fn` over the steps; returns the final carry and the per-step outputs stacked [T, ...]. */
export function buildScan<C, X, Y>(
  g: Ops,
  fn: ScanBody<C, X, Y>,
  init: C,
  xs: X | undefined,
  options: ScanOptions = {},
): [AsNodes<C>, AsNodes<Y>] {
  if (typeof fn !== "function")
    g.fail("scan", `expects (body, init, xs, options) with a function body`);
  const carries = leavesOf(init, leaf).map(
    ([path, value]) => [path, asNode(g, "scan", value, "init", path)] as const,
  );
  const sequences =
    xs === undefined || xs === null
      ? []
      : leavesOf(xs, leaf).map(
          ([path, value]) => [path, asNode(g, "scan", value, "xs", path)] as const,
        );
  const length = stepCount(g, sequences, options.length);
  const strides = checkpointStrides(g, "scan", options.checkpoint, length);
  // an integer or boolean carry travels as a float (see carries.ts)
  const args = [
    ...carries.map(([, node], k) => ({
      name: `carry${k}`,
      shape: node.shape,
      dtype: g.graph.dtype,
    })),
    ...sequences.map(([, node], k) => ({
      name: `x${k}`,
      shape: node.shape.slice(1),
      dtype: node.dtype,
    })),
  ];
  let outputs: unknown;
  const { region, captured } = g.region(args, (nodes) => {
    const carry = rebuildTree(
      init,
      nodes.slice(0, carries.length).map((arg, k) => carryOut(g, arg, carries[k][1].dtype)),
    );
    const x =
      xs === undefined || xs === null ? undefined : rebuildTree(xs, nodes.slice(carries.length));
    const returned = fn(carry as AsNodes<C>, x as AsNodes<X>) as unknown;
    if (!Array.isArray(returned) || returned.length !== 2) {
      g.fail("scan", `the body must return [newCarry, outputs], got ${describeValue(returned)}`);
    }
    outputs = returned[1];
    const next = checkedCarry(g, "scan", carries, returned[0]).map((node) => carryIn(g, node));
    const ys =
      outputs === undefined
        ? []
        : leavesOf(outputs, leaf).map(([path, value]) => {
            const node = asNode(g, "scan", value, "outputs", path);
            if (node.dtype !== g.graph.dtype) {
              g.fail(
                "scan",
                `the output ${where("outputs", path)} is ${node.dtype}; outputs must be ${g.graph.dtype}`,
              );
            }
            return node;
          });
    return [...next, ...ys];
  });
  const attrs: ScanAttrs = {
    body: region,
    carries: carries.length,
    sequences: sequences.length,
    length,
    reverse: options.reverse === true,
    tape: true,
    ...(strides.length === 0 ? {} : { checkpoint: strides }),
  };
  if (scanLayout(attrs).size === 0) g.fail("scan", `the loop has no carry and no outputs`);
  const node = g.scanNode(
    [...carries.map(([, n]) => carryIn(g, n)), ...sequences.map(([, n]) => n), ...captured],
    attrs,
  );
  // the tape stays unread here: only reverse mode reads it
  const layout = scanLayout(attrs);
  const part = (placed: ScanPart) => scanPart(g, node, placed);
  const finals = layout.finals.map((placed, k) => carryOut(g, part(placed), carries[k][1].dtype));
  return [
    rebuildTree(init, finals) as AsNodes<C>,
    (outputs === undefined
      ? undefined
      : rebuildTree(outputs, layout.stacked.map(part))) as AsNodes<Y>,
  ];
}

/** The parts of a scan's flat value as nodes: final carries, stacked outputs, and the tape. */
export function scanParts(g: Ops, node: Node, attrs: ScanAttrs) {
  const layout = scanLayout(attrs);
  const part = (placed: ScanPart) => scanPart(g, node, placed);
  return {
    finals: layout.finals.map(part),
    stacked: layout.stacked.map(part),
    tape: layout.tape.map(part),
  };
}

/** One part of a scan's flat value (or of its adjoint): a slice, reshaped. */
export function scanPart(g: Ops, node: Node, { offset, shape }: ScanPart): Node {
  return g.reshape(g.slice(node, [offset], [offset + sizeOfShape(shape)]), shape);
}

function sizeOfShape(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}

function stepCount(
  g: Ops,
  sequences: readonly (readonly [readonly string[], Node])[],
  length: number | undefined,
): number {
  if (length !== undefined && (!Number.isInteger(length) || length < 1)) {
    g.fail("scan", `length must be a positive integer, got ${String(length)}`);
  }
  if (sequences.length === 0) {
    if (length === undefined)
      g.fail("scan", `give options.length when there are no sequences to scan`);
    return length;
  }
  const steps = length ?? sequences[0][1].shape[0];
  for (const [path, node] of sequences) {
    if (node.shape.length === 0 || node.shape[0] !== steps) {
      const leads = sequences
        .map(([p, n]) => `${where("xs", p)} ${formatShape(n.shape)}`)
        .join(", ");
      g.fail(
        "scan",
        `every sequence needs a leading axis of ${steps} steps; ${where("xs", path)} has ${formatShape(node.shape)} (sequences: ${leads})`,
      );
    }
  }
  return steps;
}

/** The body's new carry, flattened: the same nesting, shapes and dtypes as the initial one. */
export function checkedCarry(
  g: Ops,
  op: string,
  carries: readonly (readonly [readonly string[], Node])[],
  returned: unknown,
): Node[] {
  // matched by path, so a record may list its members in any order
  const byPath = new Map(leavesOf(returned, leaf).map(([path, value]) => [path.join("."), value]));
  const names = (paths: readonly string[]) => [...paths].sort().join(", ");
  const wanted = carries.map(([path]) => path.join("."));
  if (names([...byPath.keys()]) !== names(wanted)) {
    g.fail(
      op,
      `the body returns a carry of structure {${names([...byPath.keys()])}}; the initial carry is {${names(wanted)}}`,
    );
  }
  const leaves = carries.map(([path]) => [path, byPath.get(path.join("."))] as const);
  return leaves.map(([path, value], k) => {
    const node = asNode(g, op, value, "new carry", path);
    const [, before] = carries[k];
    if (!sameShape(node.shape, before.shape) || node.dtype !== before.dtype) {
      g.fail(
        op,
        `the carry${path.length === 0 ? "" : ` ${path.join(".")}`} enters the body as ${before.dtype}${formatShape(before.shape)} and leaves it as ${node.dtype}${formatShape(node.shape)}`,
      );
    }
    return node;
  });
}

export function asNode(
  g: Ops,
  op: string,
  value: unknown,
  what: string,
  path: readonly string[],
): Node {
  if (typeof value === "number") return g.constant(value);
  // an outer value given to a loop inside a body (its init, its sequence) is captured by the body
  if (isNodeValue(value)) return g.local(value, op);
  return g.fail(op, `${where(what, path)} must be a node or a number, got ${describeValue(value)}`);
}

function where(what: string, path: readonly string[]): string {
  return path.length === 0 ? what : `${what}.${path.join(".")}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}

/** `nodes`, in order, in the nesting of `tree`. */
export function rebuildTree(tree: unknown, nodes: readonly Node[]): unknown {
  let next = 0;
  return mapLeaves(tree, leaf, () => nodes[next++]);
}

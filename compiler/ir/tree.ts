// Nested records named by dotted paths ("layer1.W"): structured params, their gradients and outputs.
import type { Node } from "./node.ts";

/** A node, or nodes nested in arrays and records. */
export type NodeTree = Node | readonly NodeTree[] | NodeRecord;
export interface NodeRecord {
  readonly [key: string]: NodeTree;
}

/** The same nesting with every node replaced by a (new) node: the type of a gradient of `T`. */
export type MapNodes<T> = T extends Node ? Node : { readonly [K in keyof T]: MapNodes<T[K]> };

/** A tree of values grouped by the segments of their dotted paths; a nested Map is a group. */
export type Nested<T> = ReadonlyMap<string, T | Nested<T>>;

/** A node, told apart from a record of nodes by its numeric id. */
export function isNodeValue(value: unknown): value is Node {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Node).id === "number" &&
    typeof (value as Node).op === "string"
  );
}

/** Where node trees stop: at nodes, and at anything that is neither an array nor a record. */
export function isNodeLeaf(value: unknown): boolean {
  return isNodeValue(value) || typeof value !== "object" || value === null;
}

/** Every leaf of `tree` with its path, arrays by index and records in key order. */
export function leavesOf(
  tree: unknown,
  isLeaf: (value: unknown) => boolean,
  path: readonly string[] = [],
): (readonly [readonly string[], unknown])[] {
  if (isLeaf(tree)) return [[path, tree]];
  return childrenOf(tree).flatMap(([key, child]) => leavesOf(child, isLeaf, [...path, key]));
}

/** `tree` with every leaf replaced by `fn(leaf, path)`: the same arrays and records around them. */
export function mapLeaves<R>(
  tree: unknown,
  isLeaf: (value: unknown) => boolean,
  fn: (leaf: unknown, path: readonly string[]) => R,
  path: readonly string[] = [],
): unknown {
  if (isLeaf(tree)) return fn(tree, path);
  const mapped = childrenOf(tree).map(
    ([key, child]) => [key, mapLeaves(child, isLeaf, fn, [...path, key])] as const,
  );
  return Array.isArray(tree)
    ? mapped.map(([, value]) => value)
    : Object.fromEntries(mapped.map(([key, value]) => [key, value]));
}

function childrenOf(tree: unknown): (readonly [string, unknown])[] {
  if (Array.isArray(tree)) return tree.map((child, index) => [String(index), child] as const);
  return Object.entries(tree as object);
}

/** Groups values named by dotted paths; the first path of a group fixes its position. */
export function nestPaths<T>(pairs: readonly (readonly [string, T])[]): Nested<T> {
  const root = new Map<string, T | Nested<T>>();
  for (const [path, value] of pairs) {
    const segments = path.split(".");
    let group = root;
    for (const segment of segments.slice(0, -1)) {
      let next = group.get(segment);
      if (next === undefined) group.set(segment, (next = new Map()));
      if (!(next instanceof Map)) throw new Error(`"${path}": "${segment}" is a value and a group`);
      group = next as Map<string, T | Nested<T>>;
    }
    const last = segments[segments.length - 1];
    if (group.has(last)) throw new Error(`"${path}" is named twice or is also a group`);
    group.set(last, value);
  }
  return root;
}

/** A nested plain object from a nested map, each value converted by `fn`. */
export function nestedObject<T, R>(nested: Nested<T>, fn: (value: T) => R): object {
  return Object.fromEntries(
    [...nested].map(([key, member]) => [
      key,
      member instanceof Map ? nestedObject(member as Nested<T>, fn) : fn(member as T),
    ]),
  );
}

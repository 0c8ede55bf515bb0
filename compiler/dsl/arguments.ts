// Checks and normalisation of DSL arguments: axes, reshape targets, operands. Each reports through `fail`.
import type { Node } from "../ir/node.ts";
import { formatShape, isValidShape, sizeOf, type Shape } from "../ir/shape.ts";

import type { Axes } from "../ops/builder.ts";

type Fail = (message: string) => never;

/** `axis` in [0, rank), counting negative ones from the end. */
export function normalizeAxis(rank: number, axis: number, fail: Fail): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    fail(`axis must be an integer, got ${describeValue(axis)}`);
  }
  if (axis < -rank || axis >= rank) {
    fail(`axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Sorted, non-negative, distinct axes for a value of `rank`; all of them when `axes` is omitted. */
export function normalizeAxes(rank: number, axes: Axes | undefined, fail: Fail): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, axis) => axis);
  if (typeof axes !== "number" && !Array.isArray(axes)) {
    fail(`axes must be an integer or a list of integers, got ${describeValue(axes)}`);
  }
  const list = typeof axes === "number" ? [axes] : [...axes];
  const normalized = list.map((axis) => normalizeAxis(rank, axis, fail));
  if (new Set(normalized).size !== normalized.length) {
    fail(`axes ${JSON.stringify(list)} repeat an axis`);
  }
  return normalized.sort((a, b) => a - b);
}

/** The target of a reshape from `from`, with its one allowed -1 filled in. */
export function resolveReshape(from: Shape, shape: Shape, fail: Fail): Shape {
  const unknown = shape.filter((dim) => dim === -1).length;
  const known = shape.filter((dim) => dim !== -1);
  if (unknown > 1 || !isValidShape(known)) {
    fail(`shape ${formatShape(shape)} must be non-negative integers, with at most one -1`);
  }
  const size = sizeOf(from);
  const rest = sizeOf(known);
  if (unknown === 1 && rest > 0 && size % rest === 0) {
    return shape.map((dim) => (dim === -1 ? size / rest : dim));
  }
  if (unknown === 0 && rest === size) return [...shape];
  return fail(`cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(shape)}`);
}

export function isNode(value: unknown): value is Node {
  return (
    typeof value === "object" &&
    value !== null &&
    "op" in value &&
    "shape" in value &&
    "id" in value
  );
}

/** What a bad operand is, for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array (use g.constant([...]) for tensor constants)`;
  return typeof value;
}

/** A bad argument as the user wrote it: the value and, where it is not plain, what kind it is. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean" || value === undefined) {
    return String(value);
  }
  if (value === null) return "null";
  if (Array.isArray(value) && value.length > 0 && value.every(isNode)) {
    return `a list of ${value.length} node${value.length === 1 ? "" : "s"}`;
  }
  if (Array.isArray(value)) return `the array ${short(value)}`;
  if (isNode(value)) return `a node (%${value.id})`;
  return typeof value === "function" ? "a function" : "an object";
}

function short(value: readonly unknown[]): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `value` as a list of integers named `what`, or a failure saying what was given. */
export function integerList(value: unknown, what: string, fail: Fail): number[] {
  if (!Array.isArray(value) || !value.every((item) => Number.isInteger(item))) {
    fail(`${what} must be an array of integers, got ${describeValue(value)}`);
  }
  return [...(value as number[])];
}

/** `value` as a boolean named `what`, or a failure saying what was given. */
export function flag(value: unknown, what: string, fail: Fail): boolean {
  if (typeof value !== "boolean")
    fail(`${what} must be true or false, got ${describeValue(value)}`);
  return value as boolean;
}

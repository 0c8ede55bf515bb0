// What checkGrads differentiates: the scalar f an entry point fetches, the leaves it is taken with
// respect to, and a program of its own (a copy of the user's graph, never the user's program
// itself) with entry points for f, ∇f and, for order 2, H·v along fed directions.
import { rebuildProgram } from "../dsl/rerun.ts";
import type { TransformBuilder } from "../dsl/transforms.ts";
import { AdjointError } from "../errors.ts";
import { Graph } from "../ir/graph.ts";
import type { Node, NodeOf } from "../ir/node.ts";
import { isProgram, type EntryPoint, type Program } from "../ir/program.ts";
import { formatShape } from "../ir/shape.ts";
import { reachable } from "../ir/text.ts";
import { transformBuilder } from "../program.ts";

export type Leaf = NodeOf<"input"> | NodeOf<"param">;

/** The function under check, found in the user's program. */
export interface Target {
  readonly program: Program;
  readonly entry: EntryPoint;
  /** The fetched output that is f. */
  readonly of: string;
  readonly f: Node;
  /** The leaves f depends on (float and integer), in declaration order. */
  readonly leaves: readonly Leaf[];
  /** The float leaves f is differentiated with respect to. */
  readonly wrt: readonly Leaf[];
}

/** The check program: entry "value" fetches f, "gradient" ∇f per wrt leaf, "hvp" H·v per leaf. */
export interface CheckProgram {
  readonly program: Program;
  /** The direction inputs of the hvp entry, one per wrt leaf (empty for order 1). */
  readonly directions: readonly string[];
}

export function fail(message: string): never {
  throw new AdjointError(`checkGrads: ${message}`);
}

export function leafName(leaf: Leaf): string {
  return leaf.attrs.name;
}

/** Resolves the entry, f and the leaves from the options, with an error naming what is wrong. */
export function findTarget(
  program: Program,
  options: { readonly entry?: string; readonly of?: string; readonly wrt?: readonly string[] },
): Target {
  if (!isProgram(program)) fail(`expected a program built with program(...)`);
  const entry = findEntry(program, options.entry);
  const [of, f] = findScalar(program, entry, options.of);
  const depends = reachable([f]);
  const leaves = program.leaves.filter((leaf) => depends.has(leaf.id));
  const wrt = chooseWrt(program, f, of, leaves, options.wrt);
  return { program, entry, of, f, leaves, wrt };
}

function findEntry(program: Program, name: string | undefined): EntryPoint {
  const names = program.entries.map((entry) => entry.name).join(", ");
  if (name !== undefined) {
    const entry = program.entries.find((candidate) => candidate.name === name);
    if (entry === undefined) {
      fail(`program "${program.name}" has no entry point "${String(name)}" (it has ${names})`);
    }
    return entry;
  }
  const entry = program.entries.find((candidate) => scalarFetches(program, candidate).length > 0);
  if (entry === undefined) {
    fail(
      `no entry point of program "${program.name}" fetches a scalar ${program.dtype} value ` +
        `(entries ${names}); checkGrads differentiates a scalar such as a loss`,
    );
  }
  return entry;
}

function scalarFetches(program: Program, entry: EntryPoint): (readonly [string, Node])[] {
  return entry.fetch.filter(([, node]) => node.shape.length === 0 && node.dtype === program.dtype);
}

/** The fetched output named `of`, or the entry's first scalar float output. */
function findScalar(program: Program, entry: EntryPoint, of: string | undefined) {
  const where = `entry "${entry.name}" of program "${program.name}"`;
  const fetched = entry.fetch
    .map(([name, node]) => `${name} ${node.dtype}${formatShape(node.shape)}`)
    .join(", ");
  if (of === undefined) {
    const [first] = scalarFetches(program, entry);
    if (first === undefined) {
      fail(
        `${where} fetches no scalar ${program.dtype} value (it fetches ${fetched || "nothing"}); ` +
          `checkGrads differentiates a scalar such as a loss`,
      );
    }
    return first;
  }
  const found = entry.fetch.find(([name]) => name === of);
  if (found === undefined)
    fail(`${where} fetches no output "${String(of)}" (it fetches ${fetched})`);
  const [, node] = found;
  if (node.shape.length !== 0 || node.dtype !== program.dtype) {
    fail(
      `output "${of}" of ${where} is ${node.dtype}${formatShape(node.shape)}; ` +
        `checkGrads needs a scalar ${program.dtype} value`,
    );
  }
  return found;
}

function chooseWrt(
  program: Program,
  f: Node,
  of: string,
  leaves: readonly Leaf[],
  names: readonly string[] | undefined,
): Leaf[] {
  const float = (leaf: Leaf) => leaf.dtype === program.dtype;
  if (names === undefined) {
    const wrt = leaves.filter(float);
    if (wrt.length === 0) fail(`"${of}" (%${f.id}) depends on no float input or param`);
    return wrt;
  }
  if (!Array.isArray(names) || names.length === 0) {
    fail(`wrt must be a non-empty list of input and param names`);
  }
  return names.map((name) => {
    const leaf = program.leaves.find((candidate) => leafName(candidate) === name);
    if (leaf === undefined) {
      const known = program.leaves.map(leafName).join(", ");
      fail(
        `wrt names "${String(name)}", which is no input or param of "${program.name}" (${known})`,
      );
    }
    if (!float(leaf)) {
      fail(
        `wrt names "${name}", an ${leaf.dtype} input, which has no derivative; ` +
          `it is held at the values of { at } or at random valid ones`,
      );
    }
    return leaf;
  });
}

/**
 * The user's graph built again by the program's own function (so a customVjp rule closing over
 * its `g` builds in this graph), or copied when that cannot be done, then f's gradient and, for
 * order 2, its hvp along fed directions appended.
 */
export function buildCheckProgram(target: Target, order: 1 | 2): CheckProgram {
  const source = target.program;
  const { graph, g } = rebuiltOrCopied(source);
  const copy = <N extends Node>(node: N) => graph.nodes[node.id] as N;
  const f = copy(target.f);
  const wrt = target.wrt.map(copy);
  const gradients = g.grad(f, wrt);
  const entries: EntryPoint[] = [
    { name: "value", fetch: [["f", f]], update: [] },
    { name: "gradient", fetch: gradients.map((node, i) => [`gradient_${i}`, node]), update: [] },
  ];
  const taken = new Set(source.leaves.map(leafName));
  const directions = order === 2 ? wrt.map((_, i) => freshName(`direction_${i}`, taken)) : [];
  const directionInputs = directions.map((name, i) =>
    graph.intern("input", [], { name, shape: [...wrt[i].shape], dtype: graph.dtype }),
  );
  if (order === 2) {
    const products = g.hvp(f, wrt, directionInputs);
    entries.push({ name: "hvp", fetch: products.map((node, i) => [`hvp_${i}`, node]), update: [] });
  }
  const program: Program = {
    kind: "adjoint.program",
    name: `${source.name}_check`,
    dtype: source.dtype,
    graph,
    entries,
    leaves: [...source.leaves.map(copy), ...directionInputs],
    paramInit: source.paramInit,
  };
  return { program, directions };
}

/** The source graph again, node for node with the same ids, and a builder that extends it. */
function rebuiltOrCopied(source: Program): { graph: Graph; g: TransformBuilder } {
  const rebuilt = rebuildProgram(source);
  if (rebuilt !== undefined) return { graph: rebuilt.program.graph, g: rebuilt.builder };
  const graph = new Graph(source.graph.ops, source.graph.dtype, source.graph.customRules);
  const copies: Node[] = [];
  for (const node of source.graph.nodes) {
    const inputs = node.inputs.map((input) => copies[input.id]);
    const origin = () => source.graph.origin(node);
    copies.push(graph.intern(node.op, inputs, node.attrs as never, origin) as Node);
  }
  return { graph, g: transformBuilder(graph) };
}

function freshName(name: string, taken: Set<string>): string {
  let candidate = name;
  while (taken.has(candidate)) candidate = `${candidate}_`;
  taken.add(candidate);
  return candidate;
}

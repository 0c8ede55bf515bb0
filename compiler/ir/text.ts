// The stable text form of a graph, one node a line: `%7: f64[64,10] = matmul %3 %5 {transA=false, transB=false}`.
import type { Graph } from "./graph.ts";
import { nodeRegions, type Node } from "./node.ts";
import type { Program } from "./program.ts";
import { formatShape } from "./shape.ts";

export function nodeText(node: Node): string {
  const args = node.inputs.map((input) => `%${input.id}`);
  const head = `%${node.id}: ${node.dtype}${formatShape(node.shape)} = ${node.op}`;
  const line = [head, ...args, attrsText(node)].filter((part) => part !== "").join(" ");
  // a body is printed under its node, indented, in its own numbering
  const indented = nodeRegions(node).flatMap(([title, region]) => [
    ...(title === "" ? [] : [`  ${title}`]),
    ...regionText(region.args, region.results)
      .split("\n")
      .map((text) => `${title === "" ? "  " : "    "}${text}`),
  ]);
  return [line, ...indented].join("\n");
}

/** A body's text: its args, every node its results reach (in id order), then its results. */
export function regionText(args: readonly Node[], results: readonly Node[]): string {
  const keep = reachable([...args, ...results]);
  const nodes = [...args, ...results].reduce<Node[]>((all, node) => {
    const seen = new Set(all.map((n) => n.id));
    return seen.has(node.id) ? all : [...all, node];
  }, []);
  const ordered = collectNodes(nodes).filter((node) => keep.has(node.id));
  return [
    `args ${args.map((arg) => `%${arg.id}`).join(" ")}`,
    ...ordered.map(nodeText),
    `results ${results.map((result) => `%${result.id}`).join(" ")}`,
  ].join("\n");
}

/** Every node `roots` reach, in id order. */
function collectNodes(roots: readonly Node[]): Node[] {
  const seen = new Map<number, Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.set(node.id, node);
    stack.push(...node.inputs);
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}

function attrsText(node: Node): string {
  switch (node.op) {
    case "input":
    case "param":
      return JSON.stringify(node.attrs.name);
    case "const":
      return node.attrs.values.map(numberText).join(" ");
    default: {
      // a shape attribute that is the node's own shape says nothing new; a body prints below
      const entries = Object.entries(node.attrs).filter(
        ([key, value]) =>
          key !== "body" &&
          key !== "whenTrue" &&
          key !== "whenFalse" &&
          key !== "condition" &&
          (key !== "shape" || String(value) !== String(node.shape)),
      );
      if (entries.length === 0) return "";
      return `{${entries.map(([key, value]) => `${key}=${valueText(value)}`).join(", ")}}`;
    }
  }
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(valueText).join(",")}]`;
  return typeof value === "number" ? numberText(value) : String(value);
}

function numberText(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Nodes in id order; with `roots`, only the nodes they reach. */
export function graphText(graph: Graph, roots?: readonly Node[]): string {
  const keep = roots === undefined ? undefined : reachable(roots);
  return graph.nodes
    .filter((node) => keep === undefined || keep.has(node.id))
    .map(nodeText)
    .join("\n");
}

export function programText(program: Program): string {
  const lines = [`program ${program.name} (${program.dtype})`, graphText(program.graph)];
  for (const entry of program.entries) {
    const fetch = entry.fetch.map(([name, node]) => `${name}=%${node.id}`).join(" ");
    const update = entry.update
      .map(([param, value]) => `${param.attrs.name}:=%${value.id}`)
      .join(" ");
    const after = entry.after === undefined ? "" : ` (after ${entry.after})`;
    lines.push(
      `entry ${entry.name}${after}: ${[fetch, update].filter((part) => part !== "").join(" ")}`,
    );
  }
  return lines.join("\n");
}

export function reachable(roots: readonly Node[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    stack.push(...node.inputs);
  }
  return seen;
}

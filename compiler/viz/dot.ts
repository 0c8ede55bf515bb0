// A program's graph as Graphviz DOT: forward nodes white, adjoint nodes red, tangent nodes blue;
// a loop's body (and each branch of a cond) a cluster under its node, nested loops nested.
import { AdjointError } from "../errors.ts";
import type { Node, Region, RegionGraph } from "../ir/node.ts";
import type { Program } from "../ir/program.ts";
import { formatShape } from "../ir/shape.ts";
import { reachable } from "../ir/text.ts";
import { entryRoots } from "../passes/rebuild.ts";

export interface DotOptions {
  /** Draw only what these entry points reach (default: every entry point). */
  readonly entries?: readonly string[];
}

/** Fill and outline per role: the reverse-mode figures draw the adjoint nodes in red. */
const roleStyle = {
  forward: 'style=filled, fillcolor="#ffffff", color="#333333"',
  adjoint: 'style=filled, fillcolor="#f8d0d0", color="#c00000", fontcolor="#800000"',
  tangent: 'style=filled, fillcolor="#d0e0f8", color="#0050c0", fontcolor="#003080"',
} as const;

/** At most this many values of a constant appear in its label. */
const shownValues = 4;

/**
 * DOT text of the nodes the chosen entry points reach, in id order (deterministic). Each node is
 * labelled with its name, op and shape; edges run from each input to the node that reads it.
 */
export function graphDot(program: Program, options: DotOptions = {}): string {
  const entries = chosenEntries(program, options.entries);
  const keep = reachable(entries.flatMap(entryRoots));
  const nodes = program.graph.nodes.filter((node) => keep.has(node.id));
  const outputs = new Map(
    [...outputNames(entries)].map(([id, names]) => [id, [`out: ${names.join(", ")}`]]),
  );
  const lines = [
    `digraph ${quote(program.name)} {`,
    "  rankdir=LR;",
    `  label=${quote(legend(program, entries))};`,
    '  labelloc=t; fontname="Helvetica"; fontsize=12;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [color="#555555", arrowsize=0.7];',
    ...nodeLines(program.graph, nodes, outputs, "", "  "),
    ...entries.flatMap((entry) =>
      entry.update.map(
        ([param, value]) =>
          `  ${nodeId(value)} -> ${nodeId(param)} [style=dashed, constraint=false, label=${quote(`${entry.name}: :=`)}];`,
      ),
    ),
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The statements for `nodes` of `graph` (ids prefixed by `scope`, so each body's numbering stays
 * its own): the nodes, each loop's regions as clusters right after it, then the edges.
 */
function nodeLines(
  graph: RegionGraph,
  nodes: readonly Node[],
  outputs: Map<number, string[]>,
  scope: string,
  indent: string,
): string[] {
  return [
    ...nodes.flatMap((node) => [
      `${indent}${nodeId(node, scope)} [${nodeAttributes(graph, node, outputs)}];`,
      ...regionsOf(node).flatMap(([title, region], k) =>
        clusterLines(
          node,
          title,
          region,
          { outer: scope, inner: `${scope}n${node.id}_${k}_` },
          indent,
        ),
      ),
    ]),
    ...nodes.flatMap((node) =>
      node.inputs.map(
        (input) =>
          `${indent}${nodeId(input, scope)} -> ${nodeId(node, scope)}${edgeStyle(graph, node)};`,
      ),
    ),
  ];
}

/** A region as `subgraph cluster_…`: its args labelled as parameters, its results as results. */
function clusterLines(
  owner: Node,
  title: string,
  region: Region,
  scopes: { readonly outer: string; readonly inner: string },
  indent: string,
): string[] {
  const scope = scopes.inner;
  const keep = reachable([...region.args, ...region.results]);
  const nodes = region.graph.nodes.filter((node) => keep.has(node.id));
  const roles = new Map<number, string[]>();
  const mark = (node: Node, text: string) =>
    roles.set(node.id, [...(roles.get(node.id) ?? []), text]);
  region.args.forEach((arg, k) => mark(arg, `param ${k}`));
  region.results.forEach((result, k) => mark(result, `result ${k}`));
  const inner = `${indent}  `;
  return [
    `${indent}subgraph ${quote(`cluster_${scope}`)} {`,
    `${inner}label=${quote(`${title} of %${owner.id}`)}; style=rounded; color="#888888";`,
    ...nodeLines(region.graph, nodes, roles, scope, inner),
    `${indent}}`,
    // the loop node reads its body: an edge into the cluster's first param keeps them together
    ...(region.args.length > 0
      ? [
          `${indent}${nodeId(owner, scopes.outer)} -> ${nodeId(region.args[0], scope)} [style=dotted, arrowhead=none];`,
        ]
      : []),
  ];
}

/** A node's regions with their titles: a scan's body, a cond's two branches, none otherwise. */
function regionsOf(node: Node): (readonly [string, Region])[] {
  if (node.op === "scan") return [[`scan body (${node.attrs.length} steps)`, node.attrs.body]];
  if (node.op === "cond")
    return [
      ["cond: when true", node.attrs.whenTrue],
      ["cond: when false", node.attrs.whenFalse],
    ];
  return [];
}

function chosenEntries(program: Program, names: readonly string[] | undefined) {
  if (names === undefined) return program.entries;
  return names.map((name) => {
    const entry = program.entries.find((candidate) => candidate.name === name);
    if (entry === undefined) {
      const known = program.entries.map((candidate) => candidate.name).join(", ");
      throw new AdjointError(
        `program "${program.name}" has no entry "${name}" (entries: ${known})`,
      );
    }
    return entry;
  });
}

/** Node id -> the names it is fetched under, without repeats. */
function outputNames(entries: Program["entries"]): Map<number, string[]> {
  const names = new Map<number, string[]>();
  for (const entry of entries) {
    for (const [name, node] of entry.fetch) {
      const list = names.get(node.id) ?? [];
      if (!list.includes(name)) list.push(name);
      names.set(node.id, list);
    }
  }
  return names;
}

function legend(program: Program, entries: Program["entries"]): string {
  const shown = entries.map((entry) => entry.name).join(", ");
  return `${program.name} (${shown}): forward nodes white, adjoint red, tangent blue`;
}

function nodeId(node: Node, scope = ""): string {
  return scope === "" ? `n${node.id}` : quote(`${scope}n${node.id}`);
}

function roleOf(graph: RegionGraph, node: Node): keyof typeof roleStyle {
  return graph.origin(node).role ?? "forward";
}

function nodeAttributes(graph: RegionGraph, node: Node, outputs: Map<number, string[]>): string {
  const fetched = outputs.get(node.id);
  const lines = [...labelLines(graph, node), ...(fetched ? [fetched.join(", ")] : [])];
  const shape = node.op === "const" ? "plaintext" : isLeaf(node) ? "box" : "ellipse";
  const style = node.op === "const" ? "fontsize=9" : roleStyle[roleOf(graph, node)];
  return `label=${quote(lines.join("\n"))}, shape=${shape}, ${style}`;
}

/** Name, then op and shape (`mul f64[2,3]`), then attributes if any; constants in one short line. */
function labelLines(graph: RegionGraph, node: Node): string[] {
  const type = `${node.dtype}${formatShape(node.shape)}`;
  if (node.op === "const") {
    const scalarFill = node.attrs.values.length === 1;
    return [
      scalarFill && node.shape.length === 0 ? valuesText(node) : `${valuesText(node)} ${type}`,
    ];
  }
  if (isLeaf(node)) return [node.attrs.name, `${node.op} ${type}`];
  const name = graph.origin(node).label ?? `%${node.id}`;
  const attrs = attrsText(node);
  return [name, `${node.op} ${type}`, ...(attrs === "" ? [] : [attrs])];
}

function isLeaf(node: Node): node is Extract<Node, { op: "input" | "param" }> {
  return node.op === "input" || node.op === "param";
}

function valuesText(node: Extract<Node, { op: "const" }>): string {
  const values = node.attrs.values;
  if (values.length === 1) return numberText(values[0]);
  const head = values.slice(0, shownValues).map(numberText).join(", ");
  return `[${head}${values.length > shownValues ? ", …" : ""}]`;
}

/** Attributes other than a shape equal to the node's own, e.g. `axes=[1] keepDims=false`. */
function attrsText(node: Node): string {
  return (
    Object.entries(node.attrs)
      // a region is drawn as its own cluster, not as an attribute
      .filter(([, value]) => !isRegion(value))
      .filter(([key, value]) => key !== "shape" || String(value) !== String(node.shape))
      .map(
        ([key, value]) => `${key}=${Array.isArray(value) ? `[${value.join(",")}]` : String(value)}`,
      )
      .join(" ")
  );
}

function isRegion(value: unknown): value is Region {
  return (value as Region | null)?.kind === "adjoint.region";
}

function numberText(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Edges into adjoint and tangent nodes take the node's colour, so each sweep reads as one path. */
function edgeStyle(graph: RegionGraph, node: Node): string {
  const role = roleOf(graph, node);
  if (role === "adjoint") return ' [color="#c00000"]';
  if (role === "tangent") return ' [color="#0050c0"]';
  return "";
}

/**
 * A DOT quoted string. Backslashes are doubled (so `\N`, `\G`, `\l` in a name stay literal text),
 * quotes escaped, line breaks become DOT's `\n`, and other control characters are dropped.
 */
export function quote(text: string): string {
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, "\\n")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "");
  return `"${escaped}"`;
}

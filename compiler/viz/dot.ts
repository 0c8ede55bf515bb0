// A program's graph as Graphviz DOT: forward nodes white, adjoint nodes red, tangent nodes blue.
import { AdjointError } from "../errors.ts";
import type { Node } from "../ir/node.ts";
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
  const outputs = outputNames(entries);
  const lines = [
    `digraph ${quote(program.name)} {`,
    "  rankdir=LR;",
    `  label=${quote(legend(program, entries))};`,
    '  labelloc=t; fontname="Helvetica"; fontsize=12;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [color="#555555", arrowsize=0.7];',
    ...nodes.map((node) => `  ${nodeId(node)} [${nodeAttributes(program, node, outputs)}];`),
    ...nodes.flatMap((node) =>
      node.inputs.map(
        (input) => `  ${nodeId(input)} -> ${nodeId(node)}${edgeStyle(program, node)};`,
      ),
    ),
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

function nodeId(node: Node): string {
  return `n${node.id}`;
}

function roleOf(program: Program, node: Node): keyof typeof roleStyle {
  return program.graph.origin(node).role ?? "forward";
}

function nodeAttributes(program: Program, node: Node, outputs: Map<number, string[]>): string {
  const fetched = outputs.get(node.id);
  const lines = [...labelLines(program, node), ...(fetched ? [`out: ${fetched.join(", ")}`] : [])];
  const shape = node.op === "const" ? "plaintext" : isLeaf(node) ? "box" : "ellipse";
  const style = node.op === "const" ? "fontsize=9" : roleStyle[roleOf(program, node)];
  return `label=${quote(lines.join("\n"))}, shape=${shape}, ${style}`;
}

/** Name, then op and shape (`mul f64[2,3]`), then attributes if any; constants in one short line. */
function labelLines(program: Program, node: Node): string[] {
  const type = `${node.dtype}${formatShape(node.shape)}`;
  if (node.op === "const") {
    const scalarFill = node.attrs.values.length === 1;
    return [
      scalarFill && node.shape.length === 0 ? valuesText(node) : `${valuesText(node)} ${type}`,
    ];
  }
  if (isLeaf(node)) return [node.attrs.name, `${node.op} ${type}`];
  const name = program.graph.origin(node).label ?? `%${node.id}`;
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
  return Object.entries(node.attrs)
    .filter(([key, value]) => key !== "shape" || String(value) !== String(node.shape))
    .map(
      ([key, value]) => `${key}=${Array.isArray(value) ? `[${value.join(",")}]` : String(value)}`,
    )
    .join(" ");
}

function numberText(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Edges into adjoint and tangent nodes take the node's colour, so each sweep reads as one path. */
function edgeStyle(program: Program, node: Node): string {
  const role = roleOf(program, node);
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

// `adjoint explain`: each fetched scalar of an entry point and its partial derivatives by the
// scalar leaves, as simplified formulas. The derivatives are the compiler's own (reverse mode on
// a copy of the graph), converted to expressions and canonicalised for display.
import type { TransformBuilder } from "../dsl/transforms.ts";
import { AdjointError } from "../errors.ts";
import type { Node, NodeOf } from "../ir/node.ts";
import type { EntryPoint, Program } from "../ir/program.ts";
import { reachable } from "../ir/text.ts";
import { rebuild } from "../passes/rebuild.ts";
import { transformBuilder } from "../program.ts";
import { simplify } from "./canonical.ts";
import type { Expr } from "./expr.ts";
import { expressionOf } from "./from-graph.ts";
import { render } from "./render.ts";

export interface Formula {
  /** `f`, `∂f/∂x`, or a fetched derivative's name made readable (`dy_dx1` -> `∂y/∂x1`). */
  readonly name: string;
  /** The node in the explained copy of the graph whose value the formula is. */
  readonly node: Node;
  /** The simplified expression that `text` prints. */
  readonly expr: Expr;
  readonly text: string;
}

export interface EntryExplanation {
  readonly entry: string;
  readonly formulas: readonly Formula[];
}

type Leaf = NodeOf<"input"> | NodeOf<"param">;

/**
 * Explains one entry point, or every entry that fetches a scalar. Throws an AdjointError for an
 * unknown entry, an entry without scalar outputs, and graphs that are not scalar.
 */
export function explain(program: Program, entryName?: string): EntryExplanation[] {
  const copy = rebuild(program);
  const builder = transformBuilder(copy.graph);
  const entries = selectEntries(copy, entryName);
  return entries.map((entry) => ({
    entry: entry.name,
    formulas: explainEntry(copy, builder, entry),
  }));
}

/** The explanations as lines of text: a heading per entry, then `name = formula`. */
export function explanationText(
  program: Program,
  explanations: readonly EntryExplanation[],
): string {
  return explanations
    .map(({ entry, formulas }) =>
      [
        `${program.name}, entry ${entry}:`,
        ...formulas.map((formula) => `  ${formula.name} = ${formula.text}`),
      ].join("\n"),
    )
    .join("\n\n");
}

function selectEntries(program: Program, entryName: string | undefined): EntryPoint[] {
  if (entryName === undefined) {
    const scalar = program.entries.filter((entry) => scalarFetches(program, entry).length > 0);
    if (scalar.length === 0) {
      throw new AdjointError(
        `explain works on scalar graphs: no entry point of ${program.name} fetches a scalar`,
      );
    }
    return scalar;
  }
  const entry = program.entries.find((candidate) => candidate.name === entryName);
  if (entry === undefined) {
    const names = program.entries.map((candidate) => candidate.name).join(", ");
    throw new AdjointError(`${program.name} has no entry point "${entryName}" (it has: ${names})`);
  }
  if (scalarFetches(program, entry).length === 0) {
    throw new AdjointError(
      `explain works on scalar graphs: entry ${entryName} of ${program.name} fetches no scalar`,
    );
  }
  return [entry];
}

function scalarFetches(program: Program, entry: EntryPoint): (readonly [string, Node])[] {
  return entry.fetch.filter(([, node]) => node.shape.length === 0 && node.dtype === program.dtype);
}

/** Values first with their partials; a fetched derivative only when it is not one of those. */
function explainEntry(program: Program, builder: TransformBuilder, entry: EntryPoint): Formula[] {
  const leaves = program.leaves.filter((leaf) => leaf.shape.length === 0);
  const leafNames = leaves.map((leaf) => leaf.attrs.name);
  const formulas: Formula[] = [];
  for (const [name, node] of scalarFetches(program, entry)) {
    const what = `${name} (entry ${entry.name})`;
    const formula = formulaOf(name, node, what);
    if (isDerivative(program, node)) {
      const derivative = { ...formula, name: derivativeName(name, leafNames) };
      if (!formulas.some((shown) => sameFormula(shown, derivative))) formulas.push(derivative);
      continue;
    }
    formulas.push(formula);
    const wrt = leavesOf(node, leaves);
    if (wrt.length === 0) continue;
    const partials = builder.grad(node, wrt);
    wrt.forEach((leaf, i) => {
      formulas.push(
        formulaOf(`∂${name}/∂${leaf.attrs.name}`, partials[i], `∂${what}/∂${leaf.attrs.name}`),
      );
    });
  }
  return formulas;
}

function formulaOf(name: string, node: Node, what: string): Formula {
  const expr = simplify(expressionOf(node, what));
  return { name, node, expr, text: render(expr) };
}

/** The same node, or the same name and the same formula (the user fetched what we derived). */
function sameFormula(a: Formula, b: Formula): boolean {
  return a.node === b.node || (a.name === b.name && a.text === b.text);
}

function isDerivative(program: Program, node: Node): boolean {
  const role = program.graph.origin(node).role;
  return role === "adjoint" || role === "tangent";
}

/** The scalar leaves `node` depends on, in declaration order. */
function leavesOf(node: Node, leaves: readonly Leaf[]): Leaf[] {
  const reached = reachable([node]);
  return leaves.filter((leaf) => reached.has(leaf.id));
}

/** `df_dx` -> `∂f/∂x` and `d2f_dxdy` -> `∂²f/∂x∂y` when x and y are leaves; other names as they are. */
export function derivativeName(name: string, leafNames: readonly string[]): string {
  const second = /^d2(.+)_d(.+)$/.exec(name);
  if (second !== null) {
    for (const a of leafNames) {
      const b = second[2].startsWith(`${a}d`) ? second[2].slice(a.length + 1) : undefined;
      if (b === undefined || !leafNames.includes(b)) continue;
      return a === b ? `∂²${second[1]}/∂${a}²` : `∂²${second[1]}/∂${a}∂${b}`;
    }
  }
  const first = /^d(.+)_d(.+)$/.exec(name);
  if (first !== null && leafNames.includes(first[2])) return `∂${first[1]}/∂${first[2]}`;
  return name;
}

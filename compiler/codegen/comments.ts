// Comments over generated code: which value each statement computes, by which op, from which of
// the user's DSL lines (and as which derivative).
import path from "node:path";
import type { Node } from "../ir/node.ts";
import { literal } from "../ops/arithmetic.ts";
import { isSplatConst, type Plan } from "../lower/plan.ts";

/** A comment line this long or longer goes on over a next line. */
const commentWidth = 92;

// one basename per file, not per node
const fileNames = new Map<string, string>();

/** "file:line" of the user's DSL line for `node`, with its role ("adjoint, file:line"); "" if none. */
export function provenance(plan: Plan, node: Node): string {
  const { loc, role } = plan.program.graph.origin(node);
  let file = loc === undefined ? "" : fileNames.get(loc.file);
  if (loc !== undefined && file === undefined) {
    file = safeComment(path.basename(loc.file));
    fileNames.set(loc.file, file);
  }
  const place = loc === undefined ? "" : `${file}:${loc.line}`;
  if (role === "adjoint") return place === "" ? "adjoint" : `adjoint, ${place}`;
  if (role === "tangent") return place === "" ? "tangent" : `tangent, ${place}`;
  return place;
}

/** `// t7 = mul(x, w)  (model.graph.ts:12)`: one op, its operands and its line. */
export function comment(plan: Plan, node: Node): string {
  const where = provenance(plan, node);
  const args = node.inputs.map((input) =>
    isSplatConst(input) && !plan.views.has(input.id)
      ? literal(input.attrs.values[0])
      : (plan.names.get(input.id) ?? `%${input.id}`),
  );
  const name = plan.names.get(node.id) ?? `%${node.id}`;
  return `// ${name} = ${node.op}(${args.join(", ")})${where === "" ? "" : `  (${where})`}`;
}

/**
 * The comments over a loop that computes several values: one line per DSL line they come from,
 * naming each value and its op (`// t80 = mul, t83 = sub  (adjoint, model.graph.ts:27)`), in the
 * order the loop computes them. The statements in the loop show the operands, so a fused loop of
 * twenty ops reads as its handful of source lines, not as twenty more lines.
 */
export function groupComments(plan: Plan, members: readonly Node[]): string[] {
  if (members.length <= 1) return members.map((member) => comment(plan, member));
  const byPlace = new Map<string, string[]>();
  for (const member of members) {
    const where = provenance(plan, member);
    const named = `${plan.names.get(member.id) ?? `%${member.id}`} = ${member.op}`;
    byPlace.set(where, [...(byPlace.get(where) ?? []), named]);
  }
  return [...byPlace].flatMap(([where, named]) =>
    wrapped(named, where === "" ? "" : `  (${where})`),
  );
}

/** `items` joined by commas in comment lines of at most commentWidth, `suffix` on the last. */
function wrapped(items: readonly string[], suffix: string): string[] {
  const lines: string[] = [];
  let line = "//";
  for (const item of items) {
    const next = `${line}${line === "//" ? " " : ", "}${item}`;
    if (line !== "//" && next.length + suffix.length > commentWidth) {
      lines.push(`${line},`);
      line = `// ${item}`;
    } else line = next;
  }
  return [...lines, `${line}${suffix}`];
}

/** Text that may sit in a line comment: no line breaks, nothing that could end it. */
export function safeComment(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, " ");
}

// How generated code refers to a value: a scalar local, a literal, or an element of an arena view.
import type { Node } from "../ir/node.ts";
import { isScalarNode, isSplatConst, type Plan } from "../lower/plan.ts";
import { literal } from "../ops/arithmetic.ts";

/** How generated code refers to a value: a local, a literal, or an arena view. */
export class References {
  constructor(
    private readonly plan: Plan,
    /** The arena's element type: in a float32 arena every real value is a float32 too. */
    private readonly arenaType: "f64" | "f32" = "f64",
  ) {}

  scalar(node: Node): string {
    if (node.op === "const") return this.constant(node, node.attrs.values[0]);
    return this.local(node);
  }

  local(node: Node): string {
    return this.plan.names.get(node.id)!;
  }

  hasView(node: Node): boolean {
    return this.plan.views.has(node.id);
  }

  view(node: Node): string {
    const view = this.plan.views.get(node.id);
    if (view === undefined) throw new Error(`codegen: %${node.id} (${node.op}) has no arena view`);
    return view.name;
  }

  /** Element `index` of a tensor, or the scalar itself when it is broadcast. */
  element(node: Node, index: string): string {
    if (isScalarNode(node)) return this.scalar(node);
    if (isSplatConst(node) && !this.plan.views.has(node.id))
      return this.constant(node, node.attrs.values[0]);
    return `${this.view(node)}[${index}]`;
  }

  /** Whether `node`'s values are float32 numbers, rounded wherever they are defined outside the arena. */
  rounds(node: Node): boolean {
    return this.arenaType === "f32" && (node.dtype === "f32" || node.dtype === "f64");
  }

  /** `expr`, the value of `node`, rounded to float32 in a float32 arena (the arena rounds its stores). */
  rounded(node: Node, expr: string): string {
    return this.rounds(node) ? `Math.fround(${expr})` : expr;
  }

  /** A literal as the arena would hold it: a float32 constant is the float32 nearest its value. */
  private constant(node: Node, value: number): string {
    return literal(this.rounds(node) ? Math.fround(value) : value);
  }
}

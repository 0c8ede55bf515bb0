// How generated code refers to a value: a scalar local, a literal, or an element of an arena view.
import type { Node } from "../ir/node.ts";
import { isScalarNode, isSplatConst, type Plan } from "../lower/plan.ts";
import { literal } from "../ops/arithmetic.ts";

/** How generated code refers to a value: a local, a literal, or an arena view. */
export class References {
  constructor(private readonly plan: Plan) {}

  scalar(node: Node): string {
    if (node.op === "const") return literal(node.attrs.values[0]);
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
    if (isSplatConst(node) && !this.plan.views.has(node.id)) return literal(node.attrs.values[0]);
    return `${this.view(node)}[${index}]`;
  }
}

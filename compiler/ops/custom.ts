// A subgraph with a user-given derivative rule (custom_vjp): the value is input 0, unchanged.
// Inputs are [forwardOutput, ...primals]; reverse mode asks the rule for the primals' adjoints and
// sends nothing into the forward subgraph, so its internals are never differentiated.
import type { OpBuilder } from "./builder.ts";
import { AdjointError } from "../errors.ts";
import type { Node } from "../ir/node.ts";
import { formatShape, sameShape } from "../ir/shape.ts";
import type { OpDef } from "./def.ts";
import { inRuleFor } from "./rule-scope.ts";
import { firstInputSparsity } from "./sparsity.ts";
import { wholeZero } from "./strongzero.ts";

export interface CustomVjpContext<G extends OpBuilder = OpBuilder> {
  /** Builds the adjoints; use only ops that have rules, so higher orders work. */
  readonly g: G;
  /** The primal inputs, as given to customVjp. */
  readonly inputs: readonly Node[];
  /** The custom node itself: differentiating it again applies this rule again. */
  readonly output: Node;
  /** The adjoint of the output. */
  readonly output_bar: Node;
}

/** One adjoint per primal input (same shape as the input), or null where no gradient flows. */
export type CustomRule<G extends OpBuilder = OpBuilder> = (
  ctx: CustomVjpContext<G>,
) => readonly (Node | null)[];

export const custom: OpDef<"custom"> = {
  arity: "variadic",
  // primal inputs may be of any type (integer indices, say): only the forward output counts
  dtype: ([value]) => value,
  shape: ([value]) => value,
  eval: ([value]) => Float64Array.from(value.data),
  emit: {
    kind: "kernel",
    // the simplifier removes custom nodes before codegen; this copy is the honest fallback
    code: ({ out, args: [value], outShape }) =>
      outShape.length === 0 ? [`let ${out} = ${value};`] : [`${out}.set(${value});`],
  },
  // the rule is the user's: its partials are kept unless all of ȳ is 0
  zeroAdjoint: wholeZero,
  // x̄ᵢ = rule(x, y, ȳ)ᵢ for the primals; nothing flows into the forward subgraph
  vjp: ({ g, y, inputs: [, ...primals], attrs, y_bar }) => {
    // the IR holds rules untyped (it knows no op); customVjp registered this one
    const rule = g.graph.rule(attrs.rule) as CustomRule;
    const context = { g, inputs: primals, output: y, output_bar: y_bar };
    const adjoints = inRuleFor(g.graph, () => runRule(g, y, () => rule(context)));
    return [null, ...checkAdjoints(g, primals, adjoints)];
  },
  // forward mode follows the forward subgraph: ẏ = ẏ₀
  jvp: ({ dots: [value_dot] }) => value_dot,
  // y = y₀
  sparsity: firstInputSparsity,
};

/** Runs the user's rule; a JavaScript error inside it is reported at the customVjp call. */
function runRule<T>(g: OpBuilder, y: Node, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof AdjointError || !(error instanceof Error)) throw error;
    throw new AdjointError(
      `customVjp: the rule threw ${error.name}: ${error.message} ` +
        `(it gets one argument, { g, inputs, output, output_bar }, and returns one adjoint or null per input)`,
      g.graph.origin(y).loc,
    );
  }
}

/** The rule's answer, checked: one node or null per primal input, each of its input's shape. */
function checkAdjoints(g: OpBuilder, primals: readonly Node[], adjoints: unknown): (Node | null)[] {
  if (!Array.isArray(adjoints) || adjoints.length !== primals.length) {
    const count = Array.isArray(adjoints) ? `${adjoints.length} adjoints` : "no array";
    g.fail("customVjp", `the rule returned ${count} for ${primals.length} inputs`);
  }
  return primals.map((primal, k) => {
    const adjoint = adjoints[k] as unknown;
    if (adjoint === null) return null;
    const node = adjoint as Node;
    if (typeof adjoint !== "object" || !("op" in node) || !g.graph.has(node)) {
      g.fail("customVjp", `adjoint ${k + 1} from the rule is not a node of this program`);
    }
    if (!sameShape(node.shape, primal.shape)) {
      g.fail(
        "customVjp",
        `adjoint ${k + 1} from the rule has shape ${formatShape(node.shape)}, its input has ${formatShape(primal.shape)}`,
      );
    }
    return node;
  });
}

// The differentiation surface of the DSL: grad, vjp, jvp and the transforms composed from them
// (hvp, hessian, jacobian), and custom derivative rules. Arguments are checked here, with the
// user's line; the transforms themselves live in compiler/autodiff, which implements `Transforms`
// and is handed in by the layer above both (compiler/program.ts), so the DSL never imports it.
import type { Graph, Origin } from "../ir/graph.ts";
import type { Node } from "../ir/node.ts";
import { formatShape, sameShape } from "../ir/shape.ts";
import {
  isNodeLeaf,
  isNodeValue,
  leavesOf,
  mapLeaves,
  type MapNodes,
  type NodeRecord,
  type NodeTree,
} from "../ir/tree.ts";
import type { CustomRule } from "../ops/custom.ts";
import { describeValue } from "./arguments.ts";
import { buildCond } from "./cond.ts";
import { buildWhile, type WhileOptions } from "./while.ts";
import { buildScan, type AsNodes, type ScanBody, type ScanOptions } from "./loops.ts";
import { Ops, type BuildRule } from "./ops.ts";

export type JacobianMode = "forward" | "reverse";

/** The transforms over a builder's graph, on arguments already checked; autodiff implements them. */
export interface Transforms {
  vjp(g: Ops, outputs: readonly Node[], cotangents: readonly Node[], wrt: readonly Node[]): Node[];
  jvp(g: Ops, outputs: readonly Node[], wrt: readonly Node[], tangents: readonly Node[]): Node[];
  hvp(g: Ops, f: Node, xs: readonly Node[], vs: readonly Node[]): Node[];
  hessian(g: Ops, f: Node, xs: readonly Node[]): Node[][];
  jacobian(g: Ops, y: Node, x: Node, mode?: JacobianMode): Node;
}

/** What a transform builder is handed from above: the build-time rewrites and the transforms. */
export interface BuilderKit {
  readonly buildRules: readonly BuildRule[];
  readonly transforms: Transforms;
}

/** A derivative rule for customVjp: its `g` is the builder that differentiates (the DSL's). */
export type DslCustomRule = CustomRule<Ops>;

export class TransformBuilder extends Ops {
  private readonly transforms: Transforms;

  constructor(graph: Graph, kit: BuilderKit, defaultOrigin?: () => Origin) {
    super(graph, kit.buildRules, defaultOrigin);
    this.transforms = kit.transforms;
  }

  /**
   * Gradient of the scalar `y` with respect to each of `wrt`, appended to this graph: a node, a
   * list, or a nested record of nodes (the gradient has the same nesting).
   */
  grad(y: Node, wrt: Node): Node;
  grad(y: Node, wrt: readonly Node[]): Node[];
  grad<T extends NodeRecord>(y: Node, wrt: T): MapNodes<T>;
  grad(y: Node, wrt: NodeTree): unknown {
    const list = this.treeNodes("grad", wrt);
    this.scalarOutput("grad", y, "use g.vjp with a cotangent");
    return this.likeTree(wrt, this.transforms.vjp(this, [y], [this.constant(1)], list));
  }

  /** Vector-Jacobian product: adjoints of `wrt` for outputs weighted by `cotangents`. */
  vjp(outputs: readonly Node[], cotangents: readonly Node[], wrt: readonly Node[]): Node[] {
    const [ys, bars] = [this.nodeList("vjp", outputs), this.nodeList("vjp", cotangents)];
    this.pairShapes("vjp", ys, bars, "cotangent");
    return this.transforms.vjp(this, ys, bars, this.nodeList("vjp", wrt));
  }

  /** Jacobian-vector product: tangents of `outputs` when `wrt` move along `tangents`. */
  jvp(outputs: readonly Node[], wrt: readonly Node[], tangents: readonly Node[]): Node[] {
    const [xs, dots] = [this.nodeList("jvp", wrt), this.nodeList("jvp", tangents)];
    this.pairShapes("jvp", xs, dots, "tangent");
    return this.transforms.jvp(this, this.nodeList("jvp", outputs), xs, dots);
  }

  /**
   * Hessian-vector product H·v of the scalar `f` by forward over reverse (the tangent of ∇f along
   * v): x and v are nodes, lists or records of the same nesting and shapes.
   */
  hvp<T extends NodeTree>(f: Node, x: T, v: NodeTree): MapNodes<T> {
    const xs = this.treeNodes("hvp", x);
    const vs = this.treeNodes("hvp", v);
    this.scalarOutput("hvp", f, "the Hessian is defined for a scalar function");
    const paths = (tree: NodeTree) => leavesOf(tree, isNodeLeaf).map(([path]) => path.join("."));
    if (paths(x).join() !== paths(v).join()) this.fail("hvp", `x and v must have the same nesting`);
    this.pairShapes("hvp", xs, vs, "direction");
    return this.likeTree(x, this.transforms.hvp(this, f, xs, vs)) as MapNodes<T>;
  }

  /**
   * Dense Hessian of the scalar `f`, shape [...x.shape, ...x.shape]: one hvp per color of its
   * structural sparsity pattern (3 for a tridiagonal Hessian), at most one per element of x.
   * For a list of nodes, the blocks: [i][j] of shape [...xs[i].shape, ...xs[j].shape].
   */
  hessian(f: Node, x: Node): Node;
  hessian(f: Node, xs: readonly Node[]): Node[][];
  hessian(f: Node, x: Node | readonly Node[]): Node | Node[][] {
    const xs = this.nodeList("hessian", x);
    this.scalarOutput("hessian", f, "the Hessian is defined for a scalar function");
    const blocks = this.transforms.hessian(this, f, xs);
    return Array.isArray(x) ? blocks : blocks[0][0];
  }

  /**
   * Jacobian ∂y/∂x, shape [...y.shape, ...x.shape]: by forward mode (a jvp per element of x) when x
   * has fewer elements than y, by reverse mode (a vjp per element of y) otherwise, unless `mode`.
   * Except in reverse mode, a sparse Jacobian takes one jvp per color of its structural pattern
   * when that is fewer.
   */
  jacobian(y: Node, x: Node, options: { readonly mode?: JacobianMode } = {}): Node {
    const [output, input] = this.nodeList("jacobian", [y, x]);
    if (typeof options !== "object" || options === null) {
      this.fail("jacobian", `options must be a record { mode }, got ${describeValue(options)}`);
    }
    const { mode } = options;
    if (mode !== undefined && mode !== "forward" && mode !== "reverse") {
      this.fail("jacobian", `mode must be "forward" or "reverse", got ${String(mode)}`);
    }
    return this.transforms.jacobian(this, output, input, mode);
  }

  /**
   * `forward(...inputs)`, differentiated in reverse mode by `rule` instead of through its ops
   * (custom_vjp): a stable or cheaper gradient. The rule gets the inputs, the output and its
   * adjoint, and returns one adjoint (or null) per input; built from differentiable ops, it
   * differentiates again for higher orders. Forward mode follows `forward` itself.
   */
  customVjp(
    inputs: readonly Node[],
    forward: (...inputs: Node[]) => Node,
    rule: DslCustomRule,
  ): Node {
    // inside a loop body or a branch, an outer input is captured like any operand
    const lifted = Array.isArray(inputs)
      ? inputs.map((input) => (isNodeValue(input) ? this.local(input, "customVjp") : input))
      : inputs;
    const primals = this.nodeList("customVjp", lifted);
    if (typeof forward !== "function" || typeof rule !== "function") {
      this.fail("customVjp", `expects (inputs, forward, rule) with two functions`);
    }
    if (rule.length > 1) {
      this.fail(
        "customVjp",
        `the rule takes one argument, { g, inputs, output, output_bar }, ` +
          `not ${rule.length} positional ones: write ({ g, inputs: [x], output_bar }) => [...]`,
      );
    }
    const [value] = this.nodeList("customVjp forward result", [forward(...primals)]);
    return this.node("custom", [value, ...primals], { rule: this.graph.addRule(rule) });
  }

  /**
   * A loop: `body(carry, x)` returns [newCarry, y] for each step, x the step's slices of `xs`
   * (a node, list or record of nodes with a common leading axis) or undefined without them. Returns
   * [final carry, the y of every step stacked on a new leading axis]. Carries and outputs are
   * nodes or nested records and lists of them; nodes from outside may be used in the body.
   */
  scan<C, X, Y>(
    body: ScanBody<C, X, Y>,
    init: C,
    xs?: X,
    options?: ScanOptions,
  ): [AsNodes<C>, AsNodes<Y>] {
    return buildScan(this, body, init, xs, options);
  }

  /**
   * `whenTrue()` where the bool scalar `predicate` holds, else `whenFalse()`: only the taken branch
   * runs, in the value and in every derivative (the other branch's gradient is an exact zero).
   * Both return the same nesting of nodes of the same shapes; outer nodes may be used in them.
   */
  cond<T, F>(predicate: Node, whenTrue: () => T, whenFalse: () => F): AsNodes<T> {
    return buildCond(this, predicate, whenTrue, whenFalse as unknown as () => T);
  }

  /**
   * `body` applied while `condition` holds, at most `maxIterations` times: returns the carry and
   * the number of steps taken (an i32, a constant to derivatives). Only the steps needed run, in
   * the value and in every derivative; the tape holds maxIterations carries, planned at compile
   * time. At the bound the loop stops, or with `onMaxIterations: "error"` the call fails.
   */
  whileLoop<C>(
    condition: (carry: AsNodes<C>) => Node,
    body: (carry: AsNodes<C>) => C,
    init: C,
    options: WhileOptions,
  ): { value: AsNodes<C>; iterations: Node } {
    return buildWhile(this, condition, body, init, options);
  }

  /** Fails unless `y` is a scalar node of this program. */
  protected scalarOutput(op: string, y: Node, hint: string): void {
    this.nodeList(op, [y]);
    if (y.shape.length !== 0) {
      this.fail(
        op,
        `output %${y.id} has shape ${formatShape(y.shape)}; ${op} needs a scalar (${hint})`,
      );
    }
  }

  /** The nodes of a node, list or nested record, in order; each must belong to this program. */
  protected treeNodes(op: string, tree: NodeTree): Node[] {
    const leaves = leavesOf(tree, isNodeLeaf);
    // a node or a list keeps nodeList's positional messages; a record names the member's path
    if (isNodeLeaf(tree) || Array.isArray(tree)) {
      const nodes = leaves.map(([, node]) => node as Node);
      return this.nodeList(op, nodes);
    }
    return leaves.map(([path, node]) => {
      if (!isNodeValue(node) || !this.graph.has(node)) {
        this.fail(op, `"${path.join(".")}" is not a node of this program`);
      }
      return node as Node;
    });
  }

  /** `nodes` in the nesting of `tree` (one per node of the tree, in order). */
  protected likeTree(tree: NodeTree, nodes: readonly Node[]): unknown {
    let next = 0;
    return mapLeaves(tree, isNodeLeaf, () => nodes[next++]);
  }

  protected nodeList(op: string, value: Node | readonly Node[]): Node[] {
    const list = Array.isArray(value) ? [...(value as readonly Node[])] : [value as Node];
    list.forEach((node, i) => {
      if (typeof node !== "object" || node === null || !("op" in node) || !this.graph.has(node)) {
        this.fail(op, `argument ${i + 1} is not a node of this program`);
      }
    });
    return list;
  }

  protected pairShapes(
    op: string,
    primals: readonly Node[],
    partners: readonly Node[],
    what: string,
  ): void {
    if (primals.length !== partners.length) {
      this.fail(op, `${primals.length} values but ${partners.length} ${what}s`);
    }
    primals.forEach((primal, i) => {
      if (!sameShape(primal.shape, partners[i].shape)) {
        this.fail(
          op,
          `${what} ${i + 1} has shape ${formatShape(partners[i].shape)}, its value has ${formatShape(primal.shape)}`,
        );
      }
    });
  }
}

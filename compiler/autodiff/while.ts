// The derivatives of a bounded while are whiles. Reverse mode: a while over the steps that ran,
// from count − 1 down to 0, whose body reads that step's carry from the tape, replays the step
// and applies the vjp of the body to it. Forward mode: a while with the same condition whose body
// is the step plus its jvp, carrying tangents beside the carries. Both are ordinary while nodes of
// ordinary ops, so every higher order needs nothing more.
import { scanPart } from "../dsl/loops.ts";
import type { Ops } from "../dsl/ops.ts";
import type { Node, NodeOf, WhileAttrs } from "../ir/node.ts";
import { inlineRegion } from "../ir/region.ts";
import { sizeOf } from "../ir/shape.ts";
import { whileLayout } from "../ops/while.ts";

type While = NodeOf<"while">;
type Vjp = (
  g: Ops,
  outputs: readonly Node[],
  cotangents: readonly Node[],
  wrt: readonly Node[],
) => Node[];
type Jvp = (
  g: Ops,
  outputs: readonly Node[],
  wrt: readonly Node[],
  tangents: readonly Node[],
) => Node[];

/** The loop's inputs by role. */
function roles(y: While) {
  const { carries, split } = y.attrs;
  return {
    inits: y.inputs.slice(0, carries),
    tested: y.inputs.slice(carries, carries + split),
    captured: y.inputs.slice(carries + split),
  };
}

/** The parts of a while's flat value (or of its adjoint) as nodes. */
export function whileParts(g: Ops, node: Node, attrs: WhileAttrs) {
  const layout = whileLayout(attrs);
  const part = (placed: (typeof layout.finals)[number]) => scanPart(g, node, placed);
  return {
    finals: layout.finals.map(part),
    count: part(layout.count),
    tape: layout.tape.map(part),
  };
}

const specs = (nodes: readonly Node[], name: string) =>
  nodes.map((node, k) => ({ name: `${name}${k}`, shape: node.shape, dtype: node.dtype }));

/**
 * Adjoints of a while's inputs: a while over the steps that ran, last first. Its carries are the
 * step index t (from count − 1 down), the carries' adjoints and the captured values' running sums:
 * carry_bar ← vjp(step at tape[t])(carry_bar) (+ the adjoint of tape[t] itself), captured_bar +=.
 * The condition's captured values get no gradient (a bool decides only how many steps run).
 */
export function whileVjp(g: Ops, y: While, y_bar: Node, vjp: Vjp): (Node | null)[] {
  const { attrs } = y;
  const { inits, tested, captured } = roles(y);
  const float = (node: Node) => node.dtype === g.graph.dtype;
  const realCaps = captured.filter(float);
  // the saved carries: this loop's tape, or a twin's that keeps one (a loop the optimizer trimmed)
  const tapedAttrs = { ...attrs, tape: true };
  const taped = attrs.tape ? y : g.whileNode(y.inputs, tapedAttrs);
  const value = whileParts(g, taped, tapedAttrs);
  const bar = whileParts(g, y_bar, attrs);
  const nc = inits.length;
  const tapeRead = whileLayout(attrs).tape.map(
    (part) => !isZeroRange(y_bar, part.offset, part.offset + sizeOf(part.shape)),
  );
  const state = [
    { name: "t", shape: [], dtype: g.graph.dtype },
    ...specs(inits, "carry_bar"),
    ...specs(realCaps, "captured_bar"),
  ];
  const test = g.region(state, ([t]) => [g.ge(t, 0)]);
  const sweep = g.region(state, ([t, ...bars]) => {
    const [carryBar, capturedBar] = [bars.slice(0, nc), bars.slice(nc)];
    // the index is a whole number and no derivative goes through it
    const at = g.cast(g.stopGradient(t), "i32");
    const carry = value.tape.map((tape) => g.gather(g.local(tape), at));
    const caps = captured.map((node) => g.local(node));
    const step = inlineRegion(g.graph, attrs.body, [...carry, ...caps]);
    const grads = vjp(g, step, carryBar, [...carry, ...caps.filter(float)]);
    return [
      g.stopGradient(g.sub(t, 1)),
      // a carry read from the tape gets that adjoint too (where anything reads the tape)
      ...grads
        .slice(0, nc)
        .map((grad, k) => (tapeRead[k] ? g.add(grad, g.gather(g.local(bar.tape[k]), at)) : grad)),
      ...capturedBar.map((sum, j) => g.add(sum, grads[nc + j])),
    ];
  });
  const backward: WhileAttrs = {
    condition: test.region,
    body: sweep.region,
    carries: 1 + nc + realCaps.length,
    split: test.captured.length,
    maxIterations: attrs.maxIterations,
    // it runs as many steps as the forward loop did: never more than the bound
    onMaxIterations: "stop",
    site: attrs.site,
    tape: true,
  };
  const last = g.sub(g.stopGradient(value.count), 1);
  const zeros = realCaps.map((node) => g.constant(0, node.shape));
  const swept = g.whileNode(
    [last, ...bar.finals, ...zeros, ...test.captured, ...sweep.captured],
    backward,
  );
  const { finals } = whileParts(g, swept, backward);
  let nextCap = 0;
  return [
    ...finals.slice(1, 1 + nc),
    ...tested.map(() => null),
    ...captured.map((node) => (float(node) ? finals[1 + nc + nextCap++] : null)),
  ];
}

/** The tangent of a while's flat value: a while carrying tangents beside the carries. */
export function whileJvp(g: Ops, y: While, dots: readonly (Node | null)[], jvp: Jvp): Node {
  const { attrs } = y;
  const { inits, tested, captured } = roles(y);
  const nc = inits.length;
  const capDots = dots.slice(nc + tested.length);
  const state = [...specs(inits, "carry"), ...specs(inits, "carry_dot")];
  const test = g.region(state, (a) =>
    inlineRegion(g.graph, attrs.condition, [
      ...a.slice(0, nc),
      ...tested.map((node) => g.local(node)),
    ]),
  );
  const step = g.region(state, (a) => {
    const [carry, carryDot] = [a.slice(0, nc), a.slice(nc)];
    const caps = captured.map((node) => g.local(node));
    const next = inlineRegion(g.graph, attrs.body, [...carry, ...caps]);
    const moving = caps.flatMap((cap, j) => {
      const dot = capDots[j];
      return dot === null ? [] : [[cap, g.local(dot)] as const];
    });
    const nextDots = jvp(
      g,
      next,
      [...carry, ...moving.map(([cap]) => cap)],
      [...carryDot, ...moving.map(([, dot]) => dot)],
    );
    return [...next, ...nextDots];
  });
  const forward: WhileAttrs = {
    ...attrs,
    condition: test.region,
    body: step.region,
    carries: 2 * nc,
    split: test.captured.length,
  };
  const initDots = inits.map((init, k) => dots[k] ?? g.constant(0, init.shape));
  const swept = g.whileNode([...inits, ...initDots, ...test.captured, ...step.captured], forward);
  const parts = whileParts(g, swept, forward);
  // the flat tangent in the primal's layout: final carries, the count's (zero), the tape
  const flat = [
    ...parts.finals.slice(nc),
    g.constant(0, []),
    ...(attrs.tape ? parts.tape.slice(nc) : []),
  ].map((part) => g.reshape(part, [-1]));
  return g.concat(flat, 0);
}

/**
 * Whether elements [begin, end) of a flat adjoint are structurally zero: a zero constant, or
 * outside what every term of a sum pads in (the adjoints of slices of the other parts).
 */
function isZeroRange(bar: Node, begin: number, end: number): boolean {
  if (bar.op === "const") return bar.attrs.values.every((value) => value === 0);
  if (bar.op === "add") return bar.inputs.every((term) => isZeroRange(term, begin, end));
  if (bar.op === "pad" && bar.shape.length === 1) {
    const from = bar.attrs.before[0];
    const to = from + bar.inputs[0].shape[0];
    return end <= from || begin >= to || isZeroRange(bar.inputs[0], begin - from, end - from);
  }
  return false;
}

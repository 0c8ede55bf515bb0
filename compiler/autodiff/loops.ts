// The derivatives of a loop are loops. Reverse mode: a scan the other way over the saved carries,
// whose body replays the step and applies the vjp of the body to it. Forward mode: a scan whose
// body is the step plus its jvp, carrying tangents beside the carries. Both build ordinary scans
// of ordinary ops, so every higher order (grad of grad, hvp, hessian) needs nothing more.
import { scanParts } from "../dsl/loops.ts";
import type { Ops } from "../dsl/ops.ts";
import type { Node, NodeOf, ScanAttrs } from "../ir/node.ts";
import { inlineRegion } from "../ir/region.ts";
import {
  checkpointedSweep,
  specs,
  type Bars,
  type Sweep,
  type SweepBack,
  type Swept,
  type Vjp,
} from "./checkpoint.ts";

/** The transforms the bodies are differentiated by (handed in: they call these rules back). */
type Jvp = (
  g: Ops,
  outputs: readonly Node[],
  wrt: readonly Node[],
  tangents: readonly Node[],
) => Node[];

type Scan = NodeOf<"scan">;

/** The loop's inputs by role. */
function roles(y: Scan) {
  const { carries, sequences } = y.attrs;
  return {
    inits: y.inputs.slice(0, carries),
    sequences: y.inputs.slice(carries, carries + sequences),
    captured: y.inputs.slice(carries + sequences),
  };
}

/** Adjoints of a scan's inputs from the adjoint of its flat value: a scan in the other direction. */
export function scanVjp(g: Ops, y: Scan, y_bar: Node, vjp: Vjp): (Node | null)[] {
  const { attrs } = y;
  const { inits, sequences, captured } = roles(y);
  const float = (node: Node) => node.dtype === g.graph.dtype;
  // the saved carries: this loop's tape, or a twin's that keeps one (a loop the optimizer trimmed)
  const tapedAttrs: ScanAttrs = { ...attrs, tape: true };
  const taped = attrs.tape ? y : g.scanNode(y.inputs, tapedAttrs);
  const bar = scanParts(g, y_bar, attrs);
  const swept = sweepBack(
    g,
    { attrs: tapedAttrs, inits, sequences, captured, tape: scanParts(g, taped, tapedAttrs).tape },
    {
      finals: bar.finals,
      stacked: bar.stacked,
      tape: bar.tape,
      // the captured values' adjoints are sums over the steps, from 0
      captured: captured.filter(float).map((node) => g.constant(0, node.shape)),
    },
    vjp,
  );
  let nextSeq = 0;
  let nextCap = 0;
  return [
    ...swept.inits,
    ...sequences.map((node) => (float(node) ? swept.sequences[nextSeq++] : null)),
    ...captured.map((node) => (float(node) ? swept.captured[nextCap++] : null)),
  ];
}

/** The reverse sweep of a loop: over every taped carry, or by segments between checkpoints. */
const sweepBack: SweepBack = (g, loop, bars, vjp) =>
  loop.attrs.checkpoint === undefined
    ? storedSweep(g, loop, bars, vjp)
    : checkpointedSweep(g, loop, bars, vjp, sweepBack);

/** The reverse sweep over a tape of every carry: one backward step per forward step. */
function storedSweep(g: Ops, loop: Sweep, bars: Bars, vjp: Vjp): Swept {
  const { attrs, inits, sequences, captured } = loop;
  const float = (node: Node) => node.dtype === g.graph.dtype;
  const realSeqs = sequences.filter(float);
  const realCaps = captured.filter(float);
  const tapeBars = bars.tape.length;
  const nc = inits.length;
  const ny = bars.stacked.length;
  const args = [
    ...specs(inits, "carry_bar"),
    ...specs(realCaps, "captured_bar"),
    ...specs(loop.tape, "carry", true),
    ...specs(sequences, "x", true),
    ...specs(bars.stacked, "y_bar", true),
    ...specs(bars.tape, "tape_bar", true),
  ];
  const { region, captured: outer } = g.region(args, (a) => {
    let at = 0;
    const take = (n: number) => a.slice(at, (at += n));
    const [carryBar, capturedBar, carry, xs, ysBar, tapeBar] = [
      take(nc),
      take(realCaps.length),
      take(nc),
      take(sequences.length),
      take(ny),
      take(tapeBars),
    ];
    const caps = captured.map((node) => g.local(node));
    const step = inlineRegion(g.graph, attrs.body, [...carry, ...xs, ...caps]);
    const wrt = [...carry, ...xs.filter((_, k) => float(sequences[k])), ...caps.filter(float)];
    const grads = vjp(g, step, [...carryBar, ...ysBar], wrt);
    const carryGrads = grads.slice(0, nc);
    const xGrads = grads.slice(nc, nc + realSeqs.length);
    const capGrads = grads.slice(nc + realSeqs.length);
    return [
      // a carry read from the tape gets that adjoint too
      ...carryGrads.map((grad, k) => (k < tapeBars ? g.add(grad, tapeBar[k]) : grad)),
      ...capturedBar.map((sum, j) => g.add(sum, capGrads[j])),
      ...xGrads,
    ];
  });
  const backward: ScanAttrs = {
    body: region,
    carries: nc + realCaps.length,
    sequences: nc + sequences.length + ny + tapeBars,
    length: attrs.length,
    reverse: !attrs.reverse,
    tape: true,
  };
  const swept = g.scanNode(
    [
      ...bars.finals,
      ...bars.captured,
      ...loop.tape,
      ...sequences,
      ...bars.stacked,
      ...bars.tape,
      ...outer,
    ],
    backward,
  );
  const result = scanParts(g, swept, backward);
  return {
    inits: result.finals.slice(0, nc),
    captured: result.finals.slice(nc),
    sequences: result.stacked,
  };
}

/** The tangent of a scan's flat value: a scan carrying tangents beside the carries. */
export function scanJvp(g: Ops, y: Scan, dots: readonly (Node | null)[], jvp: Jvp): Node {
  const { attrs } = y;
  const { inits, sequences, captured } = roles(y);
  const nc = inits.length;
  const seqDots = dots.slice(nc, nc + sequences.length);
  const capDots = dots.slice(nc + sequences.length);
  const moving = sequences.filter((_, k) => seqDots[k] !== null);
  const args = [
    ...specs(inits, "carry"),
    ...specs(inits, "carry_dot"),
    ...specs(sequences, "x", true),
    ...specs(moving, "x_dot", true),
  ];
  const { region, captured: outer } = g.region(args, (a) => {
    let at = 0;
    const take = (n: number) => a.slice(at, (at += n));
    const [carry, carryDot, xs, xDots] = [
      take(nc),
      take(nc),
      take(sequences.length),
      take(moving.length),
    ];
    const caps = captured.map((node) => g.local(node));
    const step = inlineRegion(g.graph, attrs.body, [...carry, ...xs, ...caps]);
    const wrt = [
      ...carry,
      ...xs.filter((_, k) => seqDots[k] !== null),
      ...caps.filter((_, j) => capDots[j] !== null),
    ];
    const tangents = [
      ...carryDot,
      ...xDots,
      ...capDots.filter((dot): dot is Node => dot !== null).map((dot) => g.local(dot)),
    ];
    const stepDots = jvp(g, step, wrt, tangents);
    return [
      ...step.slice(0, nc),
      ...stepDots.slice(0, nc),
      ...step.slice(nc),
      ...stepDots.slice(nc),
    ];
  });
  const ny = attrs.body.results.length - nc;
  const forward: ScanAttrs = {
    body: region,
    carries: 2 * nc,
    sequences: sequences.length + moving.length,
    length: attrs.length,
    reverse: attrs.reverse,
    tape: true,
    // the tangent of a checkpoint is the tangent scan's checkpoint
    ...(attrs.checkpoint === undefined ? {} : { checkpoint: attrs.checkpoint }),
  };
  const initDots = inits.map((init, k) => dots[k] ?? g.constant(0, init.shape));
  const seqDotNodes = seqDots.filter((dot): dot is Node => dot !== null);
  const swept = g.scanNode(
    [...inits, ...initDots, ...sequences, ...seqDotNodes, ...outer],
    forward,
  );
  const parts = scanParts(g, swept, forward);
  // the flat tangent in the primal's layout: final carries, stacked outputs, tape
  const flat = [
    ...parts.finals.slice(nc),
    ...parts.stacked.slice(ny),
    ...(attrs.tape ? parts.tape.slice(nc) : []),
  ].map((part) => g.reshape(part, [-1]));
  return g.concat(flat, 0);
}

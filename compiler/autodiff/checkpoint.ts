// Reverse mode of a checkpointed loop. Its tape holds the carry entering every k-th step only; the
// reverse sweep takes the segments of k steps last to first, and for each one recomputes the
// segment's carries from its checkpoint by a scan of k steps (itself checkpointed by the strides
// after k, or taping every carry) and sweeps back over them. The captured values' adjoint sums run
// on through every segment, from the same zero and in the same order as the sweep over a full
// tape, and each step's backward body is the same: the gradient is bit for bit the same.
import { scanParts } from "../dsl/loops.ts";
import type { Ops } from "../dsl/ops.ts";
import type { Node, ScanAttrs } from "../ir/node.ts";
import type { Shape } from "../ir/shape.ts";

/** The transforms the bodies are differentiated by (handed in: they call these rules back). */
export type Vjp = (
  g: Ops,
  outputs: readonly Node[],
  cotangents: readonly Node[],
  wrt: readonly Node[],
) => Node[];

/** A loop's forward sweep as its reverse sweep reads it. */
export interface Sweep {
  /** The loop's attributes, with its tape. */
  readonly attrs: ScanAttrs;
  readonly inits: readonly Node[];
  readonly sequences: readonly Node[];
  readonly captured: readonly Node[];
  /** The taped carries, [slots, ...] each. */
  readonly tape: readonly Node[];
}

/** The adjoints flowing into a reverse sweep. */
export interface Bars {
  /** Of the carries after the last step. */
  readonly finals: readonly Node[];
  /** Of the per-step outputs, [length, ...] each. */
  readonly stacked: readonly Node[];
  /** Of the tape, [slots, ...] each (none when nothing reads it). */
  readonly tape: readonly Node[];
  /** The float captured values' adjoint sums so far, to add this loop's steps to. */
  readonly captured: readonly Node[];
}

/** What a reverse sweep gives: the adjoints of the initial carries, the captured values' sums, and
 * the float sequences' adjoints stacked. */
export interface Swept {
  readonly inits: readonly Node[];
  readonly captured: readonly Node[];
  readonly sequences: readonly Node[];
}

export type SweepBack = (g: Ops, loop: Sweep, bars: Bars, vjp: Vjp) => Swept;

export const specs = (nodes: readonly Node[], name: string, sliced = false) =>
  nodes.map((node, k) => ({
    name: `${name}${k}`,
    shape: sliced ? node.shape.slice(1) : node.shape,
    dtype: node.dtype,
  }));

/** The reverse sweep of a loop with checkpoint strides [k, ...rest] (`sweepBack` recurses). */
export function checkpointedSweep(
  g: Ops,
  loop: Sweep,
  bars: Bars,
  vjp: Vjp,
  sweepBack: SweepBack,
): Swept {
  const { attrs } = loop;
  const [k, ...rest] = attrs.checkpoint!;
  const steps = attrs.length;
  const whole = Math.floor(steps / k);
  const partial = steps % k;
  // indices and tape slots of the whole segments and of the shorter one (see tapeSlot): a loop
  // runs its shorter segment last, so it holds the highest indices, or the lowest in reverse
  const wholeRange = attrs.reverse ? [partial, steps] : [0, whole * k];
  const partialRange = attrs.reverse ? [0, partial] : [whole * k, steps];
  const firstWholeSlot = attrs.reverse && partial > 0 ? 1 : 0;
  const partialSlot = attrs.reverse ? 0 : whole;
  let carryBar = bars.finals;
  let capturedBar = bars.captured;
  let partialBars: readonly Node[] = [];
  // reverse mode takes the segments in the opposite order: the shorter one first
  if (partial > 0) {
    const [lo, hi] = partialRange;
    const swept = segmentSweep(
      g,
      loop,
      {
        steps: partial,
        carryBar,
        capturedBar,
        checkpoint: loop.tape.map((tape) => row(g, tape, partialSlot)),
        xs: loop.sequences.map((node) => rows(g, node, lo, hi)),
        ysBar: bars.stacked.map((node) => rows(g, node, lo, hi)),
        tapeBar: bars.tape.map((node) => row(g, node, partialSlot)),
        captured: loop.captured,
      },
      rest.filter((stride) => stride < partial),
      vjp,
      sweepBack,
    );
    [carryBar, capturedBar, partialBars] = [swept.inits, swept.captured, swept.sequences];
  }
  let wholeBars: readonly Node[] = [];
  if (whole > 0) {
    const [lo, hi] = wholeRange;
    const slots = [firstWholeSlot, firstWholeSlot + whole] as const;
    const segments = (node: Node) =>
      g.reshape(rows(g, node, lo, hi), [whole, k, ...node.shape.slice(1)]);
    const swept = wholeSegmentsSweep(
      g,
      loop,
      {
        steps: k,
        carryBar,
        capturedBar,
        checkpoint: loop.tape.map((tape) => rows(g, tape, ...slots)),
        xs: loop.sequences.map(segments),
        ysBar: bars.stacked.map(segments),
        tapeBar: bars.tape.map((node) => rows(g, node, ...slots)),
        captured: loop.captured,
      },
      { whole, strides: rest },
      vjp,
      sweepBack,
    );
    carryBar = swept.inits;
    capturedBar = swept.captured;
    wholeBars = swept.sequences.map((node) => g.reshape(node, [whole * k, ...node.shape.slice(2)]));
  }
  const ordered = (a: readonly Node[], b: readonly Node[]) =>
    a.length === 0 ? b : b.length === 0 ? a : a.map((node, j) => g.concat([node, b[j]], 0));
  return {
    inits: carryBar,
    captured: capturedBar,
    sequences: attrs.reverse ? ordered(partialBars, wholeBars) : ordered(wholeBars, partialBars),
  };
}

/** One segment's inputs to its reverse sweep. */
interface Segment {
  readonly steps: number;
  readonly carryBar: readonly Node[];
  readonly capturedBar: readonly Node[];
  /** The carries entering the segment's first step (from the tape). */
  readonly checkpoint: readonly Node[];
  /** The segment's slices of the sequences, and of the per-step outputs' adjoints. */
  readonly xs: readonly Node[];
  readonly ysBar: readonly Node[];
  /** The adjoint of the checkpoint as a tape entry (none when nothing reads the tape). */
  readonly tapeBar: readonly Node[];
  readonly captured: readonly Node[];
}

/** Recomputes a segment from its checkpoint, taped by `strides`, and sweeps back over it. */
function segmentSweep(
  g: Ops,
  loop: Sweep,
  segment: Segment,
  strides: readonly number[],
  vjp: Vjp,
  sweepBack: SweepBack,
): Swept {
  const recompute: ScanAttrs = {
    body: loop.attrs.body,
    carries: loop.attrs.carries,
    sequences: loop.attrs.sequences,
    length: segment.steps,
    reverse: loop.attrs.reverse,
    tape: true,
    ...(strides.length === 0 ? {} : { checkpoint: strides }),
  };
  const inner = g.scanNode([...segment.checkpoint, ...segment.xs, ...segment.captured], recompute);
  const tape = scanParts(g, inner, recompute).tape;
  const swept = sweepBack(
    g,
    {
      attrs: recompute,
      inits: segment.checkpoint,
      sequences: segment.xs,
      captured: segment.captured,
      tape,
    },
    {
      finals: segment.carryBar,
      stacked: segment.ysBar,
      // the recomputed tape's adjoint is zero: added as a full tape's is, so that each step adds
      // the same terms (x + 0 makes -0 into +0)
      tape: segment.tapeBar.length === 0 ? [] : tape.map((node) => zeros(g, node.shape)),
      captured: segment.capturedBar,
    },
    vjp,
  );
  return {
    ...swept,
    inits: swept.inits.map((bar, j) =>
      j < segment.tapeBar.length ? g.add(bar, segment.tapeBar[j]) : bar,
    ),
  };
}

/** A reverse scan over the whole segments, each recomputed and swept back in its body. */
function wholeSegmentsSweep(
  g: Ops,
  loop: Sweep,
  segments: Segment,
  { whole, strides }: { whole: number; strides: readonly number[] },
  vjp: Vjp,
  sweepBack: SweepBack,
): Swept {
  const float = (node: Node) => node.dtype === g.graph.dtype;
  const nc = segments.carryBar.length;
  const ncap = segments.capturedBar.length;
  const groups = [segments.checkpoint, segments.xs, segments.ysBar, segments.tapeBar];
  const args = [
    ...specs(segments.carryBar, "carry_bar"),
    ...specs(segments.capturedBar, "captured_bar"),
    ...specs(segments.checkpoint, "checkpoint", true),
    ...specs(segments.xs, "x", true),
    ...specs(segments.ysBar, "y_bar", true),
    ...specs(segments.tapeBar, "tape_bar", true),
  ];
  const { region, captured: outer } = g.region(args, (a) => {
    let at = 0;
    const take = (n: number) => a.slice(at, (at += n));
    const [carryBar, capturedBar, checkpoint, xs, ysBar, tapeBar] = [
      take(nc),
      take(ncap),
      ...groups.map((group) => take(group.length)),
    ];
    const swept = segmentSweep(
      g,
      loop,
      {
        steps: segments.steps,
        carryBar,
        capturedBar,
        checkpoint,
        xs,
        ysBar,
        tapeBar,
        captured: segments.captured.map((node) => g.local(node)),
      },
      strides,
      vjp,
      sweepBack,
    );
    return [...swept.inits, ...swept.captured, ...swept.sequences];
  });
  const backward: ScanAttrs = {
    body: region,
    carries: nc + ncap,
    sequences: groups.reduce((n, group) => n + group.length, 0),
    length: whole,
    reverse: !loop.attrs.reverse,
    tape: true,
  };
  const swept = g.scanNode(
    [...segments.carryBar, ...segments.capturedBar, ...groups.flat(), ...outer],
    backward,
  );
  const parts = scanParts(g, swept, backward);
  const realSeqs = segments.xs.filter(float).length;
  return {
    inits: parts.finals.slice(0, nc),
    captured: parts.finals.slice(nc),
    sequences: parts.stacked.slice(0, realSeqs),
  };
}

/** Rows [lo, hi) of a stacked value. */
function rows(g: Ops, node: Node, lo: number, hi: number): Node {
  const rest = node.shape.slice(1);
  return g.slice(node, [lo, ...rest.map(() => 0)], [hi, ...rest]);
}

/** Row `at` of a stacked value, without its leading axis. */
function row(g: Ops, node: Node, at: number): Node {
  return g.reshape(rows(g, node, at, at + 1), node.shape.slice(1));
}

function zeros(g: Ops, shape: Shape): Node {
  return g.constant(0, shape);
}

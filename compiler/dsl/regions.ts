// The bodies a builder is building, innermost last: while a body's callback runs, nodes go into its
// graph, and an operand from an enclosing graph is captured as an arg through every level between.
import type { Graph, Origin } from "../ir/graph.ts";
import type { DType, Node, NodeOf, Region } from "../ir/node.ts";
import { makeRegion } from "../ir/region.ts";
import type { Shape } from "../ir/shape.ts";

/** An arg of a region being built: its name in the body, shape and element type. */
export interface ArgSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A body being built: its graph, and the outer values it captured (each became an arg). */
interface RegionFrame {
  readonly graph: Graph;
  readonly captures: Map<number, NodeOf<"input">>;
  readonly captured: Node[];
}

export class RegionStack {
  private readonly frames: RegionFrame[] = [];

  constructor(private readonly root: Graph) {}

  get inside(): boolean {
    return this.frames.length > 0;
  }

  /** The graph new nodes go into: the innermost body's, or the program's. */
  get graph(): Graph {
    return this.frames.at(-1)?.graph ?? this.root;
  }

  /** A body from `fn` over its args; what it captured comes back as the loop's extra inputs. */
  build(
    args: readonly ArgSpec[],
    origin: () => Origin,
    fn: (args: readonly Node[]) => readonly Node[],
  ): { readonly region: Region; readonly captured: readonly Node[] } {
    const outer = this.graph;
    const frame: RegionFrame = {
      graph: outer.body(),
      captures: new Map(),
      captured: [],
    };
    this.frames.push(frame);
    try {
      const nodes = args.map((arg) =>
        frame.graph.intern("input", [], { ...arg, shape: [...arg.shape] }, origin),
      );
      const results = fn(nodes);
      const captureArgs = [...frame.captures.values()];
      return {
        region: makeRegion(frame.graph, [...nodes, ...captureArgs], results),
        captured: frame.captured,
      };
    } finally {
      this.frames.pop();
    }
  }

  /** `value` as a node of the body at `level` (−1: the program), capturing it through every body. */
  capture(value: Node, level = this.frames.length - 1): Node | undefined {
    if (level < 0) return this.root.has(value) ? value : undefined;
    const frame = this.frames[level];
    if (frame.graph.has(value)) return value;
    const outer = this.capture(value, level - 1);
    if (outer === undefined) return undefined;
    let arg = frame.captures.get(outer.id);
    if (arg === undefined) {
      const parent = level === 0 ? this.root : this.frames[level - 1].graph;
      const attrs = { name: `c${frame.captured.length}`, shape: outer.shape, dtype: outer.dtype };
      arg = frame.graph.intern("input", [], attrs, () => parent.origin(outer));
      frame.captures.set(outer.id, arg);
      frame.captured.push(outer);
    }
    return arg;
  }
}

// Programs remember the function that built them, so a check can build one again in a graph of
// its own: a customVjp rule that closes over the program's `g` then builds where it runs.
import { attrsKey, type Graph } from "../ir/graph.ts";
import type { Program } from "../ir/program.ts";
import { sameShape } from "../ir/shape.ts";
import type { TransformBuilder } from "./transforms.ts";

/** A program built again, with the builder its function was given (still open for more nodes). */
export interface Rebuilt {
  readonly program: Program;
  readonly builder: TransformBuilder;
}

const builds = new WeakMap<Program, () => Rebuilt>();

/** Records how `program` was built; returns it. */
export function rememberBuild(program: Program, rebuild: () => Rebuilt): Program {
  builds.set(program, rebuild);
  return program;
}

/**
 * `program` built again by its own function in a fresh graph, node for node the same; undefined
 * when it was not made by program(...) or its function builds something else the second time.
 */
export function rebuildProgram(program: Program): Rebuilt | undefined {
  const rebuild = builds.get(program);
  if (rebuild === undefined) return undefined;
  let rebuilt: Rebuilt;
  try {
    rebuilt = rebuild();
  } catch {
    // a function that fails only the second time (a side effect of the first): copy the graph instead
    return undefined;
  }
  return sameGraph(program.graph, rebuilt.program.graph) ? rebuilt : undefined;
}

function sameGraph(a: Graph, b: Graph): boolean {
  if (a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((node, i) => {
    const other = b.nodes[i];
    return (
      node.op === other.op &&
      node.dtype === other.dtype &&
      sameShape(node.shape, other.shape) &&
      node.inputs.length === other.inputs.length &&
      node.inputs.every((input, k) => input.id === other.inputs[k].id) &&
      attrsKey(node.attrs) === attrsKey(other.attrs)
    );
  });
}

// Structural checks run after every pass in tests: order, arity, attributes and shapes.
import { arityFits, dtypeOf } from "./optable.ts";
import { sameShape, sizeOf } from "./shape.ts";
import type { Program } from "./program.ts";
import { regionProgram } from "./region.ts";
import { nodeText } from "./text.ts";

export function verify(program: Program): void {
  const { graph } = program;
  graph.nodes.forEach((node, index) => {
    const problem = (message: string) => new Error(`verify: ${nodeText(node)}: ${message}`);
    if (node.id !== index) throw problem(`id ${node.id} stored at index ${index}`);
    const inputTypes = node.inputs.map((input) => input.dtype);
    const dtype = dtypeOf(graph.ops, node.op, inputTypes, node.attrs, graph.dtype);
    if (node.dtype !== dtype) throw problem(`dtype ${node.dtype}, but its rule gives ${dtype}`);
    for (const input of node.inputs) {
      if (input.id >= node.id) throw problem(`input %${input.id} is not before the node`);
      if (graph.nodes[input.id] !== input) throw problem(`input %${input.id} is not in this graph`);
    }
    const def = graph.ops[node.op];
    if (!arityFits(def.arity, node.inputs.length)) throw problem(`arity ${node.inputs.length}`);
    let shape;
    try {
      shape = def.shape(
        node.inputs.map((input) => input.shape),
        node.attrs as never,
      );
    } catch (error) {
      throw problem(`shape rule fails: ${(error as Error).message}`);
    }
    if (!sameShape(shape, node.shape)) throw problem(`shape rule gives [${shape.join(",")}]`);
    if (node.op === "scan") {
      // a body is a graph like any other; its args take the loop's inputs (a sequence by slices)
      node.attrs.body.args.forEach((arg, k) => {
        if (arg.dtype !== node.inputs[k].dtype)
          throw problem(`body arg ${k + 1} is ${arg.dtype}, its input ${node.inputs[k].dtype}`);
      });
      verify(regionProgram(node.attrs.body));
    }
    if (node.op === "cond") {
      const { whenTrue, whenFalse, split } = node.attrs;
      [...whenTrue.args, ...whenFalse.args].forEach((arg, k) => {
        if (arg.dtype !== node.inputs[k + 1].dtype)
          throw problem(
            `branch arg ${k + 1} is ${arg.dtype}, its input ${node.inputs[k + 1].dtype}`,
          );
      });
      if (whenTrue.args.length !== split)
        throw problem(`split ${split} for ${whenTrue.args.length} args`);
      verify(regionProgram(whenTrue));
      verify(regionProgram(whenFalse));
    }
    if (node.op === "while") {
      const { condition, body, carries, split } = node.attrs;
      const carried = node.inputs.slice(0, carries);
      const expected = [
        [condition, [...carried, ...node.inputs.slice(carries, carries + split)]],
        [body, [...carried, ...node.inputs.slice(carries + split)]],
      ] as const;
      for (const [region, inputs] of expected) {
        region.args.forEach((arg, k) => {
          if (arg.dtype !== inputs[k].dtype)
            throw problem(`region arg ${k + 1} is ${arg.dtype}, its input ${inputs[k].dtype}`);
        });
        verify(regionProgram(region));
      }
    }
    if (
      node.op === "const" &&
      node.attrs.values.length !== 1 &&
      node.attrs.values.length !== sizeOf(node.shape)
    ) {
      throw problem(`const has ${node.attrs.values.length} values`);
    }
  });
  program.entries.forEach((entry, index) => {
    const before = program.entries.slice(0, index).map((earlier) => earlier.name);
    if (entry.after !== undefined && !before.includes(entry.after))
      throw new Error(
        `verify: entry ${entry.name} runs after ${entry.after}, not declared before it`,
      );
    for (const [name, node] of entry.fetch) {
      if (graph.nodes[node.id] !== node)
        throw new Error(`verify: entry ${entry.name} fetches a foreign node as ${name}`);
    }
    for (const [param, value] of entry.update) {
      if (graph.nodes[param.id] !== param || graph.nodes[value.id] !== value) {
        throw new Error(`verify: entry ${entry.name} updates with a foreign node`);
      }
    }
  });
}

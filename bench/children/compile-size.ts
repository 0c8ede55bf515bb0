// Child process of the compile-time measurement: builds a scalar or tensor DAG of `forwardNodes`
// nodes with its gradient, then times generate() end to end (optimize, plan, emit, format), then
// optimize() alone for the split. Prints a JSON line after each phase, so a timeout still leaves
// figures.
//   argv: forwardNodes [scalar|tensor]
import { compileReport, generate, optimize } from "adjoint";
import { scalarDag } from "../scalar-dag.ts";
import { tensorDag } from "../tensor-dag.ts";

const forwardNodes = Number(process.argv[2]);
const kind = process.argv[3] ?? "scalar";
const result: Record<string, number> = { forwardNodes };
const print = () => console.log(JSON.stringify(result));

let start = performance.now();
const program = kind === "tensor" ? tensorDag(forwardNodes) : scalarDag(forwardNodes);
result.buildMs = performance.now() - start;
print();

start = performance.now();
const generated = await generate(program);
result.generateMs = performance.now() - start;
const passes = compileReport(generated).entries[0].passes;
result.builtNodes = passes[0].nodes;
result.optimizedNodes = passes[passes.length - 1].nodes;
result.sourceBytes = generated.source.length;
// every function of the module, entries and their split parts alike, by lines between its braces
const lines = generated.source.split("\n");
const lengths = lines.flatMap((line, start) => {
  if (!/^ {2}function \w+\(/.test(line)) return [];
  const end = lines.findIndex((other, index) => index > start && other === "  }");
  return [end - start - 1];
});
result.functions = lengths.length;
result.longestFunctionLines = Math.max(...lengths);
print();

start = performance.now();
optimize(program);
result.optimizeMs = performance.now() - start;
print();

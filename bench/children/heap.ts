// Child process of the heap check (run with --expose-gc): W4 gradient steps of Adjoint's code,
// the heap measured after full collections. The first half of the steps absorbs one-off costs
// (optimized code, feedback); the second half is the steady state, where growth must be zero.
// Prints one JSON line.   argv: maxSteps budgetMs
import { adjointMlp } from "../workloads/w4-mlp.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const maxSteps = Number(process.argv[2]);
const budgetMs = Number(process.argv[3]);

function collect(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

function main(): object {
  if (gc === undefined) return { error: "global.gc is not exposed (run node with --expose-gc)" };
  const instance = adjointMlp();
  const start = performance.now();
  let warmupSteps = 0;
  while (warmupSteps < 5 || performance.now() - start < 1000) {
    instance.grad();
    warmupSteps++;
  }
  const stepMs = (performance.now() - start) / warmupSteps;
  const steps = Math.max(20, Math.min(maxSteps, Math.floor(budgetMs / stepMs)));
  const half = Math.floor(steps / 2);
  const before = collect();
  for (let i = 0; i < half; i++) instance.grad();
  const middle = collect();
  // the second half runs without collections: what heapUsed gains is what the calls allocate
  for (let i = half; i < steps; i++) instance.grad();
  const uncollected = process.memoryUsage().heapUsed;
  const after = collect();
  return {
    steps,
    maxSteps,
    firstHalfBytes: middle - before,
    secondHalfBytes: after - middle,
    secondHalfSteps: steps - half,
    allocatedPerStep: (uncollected - middle) / (steps - half),
    seconds: (performance.now() - start) / 1000,
  };
}

console.log(JSON.stringify(main()));

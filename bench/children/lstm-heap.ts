// Child of bench/lstm.ts (node --expose-gc): heap growth over N calls of the LSTM gradient, after
// full collections, split in halves as bench/children/heap.ts does. Prints one line.
import { createLstm } from "../../generated/lstm.ts";

const gc = (globalThis as { gc?: () => void }).gc!;
const calls = Number(process.argv[2]);
const collect = () => (gc(), gc(), process.memoryUsage().heapUsed);
const instance = createLstm();
instance.inputs.tokens.set(Array.from({ length: 1024 }, (_, t) => (t * 5) % 12));
instance.inputs.targets.set(Array.from({ length: 1024 }, (_, t) => ((t + 1) * 5) % 12));
for (let i = 0; i < 20; i++) instance.gradient();
const half = Math.floor(calls / 2);
const before = collect();
for (let i = 0; i < half; i++) instance.gradient();
const middle = collect();
for (let i = half; i < calls; i++) instance.gradient();
const after = collect();
console.log(
  `first half ${middle - before} B, second half ${after - middle} B (${calls - half} calls: ${((after - middle) / (calls - half)).toFixed(3)} B per call)`,
);

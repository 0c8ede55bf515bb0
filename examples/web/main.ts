// The page: trains the generated MNIST module step by step, drawing the loss curve after each step,
// and leaves the losses on `window.adjointRun` for the browser test to compare with Node's.
import * as graph from "../mnist.graph.ts";
import { digitsBase64 } from "virtual:mnist-slice";
import { drawCurve } from "./curve.ts";
import { installPortableMath } from "./portable-math.ts";
import { bitsOf, decodeDigits, fromBase64, seeded, trainStep } from "./train.ts";

declare global {
  interface Window {
    adjointRun?: { done: boolean; losses: number[]; bits: string[] };
  }
}

// the plugin turns the graph file into its generated module; TypeScript sees the graph file, so the
// types come from the committed generated module (the same text: npm run check:generated)
const { createMnist } = graph as unknown as typeof import("../../generated/mnist.ts");
const query = new URLSearchParams(location.search);
const steps = Number(query.get("steps") ?? 60);
// the engine's own Math.exp, log, sin and cos with ?portable=0 (their last bits vary by engine)
if (query.get("portable") !== "0") installPortableMath();
const digits = decodeDigits(fromBase64(digitsBase64));
const model = seeded(createMnist());
const canvas = document.querySelector<HTMLCanvasElement>("#curve")!;
const status = document.querySelector<HTMLElement>("#status")!;
document.querySelector<HTMLElement>("#count")!.textContent = String(digits.count);
const run = { done: false, losses: [] as number[], bits: [] as string[] };
window.adjointRun = run;

function step(): void {
  const index = run.losses.length;
  const loss = trainStep(model, digits, index);
  run.losses.push(loss);
  run.bits.push(bitsOf(loss));
  drawCurve(canvas, run.losses, steps);
  status.textContent = `step ${index + 1}/${steps}  loss ${loss.toFixed(4)}`;
  if (run.losses.length < steps) setTimeout(step, 0);
  else {
    run.done = true;
    status.textContent += "  done";
  }
}
setTimeout(step, 0);

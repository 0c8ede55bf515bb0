// Trained weights on disk, in the runtime's params format.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeParams, encodeParams } from "../../runtime/params.ts";
import { paramShapes, weightsOf, type Mnist } from "./model.ts";

/** Writes the model's weights (not the optimizer state) to `file`; returns the byte count. */
export function saveWeights(model: Mnist, file: string): number {
  const bytes = encodeParams(weightsOf(model), paramShapes);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, bytes);
  return bytes.length;
}

/** Reads weights saved by saveWeights into the model; a file for another model is a clear error. */
export function loadWeights(model: Mnist, file: string): void {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`mnist: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    decodeParams(bytes, weightsOf(model), paramShapes);
  } catch (error) {
    throw new Error(`mnist: ${file}: ${(error as Error).message}`);
  }
}

// A fuzzing worker: runs the programs of its share of the indices and reports to the runner.
import { parentPort, workerData } from "node:worker_threads";
import { fuzzIndices, type WorkerTask } from "./campaign.ts";

const task = workerData as WorkerTask;
await fuzzIndices(task, (message) => parentPort!.postMessage(message));

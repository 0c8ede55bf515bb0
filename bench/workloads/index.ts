// Every workload, in the order of the report.
import type { Workload } from "./types.ts";
import { w1 } from "./w1-quadratic.ts";
import { w2 } from "./w2-log-sin.ts";
import { w3 } from "./w3-rosenbrock.ts";
import { w3h } from "./w3h-rosenbrock-hessian.ts";
import { w4, w4b256, w4b256f32, w4f32 } from "./w4-mlp.ts";
import { w5 } from "./w5-product.ts";

export const workloads: readonly Workload[] = [w1, w2, w3, w3h, w4, w4f32, w4b256, w4b256f32, w5];

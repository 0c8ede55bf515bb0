// Every op's rows, one table: the op tests and the strong-zero tests run over the same cases.
import type { Differentiable, OpCase } from "../kit.ts";
import { coreCases } from "./core.ts";
import { cumulativeCases } from "./cumulative.ts";
import { customCases } from "./custom.ts";
import { elementwiseCases } from "./elementwise.ts";
import { linalgCases } from "./linalg.ts";
import { logicCases } from "./logic.ts";
import { loopCases } from "./loops.ts";
import { movementCases } from "./movement.ts";
import { reductionCases } from "./reductions.ts";
import { specialCases } from "./special.ts";

/** Rows per op: a missing op is a type error. */
export const opCases = {
  ...coreCases,
  ...elementwiseCases,
  ...logicCases,
  ...reductionCases,
  ...movementCases,
  ...linalgCases,
  ...customCases,
  ...loopCases,
  ...specialCases,
  ...cumulativeCases,
} satisfies Record<Differentiable, readonly OpCase[]>;

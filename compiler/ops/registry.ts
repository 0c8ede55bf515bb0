// The closed op set: one record per op. A missing record is a type error here.
import type { OpName } from "../ir/node.ts";
import { add, div, mul, neg, pow, sub } from "./arithmetic.ts";
import type { OpDef } from "./def.ts";
import { constant, input, param } from "./leaves.ts";
import { matmul } from "./linalg.ts";
import { broadcast, dot, sum } from "./reductions.ts";
import { cos, exp, log, sin, sqrt, tanh } from "./transcendental.ts";

export const ops = {
  input,
  param,
  const: constant,
  add,
  sub,
  mul,
  div,
  neg,
  pow,
  exp,
  log,
  sin,
  cos,
  tanh,
  sqrt,
  sum,
  broadcast,
  dot,
  matmul,
} satisfies { readonly [K in OpName]: OpDef<K> };

export type OpRegistry = typeof ops;

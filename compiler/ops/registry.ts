// The closed op set: one record per op. A missing record is a type error here.
import type { OpName } from "../ir/node.ts";
import { add, div, maximum, minimum, mul, neg, pow, power, sub } from "./arithmetic.ts";
import { custom } from "./custom.ts";
import type { OpDef } from "./def.ts";
import { constant, input, param } from "./leaves.ts";
import { dot, matmul } from "./linalg.ts";
import { cast, eq, finiteOrZero, ge, gt, le, lt, stopGradient, where } from "./logic.ts";
import { gather, oneHot, scatterAdd } from "./indexing.ts";
import { broadcastTo, concat, pad, reshape, slice, transpose } from "./movement.ts";
import { cond } from "./cond.ts";
import { scan } from "./scan.ts";
import { whileLoop } from "./while.ts";
import { argmax, argmin, cumsum } from "./cumulative.ts";
import { ceil, floor, isFinite, isNaN, mod, round } from "./rounding.ts";
import { erf, erfc, lgamma, polygamma, xlogy } from "./special.ts";
import { acos, acosh, asin, asinh, atan, atan2, atanh, cosh, sinh, tan } from "./trig.ts";
import { logsumexp, max, min, prod, prodExcept, sum } from "./reductions.ts";
import {
  abs,
  cos,
  exp,
  expm1,
  log,
  log1p,
  reciprocal,
  relu,
  sigmoid,
  sign,
  sin,
  softplus,
  sqrt,
  square,
  tanh,
} from "./transcendental.ts";

export const ops = {
  input,
  param,
  const: constant,
  add,
  sub,
  mul,
  div,
  power,
  maximum,
  minimum,
  neg,
  pow,
  exp,
  expm1,
  log,
  log1p,
  sin,
  cos,
  tanh,
  sqrt,
  square,
  reciprocal,
  abs,
  sign,
  relu,
  sigmoid,
  softplus,
  tan,
  atan,
  asin,
  acos,
  sinh,
  cosh,
  asinh,
  acosh,
  atanh,
  atan2,
  erf,
  erfc,
  lgamma,
  polygamma,
  xlogy,
  floor,
  ceil,
  round,
  mod,
  isFinite,
  isNaN,
  cumsum,
  argmax,
  argmin,
  lt,
  le,
  gt,
  ge,
  eq,
  where,
  cast,
  stopGradient,
  finiteOrZero,
  sum,
  max,
  min,
  prod,
  logsumexp,
  prodExcept,
  reshape,
  transpose,
  slice,
  pad,
  concat,
  broadcastTo,
  gather,
  scatterAdd,
  oneHot,
  dot,
  matmul,
  custom,
  scan,
  cond,
  while: whileLoop,
} satisfies { readonly [K in OpName]: OpDef<K> };

export type OpRegistry = typeof ops;

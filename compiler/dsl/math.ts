// The DSL's mathematical functions beyond arithmetic: trigonometric and hyperbolic, special
// functions, rounding, and the functions composed from them (gelu, logaddexp, norm).
import type { Node } from "../ir/node.ts";
import { broadcastShapes, formatShape } from "../ir/shape.ts";
import type { Axes, OpBuilder, Operand } from "../ops/builder.ts";
import { describeValue, flag } from "./arguments.ts";
import { composite } from "./composite.ts";
import { BuilderCore } from "./core.ts";
import * as functions from "./functions.ts";

export type MathUnaryOp =
  | "tan"
  | "atan"
  | "asin"
  | "acos"
  | "sinh"
  | "cosh"
  | "asinh"
  | "acosh"
  | "atanh"
  | "erf"
  | "erfc"
  | "lgamma"
  | "floor"
  | "ceil"
  | "round"
  | "isFinite"
  | "isNaN";
export type MathBinaryOp = "atan2" | "xlogy" | "mod";

export interface GeluOptions {
  /** "tanh": the tanh approximation; "none" (the default): exact, through erfc. */
  readonly approximate?: "none" | "tanh";
}

export interface NormOptions {
  /** 1, 2 (the default) or Infinity. */
  readonly ord?: number;
  /** Axes to reduce (all by default). */
  readonly axes?: Axes;
  readonly keepDims?: boolean;
}

export abstract class MathOps extends BuilderCore {
  /** The builder that composites build with (the DSL's Ops itself). */
  protected abstract get builder(): OpBuilder;
  protected abstract unary(op: MathUnaryOp, x: Operand): Node;
  protected abstract binary(op: MathBinaryOp, a: Operand, b: Operand): Node;

  tan(x: Operand): Node {
    return this.unary("tan", x);
  }
  atan(x: Operand): Node {
    return this.unary("atan", x);
  }
  asin(x: Operand): Node {
    return this.unary("asin", x);
  }
  acos(x: Operand): Node {
    return this.unary("acos", x);
  }
  sinh(x: Operand): Node {
    return this.unary("sinh", x);
  }
  cosh(x: Operand): Node {
    return this.unary("cosh", x);
  }
  asinh(x: Operand): Node {
    return this.unary("asinh", x);
  }
  acosh(x: Operand): Node {
    return this.unary("acosh", x);
  }
  atanh(x: Operand): Node {
    return this.unary("atanh", x);
  }
  /** The angle of the point (b, a) in (−π, π] (NumPy's arctan2(a, b)); its gradient is 0 at the origin. */
  atan2(a: Operand, b: Operand): Node {
    return this.binary("atan2", a, b);
  }
  erf(x: Operand): Node {
    return this.unary("erf", x);
  }
  /** 1 − erf(x), accurate in the right tail. */
  erfc(x: Operand): Node {
    return this.unary("erfc", x);
  }
  /** log|Γ(x)| (+∞ at 0, −1, −2, …). */
  lgamma(x: Operand): Node {
    return this.unary("lgamma", x);
  }
  /** ψ(x) = Γ'(x)/Γ(x). */
  digamma(x: Operand): Node {
    return this.polygamma(0, x);
  }
  /** ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n = 1: trigamma). */
  polygamma(order: number, x: Operand): Node {
    if (!Number.isInteger(order) || order < 0 || order > 20) {
      this.fail(
        "polygamma",
        `the order must be an integer from 0 to 20, got ${describeValue(order)}`,
      );
    }
    return this.node("polygamma", [this.lift("polygamma", x, 2)], { order });
  }
  /** x·log y, 0 where x = 0 (also its gradient in y there). */
  xlogy(x: Operand, y: Operand): Node {
    return this.binary("xlogy", x, y);
  }
  floor(x: Operand): Node {
    return this.unary("floor", x);
  }
  ceil(x: Operand): Node {
    return this.unary("ceil", x);
  }
  /** To the nearest integer, ties to even: round(0.5) = 0, round(1.5) = 2, round(−2.5) = −2. */
  round(x: Operand): Node {
    return this.unary("round", x);
  }
  /** a − b·floor(a/b): the remainder with the sign of b (Python's a % b). */
  mod(a: Operand, b: Operand): Node {
    return this.binary("mod", a, b);
  }
  /** A bool tensor: 1 where x is neither ±∞ nor NaN. */
  isFinite(x: Operand): Node {
    return this.unary("isFinite", x);
  }
  /** A bool tensor: 1 where x is NaN. */
  isNaN(x: Operand): Node {
    return this.unary("isNaN", x);
  }

  /** The running sum along `axis` (the last by default), from the end when `reverse`. */
  cumsum(x: Operand, axis = -1, reverse = false): Node {
    const node = this.lift("cumsum", x, 1);
    const at = this.axis("cumsum", node.shape.length, axis);
    const backwards = flag(reverse, "reverse", (message) => this.fail("cumsum", message));
    return this.node("cumsum", [node], { axis: at, reverse: backwards });
  }
  /**
   * The running product along `axis`, from the end when `reverse`: each output is a prod over a
   * triangle of a [n, n] spread of the line, so every derivative order is exact with zeros among
   * the entries (prod's rules, no division), at O(n²) work per line.
   */
  cumprod(x: Operand, axis = -1, reverse = false): Node {
    const node = this.lift("cumprod", x, 1);
    const at = this.axis("cumprod", node.shape.length, axis);
    const backwards = flag(reverse, "reverse", (message) => this.fail("cumprod", message));
    return composite("cumprod", [node], () => functions.cumprod(this.builder, node, at, backwards));
  }
  /** The position (i32) of the largest element along `axis`; the first on a tie, or the first NaN. */
  argmax(x: Operand, axis = -1, keepDims = false): Node {
    return this.arg("argmax", x, axis, keepDims);
  }
  /** The position (i32) of the smallest element along `axis`; the first on a tie, or the first NaN. */
  argmin(x: Operand, axis = -1, keepDims = false): Node {
    return this.arg("argmin", x, axis, keepDims);
  }

  private arg(op: "argmax" | "argmin", x: Operand, axis: number, keepDims: boolean): Node {
    const node = this.lift(op, x, 1);
    if (node.shape.length === 0) this.fail(op, "needs a tensor of rank 1 or more, got a scalar");
    const at = this.axis(op, node.shape.length, axis);
    const keep = flag(keepDims, "keepDims", (message) => this.fail(op, message));
    return this.node(op, [node], { axis: at, keepDims: keep });
  }

  /** x·Φ(x), exact (through erfc) or `{ approximate: "tanh" }`. */
  gelu(x: Operand, options: GeluOptions = {}): Node {
    const node = this.lift("gelu", x, 1);
    const approximate = this.optionsRecord("gelu", options, "{ approximate }").approximate;
    if (approximate !== undefined && approximate !== "none" && approximate !== "tanh") {
      this.fail("gelu", `approximate must be "none" or "tanh", got ${describeValue(approximate)}`);
    }
    const build = approximate === "tanh" ? functions.geluTanh : functions.gelu;
    return composite("gelu", [node], () => build(this.builder, node));
  }

  /** log(eᵃ + eᵇ), stable for any magnitude; a and b broadcast. */
  logaddexp(a: Operand, b: Operand): Node {
    const operands = [this.lift("logaddexp", a, 1), this.lift("logaddexp", b, 2)];
    const [left, right] = operands.map((operand) => operand.shape);
    const shape = broadcastShapes(left, right);
    if (shape === undefined) {
      this.fail(
        "logaddexp",
        `shapes ${formatShape(left)} and ${formatShape(right)} do not broadcast`,
      );
    }
    return composite("logaddexp", operands, () =>
      functions.logaddexp(this.builder, operands[0], operands[1], shape),
    );
  }

  /** The vector norm of order 1, 2 or Infinity over `axes`; its gradient at 0 is 0. */
  norm(x: Operand, options: NormOptions = {}): Node {
    const node = this.lift("norm", x, 1);
    const {
      ord = 2,
      axes,
      keepDims = false,
    } = this.optionsRecord("norm", options, "{ ord, axes, keepDims }");
    if (ord !== 1 && ord !== 2 && ord !== Infinity) {
      this.fail("norm", `ord must be 1, 2 or Infinity, got ${describeValue(ord)}`);
    }
    const keep = flag(keepDims, "keepDims", (message) => this.fail("norm", message));
    const reduced = this.axes("norm", node, axes);
    return composite("norm", [node], () => functions.norm(this.builder, node, ord, reduced, keep));
  }

  private optionsRecord<T extends object>(op: string, options: T, form: string): T {
    if (typeof options !== "object" || options === null) {
      this.fail(op, `options must be a record ${form}, got ${describeValue(options)}`);
    }
    return options;
  }
}

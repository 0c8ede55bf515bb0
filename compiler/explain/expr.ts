// Symbolic expressions over scalar leaves: what `adjoint explain` simplifies and prints.

/** Functions printed by name; everything else is a sum, product or power. */
export type Fn = "exp" | "log" | "sin" | "cos" | "tanh" | "sigmoid" | "abs" | "sign";

export type Expr =
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "var"; readonly name: string }
  | { readonly kind: "sum"; readonly terms: readonly Expr[] }
  | { readonly kind: "product"; readonly factors: readonly Expr[] }
  | { readonly kind: "power"; readonly base: Expr; readonly exponent: Expr }
  | { readonly kind: "call"; readonly fn: Fn; readonly arg: Expr };

export const num = (value: number): Expr => ({ kind: "num", value });
export const variable = (name: string): Expr => ({ kind: "var", name });
export const sum = (terms: readonly Expr[]): Expr => ({ kind: "sum", terms });
export const product = (factors: readonly Expr[]): Expr => ({ kind: "product", factors });
export const power = (base: Expr, exponent: Expr): Expr => ({ kind: "power", base, exponent });
export const call = (fn: Fn, arg: Expr): Expr => ({ kind: "call", fn, arg });

const functions: Record<Fn, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  abs: Math.abs,
  sign: Math.sign,
};

export function applyFn(fn: Fn, x: number): number {
  return functions[fn](x);
}

/** The value of `expr` with every variable taken from `values` (the check that a printed formula is right). */
export function evaluate(expr: Expr, values: Readonly<Record<string, number>>): number {
  switch (expr.kind) {
    case "num":
      return expr.value;
    case "var": {
      const value = values[expr.name];
      if (value === undefined) throw new Error(`evaluate: no value for ${expr.name}`);
      return value;
    }
    case "sum":
      return expr.terms.reduce((total, term) => total + evaluate(term, values), 0);
    case "product":
      return expr.factors.reduce((total, factor) => total * evaluate(factor, values), 1);
    case "power":
      return evaluate(expr.base, values) ** evaluate(expr.exponent, values);
    case "call":
      return applyFn(expr.fn, evaluate(expr.arg, values));
  }
}

/** A string that is equal for structurally equal expressions (the identity of like terms). */
export function keyOf(expr: Expr): string {
  switch (expr.kind) {
    case "num":
      return String(expr.value);
    case "var":
      return `$${expr.name}`;
    case "sum":
      return `+(${expr.terms.map(keyOf).join(",")})`;
    case "product":
      return `*(${expr.factors.map(keyOf).join(",")})`;
    case "power":
      return `^(${keyOf(expr.base)},${keyOf(expr.exponent)})`;
    case "call":
      return `${expr.fn}(${keyOf(expr.arg)})`;
  }
}

/** The number of nodes of `expr` written out as a tree (shared subexpressions counted each time). */
export function treeSize(expr: Expr, memo = new Map<Expr, number>()): number {
  const known = memo.get(expr);
  if (known !== undefined) return known;
  const children = childrenOf(expr);
  const size = children.reduce((total, child) => total + treeSize(child, memo), 1);
  memo.set(expr, size);
  return size;
}

function childrenOf(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case "sum":
      return expr.terms;
    case "product":
      return expr.factors;
    case "power":
      return [expr.base, expr.exponent];
    case "call":
      return [expr.arg];
    default:
      return [];
  }
}

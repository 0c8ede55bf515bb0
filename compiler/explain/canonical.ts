// A small canonicaliser for display: flat sums and products, folded numbers, like terms and
// powers collected, products of sums expanded, factors in a stable order. Not a CAS: it rewrites
// only what a person does by hand (x·x -> x², y·x + y·x -> 2·x·y, eᵃ·eᵇ -> e^(a+b)).
import { applyFn, call, keyOf, num, power, product, sum, type Expr, type Fn } from "./expr.ts";

/** Past this many terms a product of sums stays factored rather than expanded. */
const maxExpandedTerms = 48;
/** Powers of sums up to this exponent are multiplied out. */
const maxExpandedPower = 4;

const memo = new WeakMap<Expr, Expr>();

/** The canonical form of `expr`, which prints as its simplified formula. */
export function simplify(expr: Expr): Expr {
  const known = memo.get(expr);
  if (known !== undefined) return known;
  const result = simplifyOnce(expr);
  memo.set(expr, result);
  return result;
}

function simplifyOnce(expr: Expr): Expr {
  switch (expr.kind) {
    case "num":
    case "var":
      return expr;
    case "call":
      return makeCall(expr.fn, simplify(expr.arg));
    case "power":
      return makePower(simplify(expr.base), simplify(expr.exponent));
    case "product":
      return makeProduct(expr.factors.map(simplify));
    case "sum":
      return makeSum(expr.terms.map(simplify));
  }
}

// ---- builders of canonical forms from canonical parts ----

function makeCall(fn: Fn, arg: Expr): Expr {
  // fold only exact results (exp(0) = 1, sin(0) = 0): a decimal like sin(2) reads worse than sin(2)
  if (arg.kind === "num" && Number.isInteger(applyFn(fn, arg.value))) {
    return num(applyFn(fn, arg.value));
  }
  if (fn === "log" && arg.kind === "call" && arg.fn === "exp") return arg.arg;
  return call(fn, arg);
}

function makePower(base: Expr, exponent: Expr): Expr {
  // (eᵃ)ᵇ = e^(a·b)
  if (base.kind === "call" && base.fn === "exp") {
    return makeCall("exp", makeProduct([exponent, base.arg]));
  }
  if (exponent.kind !== "num") return power(base, exponent);
  const e = exponent.value;
  if (e === 0) return num(1);
  if (e === 1) return base;
  if (!Number.isInteger(e)) return power(base, exponent);
  if (base.kind === "num") return num(base.value ** e);
  // (xᵃ)ⁿ = x^(a·n) and (x·y)ⁿ = xⁿ·yⁿ for whole n
  if (base.kind === "power") return makePower(base.base, makeProduct([base.exponent, exponent]));
  if (base.kind === "product") return makeProduct(base.factors.map((f) => makePower(f, exponent)));
  return power(base, exponent);
}

function makeProduct(factors: readonly Expr[]): Expr {
  const flat = flattenProduct(factors);
  if (flat.coefficient === 0) return num(0);
  const grouped = collectPowers(flat.others);
  const coefficient = flat.coefficient * grouped.coefficient;
  if (grouped.factors.some((f) => f.kind === "product")) {
    return makeProduct([num(coefficient), ...grouped.factors]);
  }
  const expanded = expand(coefficient, grouped.factors);
  if (expanded !== undefined) return expanded;
  const sorted = [...grouped.factors].sort(compareFactors);
  if (sorted.length === 0) return num(coefficient);
  if (sorted.length === 1 && coefficient === 1) return sorted[0];
  return product(coefficient === 1 ? sorted : [num(coefficient), ...sorted]);
}

function flattenProduct(factors: readonly Expr[]): { coefficient: number; others: Expr[] } {
  let coefficient = 1;
  const others: Expr[] = [];
  const visit = (factor: Expr) => {
    if (factor.kind === "num") coefficient *= factor.value;
    else if (factor.kind === "product") factor.factors.forEach(visit);
    else others.push(factor);
  };
  factors.forEach(visit);
  return { coefficient, others };
}

/** Same bases multiply by adding exponents; all exponentials become one. */
function collectPowers(factors: readonly Expr[]): { coefficient: number; factors: Expr[] } {
  const groups = new Map<string, { base: Expr; exponents: Expr[] }>();
  const exponentials: Expr[] = [];
  for (const factor of factors) {
    if (factor.kind === "call" && factor.fn === "exp") {
      exponentials.push(factor.arg);
      continue;
    }
    const [base, exponent] =
      factor.kind === "power" ? [factor.base, factor.exponent] : [factor, num(1)];
    const key = keyOf(base);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { base, exponents: [exponent] });
    else group.exponents.push(exponent);
  }
  const results = [...groups.values()].map(({ base, exponents }) =>
    makePower(base, makeSum(exponents)),
  );
  if (exponentials.length > 0) results.push(makeCall("exp", makeSum(exponentials)));
  let coefficient = 1;
  const rest: Expr[] = [];
  for (const result of results) {
    if (result.kind === "num") coefficient *= result.value;
    else rest.push(result);
  }
  return { coefficient, factors: rest };
}

/** Multiplies out sums (and small whole powers of sums), unless that makes too many terms. */
function expand(coefficient: number, factors: readonly Expr[]): Expr | undefined {
  const sums: (readonly Expr[])[] = [];
  const others: Expr[] = [];
  for (const factor of factors) {
    const copies = sumCopies(factor);
    if (copies === 0) others.push(factor);
    else for (let i = 0; i < copies; i++) sums.push(termsOf(factor));
  }
  if (sums.length === 0) return undefined;
  const count = sums.reduce((total, terms) => total * terms.length, 1);
  if (count > maxExpandedTerms) return undefined;
  let products: Expr[][] = [[num(coefficient), ...others]];
  for (const terms of sums) {
    products = products.flatMap((partial) => terms.map((term) => [...partial, term]));
  }
  return makeSum(products.map(makeProduct));
}

/** How many times `factor` is a sum to multiply out: 1 for a sum, n for sumⁿ, else 0. */
function sumCopies(factor: Expr): number {
  if (factor.kind === "sum") return 1;
  if (factor.kind !== "power" || factor.base.kind !== "sum" || factor.exponent.kind !== "num") {
    return 0;
  }
  const n = factor.exponent.value;
  return Number.isInteger(n) && n >= 2 && n <= maxExpandedPower ? n : 0;
}

function termsOf(factor: Expr): readonly Expr[] {
  if (factor.kind === "sum") return factor.terms;
  if (factor.kind === "power" && factor.base.kind === "sum") return factor.base.terms;
  return [factor];
}

function makeSum(terms: readonly Expr[]): Expr {
  let constant = 0;
  const groups = new Map<string, { rest: Expr; coefficient: number }>();
  const visit = (term: Expr) => {
    if (term.kind === "num") constant += term.value;
    else if (term.kind === "sum") term.terms.forEach(visit);
    else {
      const [coefficient, rest] = splitCoefficient(term);
      const key = keyOf(rest);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { rest, coefficient });
      else group.coefficient += coefficient;
    }
  };
  terms.forEach(visit);
  const collected = [...groups.values()]
    .filter(({ coefficient }) => coefficient !== 0)
    .map(({ rest, coefficient }) =>
      coefficient === 1 ? rest : makeProduct([num(coefficient), rest]),
    )
    .sort(compareTerms);
  if (constant !== 0) collected.push(num(constant));
  if (collected.length === 0) return num(0);
  return collected.length === 1 ? collected[0] : sum(collected);
}

/** 2·x·y -> [2, x·y]; x -> [1, x]. */
export function splitCoefficient(term: Expr): [number, Expr] {
  if (term.kind !== "product" || term.factors[0].kind !== "num") return [1, term];
  const rest = term.factors.slice(1);
  return [term.factors[0].value, rest.length === 1 ? rest[0] : product(rest)];
}

// ---- the stable order: numbers, then names alphabetically, then functions, then the rest ----

function rank(expr: Expr): number {
  return { num: 0, var: 1, call: 2, power: 3, product: 4, sum: 5 }[expr.kind];
}

function compareBases(a: Expr, b: Expr): number {
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a.kind === "var" && b.kind === "var") return compareStrings(a.name, b.name);
  if (a.kind === "call" && b.kind === "call") {
    return compareStrings(a.fn, b.fn) || compareTerms(a.arg, b.arg);
  }
  return compareStrings(keyOf(a), keyOf(b));
}

/** By base, then the higher power first (x² before x). */
function compareFactors(a: Expr, b: Expr): number {
  const [baseA, exponentA] = a.kind === "power" ? [a.base, a.exponent] : [a, num(1)];
  const [baseB, exponentB] = b.kind === "power" ? [b.base, b.exponent] : [b, num(1)];
  const byBase = compareBases(baseA, baseB);
  if (byBase !== 0) return byBase;
  if (exponentA.kind === "num" && exponentB.kind === "num") {
    return exponentB.value - exponentA.value;
  }
  return compareStrings(keyOf(exponentA), keyOf(exponentB));
}

/** Terms by their factors in order (a longer term first when one extends the other), then coefficient. */
function compareTerms(a: Expr, b: Expr): number {
  const [coefficientA, restA] = splitCoefficient(a);
  const [coefficientB, restB] = splitCoefficient(b);
  const factorsA = factorList(restA);
  const factorsB = factorList(restB);
  for (let i = 0; i < Math.min(factorsA.length, factorsB.length); i++) {
    const order = compareFactors(factorsA[i], factorsB[i]);
    if (order !== 0) return order;
  }
  if (factorsA.length !== factorsB.length) return factorsB.length - factorsA.length;
  return coefficientB - coefficientA;
}

function factorList(expr: Expr): readonly Expr[] {
  if (expr.kind === "num") return [];
  return expr.kind === "product" ? expr.factors : [expr];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Canonical expressions as the textbook writes them: 2·x·y, x² + 1, 1/x1 + x2, x1 − cos(x2).
import { splitCoefficient } from "./canonical.ts";
import { power, type Expr } from "./expr.ts";

const superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const minus = "−";

export function render(expr: Expr): string {
  switch (expr.kind) {
    case "num":
      return formatNumber(expr.value);
    case "var":
      return expr.name;
    case "call":
      return `${expr.fn}(${render(expr.arg)})`;
    case "sum":
      return renderSum(expr.terms);
    case "product":
    case "power": {
      const [coefficient, rest] = splitCoefficient(expr);
      const text = renderMonomial(Math.abs(coefficient), rest);
      return coefficient < 0 ? `${minus}${text}` : text;
    }
  }
}

/** Terms joined by + and −, a negative term's sign pulled out, a positive term first (a − b, not −b + a). */
function renderSum(terms: readonly Expr[]): string {
  const firstPositive = terms.findIndex((term) => !signed(term)[0]);
  const ordered =
    firstPositive <= 0
      ? terms
      : [terms[firstPositive], ...terms.filter((_, i) => i !== firstPositive)];
  return ordered
    .map((term, i) => {
      const [negative, text] = signed(term);
      if (i === 0) return negative ? `${minus}${text}` : text;
      return negative ? ` ${minus} ${text}` : ` + ${text}`;
    })
    .join("");
}

function signed(term: Expr): [boolean, string] {
  if (term.kind === "num") return [term.value < 0, formatNumber(Math.abs(term.value))];
  const [coefficient, rest] = splitCoefficient(term);
  return [coefficient < 0, renderMonomial(Math.abs(coefficient), rest)];
}

/** coefficient·factors, negative powers (and a fraction's denominator) below a slash. */
function renderMonomial(coefficient: number, rest: Expr): string {
  const factors = rest.kind === "product" ? rest.factors : [rest];
  const above: string[] = [];
  const below: string[] = [];
  const fraction = rational(coefficient);
  if (fraction === undefined) above.push(formatNumber(coefficient));
  else {
    if (fraction[0] !== 1) above.push(String(fraction[0]));
    if (fraction[1] !== 1) below.push(String(fraction[1]));
  }
  for (const factor of factors) {
    if (factor.kind === "power" && factor.exponent.kind === "num" && factor.exponent.value < 0) {
      const exponent = -factor.exponent.value;
      below.push(
        renderFactor(
          exponent === 1 ? factor.base : power(factor.base, { kind: "num", value: exponent }),
        ),
      );
    } else above.push(renderFactor(factor));
  }
  const numerator = above.length === 0 ? "1" : above.join("·");
  if (below.length === 0) return numerator;
  const denominator = below.length === 1 ? below[0] : `(${below.join("·")})`;
  return `${numerator}/${denominator}`;
}

function renderFactor(factor: Expr): string {
  if (factor.kind === "sum") return `(${render(factor)})`;
  if (factor.kind === "power") return renderPower(factor.base, factor.exponent);
  return render(factor);
}

function renderPower(base: Expr, exponent: Expr): string {
  const baseText = isAtom(base) ? render(base) : `(${render(base)})`;
  if (exponent.kind === "num" && exponent.value === 0.5) return `√${baseText}`;
  if (exponent.kind === "num" && Number.isInteger(exponent.value) && exponent.value > 1) {
    return baseText + toSuperscript(exponent.value);
  }
  const exponentText = isAtom(exponent) ? render(exponent) : `(${render(exponent)})`;
  return `${baseText}^${exponentText}`;
}

function isAtom(expr: Expr): boolean {
  if (expr.kind === "num") return Number.isInteger(expr.value) && expr.value >= 0;
  return expr.kind === "var" || expr.kind === "call";
}

function toSuperscript(n: number): string {
  return [...String(n)].map((digit) => superscripts[Number(digit)]).join("");
}

/** Whole numbers as they are, simple fractions as p/q, anything else in full. */
export function formatNumber(value: number): string {
  const sign = value < 0 ? minus : "";
  const fraction = rational(Math.abs(value));
  const text =
    fraction === undefined
      ? String(Math.abs(value))
      : fraction[1] === 1
        ? String(fraction[0])
        : `${fraction[0]}/${fraction[1]}`;
  return sign + text;
}

/** [p, q] with value = p/q for a small denominator q, when there is one. */
function rational(value: number): [number, number] | undefined {
  if (!Number.isFinite(value)) return undefined;
  for (let q = 1; q <= 12; q++) {
    const p = Math.round(value * q);
    if (Math.abs(value * q - p) <= 1e-14 * Math.max(1, Math.abs(p))) return [p, q];
  }
  return undefined;
}

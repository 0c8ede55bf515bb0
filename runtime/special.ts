// Special functions in float64 for generated code and the reference interpreter alike (one
// implementation, so both agree bit for bit): erf, erfc, log|Γ|, the polygamma family, rounding
// half to even and the floored remainder. Zero dependencies; accuracy figures are in the tests.

const twoOverSqrtPi = 1.1283791670955126; // 2/√π
const oneOverSqrtPi = 0.5641895835477563; // 1/√π
const halfLogTwoPi = 0.9189385332046728; // ½·log(2π)
const eulerGamma = 0.5772156649015329; // γ

/** e^(−x²) with x² split into its rounded value and the rounding error, so large x lose no digits. */
function expMinusSquare(x: number): number {
  const square = x * x;
  // Dekker's product: x·x = square + error exactly (split x into 26-bit halves)
  const split = 134217729 * x; // 2^27 + 1
  const high = split - (split - x);
  const low = x - high;
  const error = high * high - square + 2 * high * low + low * low;
  return Math.exp(-square) * (1 - error);
}

/**
 * erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) for |x| < 2: every term positive, no
 * cancellation (the alternating Taylor series loses digits already at x = 1).
 */
function erfSeries(x: number): number {
  const a = Math.abs(x);
  let term = a;
  let sum = a;
  const twoXX = 2 * a * a;
  for (let n = 1; n < 200; n++) {
    term *= twoXX / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * twoOverSqrtPi * expMinusSquare(a) * sum;
}

/**
 * erfc(x) for x ≥ 2 by the continued fraction e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))),
 * evaluated by the modified Lentz method: no 1 − erf, so the tail keeps every digit.
 */
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (oneOverSqrtPi * expMinusSquare(x)) / f;
}

/** The error function 2/√π ∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 2) return erfSeries(x);
  if (a > 6) return Math.sign(x);
  const tail = erfcFraction(a);
  return x > 0 ? 1 - tail : tail - 1;
}

/** The complementary error function 1 − erf(x), without cancellation for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0.5) return 1 - erf(x);
  if (x < 1) return 1 - erfSeries(x);
  if (x > 27.3) return 0; // below the smallest double
  return erfcFraction(x);
}

/** sin(πx) with the argument reduced exactly first, so it is 0 at every integer. */
function sinPi(x: number): number {
  const r = x - 2 * Math.round(x / 2); // in [−1, 1], exact
  if (r === 0 || Math.abs(r) === 1) return 0;
  return Math.sin(Math.PI * r);
}

/**
 * lgamma near its zeros: log Γ(2 + z) = (1 − γ)z + Σₖ≥₂ (−1)ᵏ(ζ(k) − 1)zᵏ/k for |z| ≤ ½, each
 * ζ(k) − 1 as Σ n^(−k) summed at load (terms fall as 4^(−k), so 40 of them reach 1e-17).
 */
const zetaMinusOne: number[] = [];
for (let k = 2; k <= 44; k++) zetaMinusOne.push(zetaMinusOneOf(k));

/** ζ(k) − 1 = Σₙ≥₂ n^(−k) by Euler–Maclaurin after 20 terms: exact to rounding for k ≥ 2. */
function zetaMinusOneOf(k: number): number {
  const N = 20;
  let sum = 0;
  for (let n = N - 1; n >= 2; n--) sum += n ** -k;
  // tail Σₙ≥N n^(−k) ≈ N^(1−k)/(k−1) + N^(−k)/2 + Σ B₂ⱼ/(2j)!·k(k+1)…(k+2j−2)·N^(−k−2j+1)
  let tail = N ** (1 - k) / (k - 1) + N ** -k / 2;
  const bernoulli = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6];
  let rising = k; // k(k+1)…(k+2j−2)
  let factorial = 2; // (2j)!
  for (let j = 1; j <= bernoulli.length; j++) {
    tail += (bernoulli[j - 1]! / factorial) * rising * N ** (-k - 2 * j + 1);
    rising *= (k + 2 * j - 1) * (k + 2 * j);
    factorial *= (2 * j + 1) * (2 * j + 2);
  }
  return sum + tail;
}

function lgammaNearTwo(z: number): number {
  let sum = 0;
  let power = -z; // (−z)ᵏ, from k = 2 below
  for (let k = 2; k < zetaMinusOne.length + 2; k++) {
    power *= -z;
    sum += (zetaMinusOne[k - 2]! * power) / k;
  }
  return (1 - eulerGamma) * z + sum;
}

/** Stirling's series for log Γ(x), x ≥ 10: (x − ½)log x − x + ½log 2π + Σ B₂ₖ/(2k(2k−1)x^(2k−1)). */
function lgammaStirling(x: number): number {
  const coefficients = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];
  const inverse = 1 / x;
  const inverseSquare = inverse * inverse;
  let series = 0;
  for (let k = coefficients.length - 1; k >= 0; k--)
    series = series * inverseSquare + coefficients[k]!;
  return (x - 0.5) * Math.log(x) - x + halfLogTwoPi + series * inverse;
}

/** log|Γ(x)|: +∞ at the poles 0, −1, −2, …; Γ's sign is not returned (Γ < 0 on some negative intervals). */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    // reflection: Γ(x)Γ(1 − x) = π/sin(πx)
    return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma(1 - x);
  }
  if (x >= 10) return lgammaStirling(x);
  // log Γ(x) = log Γ(x + 2) − log x − log(1 + x), and x − 1 is exact for x in [½, 2]
  if (x < 0.5) return lgammaNearTwo(x) - Math.log1p(x) - Math.log(x);
  if (x < 1.5) return lgammaNearTwo(x - 1) - Math.log(x);
  if (x <= 2.5) return lgammaNearTwo(x - 2);
  // log Γ(x) = log Γ(x − n) + log((x − 1)(x − 2)…(x − n)), x − n in (1.5, 2.5]
  let product = 1;
  let shifted = x;
  while (shifted > 2.5) {
    shifted -= 1;
    product *= shifted;
  }
  return lgammaNearTwo(shifted - 2) + Math.log(product);
}

/** Bernoulli numbers B₂, B₄, …, B₂₀ for the asymptotic series of the polygamma functions. */
const bernoulliEven = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
  -174611 / 330,
];

/**
 * ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function ψ = Γ'/Γ (n = 0: digamma, 1: trigamma).
 * The recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) − (−1)ⁿn!/x^(n+1) moves x above 20 + n, where the
 * asymptotic series converges fast; negative x (not a pole) move up the same way. At the poles
 * 0, −1, −2, …: +∞ for odd n (both sides tend to it), NaN for even n.
 */
export function polygamma(n: number, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return n % 2 === 1 ? Infinity : NaN;
  if (x === Infinity) return n === 0 ? Infinity : 0;
  if (x === -Infinity) return NaN;
  if (n === 0 && x < 0) {
    // reflection ψ(x) = ψ(1 − x) − π·cot(πx): no long recurrence for very negative x
    return polygamma(0, 1 - x) - Math.PI / Math.tan(Math.PI * (x - Math.round(x)));
  }
  const nFactorial = factorial(n);
  const sign = n % 2 === 1 ? 1 : -1; // (−1)^(n+1)
  let shift = 0;
  const start = 20 + n;
  let y = x;
  while (y < start) {
    shift += 1 / y ** (n + 1);
    y += 1;
  }
  return sign * nFactorial * shift + asymptotic(n, y, nFactorial);
}

/** The asymptotic series of ψ⁽ⁿ⁾ at y ≥ 20 + n. */
function asymptotic(n: number, y: number, nFactorial: number): number {
  const inverse = 1 / y;
  const inverseSquare = inverse * inverse;
  if (n === 0) {
    // ψ(y) = log y − 1/(2y) − Σ B₂ₖ/(2k·y^(2k))
    let series = 0;
    for (let k = bernoulliEven.length; k >= 1; k--) {
      series = series * inverseSquare + bernoulliEven[k - 1]! / (2 * k);
    }
    return Math.log(y) - 0.5 * inverse - series * inverseSquare;
  }
  // (−1)^(n+1)·[(n−1)!/yⁿ + n!/(2y^(n+1)) + Σ B₂ₖ(2k+n−1)!/((2k)!·y^(2k+n))]
  let series = 0;
  for (let k = bernoulliEven.length; k >= 1; k--) {
    // (2k+n−1)!/(2k)! = (2k+1)(2k+2)…(2k+n−1)
    let ratio = 1;
    for (let m = 2 * k + 1; m <= 2 * k + n - 1; m++) ratio *= m;
    series = series * inverseSquare + bernoulliEven[k - 1]! * ratio;
  }
  const leading = nFactorial / n + (nFactorial * inverse) / 2 + series * inverseSquare;
  const sign = n % 2 === 1 ? 1 : -1;
  return sign * leading * inverse ** n;
}

function factorial(n: number): number {
  let result = 1;
  for (let k = 2; k <= n; k++) result *= k;
  return result;
}

/** x rounded to the nearest integer, ties to the even one (NumPy's and IEEE 754's default). */
export function roundHalfEven(x: number): number {
  const nearest = Math.round(x); // ties toward +∞
  // a tie rounded up to an odd integer goes back down to the even one
  return nearest - x === 0.5 && nearest % 2 !== 0 ? nearest - 1 : nearest;
}

/** a − b·floor(a/b): the remainder with the sign of the divisor b (Python's %, NumPy's mod). */
export function floorMod(a: number, b: number): number {
  const r = a % b; // exact, with the sign of a
  if (r !== 0 && r < 0 !== b < 0) return r + b;
  // a zero remainder takes the divisor's sign, as NumPy's does
  return r === 0 ? (b < 0 ? -0 : 0) : r;
}

/** The functions generated code calls as `special.erf(x)`, one import for all. */
export const special = Object.freeze({
  erf,
  erfc,
  lgamma,
  polygamma,
  roundHalfEven,
  floorMod,
});

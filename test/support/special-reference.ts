// Reference special functions for tests, written apart from runtime/special.ts and by other
// methods: erf by its alternating Taylor series (for |x| ≤ 2, where it converges to ~1e-15),
// log Γ by Stirling's series after shifting x above 15, and ψ⁽ⁿ⁾ by Euler–Maclaurin summation of
// the Hurwitz zeta series ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n! ζ(n + 1, x) (digamma: its log form).

/** erf(x) = 2/√π Σ (−1)ᵏ x^(2k+1)/(k!(2k+1)), |x| ≤ 2. */
export function erfTaylor(x: number): number {
  let sum = 0;
  let power = x; // (−1)ᵏ x^(2k+1)/k!
  for (let k = 0; k < 80; k++) {
    sum += power / (2 * k + 1);
    power *= (-x * x) / (k + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** log Γ(x), x > 0: Stirling's series at x + N ≥ 15, less log(x(x + 1)…(x + N − 1)). */
export function lgammaStirling(x: number): number {
  let logProduct = 0;
  let z = x;
  while (z < 15) {
    logProduct += Math.log(z);
    z += 1;
  }
  const series = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360];
  const tail = series.reduce((sum, c, k) => sum + c / z ** (2 * k + 1), 0);
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + tail - logProduct;
}

const bernoulli = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6];

/** ψ⁽ⁿ⁾(x), x > 0, by Euler–Maclaurin after N = 30 terms. */
export function polygammaEulerMaclaurin(n: number, x: number): number {
  const N = 30;
  const z = x + N;
  if (n === 0) {
    let sum = 0;
    for (let k = 0; k < N; k++) sum += 1 / (x + k);
    let tail = Math.log(z) - 1 / (2 * z);
    bernoulli.forEach((b, j) => (tail -= b / (2 * (j + 1) * z ** (2 * (j + 1)))));
    return tail - sum;
  }
  const s = n + 1;
  let zeta = 0;
  for (let k = 0; k < N; k++) zeta += (x + k) ** -s;
  zeta += z ** (1 - s) / (s - 1) + z ** -s / 2;
  let rising = s; // s(s+1)…(s+2j−2)
  let factorial = 2; // (2j)!
  bernoulli.forEach((b, index) => {
    const j = index + 1;
    zeta += (b / factorial) * rising * z ** (-s - 2 * j + 1);
    rising *= (s + 2 * j - 1) * (s + 2 * j);
    factorial *= (2 * j + 1) * (2 * j + 2);
  });
  let nFactorial = 1;
  for (let k = 2; k <= n; k++) nFactorial *= k;
  return (n % 2 === 1 ? 1 : -1) * nFactorial * zeta;
}

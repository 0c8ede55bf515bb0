// exp, log, sin and cos from +, −, ×, ÷ alone (fdlibm's reductions and polynomials), so every
// engine computes the same bits. Engines' own Math.exp and friends differ in the last bit between
// V8 versions (Node 20's and a current Chromium's disagree on most arguments), which would hide
// whether the compiled arithmetic itself is the same in both; the browser test pins them to these.
const ln2Hi = 6.9314718036912381649e-1;
const ln2Lo = 1.90821492927058770002e-10;
const invLn2 = 1.442695040888963387;

const bits = new DataView(new ArrayBuffer(8));

/** 2^k for an integer k in the normal range, built from its bits. */
function powerOfTwo(k: number): number {
  bits.setUint32(0, (k + 1023) << 20);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

export function exp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const k = Math.round(x * invLn2);
  const hi = x - k * ln2Hi;
  const lo = k * ln2Lo;
  const r = hi - lo;
  // exp(r) = 1 + r + r·c / (2 − c), c = r − r²·P(r²): fdlibm's rational form
  const t = r * r;
  const c =
    r -
    t *
      (1.66666666666666019037e-1 +
        t *
          (-2.77777777770155933842e-3 +
            t *
              (6.61375632143793436117e-5 +
                t * (-1.6533902205465251539e-6 + t * 4.13813679705723846039e-8))));
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  // scale by 2^k in two steps when 2^k alone would leave the normal range
  if (k < -1021) return y * powerOfTwo(k + 1000) * powerOfTwo(-1000);
  if (k > 1023) return y * powerOfTwo(k - 1) * 2;
  return y * powerOfTwo(k);
}

export function log(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: a subnormal made normal
    k -= 54;
  }
  bits.setFloat64(0, x);
  let high = bits.getUint32(0);
  k += (high >>> 20) - 1023;
  // the mantissa m in [√2/2, √2): x = 2^k · m
  high &= 0x000fffff;
  const i = (high + 0x95f64) & 0x100000;
  bits.setUint32(0, high | (i ^ 0x3ff00000));
  k += i >>> 20;
  const f = bits.getFloat64(0) - 1;
  // log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)), s = f / (2 + f)
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 =
    w * (3.999999999940941908e-1 + w * (2.222219843214978396e-1 + w * 1.531383769920937332e-1));
  const t2 =
    z *
    (6.66666666666673513e-1 +
      w * (2.857142874366239149e-1 + w * (1.818357216161805012e-1 + w * 1.479819860511658591e-1)));
  const halfSquare = 0.5 * f * f;
  return k * ln2Hi - (halfSquare - (s * (halfSquare + t2 + t1) + k * ln2Lo) - f);
}

const halfPiHi = 1.57079632673412561417;
const halfPiLo = 6.07710050650619224932e-11;

function sinKernel(x: number): number {
  const z = x * x;
  const r =
    8.33333333332248946124e-3 +
    z *
      (-1.98412698298579493134e-4 +
        z *
          (2.75573137070700676789e-6 +
            z * (-2.50507602534068634195e-8 + z * 1.58969099521155010221e-10)));
  return x + z * x * (-1.66666666666666324348e-1 + z * r);
}

function cosKernel(x: number): number {
  const z = x * x;
  const r =
    z *
    (4.16666666666666019037e-2 +
      z *
        (-1.38888888888741095749e-3 +
          z *
            (2.48015872894767294178e-5 +
              z *
                (-2.75573143513906633035e-7 +
                  z * (2.0875723212981748279e-9 + z * -1.13596475577881948265e-11)))));
  const half = 0.5 * z;
  const w = 1 - half;
  return w + (1 - w - half + z * r);
}

/** The argument less n·π/2 and n mod 4; accurate for |x| up to about 10^5 (Box–Muller uses [0, 2π)). */
function reduce(x: number): [number, number] {
  const n = Math.round(x / halfPiHi);
  const r = x - n * halfPiHi - n * halfPiLo;
  return [r, ((n % 4) + 4) % 4];
}

export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [r, quadrant] = reduce(x);
  return [sinKernel(r), cosKernel(r), -sinKernel(r), -cosKernel(r)][quadrant];
}

export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [r, quadrant] = reduce(x);
  return [cosKernel(r), -sinKernel(r), -cosKernel(r), sinKernel(r)][quadrant];
}

/** Replaces the engine's Math.exp, log, sin and cos with these (the browser test does, on both sides). */
export function installPortableMath(): void {
  Object.assign(Math, { exp, log, sin, cos });
}

// Cache-friendly float64 matrix products for the hand-written MLP. Row-major throughout. The main
// kernel computes four rows of the output at once, two steps of the inner dimension per pass, so
// each row of B is read once per four output rows and the innermost loop runs along contiguous
// rows of B and of the output.

/**
 * out[m×n] = A·B with B [k×n] and A given by strides: A(i, p) = a[i·rowStride + p·colStride].
 * A = a [m×k] is (k, 1); A = aᵀ for a [k×m] is (1, m), so no transpose is materialised.
 */
export function gemm(
  out: Float64Array,
  a: Float64Array,
  rowStride: number,
  colStride: number,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) fourRows(out, a, rowStride, colStride, b, i, k, n);
  for (; i < m; i++) oneRow(out, a, rowStride, colStride, b, i, k, n);
}

/** out[m×n] = a[m×k]·b[k×n]. */
export function matmul(
  out: Float64Array,
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
): void {
  gemm(out, a, k, 1, b, m, k, n);
}

/** out[m×n] = aᵀ·b for a [k×m] and b [k×n]. */
export function matmulTransA(
  out: Float64Array,
  a: Float64Array,
  b: Float64Array,
  k: number,
  m: number,
  n: number,
): void {
  gemm(out, a, 1, m, b, m, k, n);
}

/** out[m×n] = a·bᵀ for a [m×k] and b [n×k]: dot products of contiguous rows. */
export function matmulTransB(
  out: Float64Array,
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[aRow + p] * b[bRow + p];
      out[i * n + j] = sum;
    }
  }
}

function fourRows(
  out: Float64Array,
  a: Float64Array,
  rowStride: number,
  colStride: number,
  b: Float64Array,
  i: number,
  k: number,
  n: number,
): void {
  const o0 = i * n;
  const o1 = o0 + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  const r0 = i * rowStride;
  const r1 = r0 + rowStride;
  const r2 = r1 + rowStride;
  const r3 = r2 + rowStride;
  out.fill(0, o0, o0 + 4 * n);
  let p = 0;
  for (; p + 2 <= k; p += 2) {
    const c = p * colStride;
    const d = c + colStride;
    const a0 = a[r0 + c], a1 = a[r1 + c], a2 = a[r2 + c], a3 = a[r3 + c]; // prettier-ignore
    const e0 = a[r0 + d], e1 = a[r1 + d], e2 = a[r2 + d], e3 = a[r3 + d]; // prettier-ignore
    const bp = p * n;
    const bq = bp + n;
    for (let j = 0; j < n; j++) {
      const u = b[bp + j];
      const v = b[bq + j];
      out[o0 + j] += a0 * u + e0 * v;
      out[o1 + j] += a1 * u + e1 * v;
      out[o2 + j] += a2 * u + e2 * v;
      out[o3 + j] += a3 * u + e3 * v;
    }
  }
  if (p < k) {
    const c = p * colStride;
    const a0 = a[r0 + c], a1 = a[r1 + c], a2 = a[r2 + c], a3 = a[r3 + c]; // prettier-ignore
    const bp = p * n;
    for (let j = 0; j < n; j++) {
      const u = b[bp + j];
      out[o0 + j] += a0 * u;
      out[o1 + j] += a1 * u;
      out[o2 + j] += a2 * u;
      out[o3 + j] += a3 * u;
    }
  }
}

function oneRow(
  out: Float64Array,
  a: Float64Array,
  rowStride: number,
  colStride: number,
  b: Float64Array,
  i: number,
  k: number,
  n: number,
): void {
  const o = i * n;
  const r = i * rowStride;
  out.fill(0, o, o + n);
  for (let p = 0; p < k; p++) {
    const av = a[r + p * colStride];
    const bp = p * n;
    for (let j = 0; j < n; j++) out[o + j] += av * b[bp + j];
  }
}

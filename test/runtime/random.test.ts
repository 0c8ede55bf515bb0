// The runtime's seeded generator and initialisers: the bit stream against an independent BigInt
// implementation of the same algorithms, determinism, and the statistics of every distribution.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AdjointRuntimeError } from "@adjoint/runtime";
import { Rng } from "../../runtime/random.ts";
import {
  fans,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  normal,
  uniform,
  zeros,
} from "../../runtime/init.ts";

const mask32 = (1n << 32n) - 1n;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & mask32;

/** splitmix32-seeded xoshiro128**, written from the definitions in BigInt arithmetic. */
function referenceStream(seed: number, count: number): number[] {
  let counter = BigInt(seed);
  const expand = () => {
    counter = (counter + 0x9e3779b9n) & mask32;
    let z = counter;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & mask32;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & mask32;
    return z ^ (z >> 16n);
  };
  const s = [expand(), expand(), expand(), expand()];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & mask32, 7n) * 9n) & mask32));
    const t = (s[1] << 9n) & mask32;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

const draw = (count: number, next: () => number) => Array.from({ length: count }, next);

describe("Rng", () => {
  it("produces the splitmix32-seeded xoshiro128** stream, bit for bit", () => {
    for (const seed of [0, 1, 42, 0xffffffff]) {
      const rng = new Rng(seed);
      expect(
        draw(1000, () => rng.nextUint32()),
        `seed ${seed}`,
      ).toEqual(referenceStream(seed, 1000));
    }
  });

  it("builds uniform() from 27 + 26 bits of two outputs", () => {
    const [a, b] = referenceStream(7, 2);
    const expected = ((a >>> 5) * 2 ** 26 + (b >>> 6)) / 2 ** 53;
    expect(new Rng(7).uniform()).toBe(expected);
  });

  it("repeats with the same seed and differs with another", () => {
    const first = new Rng(1);
    const again = new Rng(1);
    const other = new Rng(2);
    const a = draw(100, () => first.uniform());
    expect(draw(100, () => again.uniform())).toEqual(a);
    const b = draw(100, () => other.uniform());
    expect(a.filter((value, i) => value === b[i])).toEqual([]);
    expect(new Set(a).size).toBe(100);
  });

  it("uniform(): in [0, 1), mean 1/2 and variance 1/12", () => {
    const rng = new Rng(3);
    const values = draw(100_000, () => rng.uniform());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const { mean, variance } = moments(values);
    // standard errors: 0.29/√n ≈ 9e-4 for the mean, 0.075/√n ≈ 2.4e-4 for the variance
    expect(Math.abs(mean - 0.5)).toBeLessThan(5e-3);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(1.5e-3);
  });

  it("normal(): mean 0, variance 1, kurtosis 3, 68.3% within one σ, consecutive values uncorrelated", () => {
    const rng = new Rng(4);
    const values = draw(100_000, () => rng.normal());
    const { mean, variance } = moments(values);
    expect(Math.abs(mean)).toBeLessThan(0.016); // 5 standard errors
    expect(Math.abs(variance - 1)).toBeLessThan(0.025);
    const fourth = values.reduce((total, x) => total + x ** 4, 0) / values.length;
    expect(Math.abs(fourth - 3)).toBeLessThan(0.1);
    const inside = values.filter((x) => Math.abs(x) < 1).length / values.length;
    expect(Math.abs(inside - 0.6827)).toBeLessThan(0.01);
    // the two values of a Box–Muller pair (cos and sin of one angle) must be independent
    let lag = 0;
    for (let i = 0; i + 1 < values.length; i += 2) lag += values[i] * values[i + 1];
    expect(Math.abs(lag / (values.length / 2))).toBeLessThan(0.025);
    expect(values.some((x, i) => i > 0 && x === values[i - 1])).toBe(false);
  });

  it("normal() after uniform() keeps the stream deterministic (the spare value belongs to the Rng)", () => {
    const mixed = (rng: Rng) => [rng.normal(), rng.uniform(), rng.normal(), rng.normal()];
    expect(mixed(new Rng(9))).toEqual(mixed(new Rng(9)));
    const rng = new Rng(9);
    const [first, , second] = mixed(rng);
    expect(second).not.toBe(first);
  });

  it("int(n): whole numbers in [0, n), each about equally often", () => {
    const rng = new Rng(5);
    const counts = new Array<number>(10).fill(0);
    const draws = draw(100_000, () => rng.int(10));
    expect(draws.filter((k) => !(Number.isInteger(k) && k >= 0 && k < 10))).toEqual([]);
    for (const k of draws) counts[k]++;
    // χ² with 9 degrees of freedom: 27.9 is its 0.999 quantile
    const chi2 = counts.reduce((total, c) => total + (c - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(27.9);
    expect(rng.int(1)).toBe(0);
    expect(new Rng(1).int(2 ** 32)).toBe(Math.floor(new Rng(1).uniform() * 2 ** 32));
  });

  it("shuffle(): a permutation in place, every order of three items about equally often", () => {
    const rng = new Rng(6);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = rng.shuffle([...items]);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    const typed = Float64Array.from(items);
    expect(new Rng(6).shuffle(typed)).toBe(typed);
    expect(Array.from(typed)).toEqual(shuffled);
    const orders = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = rng.shuffle(["a", "b", "c"]).join("");
      orders.set(key, (orders.get(key) ?? 0) + 1);
    }
    expect(orders.size).toBe(6);
    for (const count of orders.values()) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it("rejects a seed that is not a 32-bit unsigned integer and an n out of range", () => {
    expect(() => new Rng(-1)).toThrow(
      new AdjointRuntimeError("Rng: the seed must be an integer from 0 to 4294967295, got -1"),
    );
    expect(() => new Rng(1.5)).toThrow("got 1.5");
    expect(() => new Rng(2 ** 32)).toThrow("got 4294967296");
    const rng = new Rng(1);
    expect(() => rng.int(0)).toThrow(
      new AdjointRuntimeError("Rng.int: n must be an integer from 1 to 4294967296, got 0"),
    );
    expect(() => rng.int(2.5)).toThrow("got 2.5");
  });
});

describe("initialisers", () => {
  it("read fans from the shape", () => {
    expect(fans([])).toEqual({ fanIn: 1, fanOut: 1 });
    expect(fans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(fans([784, 128])).toEqual({ fanIn: 784, fanOut: 128 });
    // a 3×3 kernel from 16 to 32 channels
    expect(fans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
  });

  const shape = [784, 128];
  const size = 784 * 128;

  it("glorotUniform: inside ±√(6/(in+out)), mean 0, variance limit²/3", () => {
    const limit = Math.sqrt(6 / (784 + 128));
    const w = glorotUniform(new Float64Array(size), shape, new Rng(1));
    const { mean, variance } = moments(w);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    // the extremes are reached: the largest |w| is within 0.1% of the limit
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.999 * limit);
    expect(Math.abs(mean)).toBeLessThan(5 * (limit / Math.sqrt(3 * size)));
    expect(Math.abs(variance / (limit ** 2 / 3) - 1)).toBeLessThan(0.02);
  });

  it("heUniform: inside ±√(6/in)", () => {
    const limit = Math.sqrt(6 / 784);
    const w = heUniform(new Float64Array(size), shape, new Rng(2));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.abs(moments(w).variance / (limit ** 2 / 3) - 1)).toBeLessThan(0.02);
  });

  it.each([
    ["glorotNormal", glorotNormal, 2 / (784 + 128)],
    ["heNormal", heNormal, 2 / 784],
  ] as const)("%s: mean 0 and the variance of its formula", (_, init, want) => {
    const { mean, variance } = moments(init(new Float64Array(size), shape, new Rng(3)));
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(want / size));
    // the sample variance has a relative standard error of √(2/n) ≈ 0.45%
    expect(Math.abs(variance / want - 1)).toBeLessThan(0.025);
  });

  it("normal(mean, std), uniform(lo, hi) and zeros, into float32 views too", () => {
    const n = normal(new Float32Array(50_000), [50_000], new Rng(4), 3, 0.5);
    const nm = moments(n);
    expect(Math.abs(nm.mean - 3)).toBeLessThan(0.012);
    expect(Math.abs(nm.variance - 0.25)).toBeLessThan(0.01);
    const u = uniform(new Float32Array(50_000), [100, 500], new Rng(5), -2, 6);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThanOrEqual(6);
    const um = moments(u);
    expect(Math.abs(um.mean - 2)).toBeLessThan(0.06);
    expect(Math.abs(um.variance - 64 / 12)).toBeLessThan(0.15);
    expect(Array.from(zeros(Float64Array.of(1, 2, 3), [3]))).toEqual([0, 0, 0]);
  });

  it("give the same weights for the same seed and others for another seed", () => {
    const a = glorotUniform(new Float64Array(20), [4, 5], new Rng(11));
    const b = glorotUniform(new Float64Array(20), [4, 5], new Rng(11));
    const c = glorotUniform(new Float64Array(20), [4, 5], new Rng(12));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c).filter((value, i) => value === a[i])).toEqual([]);
    // one stream: the weights are the generator's uniforms scaled to [−limit, limit)
    const rng = new Rng(11);
    const limit = Math.sqrt(6 / 9);
    expect(Array.from(a)).toEqual(draw(20, () => -limit + 2 * limit * rng.uniform()));
  });

  it("reject a view that does not hold the shape, and bad parameters", () => {
    const rng = new Rng(1);
    expect(() => glorotUniform(new Float64Array(6), [2, 4], rng)).toThrow(
      new AdjointRuntimeError("glorotUniform: shape [2,4] has 8 values but the view holds 6"),
    );
    expect(() => zeros(new Float64Array(2), [2, -1])).toThrow(
      "zeros: shape must be an array of non-negative integers, got 2,-1",
    );
    expect(() => heNormal([1, 2] as never, [2], rng)).toThrow(
      "heNormal: expects a Float64Array or Float32Array view",
    );
    expect(() => normal(new Float64Array(2), [2], rng, 0, -1)).toThrow(
      "normal: mean must be finite and std finite and non-negative, got mean 0, std -1",
    );
    expect(() => uniform(new Float64Array(2), [2], rng, 1, 1)).toThrow(
      "uniform: needs finite lo < hi, got lo 1, hi 1",
    );
  });
});

describe("runtime/random.ts and runtime/init.ts", () => {
  it("import only the runtime and use no Node-only API", () => {
    for (const file of ["random.ts", "init.ts"]) {
      const text = readFileSync(new URL(`../../runtime/${file}`, import.meta.url), "utf8");
      const code = text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "");
      const imports = [...code.matchAll(/\bfrom\s+"([^"]+)"/g)].map((match) => match[1]);
      for (const source of imports) expect(source, file).toMatch(/^\.\/[a-z]+\.ts$/);
      for (const name of ["process", "require", "Buffer", "__dirname", "globalThis", "crypto"]) {
        expect(code, `${file}: ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
      }
    }
  });
});

// Element reads get `!` (noUncheckedIndexedAccess) and writes do not: cases written out by hand.
import { describe, expect, it } from "vitest";
import { assertElementReads } from "../../compiler/codegen/reads.ts";

describe("assertElementReads", () => {
  it.each([
    ["const x = x_buf[0];", "const x: number = x_buf[0]!;"],
    ["out[i] = a[i] * b[j * 3 + k];", "out[i] = a[i]! * b[j * 3 + k]!;"],
    ["out[i] += a[i];", "out[i]! += a[i]!;"],
    ["y[k] = x[idx[k]];", "y[k] = x[idx[k]!]!;"],
    ["if (a[0] === b[1]) c[2] = 1;", "if (a[0]! === b[1]!) c[2] = 1;"],
    ["t[0] == 1;", "t[0]! == 1;"],
    ["const ys = [a, b];", "const ys = [a, b];"],
    ["const specs: readonly InputSpec[] = [];", "const specs: readonly InputSpec[] = [];"],
    ['f("x[0]", s[1]); // t[2] = u[3]', 'f("x[0]", s[1]!); // t[2] = u[3]'],
    ["const v = f(a)[0];", "const v = f(a)[0]!;"],
    ["const w = a[0]!;", "const w: number = a[0]!;"],
  ])("%s", (line, expected) => {
    expect(assertElementReads(line)).toBe(expected);
  });
});

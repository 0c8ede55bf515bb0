// Cases for the core ops: arithmetic, elementary functions, sum, broadcastTo (dot and matmul: linalg.ts).
import { binaryCases, powCase, scalar, tensor, unaryCases, type OpTable } from "../kit.ts";

export const coreCases = {
  add: binaryCases("add", (a, b) => a + b),
  sub: binaryCases("sub", (a, b) => a - b),
  mul: binaryCases("mul", (a, b) => a * b),
  div: binaryCases("div", (a, b) => a / b),
  neg: unaryCases("neg", (x) => -x, [-2, 2]),
  pow: [
    powCase(2, [-2, 2]),
    powCase(3, [-2, 2]),
    powCase(1, [-2, 2]),
    powCase(0, [-2, 2]),
    powCase(-1, [0.5, 2]),
    powCase(0.5, [0.5, 2]),
    powCase(-1.5, [0.5, 2]),
  ],
  exp: unaryCases("exp", Math.exp, [-1, 1]),
  log: unaryCases("log", Math.log, [0.5, 3]),
  sin: unaryCases("sin", Math.sin, [-3, 3]),
  cos: unaryCases("cos", Math.cos, [-3, 3]),
  tanh: unaryCases("tanh", Math.tanh, [-2, 2]),
  sqrt: unaryCases("sqrt", Math.sqrt, [0.5, 3]),
  sum: [
    {
      label: "vector [5]",
      leaves: [tensor("x", [5])],
      build: (g, [x]) => g.sum(x),
      shape: [],
      expected: ([x]) => [x.reduce((total, value) => total + value, 0)],
    },
    {
      label: "matrix [2,3]",
      leaves: [tensor("x", [2, 3])],
      build: (g, [x]) => g.sum(x),
      shape: [],
      expected: ([x]) => [x.reduce((total, value) => total + value, 0)],
    },
  ],
  broadcastTo: [
    {
      label: "scalar to [2,3]",
      leaves: [scalar("s")],
      build: (g, [s]) => g.broadcastTo(s, [2, 3]),
      shape: [2, 3],
      expected: ([s]) => new Array<number>(6).fill(s[0]),
    },
    {
      label: "scalar to [4], then squared",
      leaves: [scalar("s")],
      build: (g, [s]) => {
        const b = g.broadcastTo(s, [4]);
        return g.mul(b, b);
      },
      shape: [4],
      expected: ([s]) => new Array<number>(4).fill(s[0] * s[0]),
    },
  ],
} satisfies OpTable;

// A random-ish tensor DAG for compile-time measurements, the tensor counterpart of scalar-dag.ts:
// vectors of 8, each new value from one of the last 4 and one of the last 64 by a mix of
// elementwise ops, a matrix-vector product with one of 4 weight matrices, a slice and concat
// (halves swapped), a sum broadcast back and a scaling; then the gradient of the sum of the last
// value with respect to the input and the weights. Every op is a tensor op, as in an unrolled
// recurrent network.
import { program, type Node, type Program, type ProgramBuilder } from "adjoint";
import { seeded } from "../test/support/random.ts";

const width = 8;

export function tensorDag(forwardNodes: number): Program {
  return program(`tensor_dag_${forwardNodes}`, (g) => {
    const random = seeded(forwardNodes);
    const x = g.input("x", [width]);
    const weights = Array.from({ length: 4 }, (_, i) => g.param(`W${i}`, [width, width]));
    const values: Node[] = [x];
    const recent = (window: number) =>
      values[values.length - 1 - Math.floor(random() * Math.min(window, values.length))];
    // a step builds about 2 nodes (a product or a swap several): the report counts them
    while (values.length < forwardNodes / 2) {
      values.push(step(g, random(), recent(4), recent(64), weights[Math.floor(random() * 4)]));
    }
    const f = g.sum(values[values.length - 1]);
    const [x_bar, ...weights_bar] = g.grad(f, [x, ...weights]);
    g.entry("grad", {
      fetch: {
        f,
        x_bar,
        ...Object.fromEntries(weights_bar.map((bar, i) => [`W${i}_bar`, bar])),
      },
    });
  });
}

function step(g: ProgramBuilder, choice: number, a: Node, b: Node, W: Node): Node {
  if (choice < 0.2) return g.add(a, b);
  if (choice < 0.35) return g.mul(a, b);
  if (choice < 0.45) return g.tanh(a);
  if (choice < 0.55) return g.sigmoid(g.sub(a, b));
  if (choice < 0.75) return g.reshape(g.matmul(g.reshape(a, [1, width]), W), [width]);
  if (choice < 0.85) {
    const half = width / 2;
    return g.concat([g.slice(a, [half], [width]), g.slice(b, [0], [half])]);
  }
  if (choice < 0.95) return g.add(a, g.mul(0.1, g.sum(b)));
  return g.mul(a, 0.5);
}

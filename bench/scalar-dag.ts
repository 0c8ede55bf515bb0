// A random-ish scalar DAG for compile-time measurements: 8 inputs, then binary and unary ops
// whose first operand is one of the last 4 values (so almost all reach the output) and whose
// second is one of the last 64, then the gradient of the last value with respect to the inputs.
import { program, type Node, type Program } from "adjoint";
import { seeded } from "../test/support/random.ts";

export function scalarDag(forwardNodes: number): Program {
  return program(`scalar_dag_${forwardNodes}`, (g) => {
    const random = seeded(forwardNodes);
    const inputs = Array.from({ length: 8 }, (_, i) => g.input(`x${i}`));
    const values: Node[] = [...inputs];
    const recent = (window: number) =>
      values[values.length - 1 - Math.floor(random() * Math.min(window, values.length))];
    while (values.length < forwardNodes) {
      const a = recent(4);
      const b = recent(64);
      const choice = random();
      if (choice < 0.3) values.push(g.add(a, b));
      else if (choice < 0.55) values.push(g.mul(a, b));
      else if (choice < 0.7) values.push(g.sub(a, b));
      else if (choice < 0.8) values.push(g.sin(a));
      else if (choice < 0.9) values.push(g.tanh(a));
      else values.push(g.mul(a, 0.5 + random()));
    }
    const f = values[values.length - 1];
    const gradients = g.grad(f, inputs);
    g.entry("grad", {
      fetch: { f, ...Object.fromEntries(gradients.map((gradient, i) => [`df_dx${i}`, gradient])) },
    });
  });
}

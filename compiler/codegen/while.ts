// A bounded while as one `for (;;)` loop that breaks when its condition fails: the carries live in
// the body's arg views; each step copies them into the condition's, runs its code, stops (or, at
// the bound with onMaxIterations "error", throws), records them on the tape, runs the body and
// copies its results back. Nothing is allocated: every buffer is planned.
import type { NodeOf, Region } from "../ir/node.ts";
import { sizeOf } from "../ir/shape.ts";
import type { Plan } from "../lower/plan.ts";
import type { RegionPlan } from "../lower/regions.ts";
import { boundMessage, whileLayout } from "../ops/while.ts";
import type { References } from "./references.ts";
import { copy, copyWhole, plus, type BodyLines } from "./region.ts";

/** Every line of the loop computing `node`'s flat value into its view. */
export function whileLines(
  plan: Plan,
  refs: References,
  node: NodeOf<"while">,
  [test, step]: readonly RegionPlan[],
  bodyLines: BodyLines,
  /** The local name of the runtime's error class. */
  runtimeError: string,
): string[] {
  const { attrs } = node;
  const { carries, split, maxIterations } = attrs;
  const layout = whileLayout(attrs);
  const out = refs.view(node);
  const argViews = (region: RegionPlan, body: Region) =>
    body.args.map((arg) => region.plan.views.get(arg.id)!.name);
  const [testArgs, stepArgs] = [argViews(test, attrs.condition), argViews(step, attrs.body)];
  const count = plan.table.claim("count");
  const lines: string[] = [];
  // carries enter the body's args once (they stay there); captured values enter their region's
  node.inputs.forEach((input, k) => {
    const view =
      k < carries ? stepArgs[k] : k < carries + split ? testArgs[k] : stepArgs[k - split];
    lines.push(...copyWhole(refs, view, input));
  });
  const run = (region: RegionPlan) => {
    const [lowered] = region.plan.entries;
    return [
      ...lowered.scalarLeaves.map(
        (leaf) =>
          `const ${region.plan.names.get(leaf.id)!} = ${region.plan.views.get(leaf.id)!.name}[0];`,
      ),
      ...bodyLines(region.plan, lowered, region.inner, region.base),
    ];
  };
  const sizes = attrs.body.results.map((result) => sizeOf(result.shape));
  const holds = test.plan.entries[0].outputs[0].view.name;
  const results = step.plan.entries[0].outputs.map((output) => output.view.name);
  lines.push(`let ${count} = 0;`, "for (;;) {");
  sizes.forEach((size, k) =>
    lines.push(
      ...copy(
        size,
        (i) => `${testArgs[k]}[${i}]`,
        (i) => `${stepArgs[k]}[${i}]`,
      ),
    ),
  );
  lines.push(...run(test), `if (${holds}[0] === 0) break;`);
  lines.push(
    attrs.onMaxIterations === "error"
      ? `if (${count} === ${maxIterations}) throw new ${runtimeError}(${JSON.stringify(boundMessage(attrs))});`
      : `if (${count} === ${maxIterations}) break;`,
  );
  layout.tape.forEach((part, k) => {
    const at = `${part.offset} + ${count}${sizes[k] === 1 ? "" : ` * ${sizes[k]}`}`;
    lines.push(
      ...copy(
        sizes[k],
        (i) => `${out}[${plus(at, i)}]`,
        (i) => `${stepArgs[k]}[${i}]`,
      ),
    );
  });
  lines.push(...run(step));
  // every result is in its own view by now, so the carries may be overwritten
  sizes.forEach((size, k) =>
    lines.push(
      size === 1 ? `${stepArgs[k]}[0] = ${results[k]}[0];` : `${stepArgs[k]}.set(${results[k]});`,
    ),
  );
  lines.push(`${count}++;`, "}");
  layout.finals.forEach((part, k) =>
    lines.push(
      ...copy(
        sizes[k],
        (i) => `${out}[${plus(part.offset, i)}]`,
        (i) => `${stepArgs[k]}[${i}]`,
      ),
    ),
  );
  lines.push(`${out}[${layout.count.offset}] = ${count};`);
  return lines;
}

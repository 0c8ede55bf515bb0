// g.whileLoop: a loop of at most `maxIterations` steps that stops when its condition fails. It is
// one while node with a condition region and a body region (see WhileAttrs): it runs only the steps
// needed, counts them, and its tape (maxIterations carries) is planned at compile time, so reverse
// mode replays exactly the steps that ran.
import type { Node, WhileAttrs } from "../ir/node.ts";
import { formatShape } from "../ir/shape.ts";
import { isNodeLeaf, isNodeValue, leavesOf } from "../ir/tree.ts";
import { whileLayout } from "../ops/while.ts";
import { carryIn, carryOut } from "./carries.ts";
import {
  asNode,
  checkedCarry,
  describeValue,
  rebuildTree,
  scanPart,
  type AsNodes,
} from "./loops.ts";
import type { Ops } from "./ops.ts";

export interface WhileOptions {
  /** The most steps the loop may take (its tape holds this many carries). */
  readonly maxIterations: number;
  /**
   * When the condition still holds after maxIterations steps: "stop" (the default) returns the
   * carry as it is then; "error" fails the call at run time, naming the loop and its line.
   */
  readonly onMaxIterations?: "stop" | "error";
}

const leaf = (value: unknown) => isNodeLeaf(value);

/** The carry when `condition` first fails (or at the bound), and the steps taken (an i32). */
export function buildWhile<C>(
  g: Ops,
  condition: (carry: AsNodes<C>) => Node,
  body: (carry: AsNodes<C>) => C,
  init: C,
  options: WhileOptions,
): { value: AsNodes<C>; iterations: Node } {
  if (typeof condition !== "function" || typeof body !== "function") {
    g.fail("whileLoop", `expects (condition, body, init, { maxIterations }) with two functions`);
  }
  const { maxIterations, onMaxIterations } = checkedOptions(g, options);
  const carries = leavesOf(init, leaf).map(
    ([path, value]) => [path, asNode(g, "whileLoop", value, "init", path)] as const,
  );
  if (carries.length === 0) g.fail("whileLoop", `the loop has no carry`);
  // an integer or boolean carry travels as a float (see carries.ts)
  const args = carries.map(([, node], k) => ({
    name: `carry${k}`,
    shape: node.shape,
    dtype: g.graph.dtype,
  }));
  const carryOf = (nodes: readonly Node[]) =>
    rebuildTree(
      init,
      nodes.map((arg, k) => carryOut(g, arg, carries[k][1].dtype)),
    ) as AsNodes<C>;
  const test = g.region(args, (nodes) => {
    const holds = condition(carryOf(nodes)) as unknown;
    if (!isNodeValue(holds) || holds.dtype !== "bool" || holds.shape.length !== 0) {
      const got = isNodeValue(holds)
        ? `${holds.dtype}${formatShape(holds.shape)}`
        : describeValue(holds);
      g.fail("whileLoop", `the condition must return a bool scalar (a comparison), got ${got}`);
    }
    return [holds];
  });
  const step = g.region(args, (nodes) => {
    const returned = body(carryOf(nodes)) as unknown;
    return checkedCarry(g, "whileLoop", carries, returned).map((node) => carryIn(g, node));
  });
  const attrs: WhileAttrs = {
    condition: test.region,
    body: step.region,
    carries: carries.length,
    split: test.captured.length,
    maxIterations,
    onMaxIterations,
    site: g.userLine(),
    tape: true,
  };
  const inits = carries.map(([, node]) => carryIn(g, node));
  const node = g.whileNode([...inits, ...test.captured, ...step.captured], attrs);
  // the tape stays unread here: only reverse mode reads it
  const layout = whileLayout(attrs);
  const finals = layout.finals.map((part, k) =>
    carryOut(g, scanPart(g, node, part), carries[k][1].dtype),
  );
  // the count is a whole number and a constant to every derivative
  const iterations = g.cast(g.stopGradient(scanPart(g, node, layout.count)), "i32");
  return { value: rebuildTree(init, finals) as AsNodes<C>, iterations };
}

const whileOptionKeys = ["maxIterations", "onMaxIterations"];

function checkedOptions(g: Ops, options: WhileOptions) {
  const given = (options ?? {}) as Partial<WhileOptions>;
  for (const key of Object.keys(given)) {
    if (key === "checkpoint") {
      // a while's tape rows are the steps that ran; only scans take a checkpoint policy yet
      g.fail(
        "whileLoop",
        `checkpoint is not supported for whileLoop (it tapes every step that ran); use g.scan with a length`,
      );
    }
    if (!whileOptionKeys.includes(key)) {
      g.fail(
        "whileLoop",
        `unknown option ${JSON.stringify(key)}; expected ${whileOptionKeys.join(" or ")}`,
      );
    }
  }
  const max = given.maxIterations;
  if (max === undefined || !Number.isInteger(max) || max < 1) {
    g.fail("whileLoop", `maxIterations must be a positive integer, got ${String(max)}`);
  }
  const onMax = given.onMaxIterations ?? "stop";
  if (onMax !== "stop" && onMax !== "error") {
    g.fail(
      "whileLoop",
      `onMaxIterations must be "stop" or "error", got ${JSON.stringify(onMax) ?? String(onMax)}`,
    );
  }
  return { maxIterations: max, onMaxIterations: onMax };
}

// Loop bodies get plans of their own (their args are leaves, their results one entry's outputs),
// placed in the arena after the program's: every body's buffers are planned, none is allocated.
import { nodeRegions, type Node } from "../ir/node.ts";
import { regionProgram } from "../ir/region.ts";
import { plan as planBuffers, type Plan, type PlanOptions } from "./plan.ts";

export interface RegionPlan {
  readonly node: Node;
  /** The body's plan; its view offsets count from `base`. */
  readonly plan: Plan;
  readonly base: number;
  /** The plans of loops inside this body. */
  readonly inner: RegionPlans;
}

export interface RegionPlans {
  /** The plan of each body of a node (a scan's one, a cond's and a while's two), by the node's id. */
  readonly byNode: ReadonlyMap<number, readonly RegionPlan[]>;
  /** Arena elements all of them take, nested ones included. */
  readonly length: number;
}

/** Plans the body of every loop `plan` schedules, from arena offset `base` on. */
export function planRegions(plan: Plan, options: PlanOptions, base: number): RegionPlans {
  const byNode = new Map<number, RegionPlan[]>();
  let next = base;
  for (const lowered of plan.entries) {
    for (const node of lowered.schedule) {
      if (byNode.has(node.id)) continue;
      const regions = nodeRegions(node).map(([, region]) => region);
      if (regions.length === 0) continue;
      byNode.set(
        node.id,
        regions.map((region) => {
          const body = planBuffers(regionProgram(region), { ...options, table: plan.table });
          const inner = planRegions(body, options, next + body.arenaLength);
          const placed = { node, plan: body, base: next, inner };
          next += body.arenaLength + inner.length;
          return placed;
        }),
      );
    }
  }
  return { byNode, length: next - base };
}

/** Every body plan, nested ones included. */
export function allRegions(regions: RegionPlans): RegionPlan[] {
  return [...regions.byNode.values()]
    .flat()
    .flatMap((region) => [region, ...allRegions(region.inner)]);
}

// Every scan form against the host-unrolled program of the same steps, through the interpreter:
// values, gradients, forward mode, hvp and a third derivative equal to 1e-12 relative.
import { describe, expect, it } from "vitest";
import { interpret } from "../../compiler/index.ts";
import { relativeError } from "../support/oracle.ts";
import { derivatives, forms, looped, unrolled } from "./forms.ts";

describe.each(forms)("$name", (form) => {
  it("equals its unrolled twin in value, gradient, jvp, hvp and third order", () => {
    const loop = derivatives(form, looped);
    const twin = derivatives(form, unrolled);
    const scans = loop.program.graph.nodes.filter((node) => node.op === "scan").length;
    expect(scans).toBeGreaterThan(0);
    expect(twin.program.graph.nodes.some((node) => node.op === "scan")).toBe(false);
    const keys = Object.keys(loop.nodes);
    const leaves = { ...form.leaves, ...form.ints };
    const got = interpret(
      keys.map((k) => loop.nodes[k]),
      leaves,
    );
    const want = interpret(
      keys.map((k) => twin.nodes[k]),
      leaves,
    );
    keys.forEach((key, i) => {
      expect(got[i].length, key).toBe(want[i].length);
      expect(
        relativeError(got[i], want[i]),
        `${key}: ${[...got[i]]} vs ${[...want[i]]}`,
      ).toBeLessThanOrEqual(1e-12);
    });
  });
});

// Builds a program and its DSL source together: every line is run against the real builder as it
// is written, so the printed reproducer is exactly what ran, and shapes come from the compiler.
import type { ProgramBuilder } from "../compiler/dsl/program.ts";
import type { Node } from "../compiler/ir/node.ts";
import type { Shape } from "../compiler/ir/shape.ts";

/** What a leaf's values are for, and where they may be drawn from. */
export interface LeafInfo {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: "f64" | "i32";
  readonly kind: "input" | "param";
  /** i32 leaves: indices are drawn from [0, bound). */
  readonly bound?: number;
  /** A point's coordinate, or a direction fed to a transform (tangent, cotangent, hvp vector). */
  readonly role: "point" | "direction";
}

export interface Var {
  readonly name: string;
  readonly value: unknown;
}

export class Recorder {
  readonly lines: string[] = [];
  readonly vars: Var[] = [];
  readonly leaves: LeafInfo[] = [];
  private count = 0;

  constructor(readonly g: ProgramBuilder) {}

  /** `const vN = expr;`, run now; returns the new name and its node. */
  value(expr: string): { name: string; node: Node } {
    const name = `v${this.count++}`;
    const node = this.run(`const ${name} = ${expr};`, `return ${expr};`) as Node;
    this.vars.push({ name, value: node });
    return { name, node };
  }

  /** A named value of any kind (a list of gradients, say), not in the pool of tensors. */
  named(name: string, expr: string): unknown {
    const value = this.run(`const ${name} = ${expr};`, `return ${expr};`);
    this.vars.push({ name, value });
    return value;
  }

  statement(code: string): void {
    this.run(code, code);
  }

  leaf(info: Omit<LeafInfo, "name">, prefix: string): string {
    const name = `${prefix}${this.count++}`;
    const shape = list(info.shape);
    const options = info.dtype === "i32" ? `, { dtype: "i32" }` : "";
    const call =
      info.kind === "input"
        ? `g.input("${name}", ${shape}${options})`
        : `g.param("${name}", ${shape})`;
    const node = this.run(`const ${name} = ${call};`, `return ${call};`) as Node;
    this.vars.push({ name, value: node });
    this.leaves.push({ ...info, name });
    return name;
  }

  /** Tensors (float nodes) in scope, oldest first. */
  floats(): { name: string; node: Node }[] {
    return this.vars.flatMap((v) =>
      isNode(v.value) && v.value.dtype === "f64" ? [{ name: v.name, node: v.value }] : [],
    );
  }

  private run(line: string, body: string): unknown {
    this.lines.push(line);
    const names = this.vars.map((v) => v.name);
    const fn = new Function("g", ...names, body) as (...args: unknown[]) => unknown;
    return fn(this.g, ...this.vars.map((v) => v.value));
  }
}

export function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "op" in value && "shape" in value;
}

/** The program as a reader would write it. */
export function programSource(lines: readonly string[]): string {
  return [`program("fuzz", (g) => {`, ...lines.map((line) => `  ${line}`), `});`].join("\n");
}

/** `[2, 3]`: numbers as JavaScript reads them. */
export function list(values: readonly number[]): string {
  return `[${values.join(", ")}]`;
}

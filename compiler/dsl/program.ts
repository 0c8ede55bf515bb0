// The DSL entry: program(name, (g) => { ... }) declares leaves, builds nodes, and names entry points.
import { jvp } from "../autodiff/forward.ts";
import { vjp } from "../autodiff/reverse.ts";
import { AdjointError } from "../errors.ts";
import { Graph } from "../ir/graph.ts";
import type { DType, Node, NodeOf } from "../ir/node.ts";
import type { EntryPoint, ParamInit, Program } from "../ir/program.ts";
import { formatShape, isValidShape, sameShape, sizeOf, type Shape } from "../ir/shape.ts";
import { capitalize, pascalCase } from "../lower/names.ts";
import { callerLoc } from "./loc.ts";
import { checkName, moduleTypeNames } from "./names.ts";
import { Ops } from "./ops.ts";

export interface ProgramOptions {
  /** Element type of every value and of the arena: float64 (default) or float32. */
  readonly dtype?: DType;
}

export interface EntrySpec {
  /** Outputs by name. */
  readonly fetch?: Readonly<Record<string, Node>>;
  /** In-place assignments [param, newValue]; every new value is computed before any is written. */
  readonly update?: readonly (readonly [Node, Node])[];
}

/** Instance members that an entry point must not shadow. */
const instanceMembers = new Set(["arena", "inputs", "params", "layout", "dtype"]);

export class ProgramBuilder extends Ops {
  private readonly leafList: (NodeOf<"input"> | NodeOf<"param">)[] = [];
  private readonly entryList: EntryPoint[] = [];
  private readonly inits = new Map<string, ParamInit>();

  constructor(dtype: DType) {
    super(new Graph(dtype), () => ({ loc: callerLoc() }));
  }

  /** A value fed on every call. */
  input(name: string, shape: Shape = []): Node {
    return this.leaf("input", name, shape);
  }

  /** A value that persists in the instance between calls (weights); zero unless `init` says otherwise. */
  param(name: string, shape: Shape = [], options: { readonly init?: ParamInit } = {}): Node {
    const node = this.leaf("param", name, shape);
    if (options.init !== undefined) this.inits.set(name, this.checkInit(name, shape, options.init));
    return node;
  }

  /** Gradient of the scalar `y` with respect to each of `wrt`, appended to this graph. */
  grad(y: Node, wrt: Node): Node;
  grad(y: Node, wrt: readonly Node[]): Node[];
  grad(y: Node, wrt: Node | readonly Node[]): Node | Node[] {
    const list = this.nodeList("grad", wrt);
    this.nodeList("grad", [y]);
    if (y.shape.length !== 0) {
      this.fail(
        "grad",
        `output %${y.id} has shape ${formatShape(y.shape)}; grad needs a scalar (use g.vjp with a cotangent)`,
      );
    }
    const adjoints = vjp(this, [y], [this.constant(1)], list);
    return Array.isArray(wrt) ? adjoints : adjoints[0];
  }

  /** Vector-Jacobian product: adjoints of `wrt` for outputs weighted by `cotangents`. */
  vjp(outputs: readonly Node[], cotangents: readonly Node[], wrt: readonly Node[]): Node[] {
    this.pairShapes(
      "vjp",
      this.nodeList("vjp", outputs),
      this.nodeList("vjp", cotangents),
      "cotangent",
    );
    return vjp(this, outputs, cotangents, this.nodeList("vjp", wrt));
  }

  /** Jacobian-vector product: tangents of `outputs` when `wrt` move along `tangents`. */
  jvp(outputs: readonly Node[], wrt: readonly Node[], tangents: readonly Node[]): Node[] {
    this.pairShapes("jvp", this.nodeList("jvp", wrt), this.nodeList("jvp", tangents), "tangent");
    return jvp(this, this.nodeList("jvp", outputs), wrt, tangents);
  }

  /** Names a node in generated code (the first name given wins). */
  name(node: Node, name: string): Node {
    this.nodeList("name", [node]);
    this.graph.label(node, checkName("value", name, callerLoc()));
    return node;
  }

  /** Declares an entry point: a generated function that computes `fetch` and applies `update`. */
  entry(name: string, spec: EntrySpec): void {
    const loc = callerLoc();
    checkName("entry", name, loc);
    if (instanceMembers.has(name) || this.entryList.some((entry) => entry.name === name)) {
      throw new AdjointError(
        `entry "${name}" is declared twice or clashes with an instance member`,
        loc,
      );
    }
    // the outputs type is named after the capitalized entry name: "grad" and "Grad" would share it
    const twin = this.entryList.find((entry) => capitalize(entry.name) === capitalize(name));
    if (twin !== undefined) {
      throw new AdjointError(
        `entry "${name}" differs from entry "${twin.name}" only in its first letter; ` +
          `their generated output types would have the same name`,
        loc,
      );
    }
    const fetch = Object.entries(spec.fetch ?? {}).map(([key, node]) => {
      checkName("fetch", key, loc);
      this.nodeList(`entry "${name}" fetch "${key}"`, [node]);
      return [key, node] as const;
    });
    const update = (spec.update ?? []).map(([target, value]) =>
      this.checkUpdate(name, target, value),
    );
    if (fetch.length === 0 && update.length === 0) {
      throw new AdjointError(`entry "${name}" fetches nothing and updates nothing`, loc);
    }
    this.entryList.push({ name, fetch, update, loc });
  }

  build(name: string, dtype: DType): Program {
    if (this.entryList.length === 0) {
      throw new AdjointError(
        `program "${name}" declares no entry point (add g.entry(...))`,
        callerLoc(),
      );
    }
    return {
      kind: "adjoint.program",
      name,
      dtype,
      graph: this.graph,
      entries: [...this.entryList],
      leaves: [...this.leafList],
      paramInit: new Map(this.inits),
    };
  }

  private leaf<K extends "input" | "param">(op: K, name: string, shape: Shape): NodeOf<K> {
    const loc = callerLoc();
    checkName(op, name, loc);
    if (!isValidShape(shape)) {
      throw new AdjointError(
        `${op} "${name}": shape must be an array of non-negative integers`,
        loc,
      );
    }
    if (this.leafList.some((leaf) => leaf.attrs.name === name)) {
      throw new AdjointError(`${op} "${name}": the name is already declared in this program`, loc);
    }
    const node = this.graph.intern(op, [], { name, shape: [...shape] }, () => ({
      loc,
      label: name,
    }));
    this.leafList.push(node as NodeOf<"input"> | NodeOf<"param">);
    return node;
  }

  private checkInit(name: string, shape: Shape, init: ParamInit): ParamInit {
    const ok =
      typeof init === "number" ||
      (Array.isArray(init) &&
        init.length === sizeOf(shape) &&
        init.every((v) => typeof v === "number"));
    if (!ok) {
      throw new AdjointError(
        `param "${name}": init must be a number or ${sizeOf(shape)} numbers for shape ${formatShape(shape)}`,
        callerLoc(),
      );
    }
    return typeof init === "number" ? init : [...init];
  }

  private checkUpdate(entry: string, target: Node, value: Node): readonly [NodeOf<"param">, Node] {
    this.nodeList(`entry "${entry}" update`, [target, value]);
    if (target.op !== "param") {
      this.fail(
        `entry "${entry}" update`,
        `only params can be updated, not a node of op ${target.op}`,
      );
    }
    if (!sameShape(target.shape, value.shape)) {
      this.fail(
        `entry "${entry}" update`,
        `param "${target.attrs.name}" has shape ${formatShape(target.shape)}, new value has ${formatShape(value.shape)}`,
      );
    }
    return [target, value];
  }

  private nodeList(op: string, value: Node | readonly Node[]): Node[] {
    const list = Array.isArray(value) ? [...(value as readonly Node[])] : [value as Node];
    list.forEach((node, i) => {
      if (typeof node !== "object" || node === null || !("op" in node) || !this.graph.has(node)) {
        this.fail(op, `argument ${i + 1} is not a node of this program`);
      }
    });
    return list;
  }

  private pairShapes(
    op: string,
    primals: readonly Node[],
    partners: readonly Node[],
    what: string,
  ): void {
    if (primals.length !== partners.length) {
      this.fail(op, `${primals.length} values but ${partners.length} ${what}s`);
    }
    primals.forEach((primal, i) => {
      if (!sameShape(primal.shape, partners[i].shape)) {
        this.fail(
          op,
          `${what} ${i + 1} has shape ${formatShape(partners[i].shape)}, its value has ${formatShape(primal.shape)}`,
        );
      }
    });
  }
}

/** Declares a program. Its default export from a `.graph.ts` file is what `adjoint compile` reads. */
export function program(
  name: string,
  build: (g: ProgramBuilder) => void,
  options: ProgramOptions = {},
): Program {
  checkName("program", name, callerLoc());
  checkTypeName(name);
  const dtype = options.dtype ?? "f64";
  if (dtype !== "f64" && dtype !== "f32") {
    throw new AdjointError(
      `program "${name}": dtype must be "f64" or "f32", got ${String(dtype)}`,
      callerLoc(),
    );
  }
  const g = new ProgramBuilder(dtype);
  build(g);
  return g.build(name, dtype);
}

/** The program's name in PascalCase names the generated types: it must be an identifier of its own. */
function checkTypeName(name: string): void {
  const type = pascalCase(name);
  if (!/^[A-Za-z]/.test(type) || moduleTypeNames.has(type)) {
    throw new AdjointError(
      `program name ${JSON.stringify(name)} would name its generated type ${JSON.stringify(type)}, ` +
        `which is empty, starts with a digit or is a type the module uses (${[...moduleTypeNames].join(", ")})`,
      callerLoc(),
    );
  }
}

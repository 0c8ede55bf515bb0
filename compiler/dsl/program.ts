// The DSL entry: program(name, (g) => { ... }) declares leaves, builds nodes, and names entry points.
import { AdjointError, type SourceLoc } from "../errors.ts";
import { Graph } from "../ir/graph.ts";
import type { AttrsOf, DType, FloatType, Node, NodeOf } from "../ir/node.ts";
import type { EntryPoint, ParamInit, Program } from "../ir/program.ts";
import { formatShape, isValidShape, sameShape, sizeOf, type Shape } from "../ir/shape.ts";
import {
  isNodeLeaf,
  leavesOf,
  mapLeaves,
  type MapNodes,
  type NodeRecord,
  type NodeTree,
} from "../ir/tree.ts";
import { ops } from "../ops/registry.ts";
import { describeValue } from "./arguments.ts";
import { callerLoc } from "./loc.ts";
import {
  capitalize,
  checkEntryName,
  checkName,
  moduleTypeNames,
  pascalCase,
  pathIdentifier,
} from "./names.ts";
import { rememberBuild } from "./rerun.ts";
import { checkOptions, checkSpec, pairList } from "./specs.ts";
import { TransformBuilder, type BuilderKit } from "./transforms.ts";

export interface ProgramOptions {
  /** Element type of every value and of the arena: float64 (default) or float32. */
  readonly dtype?: FloatType;
}

export interface EntrySpec {
  /** Outputs by name; a nested record gives nested outputs (`grads.layer1.W`). */
  readonly fetch?: NodeRecord;
  /** In-place assignments [param, newValue]; every new value is computed before any is written. */
  readonly update?: readonly (readonly [Node, Node])[];
  /** [buffers, values]: each value is added into its buffer param (gradient accumulation). */
  readonly accumulate?: readonly (readonly [NodeTree, NodeTree])[];
  /** Params set to zero (a node, or a tree of them: the buffers that `accumulate` fills). */
  readonly zero?: NodeTree;
  /**
   * An entry declared earlier that must be called first (a forward pass before this backward
   * pass): its values stay in the arena and are read here, not recomputed. Calling this entry
   * without that one first, or after another entry, throws.
   */
  readonly after?: string;
}

/** A param of g.params: its shape, or its shape and initial value. */
export type ParamSpec = Shape | { readonly shape: Shape; readonly init?: ParamInit };
export interface ParamSpecs {
  readonly [name: string]: ParamSpec | ParamSpecs;
}
/** What g.params returns: the record of specs with a param node in place of every spec. */
export type ParamNodes<S> = {
  readonly [K in keyof S]: S[K] extends ParamSpec ? Node : ParamNodes<S[K]>;
};

/** Where a tree of param specs stops: at a shape, at `{ shape, ... }`, or at anything invalid. */
function isParamSpec(value: unknown): boolean {
  if (Array.isArray(value) || typeof value !== "object" || value === null) return true;
  return Array.isArray((value as { shape?: unknown }).shape);
}

export class ProgramBuilder extends TransformBuilder {
  private readonly leafList: (NodeOf<"input"> | NodeOf<"param">)[] = [];
  private readonly entryList: EntryPoint[] = [];
  private readonly inits = new Map<string, ParamInit>();

  constructor(
    dtype: FloatType,
    kit: BuilderKit,
    /** The program's name, for errors. */
    private readonly programName = "",
  ) {
    super(new Graph(ops, dtype), kit, () => ({ loc: callerLoc() }));
  }

  /** A value fed on every call. */
  input(name: string, shape: Shape = [], options: { readonly dtype?: "i32" | "bool" } = {}): Node {
    checkOptions(`input "${name}"`, options, "{ dtype }");
    const dtype = options.dtype ?? this.graph.dtype;
    if (dtype !== this.graph.dtype && dtype !== "i32" && dtype !== "bool") {
      throw new AdjointError(
        `input "${name}": dtype must be "i32" or "bool", got ${String(dtype)}`,
        callerLoc(),
      );
    }
    return this.leaf("input", name, shape, dtype);
  }

  /** A value that persists in the instance between calls (weights); zero unless `init` says otherwise. */
  param(name: string, shape: Shape = [], options: { readonly init?: ParamInit } = {}): Node {
    checkName("param", name, callerLoc());
    checkOptions(`param "${name}"`, options, "{ init }");
    return this.nestedParam(name, shape, options.init);
  }

  /**
   * Params from a nested record of specs (a shape, or `{ shape, init }`), returned as the same
   * record of nodes. Each is named by its path ("layer1.W"), and generated code nests it alike.
   */
  params<S extends ParamSpecs>(specs: S): ParamNodes<S> {
    if (typeof specs !== "object" || specs === null || Array.isArray(specs)) {
      throw new AdjointError(`params: expects a record of named param specs`, callerLoc());
    }
    return mapLeaves(specs, isParamSpec, (spec, path) => {
      const name = path.join(".");
      if (path.length === 0 || typeof spec !== "object" || spec === null) {
        throw new AdjointError(
          `params: "${name}" must be a shape or { shape, init }, got ${String(spec)}`,
          callerLoc(),
        );
      }
      const { shape, init } = Array.isArray(spec)
        ? { shape: spec as Shape, init: undefined }
        : (spec as Exclude<ParamSpec, Shape>);
      return this.nestedParam(name, shape, init);
    }) as ParamNodes<S>;
  }

  /**
   * Persistent zero-initialized buffers for the gradients of params (a node or a tree of them),
   * named after each with "_grad" ("layer1.W" -> "layer1.W_grad"): fill them with an entry's
   * `accumulate`, clear them with its `zero`.
   */
  gradBuffer<T extends NodeTree>(of: T): MapNodes<T> {
    const leaves = this.treeNodes("gradBuffer", of);
    for (const leaf of leaves) {
      if ((leaf.op !== "param" && leaf.op !== "input") || leaf.dtype !== this.graph.dtype) {
        this.fail(
          "gradBuffer",
          `expects params or real inputs, got a ${leaf.dtype} ${leaf.op} node`,
        );
      }
    }
    return this.likeTree(
      of,
      leaves.map((leaf) => this.nestedParam(`${leafName(leaf)}_grad`, leaf.shape, undefined)),
    ) as MapNodes<T>;
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
    checkEntryName(this.programName, name, loc);
    if (this.entryList.some((entry) => entry.name === name)) {
      throw new AdjointError(
        `program "${this.programName}": entry "${name}" is declared twice`,
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
    checkSpec(name, spec, loc);
    const fetch = this.fetchList(name, spec.fetch ?? {});
    const update = [
      ...pairList(name, "update", "[param, newValue]", spec.update, loc),
      ...pairList(name, "accumulate", "[buffers, values]", spec.accumulate, loc).flatMap(
        ([buffers, values]) => this.accumulation(name, buffers, values),
      ),
      ...this.treeNodes(`entry "${name}" zero`, spec.zero ?? []).map(
        (param) => [param, this.constant(0, param.shape)] as const,
      ),
    ].map(([target, value]) => this.checkUpdate(name, target, value));
    const twice = update.find(([target], i) => update.findIndex(([other]) => other === target) < i);
    if (twice !== undefined) {
      throw new AdjointError(`entry "${name}" updates param "${twice[0].attrs.name}" twice`, loc);
    }
    if (fetch.length === 0 && update.length === 0) {
      throw new AdjointError(`entry "${name}" fetches nothing and updates nothing`, loc);
    }
    if (spec.after !== undefined && !this.entryList.some((entry) => entry.name === spec.after)) {
      const known = this.entryList.map((entry) => `"${entry.name}"`).join(", ") || "none yet";
      throw new AdjointError(
        `entry "${name}" runs after "${String(spec.after)}", which is not an entry declared before it (declared: ${known})`,
        loc,
      );
    }
    this.entryList.push({
      name,
      fetch,
      update,
      loc,
      ...(spec.after === undefined ? {} : { after: spec.after }),
    });
  }

  build(name: string, dtype: FloatType): Program {
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

  /** A param named by a path ("layer1.W" is `instance.params.layer1.W`). */
  private nestedParam(name: string, shape: Shape, init: ParamInit | undefined): Node {
    const node = this.leaf("param", name, shape, this.graph.dtype);
    if (init !== undefined) this.inits.set(name, this.checkInit(name, shape, init));
    return node;
  }

  private leaf<K extends "input" | "param">(
    op: K,
    name: string,
    shape: Shape,
    dtype: DType,
  ): NodeOf<K> {
    const loc = callerLoc();
    if (this.insideRegion) {
      throw new AdjointError(`${op} "${name}": declare inputs and params outside loop bodies`, loc);
    }
    if (op === "param") checkPath(op, name, loc);
    else checkName(op, name, loc);
    if (!isValidShape(shape)) {
      throw new AdjointError(
        `${op} "${name}": shape must be an array of non-negative integers, got ${describeValue(shape)}`,
        loc,
      );
    }
    if (this.leafList.some((leaf) => leaf.attrs.name === name)) {
      throw new AdjointError(`${op} "${name}": the name is already declared in this program`, loc);
    }
    // a nested name is a path in instance.params: no param may be a group of another
    const nesting = this.leafList.find(
      (leaf) => leaf.attrs.name.startsWith(`${name}.`) || name.startsWith(`${leaf.attrs.name}.`),
    );
    if (nesting !== undefined) {
      throw new AdjointError(
        `${op} "${name}": "${nesting.attrs.name}" is declared, and a name cannot be both a param and a group of params`,
        loc,
      );
    }
    const attrs = op === "input" ? { name, shape: [...shape], dtype } : { name, shape: [...shape] };
    const node = this.graph.intern(op, [], attrs as AttrsOf[K], () => ({
      loc,
      label: pathIdentifier(name),
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

  /** Fetched nodes by dotted path: a nested record of outputs flattened ("grads.layer1.W"). */
  private fetchList(entry: string, fetch: NodeRecord): (readonly [string, Node])[] {
    const loc = callerLoc();
    if (isNodeLeaf(fetch) || Array.isArray(fetch)) {
      throw new AdjointError(
        `entry "${entry}": fetch must be a record of named outputs, got ${describeValue(fetch)}`,
        loc,
      );
    }
    return leavesOf(fetch, isNodeLeaf).map(([path, node]) => {
      for (const key of path) checkName("fetch", key, loc);
      const key = path.join(".");
      return [key, this.nodeList(`entry "${entry}" fetch "${key}"`, [node as Node])[0]] as const;
    });
  }

  /** Updates that add each value into its buffer: buffer := buffer + value. */
  private accumulation(entry: string, buffers: NodeTree, values: NodeTree) {
    const what = `entry "${entry}" accumulate`;
    const targets = this.treeNodes(what, buffers);
    const terms = this.treeNodes(what, values);
    if (targets.length !== terms.length) {
      this.fail(what, `${targets.length} buffers but ${terms.length} values`);
    }
    return targets.map((buffer, i) => {
      this.checkUpdate(entry, buffer, terms[i]);
      return [buffer, this.add(buffer, terms[i])] as const;
    });
  }
}

/** A param or input's declared name. */
function leafName(leaf: Node): string {
  return leaf.op === "param" || leaf.op === "input" ? leaf.attrs.name : `%${leaf.id}`;
}

/** A param name: identifiers joined by dots ("layer1.W"), each level checked like any name. */
function checkPath(kind: string, name: string, loc: SourceLoc | undefined): void {
  try {
    for (const part of name.split(".")) checkName(kind, part, loc);
  } catch {
    // fails again, naming the whole path
    checkName(kind, name, loc);
  }
}

/** Declares a program with the builder wired to `kit` (compiler/program.ts's `program` hands it in). */
export function declareProgram(
  name: string,
  build: (g: ProgramBuilder) => void,
  options: ProgramOptions,
  kit: BuilderKit,
): Program {
  checkName("program", name, callerLoc());
  checkTypeName(name);
  if (typeof build !== "function") {
    throw new AdjointError(
      `program "${name}": expects a function (g) => { ... } that builds it, got ${describeValue(build)}`,
      callerLoc(),
    );
  }
  checkOptions(`program "${name}"`, options, "{ dtype }");
  const dtype = options.dtype ?? "f64";
  if (dtype !== "f64" && dtype !== "f32") {
    throw new AdjointError(
      `program "${name}": dtype must be "f64" or "f32", got ${String(dtype)}`,
      callerLoc(),
    );
  }
  const run = () => {
    const g = new ProgramBuilder(dtype, kit, name);
    build(g);
    return { program: g.build(name, dtype), builder: g };
  };
  const { program: built } = run();
  return rememberBuild(built, run);
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

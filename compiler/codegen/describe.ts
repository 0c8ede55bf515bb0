// The module's description for the printer: interfaces, layout, factory, and where bodies go.
import path from "node:path";
import type { Node } from "../ir/node.ts";
import { nestedObject, nestPaths, type Nested } from "../ir/tree.ts";
import type { LoweredEntry, Plan, View } from "../lower/plan.ts";
import { safeComment } from "./comments.ts";
import { kernelsLocal } from "./entry.ts";
import { feedIndexBounds } from "./indices.ts";
import type { FunctionSpec, ImportSpec, InterfaceSpec, ModuleSpec } from "./module.ts";
import { outputsType, type ModuleNames } from "./scope.ts";
import type { SharedLoop } from "./shared.ts";
import { fillStatement, writtenAsBase64 } from "./values.ts";
import { runtimeVersion } from "./version.ts";

/** A statement the printer keeps in place, later replaced by a body laid out without prettier. */
export function bodyMarker(index: number): string {
  return `// @adjoint-body ${index}`;
}

/** What the describer needs beyond the plan: the arena type and length, and entries in parts. */
export interface ModuleLayout {
  readonly runtimeImport: string;
  readonly arenaType: "f64" | "f32";
  readonly arenaLength: number;
  /** The spill view, when some entry passes scalars between its parts. */
  readonly spill?: View;
  /** Per entry (in plan order), the names of its part functions; one part means no helpers. */
  readonly partNames: readonly (readonly string[])[];
  /** Loops several entries compute, each one function they call (bodies after marker 0). */
  readonly sharedLoops: readonly SharedLoop[];
  /** For each entry that another runs after, the flag that says its values are current. */
  readonly calledFlags: ReadonlyMap<string, string>;
  /** The module's top-level identifiers and its names for the runtime's. */
  readonly names: ModuleNames;
}

/**
 * The module around the bodies. Marker 0 holds the view declarations; marker k + 1 the body of the
 * k-th function in `bodyFunctions` order (shared loops, then entries' parts or the entries).
 */
export function describeModule(
  plan: Plan,
  layout: ModuleLayout,
  /** Which runtime helpers the bodies call: the index check, the error class (a while at its bound), the special functions. */
  uses: { readonly checkIndex: boolean; readonly throwsError: boolean; readonly special: boolean },
  kernels: "wasm" | "js" | "auto" = "js",
): ModuleSpec {
  const { program } = plan;
  const { names } = layout;
  const { type, runtime } = names;
  const arrayType = layout.arenaType === "f32" ? "Float32Array" : "Float64Array";
  const leavesOf = (op: "input" | "param") => program.leaves.filter((leaf) => leaf.op === op);
  const viewsOf = (op: "input" | "param") =>
    leavesOf(op).map((leaf) => ({
      name: leaf.attrs.name,
      type: arrayType,
      doc: `shape ${shapeText(leaf)}`,
    }));

  const interfaces: InterfaceSpec[] = [
    {
      name: names.inputsType,
      doc: "Input views: write them, then call an entry point.",
      properties: nestedProperties(viewsOf("input")),
    },
    {
      name: names.paramsType,
      doc: "Param views: they keep their values between calls.",
      properties: nestedProperties(viewsOf("param")),
    },
    ...plan.entries.map((lowered) => ({
      name: outputsType(type, lowered),
      doc: `What ${lowered.entry.name}() returns: views into the arena, valid until the next call.`,
      properties: nestedProperties(
        lowered.outputs.map((output) => ({
          name: output.name,
          type: arrayType,
          doc: `shape ${shapeText(output.node)}`,
        })),
      ),
    })),
    {
      name: type,
      doc: `A ${program.name} instance: one arena of ${layout.arenaLength} ${layout.arenaType} values, allocated once.`,
      properties: [
        { name: "arena", type: arrayType },
        { name: "inputs", type: names.inputsType },
        { name: "params", type: names.paramsType },
      ],
      methods: plan.entries.map((lowered) => ({
        ...entrySignature(plan, names, lowered),
        name: lowered.entry.name,
        statements: [],
      })),
    },
  ];
  const places = {
    dtype: layout.arenaType,
    arenaLength: layout.arenaLength,
    inputs: layoutOf(plan, leavesOf("input")),
    params: layoutOf(plan, leavesOf("param")),
  };
  const factory: FunctionSpec = {
    name: names.factory,
    doc: `Allocates a ${program.name} instance. Entry points allocate nothing.`,
    parameters: [],
    returnType: type,
    statements: factoryStatements(plan, layout, kernels),
  };
  const fed = plan.entries.some((e) => e.feeds.length > 0);
  const imported = (name: keyof ModuleNames["runtime"]): ImportSpec => ({
    name,
    local: runtime[name],
  });
  return {
    runtimeImport: layout.runtimeImport,
    valueImports: [
      imported(kernels === "js" ? "allocateArena" : "allocateKernelArena"),
      ...(fed ? [imported("feedInputs")] : []),
      ...(uses.checkIndex ? [imported("checkIndex")] : []),
      ...(uses.special ? [imported("special")] : []),
      ...(usesBase64(plan) ? [imported("setBase64Values")] : []),
      ...(layout.calledFlags.size > 0 || uses.throwsError ? [imported("AdjointRuntimeError")] : []),
      imported("checkRuntimeVersion"),
    ],
    typeImports: fed ? [imported("Feeds"), imported("InputSpec")] : [],
    interfaces,
    constants: [
      {
        name: names.runtimeVersion,
        doc: "The runtime version this module was generated for: importing it with another major.minor throws.",
        type: "string",
        initializer: `${runtime.checkRuntimeVersion}(${JSON.stringify(runtimeVersion)}, ${JSON.stringify(program.name)})`,
      },
      {
        name: names.layout,
        doc: "Where every input and param lives in the arena (offsets in elements).",
        initializer: `${JSON.stringify(places)} as const`,
      },
    ],
    factory,
  };
}

function factoryStatements(
  plan: Plan,
  layout: ModuleLayout,
  kernels: "wasm" | "js" | "auto",
): (string | FunctionSpec)[] {
  const { program } = plan;
  const { names } = layout;
  const size = `"${layout.arenaType}", ${layout.arenaLength}`;
  // the library's matmul runs over the arena itself: it lives in the library's memory
  const allocation =
    kernels === "js"
      ? `const arena = ${names.runtime.allocateArena}(${size});`
      : `const { arena, ${kernelsLocal} } = ${names.runtime.allocateKernelArena}(${size}, "${kernels}");`;
  const statements: (string | FunctionSpec)[] = [allocation, bodyMarker(0)];
  statements.push(...initialValues(plan, names.runtime.setBase64Values));
  if (plan.entries.some((lowered) => lowered.feeds.length > 0)) {
    const declared = program.leaves.filter((leaf) => leaf.op === "input").map(attrName);
    statements.push(
      `const ${names.declaredInputs}: readonly string[] = ${JSON.stringify(declared)};`,
    );
  }
  const leafObject = (op: "input" | "param") =>
    objectText(
      program.leaves
        .filter((leaf) => leaf.op === op)
        .map((leaf) => [leaf.attrs.name, plan.views.get(leaf.id)!.name] as const),
    );
  for (const lowered of plan.entries) {
    if (lowered.feeds.length > 0) {
      const bounds = feedIndexBounds(plan, lowered);
      const specs = lowered.feeds.map((leaf) => {
        // integer and boolean inputs tell the runtime, which checks fed values against them
        const dtype =
          leaf.dtype === "i32" || leaf.dtype === "bool" ? `, dtype: "${leaf.dtype}"` : "";
        const bound = bounds.get(leaf.id);
        const indexes =
          bound === undefined
            ? ""
            : `, indexes: { size: ${bound.size}, op: ${JSON.stringify(bound.op)} }`;
        return `{ name: ${JSON.stringify(attrName(leaf))}, shape: ${JSON.stringify(leaf.shape)}, view: ${plan.views.get(leaf.id)!.name}${dtype}${indexes} }`;
      });
      statements.push(
        `const ${lowered.feedsName}: readonly ${names.runtime.InputSpec}[] = [${specs.join(", ")}];`,
      );
    }
    const outputs = objectText(
      lowered.outputs.map((output) => [output.name, output.view.name] as const),
      false,
    );
    statements.push(
      `const ${lowered.outputsName}: ${outputsType(names.type, lowered)} = ${outputs};`,
    );
  }
  for (const flag of layout.calledFlags.values()) statements.push(`let ${flag} = false;`);
  let marker = 1;
  for (const loop of layout.sharedLoops)
    statements.push({
      name: loop.name,
      doc: loop.doc,
      parameters: [],
      returnType: "void",
      statements: [bodyMarker(marker++)],
    });
  plan.entries.forEach((lowered, index) => {
    const parts = layout.partNames[index];
    if (parts.length > 1) {
      parts.forEach((name, part) =>
        statements.push({
          name,
          doc: `Part ${part + 1} of ${parts.length} of ${lowered.entry.name}(), split to stay small for the JIT.`,
          parameters: [],
          returnType: "void",
          statements: [bodyMarker(marker++)],
        }),
      );
      statements.push(
        entryFunction(
          plan,
          layout,
          lowered,
          parts.map((name) => `${name}();`),
        ),
      );
    } else {
      statements.push(entryFunction(plan, layout, lowered, [bodyMarker(marker++)]));
    }
  });
  const methods = plan.entries.map((lowered) =>
    property(lowered.entry.name, lowered.functionName, true),
  );
  statements.push(
    `return { arena, inputs: ${leafObject("input")}, params: ${leafObject("param")}, ${methods.join(", ")} };`,
  );
  return statements;
}

/** Every arena view, in offset order: what marker 0 declares. */
export function viewDeclarations(plan: Plan, spill: View | undefined): string[] {
  const declared = [
    ...plan.views.values(),
    ...plan.outputViews.values(),
    ...plan.staged.values(),
    ...(spill === undefined ? [] : [spill]),
  ].sort((a, b) => a.offset - b.offset);
  // a reshape and the input computed into its view share one view: declare it once
  return [...new Set(declared)].map(
    (view) => `const ${view.name} = arena.subarray(${view.offset}, ${view.offset + view.length});`,
  );
}

function entryFunction(
  plan: Plan,
  layout: ModuleLayout,
  lowered: LoweredEntry,
  body: readonly string[],
): FunctionSpec {
  const { name, after } = lowered.entry;
  const { runtime, declaredInputs } = layout.names;
  const where = `${plan.program.name}.${name}`;
  const feed =
    lowered.feeds.length > 0
      ? [
          `if (feeds !== undefined) ${runtime.feedInputs}(${JSON.stringify(where)}, ${lowered.feedsName}, feeds, ${declaredInputs});`,
        ]
      : [];
  // before the feeds: a call that is refused writes nothing
  const guard =
    after === undefined
      ? []
      : [
          `if (!${layout.calledFlags.get(after)!}) throw new ${runtime.AdjointRuntimeError}(${JSON.stringify(
            `${where}: call ${after}() first (and no other entry in between): ${name}() reads the values it computed`,
          )});`,
        ];
  // any other entry may change inputs or params, and this one may stop halfway (an index out of
  // range): until it returns, the values it saves are not current
  const clear = [...layout.calledFlags]
    .filter(([target]) => target !== after)
    .map(([, flag]) => `${flag} = false;`);
  const flag = layout.calledFlags.get(name);
  return {
    ...entrySignature(plan, layout.names, lowered),
    name: lowered.functionName,
    statements: [
      ...guard,
      ...feed,
      ...clear,
      ...body,
      ...(flag === undefined ? [] : [`${flag} = true;`]),
      `return ${lowered.outputsName};`,
    ],
  };
}

function entrySignature(
  plan: Plan,
  names: ModuleNames,
  lowered: LoweredEntry,
): Omit<FunctionSpec, "name" | "statements"> {
  const fetched = lowered.outputs.map((output) => output.name).join(", ");
  const updated = lowered.entry.update.map(([param]) => param.attrs.name).join(", ");
  const read = lowered.feeds.map(attrName).join(", ");
  const doc = [
    fetched === "" ? "" : `Computes ${fetched}`,
    updated === "" ? "" : `updates ${updated}`,
    read === "" ? "" : `from inputs ${read}`,
  ]
    .filter((part) => part !== "")
    .join("; ");
  const loc =
    lowered.entry.loc === undefined
      ? ""
      : ` (${safeComment(path.basename(lowered.entry.loc.file))}:${lowered.entry.loc.line})`;
  const feedNames = lowered.feeds.map((leaf) => JSON.stringify(attrName(leaf))).join(" | ");
  // the program's other inputs may be fed too: this entry ignores them
  const others = plan.program.leaves
    .filter((leaf) => leaf.op === "input" && !lowered.feeds.includes(leaf))
    .map((leaf) => JSON.stringify(attrName(leaf)));
  const feedsType = `${names.runtime.Feeds}<${feedNames}${others.length === 0 ? "" : `, ${others.join(" | ")}`}>`;
  return {
    doc: `${doc}.${loc}`,
    parameters:
      lowered.feeds.length > 0 ? [{ name: "feeds", type: feedsType, optional: true }] : [],
    returnType: outputsType(names.type, lowered),
  };
}

/** Every value list the factory writes: params' initial values, then the program's constants. */
function initialValueLists(plan: Plan): [view: string, values: readonly number[]][] {
  const lists: [string, readonly number[]][] = [];
  for (const [name, init] of plan.program.paramInit) {
    const leaf = plan.program.leaves.find(
      (node) => node.op === "param" && node.attrs.name === name,
    )!;
    lists.push([plan.views.get(leaf.id)!.name, typeof init === "number" ? [init] : init]);
  }
  for (const node of plan.program.graph.nodes) {
    const view = plan.views.get(node.id);
    if (node.op === "const" && view !== undefined) lists.push([view.name, node.attrs.values]);
  }
  return lists;
}

function initialValues(plan: Plan, decoder: string): string[] {
  return initialValueLists(plan).map(([view, values]) => fillStatement(view, values, decoder));
}

/** True when the factory writes a value list in base64 (the module imports the decoder). */
function usesBase64(plan: Plan): boolean {
  return initialValueLists(plan).some(([, values]) => writtenAsBase64(values));
}

function layoutOf(plan: Plan, leaves: readonly Node[]) {
  const places = leaves.map(
    (leaf) =>
      [
        attrName(leaf),
        { offset: plan.views.get(leaf.id)!.offset, shape: [...leaf.shape] },
      ] as const,
  );
  return nestedObject(nestPaths(places), (place) => place);
}

/** `{ key: value }` member text, shorthand when both are the same identifier. */
function property(key: string, value: string, shorthand: boolean): string {
  return shorthand && key === value ? key : `${key}: ${value}`;
}

/**
 * Object literal text for values named by dotted paths ("a.b" is member b of member a), with
 * `{ x }` shorthand where a key names its own view unless `shorthand` is off (as for outputs).
 */
function objectText(pairs: readonly (readonly [string, string])[], shorthand = true): string {
  const text = (nested: Nested<string>): string => {
    const members = [...nested].map(([key, member]) =>
      typeof member === "string" ? property(key, member, shorthand) : `${key}: ${text(member)}`,
    );
    return `{ ${members.join(", ")} }`;
  };
  return text(nestPaths(pairs));
}

interface Property {
  readonly name: string;
  readonly type: string;
  readonly doc?: string;
}

/** Interface members for values named by dotted paths: a group becomes an inline object type. */
function nestedProperties(members: readonly Property[]): Property[] {
  const properties = (nested: Nested<Property>): Property[] =>
    [...nested].map(([key, member]) =>
      member instanceof Map
        ? { name: key, type: objectType(properties(member as Nested<Property>)) }
        : { ...(member as Property), name: key },
    );
  return properties(nestPaths(members.map((member) => [member.name, member] as const)));
}

function objectType(members: readonly Property[]): string {
  const lines = members.map(
    (member) =>
      `${member.doc === undefined ? "" : `/** ${member.doc} */\n`}readonly ${member.name}: ${member.type};`,
  );
  return `{\n${lines.join("\n")}\n}`;
}

function attrName(leaf: Node): string {
  return leaf.op === "input" || leaf.op === "param" ? leaf.attrs.name : `%${leaf.id}`;
}

function shapeText(node: Node): string {
  return `[${node.shape.join(", ")}]`;
}

// A generated module's skeleton as plain data, printed directly as text; prettier then lays it out.
// (Printing through ts-morph gave the same formatted module but loaded the TypeScript compiler,
// most of a small compile's time.)

/** A runtime import and its local name in the module (the same unless the module needs it). */
export interface ImportSpec {
  readonly name: string;
  readonly local: string;
}

export interface ModuleSpec {
  readonly runtimeImport: string;
  readonly valueImports: readonly ImportSpec[];
  readonly typeImports: readonly ImportSpec[];
  readonly interfaces: readonly InterfaceSpec[];
  readonly constants: readonly {
    readonly name: string;
    readonly doc: string;
    /** Written where declarations are emitted alone (isolatedDeclarations, --emit js). */
    readonly type?: string;
    readonly initializer: string;
  }[];
  readonly factory: FunctionSpec;
}

export interface InterfaceSpec {
  readonly name: string;
  readonly doc: string;
  readonly properties: readonly {
    readonly name: string;
    readonly type: string;
    readonly doc?: string;
  }[];
  readonly methods?: readonly FunctionSpec[];
}

export interface FunctionSpec {
  readonly name: string;
  readonly doc: string;
  readonly parameters: readonly {
    readonly name: string;
    readonly type: string;
    readonly optional?: boolean;
  }[];
  readonly returnType: string;
  /** Plain statements, or nested functions. */
  readonly statements: readonly (string | FunctionSpec)[];
}

/** The module as text: docs on every declaration, a blank line around each function. */
export function printModuleText(spec: ModuleSpec): string {
  const imported = ({ name, local }: ImportSpec) => (local === name ? name : `${name} as ${local}`);
  const names = [
    ...spec.valueImports.map(imported),
    ...spec.typeImports.map((spec) => `type ${imported(spec)}`),
  ].join(", ");
  const lines = [`import { ${names} } from ${JSON.stringify(spec.runtimeImport)};`];
  for (const shape of spec.interfaces) {
    lines.push("", ...docText(shape.doc), `export interface ${shape.name} {`);
    for (const property of shape.properties) {
      lines.push(...docText(property.doc, "  "), `  readonly ${property.name}: ${property.type};`);
    }
    for (const method of shape.methods ?? []) {
      lines.push(
        ...docText(method.doc, "  "),
        `  ${method.name}(${parameterList(method)}): ${method.returnType};`,
      );
    }
    lines.push(`}`);
  }
  if (spec.constants.length > 0) lines.push("");
  for (const constant of spec.constants) {
    lines.push(
      ...docText(constant.doc),
      `export const ${constant.name}${constant.type === undefined ? "" : `: ${constant.type}`} = ${constant.initializer};`,
    );
  }
  lines.push("", ...functionText(spec.factory, "export "));
  return `${lines.join("\n")}\n`;
}

/** A JSDoc comment: on one line, or one line per line of `doc`. */
function docText(doc: string | undefined, indent = ""): string[] {
  if (doc === undefined || doc === "") return [];
  const docLines = doc.split("\n");
  if (docLines.length === 1) return [`${indent}/** ${doc} */`];
  return [
    `${indent}/**`,
    ...docLines.map((line) => `${indent} * ${line}`.trimEnd()),
    `${indent} */`,
  ];
}

function functionText(spec: FunctionSpec, prefix = ""): string[] {
  const body: string[] = [];
  spec.statements.forEach((statement, index) => {
    if (typeof statement === "string") {
      // a statement after a nested function is set off from it by a blank line
      if (index > 0 && typeof spec.statements[index - 1] !== "string") body.push("");
      body.push(statement);
      return;
    }
    if (index > 0) body.push("");
    body.push(...functionText(statement));
  });
  return [
    ...docText(spec.doc),
    `${prefix}function ${spec.name}(${parameterList(spec)}): ${spec.returnType} {`,
    ...body.map((line) => (line === "" ? "" : `  ${line}`)),
    `}`,
  ];
}

function parameterList(spec: FunctionSpec): string {
  return spec.parameters
    .map((p) => `${p.name}${p.optional === true ? "?" : ""}: ${p.type}`)
    .join(", ");
}

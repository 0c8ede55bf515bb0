// The only ts-morph user: builds a module from a plain description, and transpiles for in-process runs.
import {
  Project,
  StructureKind,
  ts,
  VariableDeclarationKind,
  type StatementStructures,
} from "ts-morph";

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

export function printModule(spec: ModuleSpec): string {
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("module.ts", "", { overwrite: true });
  file.addImportDeclaration({
    moduleSpecifier: spec.runtimeImport,
    namedImports: [
      ...spec.valueImports.map(named),
      ...spec.typeImports.map((imported) => ({ ...named(imported), isTypeOnly: true })),
    ],
  });
  for (const shape of spec.interfaces) {
    file.addInterface({
      name: shape.name,
      isExported: true,
      docs: [shape.doc],
      properties: shape.properties.map((property) => ({
        name: property.name,
        type: property.type,
        isReadonly: true,
        docs: property.doc === undefined ? [] : [property.doc],
      })),
      methods: (shape.methods ?? []).map((method) => ({
        name: method.name,
        docs: [method.doc],
        parameters: method.parameters.map(parameter),
        returnType: method.returnType,
      })),
    });
  }
  for (const constant of spec.constants) {
    file.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [constant.doc],
      declarations: [{ name: constant.name, initializer: constant.initializer }],
    });
  }
  file.addFunction({ ...functionStructure(spec.factory), isExported: true });
  return file.getFullText();
}

/**
 * The same module as printModule, statement for statement, printed directly as text: for callers
 * that skip formatting (the fuzzer), where building it through ts-morph is most of compile time.
 */
export function printModuleText(spec: ModuleSpec): string {
  const imported = ({ name, local }: ImportSpec) => (local === name ? name : `${name} as ${local}`);
  const names = [
    ...spec.valueImports.map(imported),
    ...spec.typeImports.map((spec) => `type ${imported(spec)}`),
  ].join(", ");
  const lines = [`import { ${names} } from ${JSON.stringify(spec.runtimeImport)};`];
  for (const shape of spec.interfaces) {
    lines.push(`/** ${shape.doc} */`, `export interface ${shape.name} {`);
    for (const property of shape.properties) {
      lines.push(`  readonly ${property.name}: ${property.type};`);
    }
    for (const method of shape.methods ?? []) {
      lines.push(`  ${method.name}(${parameterList(method)}): ${method.returnType};`);
    }
    lines.push(`}`);
  }
  for (const constant of spec.constants) {
    lines.push(
      `/** ${constant.doc} */`,
      `export const ${constant.name} = ${constant.initializer};`,
    );
  }
  lines.push(...functionText(spec.factory, "export "));
  return `${lines.join("\n")}\n`;
}

function functionText(spec: FunctionSpec, prefix = ""): string[] {
  const body = spec.statements.flatMap((statement) =>
    typeof statement === "string" ? [statement] : functionText(statement),
  );
  return [
    `${prefix}function ${spec.name}(${parameterList(spec)}): ${spec.returnType} {`,
    ...body.map((line) => `  ${line}`),
    `}`,
  ];
}

function parameterList(spec: FunctionSpec): string {
  return spec.parameters
    .map((p) => `${p.name}${p.optional === true ? "?" : ""}: ${p.type}`)
    .join(", ");
}

function named({ name, local }: ImportSpec) {
  return local === name ? { name } : { name, alias: local };
}

function functionStructure(spec: FunctionSpec) {
  return {
    kind: StructureKind.Function,
    name: spec.name,
    docs: spec.doc === "" ? [] : [spec.doc],
    parameters: spec.parameters.map(parameter),
    returnType: spec.returnType,
    statements: spec.statements.map((statement): string | StatementStructures =>
      typeof statement === "string" ? statement : functionStructure(statement),
    ),
  } as const;
}

function parameter(spec: FunctionSpec["parameters"][number]) {
  return { name: spec.name, type: spec.type, hasQuestionToken: spec.optional === true };
}

/** TypeScript to CommonJS JavaScript, types stripped, for running generated code in this process. */
export function transpileToCommonJs(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

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

// The module's top-level identifiers: the public names derived from the program's, and the local
// names of runtime imports, aliased where a public name takes theirs, so no two ever collide.
import type { LoweredEntry, Plan } from "../lower/plan.ts";
import { capitalize, pascalCase } from "../dsl/names.ts";
import { runtimeTypeImports, runtimeValueImports, type RuntimeImport } from "../lower/names.ts";

export interface ModuleNames {
  /** The instance type, "Quadratic"; its views' types are `${type}Inputs` and `${type}Params`. */
  readonly type: string;
  readonly inputsType: string;
  readonly paramsType: string;
  readonly layout: string;
  /** The constant that checks, on import, that the runtime is the version the module was made for. */
  readonly runtimeVersion: string;
  readonly factory: string;
  /** What each runtime import is called in this module: its own name unless a public name is. */
  readonly runtime: Readonly<Record<RuntimeImport, string>>;
  /** The factory's list of every input the program declares (feeds may name any of them). */
  readonly declaredInputs: string;
}

/** The type of what entry `lowered` returns: "QuadraticGradOutputs". */
export function outputsType(type: string, lowered: LoweredEntry): string {
  return `${type}${capitalize(lowered.entry.name)}Outputs`;
}

/** Names every top-level identifier of the module; claims the aliases from the plan's table. */
export function moduleNames(plan: Plan): ModuleNames {
  const type = pascalCase(plan.program.name);
  const names = {
    type,
    inputsType: `${type}Inputs`,
    paramsType: `${type}Params`,
    layout: `${plan.program.name}Layout`,
    runtimeVersion: `${plan.program.name}RuntimeVersion`,
    factory: `create${type}`,
  };
  // public names are the API: they stay, and an import whose name they take is aliased
  const declared = [
    ...Object.values(names),
    ...plan.entries.map((lowered) => outputsType(type, lowered)),
  ];
  for (const name of declared) plan.table.reserve(name);
  const imports = [...runtimeValueImports, ...runtimeTypeImports];
  const runtime = Object.fromEntries(
    imports.map((name) => [name, declared.includes(name) ? plan.table.claim(name) : name]),
  ) as Record<RuntimeImport, string>;
  return { ...names, runtime, declaredInputs: plan.table.claim("programInputs") };
}

// The settings of `adjoint compile`, one record each: its key in adjoint.config.json, its flag, the
// type the file must give and how a flag's text reads as it. The config file and the flags are
// checked by the same records, so the two can never disagree about a setting.
import { AdjointError } from "../errors.ts";
import { defaultRuntimeImport } from "../codegen/version.ts";

export type Emit = "ts" | "js";

/** Every setting after defaults, the config file and the flags (in that order of precedence). */
export interface Settings {
  /** Graph files or globs (relative to the config file's directory when they come from it). */
  readonly programs: readonly string[];
  readonly out: string;
  readonly runtimeImport: string;
  readonly emit: Emit;
  readonly dtype: "f64" | "f32" | undefined;
  readonly fusion: boolean;
  readonly maxFunctionLines: number | undefined;
  readonly kernels: "wasm" | "js" | "auto";
  readonly svg: string | undefined;
  readonly dot: string | undefined;
  readonly report: boolean;
}

export const defaultSettings: Settings = {
  programs: [],
  out: "generated",
  runtimeImport: defaultRuntimeImport,
  emit: "ts",
  dtype: undefined,
  fusion: true,
  maxFunctionLines: undefined,
  kernels: "auto",
  svg: undefined,
  dot: undefined,
  report: false,
};

type Key = keyof Settings;

interface Setting {
  /** The flag's name without its dashes; undefined for programs (the command line's positionals). */
  readonly flag?: string;
  /** What the config file must hold, as an error names it. */
  readonly expected: string;
  /** The config file's value checked, or undefined when it is not of the expected type. */
  fromJson(value: unknown): Settings[Key] | undefined;
  /** The flag's text read, or undefined when it does not read as the expected type. */
  fromFlag(text: string): Settings[Key] | undefined;
  readonly help: string;
}

const string = (help: string, flag: string): Setting => ({
  flag,
  expected: "a non-empty string",
  fromJson: (value) => (typeof value === "string" && value !== "" ? value : undefined),
  fromFlag: (text) => (text !== "" ? text : undefined),
  help,
});

const oneOf = (choices: readonly string[], help: string, flag: string): Setting => ({
  flag,
  expected: `one of ${choices.map((choice) => JSON.stringify(choice)).join(", ")}`,
  fromJson: (value) =>
    typeof value === "string" && choices.includes(value) ? (value as Settings[Key]) : undefined,
  fromFlag: (text) => (choices.includes(text) ? (text as Settings[Key]) : undefined),
  help,
});

const positiveInteger = (value: unknown) =>
  typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : undefined;

export const settings: { readonly [key in Key]: Setting } = {
  programs: {
    expected: "an array of file names or globs",
    fromJson: (value) =>
      Array.isArray(value) && value.every((item) => typeof item === "string" && item !== "")
        ? (value as string[])
        : undefined,
    fromFlag: () => undefined,
    help: "graph files or globs to compile (on the command line: the files after the options)",
  },
  out: string("directory for generated modules (default: generated)", "out"),
  runtimeImport: string(
    `module the generated code imports the runtime from (default: ${defaultRuntimeImport})`,
    "runtime-import",
  ),
  emit: oneOf(
    ["ts", "js"],
    "ts: a TypeScript module; js: a JavaScript module and its .d.ts (default: ts)",
    "emit",
  ),
  dtype: oneOf(
    ["f64", "f32"],
    "element type of the arena, overriding the program's own (f32 halves the memory)",
    "dtype",
  ),
  fusion: {
    flag: "fusion",
    expected: "true or false",
    fromJson: (value) => (typeof value === "boolean" ? value : undefined),
    fromFlag: (text) => (text === "on" ? true : text === "off" ? false : undefined),
    help: "on|off: fuse chains of elementwise tensor ops into one loop (default: on)",
  },
  maxFunctionLines: {
    flag: "max-function-lines",
    expected: "an integer of at least 1",
    fromJson: positiveInteger,
    fromFlag: (text) => (/^\d+$/.test(text) ? positiveInteger(Number(text)) : undefined),
    help: "most lines in one emitted function; longer entries are split (default: 500)",
  },
  kernels: oneOf(
    ["wasm", "js", "auto"],
    "matmul through the WebAssembly SIMD library, the JS loops, or per engine (default: auto)",
    "kernels",
  ),
  svg: string("also draw each graph with its adjoint nodes to DIR/FILE.svg", "svg"),
  dot: string("also write each graph as Graphviz DOT to DIR/FILE.dot", "dot"),
  report: {
    flag: "report",
    expected: "true or false",
    fromJson: (value) => (typeof value === "boolean" ? value : undefined),
    fromFlag: () => true,
    help: "print, per file and entry point, what each pass did, flops, arena bytes",
  },
};

export const settingKeys = Object.keys(settings) as Key[];

/** The config file's object checked key by key: the first bad key fails in one line naming it. */
export function settingsFromJson(json: unknown, file: string): Partial<Settings> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new AdjointError(`${file}: expected an object of settings ({ "programs": [...], ... })`);
  }
  const result: Partial<Record<Key, unknown>> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === "$schema") continue;
    if (!(key in settings)) {
      throw new AdjointError(
        `${file}: unknown key "${key}" (expected one of ${settingKeys.join(", ")})`,
      );
    }
    const setting = settings[key as Key];
    const read = setting.fromJson(value);
    if (read === undefined) {
      throw new AdjointError(
        `${file}: "${key}" must be ${setting.expected}, got ${JSON.stringify(value)}`,
      );
    }
    result[key as Key] = read;
  }
  return result as Partial<Settings>;
}

/** The flags given (as parseArgs strings), each read by its setting's record. */
export function settingsFromFlags(
  values: Readonly<Record<string, string | boolean | undefined>>,
): Partial<Settings> {
  const result: Partial<Record<Key, unknown>> = {};
  for (const key of settingKeys) {
    const { flag } = settings[key];
    const given = flag === undefined ? undefined : values[flag];
    if (flag === undefined || given === undefined) continue;
    const read = settings[key].fromFlag(String(given));
    if (read === undefined) {
      const expected = key === "fusion" ? "on or off" : settings[key].expected;
      throw new AdjointError(`--${flag} must be ${expected}, got ${JSON.stringify(given)}`);
    }
    result[key] = read;
  }
  return result as Partial<Settings>;
}

/** parseArgs options for every setting's flag. */
export function flagOptions(): Record<string, { type: "string" | "boolean" }> {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const key of settingKeys) {
    const { flag } = settings[key];
    if (flag !== undefined) options[flag] = { type: key === "report" ? "boolean" : "string" };
  }
  return options;
}

/** The help lines of every flag, aligned. */
export function flagHelp(): string {
  return settingKeys
    .filter((key) => settings[key].flag !== undefined)
    .map((key) => {
      const { flag, help } = settings[key];
      const name = key === "report" ? `--${flag}` : `--${flag} <${argumentName(key)}>`;
      return `  ${name.padEnd(27)}${help}`;
    })
    .join("\n");
}

function argumentName(key: Key): string {
  if (key === "out" || key === "svg" || key === "dot") return "dir";
  if (key === "maxFunctionLines") return "n";
  if (key === "runtimeImport") return "spec";
  return key === "fusion" ? "on|off" : key;
}

// Names from the DSL become identifiers in generated code: only plain identifiers pass.
import { AdjointError, type SourceLoc } from "../errors.ts";

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Words that cannot name a binding in strict-mode TypeScript, or that would shadow what generated code uses. */
export const reservedWords: ReadonlySet<string> = new Set([
  ...["break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete"],
  ...["do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if"],
  ...["import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw"],
  ...["true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static"],
  ...["implements", "interface", "package", "private", "protected", "public", "await", "async"],
  ...["arguments", "eval", "undefined", "NaN", "Infinity", "Math", "Object", "Array", "Error"],
  ...["Float64Array", "Float32Array", "constructor", "prototype", "__proto__", "toString"],
]);

/**
 * Global types a generated module refers to by name, which the program's own type must not shadow
 * (the runtime's types are imported under another name when the program's type takes theirs).
 */
export const moduleTypeNames: ReadonlySet<string> = new Set(["Float64Array", "Float32Array"]);

const prototypeMember =
  "it would shadow Object.prototype's member of that name, which code inspecting objects calls";
/**
 * Why an entry may not have each name: an entry is a method of every instance, and these names
 * change how JavaScript treats an object (await, JSON, conversions, reflection) or are the
 * instance's own members (runtime/core.ts's Instance: arena, inputs, params).
 */
export const instanceKeyWords: ReadonlyMap<string, string> = new Map([
  ["then", "every instance would be awaitable: await calls then(), running the entry"],
  ["toJSON", "JSON.stringify(instance) would call it, running the entry"],
  ["valueOf", "converting the instance to a number would call it, running the entry"],
  ["toString", "converting the instance to a string would call it, running the entry"],
  ["toLocaleString", "converting the instance to a string would call it, running the entry"],
  ["constructor", prototypeMember],
  ["__proto__", "it would set the prototype of the instance"],
  ...[
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
  ].map((name) => [name, prototypeMember] as const),
  ...["arena", "inputs", "params"].map(
    (name) => [name, "it is a member of every instance"] as const,
  ),
  ...["layout", "dtype"].map(
    (name) => [name, "it is reserved for a member of every instance"] as const,
  ),
]);

/** An entry name: a valid name that leaves the instance an ordinary object with its own members. */
export function checkEntryName(program: string, name: unknown, loc: SourceLoc | undefined): string {
  const why = typeof name === "string" ? instanceKeyWords.get(name) : undefined;
  if (why !== undefined) {
    throw new AdjointError(
      `program "${program}": entry "${String(name)}" cannot have that name: ${why}; rename the entry`,
      loc,
    );
  }
  return checkName("entry", name, loc);
}

export function checkName(kind: string, name: unknown, loc: SourceLoc | undefined): string {
  if (typeof name !== "string" || !identifier.test(name) || reservedWords.has(name)) {
    const shown = typeof name === "string" ? JSON.stringify(name) : String(name);
    throw new AdjointError(
      `${kind} name ${shown} is not a valid name: use letters, digits and _ (not starting with a digit), ` +
        `and not a reserved word`,
      loc,
    );
  }
  return name;
}

/** A dotted path as one identifier: "layer1.W" -> "layer1_W" (a flat name is itself). */
export function pathIdentifier(path: string): string {
  return path.replaceAll(".", "_");
}

/** "grad" -> "Grad", "a_b" -> "A_b": distinct names stay distinct. */
export function capitalize(name: string): string {
  return name[0].toUpperCase() + name.slice(1);
}

/** "quadratic" -> "Quadratic", "two_layer" -> "TwoLayer". */
export function pascalCase(name: string): string {
  return name
    .split("_")
    .filter((part) => part !== "")
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
}

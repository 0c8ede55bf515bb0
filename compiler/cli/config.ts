// adjoint.config.json: the settings of `adjoint compile` for a project, read from the working
// directory (or --config FILE). Paths in it are relative to the file; flags override it.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { AdjointError } from "../errors.ts";
import { defaultSettings, settingsFromJson, type Settings } from "./settings.ts";

export const configFileName = "adjoint.config.json";

/** The config file's settings, its paths made relative to the working directory; {} without one. */
export async function readConfig(explicit: string | undefined): Promise<Partial<Settings>> {
  const file = explicit ?? (existsSync(configFileName) ? configFileName : undefined);
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new AdjointError(`${file}: cannot read the config file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AdjointError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const read = settingsFromJson(json, file);
  const dir = path.dirname(file);
  const under = (p: string | undefined) => (p === undefined ? undefined : path.join(dir, p));
  const paths: Partial<Record<keyof Settings, unknown>> = {};
  if (read.programs !== undefined) paths.programs = read.programs.map((p) => path.join(dir, p));
  for (const key of ["out", "svg", "dot"] as const)
    if (read[key] !== undefined) paths[key] = under(read[key]);
  return { ...read, ...(paths as Partial<Settings>) };
}

/** Defaults, then the file, then the flags; command-line files replace the file's programs. */
export function mergeSettings(
  file: Partial<Settings>,
  flags: Partial<Settings>,
  positionals: readonly string[],
): Settings {
  const programs = positionals.length > 0 ? positionals : (file.programs ?? []);
  return { ...defaultSettings, ...file, ...flags, programs };
}

/** Each pattern's files in sorted order, duplicates dropped; a plain name is kept as it is. */
export async function expandPrograms(patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (!/[*?]/.test(pattern)) {
      files.push(pattern);
      continue;
    }
    const matched = await glob(pattern);
    if (matched.length === 0) throw new AdjointError(`${pattern}: no graph files match`);
    files.push(...matched);
  }
  return [...new Set(files)];
}

/** `*` and `?` within a name, `**` across directories; node_modules and dot folders skipped. */
async function glob(pattern: string): Promise<string[]> {
  const parts = pattern.split(/[\\/]/);
  const fixed = parts.findIndex((part) => /[*?]/.test(part));
  const base = parts.slice(0, fixed).join("/") || ".";
  const matcher = globRegExp(parts.slice(fixed));
  const found: string[] = [];
  const walk = async (dir: string, relative: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".")) {
          await walk(path.join(dir, entry.name), rel);
        }
      } else if (matcher.test(rel)) found.push(path.join(base, rel));
    }
  };
  await walk(base, "");
  return found.sort();
}

function globRegExp(parts: readonly string[]): RegExp {
  const escape = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  const segment = (part: string) => escape(part).replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  const body = parts
    .map((part, index) =>
      part === "**" ? "(?:[^/]+/)*" : segment(part) + (index < parts.length - 1 ? "/" : ""),
    )
    .join("");
  return new RegExp(`^${body}$`);
}

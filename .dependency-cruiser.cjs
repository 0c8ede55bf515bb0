// Imports run one way, down the layers of DESIGN.md; `npm run check:imports` enforces it in CI.
//
//   runtime/                      imports nothing from compiler/ (generated code ships with it alone)
//   errors.ts                     the bottom: imports nothing
//   ir/                           knows no op: the op table is handed to each Graph
//   ops/                          the records; rules build through ops/builder.ts
//   dsl/                          the builder; handed its build rules and its transforms
//   passes/, autodiff/            siblings: neither imports the other
//   program.ts                    wires the DSL to autodiff's transforms and the stabilize rules
//   lower/ <- codegen/ <- api.ts  lowering, emission, in-process compile
//   check/, explain/, report/, viz/   tools over programs and generated code
//   index.ts, cli/, vite/         the package entry, the command line, the Vite plugin: nothing imports them
//
// Each rule below forbids one layer's imports of the layers above it; no cycle of any kind,
// type-only imports included (the TypeScript sources are parsed with swc, which keeps them).

/** Paths (regexes from the repository root) of each layer, bottom first. */
const layers = [
  ["errors", "^compiler/errors\\.ts$"],
  ["ir", "^compiler/ir/"],
  ["ops", "^compiler/ops/"],
  ["dsl", "^compiler/dsl/"],
  ["passes", "^compiler/passes/"],
  ["autodiff", "^compiler/autodiff/"],
  ["program", "^compiler/program\\.ts$"],
  ["lower", "^compiler/lower/"],
  ["codegen", "^compiler/codegen/"],
  ["api", "^compiler/api\\.ts$"],
  ["tools", "^compiler/(check|explain|report|viz)/"],
  ["entry", "^compiler/(index\\.ts$|cli/|vite/)"],
];

/** Layers that share a level and may not import each other either way. */
const siblings = { passes: ["autodiff"], autodiff: ["passes"] };

const upward = layers.slice(0, -1).map(([name, path], level) => {
  const above = layers.slice(level + 1).map(([other]) => other);
  const forbidden = layers
    .filter(([other]) => above.includes(other) || (siblings[name] ?? []).includes(other))
    .map(([, otherPath]) => otherPath);
  return {
    name: `${name}-imports-downward`,
    comment: `${name} may import only the layers below it (see the table at the top of this file)`,
    severity: "error",
    from: { path },
    to: { path: forbidden },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "a cycle, even a type-only one, means a module is in the wrong layer",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "runtime-imports-no-compiler",
      comment: "generated modules import only the runtime, which must not pull in the compiler",
      severity: "error",
      from: { path: "^runtime/" },
      to: { path: "^compiler/" },
    },
    {
      name: "no-unresolvable",
      comment: "an import the cruiser cannot resolve would escape every rule above",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, dependencyTypesNot: ["core"] },
    },
    ...upward,
  ],
  options: {
    // typescript@7 has no JavaScript API: parse with swc, which keeps `import type`
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    // the built packages (dist/, runtime/dist/) are tsc's output of the sources checked here
    exclude: { path: "node_modules|(^|/)dist/" },
    moduleSystems: ["es6", "cjs"],
    // packages' "exports" maps (tsx/esm/api), as Node resolves them; @adjoint/runtime to its sources
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["adjoint-source", "import", "require", "node", "default"],
    },
  },
};

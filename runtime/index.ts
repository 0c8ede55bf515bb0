// The whole runtime for applications: the core that generated modules import, plus the seeded
// generator, the initialisers and the params file format, which only applications use.
export * from "./core.ts";
export * from "./random.ts";
export * from "./init.ts";
export * from "./params.ts";

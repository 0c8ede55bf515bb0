// Drives Vite's JS API with the adjoint plugin over a folder of graph files, in a process of its
// own (graph files load through Node's module hooks, which a test runner's module loader bypasses).
// Prints one JSON line per finding; plugin.test.ts asserts on them.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, createServer, type HotPayload } from "vite";
import adjoint from "../../compiler/vite/plugin.ts";

const root = path.resolve(process.argv[2]);
const report = (finding: Record<string, unknown>) => console.log(JSON.stringify(finding));

async function until<T>(probe: () => Promise<T | undefined>, seconds = 60): Promise<T | undefined> {
  for (let i = 0; i < seconds * 10; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

async function dev(): Promise<void> {
  const server = await createServer({
    root,
    logLevel: "silent",
    configFile: false,
    plugins: [adjoint()],
    server: { host: "127.0.0.1", port: 0, hmr: false },
  });
  await server.listen();
  const sent: HotPayload[] = [];
  const send = server.ws.send.bind(server.ws);
  server.ws.send = ((payload: HotPayload) => {
    sent.push(payload);
    send(payload);
  }) as typeof server.ws.send;
  const good = await server.transformRequest("/good.graph.ts");
  report({
    step: "dev-compiled",
    hasFactory: good?.code.includes("function createScaled") ?? false,
    scale: /= (\d+) \* /.exec(good?.code ?? "")?.[1],
  });
  // a failing graph over HTTP, as a browser would ask: a 500, and the overlay's error payload
  const address = server.httpServer?.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const response = await fetch(`http://127.0.0.1:${port}/bad.graph.ts`);
  const overlay = await until(async () => sent.find((payload) => payload.type === "error"), 10);
  const err = overlay?.type === "error" ? overlay.err : undefined;
  report({
    step: "dev-error",
    status: response.status,
    message: err?.message,
    loc: err?.loc,
    plugin: err?.plugin,
  });
  // the server still serves, and an edit to the helper the good graph imports recompiles it
  writeFileSync(
    path.join(root, "helper.ts"),
    readFileSync(path.join(root, "helper.ts"), "utf8").replace("= 3", "= 7"),
  );
  const scale = await until(async () => {
    const module = server.moduleGraph.getModulesByFile(path.join(root, "good.graph.ts"));
    for (const m of module ?? []) server.moduleGraph.invalidateModule(m);
    const code = (await server.transformRequest("/good.graph.ts"))?.code ?? "";
    const found = /= (\d+) \* /.exec(code)?.[1];
    return found === "7" ? found : undefined;
  });
  report({ step: "dev-after-edit", scale });
  await server.close();
}

async function production(): Promise<void> {
  const outDir = path.join(root, "dist");
  await build({
    root,
    logLevel: "silent",
    configFile: false,
    plugins: [adjoint()],
    build: {
      outDir,
      ssr: path.join(root, "entry.ts"),
      rollupOptions: { output: { entryFileNames: "entry.js" } },
    },
  });
  const bundle = (await import(pathToFileURL(path.join(outDir, "entry.js")).href)) as {
    result: number[];
  };
  report({ step: "build", result: bundle.result });
  try {
    await build({
      root,
      logLevel: "silent",
      configFile: false,
      plugins: [adjoint()],
      build: { outDir, ssr: path.join(root, "bad-entry.ts") },
    });
    report({ step: "build-error", failed: false });
  } catch (error) {
    const { message, loc, id } = error as { message: string; loc?: unknown; id?: string };
    report({ step: "build-error", failed: true, message, loc, id });
  }
}

await dev();
await production();
report({ step: "done" });

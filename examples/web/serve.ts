// The page in Vite's dev server (npm run web): edit examples/mnist.graph.ts and the page reloads
// with the recompiled module; a graph that fails shows in the error overlay.
import { createServer } from "vite";
import { webConfig } from "./config.ts";

const server = await createServer({
  ...webConfig("dist"),
  logLevel: "info",
  server: { host: "127.0.0.1", port: Number(process.env.PORT ?? 5173) },
});
await server.listen();
server.printUrls();

// The browser test (its own CI step: it builds the page and drives Chromium): builds examples/web
// with Vite through the adjoint plugin, serves it on the loopback, trains in Debian's Chromium via
// playwright-core, and checks that the loss falls and that every loss equals Node's bit for bit
// (same seed, same digits, the committed generated module run here). Takes docs/web.png.
// Run: npm run test:web   (CHROMIUM=/path/to/chromium to use another build)
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { createMnist } from "../../generated/mnist.ts";
import { webConfig } from "../../examples/web/config.ts";
import { sliceBytes } from "../../examples/web/slice.ts";
import { installPortableMath } from "../../examples/web/portable-math.ts";
import { bitsOf, decodeDigits, seeded, trainStep } from "../../examples/web/train.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const outDir = path.join(root, ".vitest-tmp", "web-dist");
const steps = 60;
const checks: [string, boolean][] = [];
const check = (name: string, ok: boolean) => {
  checks.push([name, ok]);
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
};

function nodeLosses(): string[] {
  const digits = decodeDigits(sliceBytes());
  const model = seeded(createMnist());
  return Array.from({ length: steps }, (_, step) => bitsOf(trainStep(model, digits, step)));
}

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((file) => file !== undefined && existsSync(file));
  if (found === undefined)
    throw new Error("no Chromium: apt-get install chromium (or set CHROMIUM)");
  return found;
}

async function main(): Promise<number> {
  await build(webConfig(outDir));
  const server = await preview({
    ...webConfig(outDir),
    preview: { host: "127.0.0.1", port: 0, strictPort: false },
  });
  const address = server.httpServer.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 720, height: 560 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const train = async (portable: boolean) => {
      await page.goto(`http://127.0.0.1:${port}/?steps=${steps}&portable=${portable ? 1 : 0}`);
      await page.waitForFunction(() => window.adjointRun?.done === true, undefined, {
        timeout: 300_000,
      });
      return page.evaluate(() => window.adjointRun!);
    };
    // first with the engines' own Math (Node's and Chromium's V8 may round exp and log apart)
    const native = await train(false);
    const nativeNode = nodeLosses();
    const nativeDiffer = nativeNode.filter((bits, step) => bits !== native.bits[step]).length;
    console.log(
      `with each engine's own Math.exp/log/sin/cos: ${nativeDiffer} of ${steps} losses differ in their bits (information, not a check)`,
    );
    const run = await train(true);
    await page.screenshot({ path: path.join(root, "docs", "web.png") });
    check(
      `the page ran without errors${errors.length > 0 ? `: ${errors.join("; ")}` : ""}`,
      errors.length === 0,
    );
    const first = mean(run.losses.slice(0, 5));
    const last = mean(run.losses.slice(-5));
    console.log(`browser loss: first 5 steps ${first.toFixed(4)}, last 5 steps ${last.toFixed(4)}`);
    check("the loss falls to less than half", last < first / 2);
    installPortableMath();
    const expected = nodeLosses();
    for (const step of [0, 1, Math.floor(steps / 2), steps - 1]) {
      console.log(`step ${step}: browser ${run.bits[step]}  node ${expected[step]}`);
    }
    const differing = expected.filter((bits, step) => bits !== run.bits[step]).length;
    check(
      `with exp, log, sin, cos from portable-math.ts: all ${steps} losses equal Node's bit for bit (${differing} differ)`,
      differing === 0,
    );
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
  const failed = checks.filter(([, ok]) => !ok).length;
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

process.exitCode = await main();
